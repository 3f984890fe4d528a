"""Write one benchmark's section of ``docs/BENCHMARKS.md``, keeping every other section.

Each benchmark owns the text between ``<!-- bench:NAME -->`` and ``<!-- /bench:NAME -->``. The section
starts with the machine and date it was measured on, so numbers are never read without their context.
"""

from __future__ import annotations

import datetime as dt
import os
import platform
import re
from pathlib import Path

HEADER = (
    "# Benchmarks\n\n"
    "Written by `kiosk bench …`; each section is rewritten by its own benchmark and names the machine\n"
    "and date it was measured on. Targets come from the issues; baselines are measured in the same run.\n"
)


def default_path() -> Path:
    return Path(os.environ.get("KIOSK_BENCHMARKS_MD", Path.cwd() / "docs" / "BENCHMARKS.md"))


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = ""
    try:
        kib = int(Path("/proc/meminfo").read_text().split()[1])
        mem = f", {kib / 1024 / 1024:.0f} GiB RAM"
    except (OSError, ValueError, IndexError):
        pass
    return f"{cpu}, {os.cpu_count()} cores{mem}, Python {platform.python_version()}, {platform.system()}"


def write_section(name: str, title: str, body: str, path: Path | None = None) -> Path:
    """Replace (or append) the section ``name`` with ``body`` under a ``## title`` heading."""
    path = path or default_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    text = path.read_text(encoding="utf-8") if path.exists() else HEADER
    stamp = dt.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z")
    section = (
        f"<!-- bench:{name} -->\n## {title}\n\n"
        f"Measured {stamp} on {machine()}.\n\n{body.strip()}\n<!-- /bench:{name} -->"
    )
    pattern = re.compile(rf"<!-- bench:{re.escape(name)} -->.*?<!-- /bench:{re.escape(name)} -->", re.S)
    if pattern.search(text):
        text = pattern.sub(lambda _m: section, text)
    else:
        text = text.rstrip("\n") + "\n\n" + section + "\n"
    tmp = path.with_suffix(".md.tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)
    return path


def percentile(values: list[float], fraction: float) -> float:
    """The value ``fraction`` of the way through ``values`` in order (nearest rank; 0 when empty)."""
    ordered = sorted(values)
    if not ordered:
        return 0.0
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


def markdown_table(headers: list[str], rows: list[list[object]]) -> str:
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def shared_data(*parts: str) -> Path | None:
    """``../shared/data/...`` beside the project root, when it exists (it does not in a plain clone)."""
    root = Path(__file__).resolve().parents[2]
    candidate = root.parent / "shared" / "data" / Path(*parts)
    return candidate if candidate.exists() else None
