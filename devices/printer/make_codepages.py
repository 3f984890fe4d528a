"""Build ``codepages.json`` (the printer's character tables) from escpos-printer-db.

    python -m devices.printer.make_codepages ../shared/reference/escpos/escpos-printer-db

Reads ``encoding.yml`` and the ``profile-*.yml`` files of receipt-print-hq/escpos-printer-db
(CC-BY-4.0) and writes, for every single-byte code page a profile names, the 128 glyphs of bytes
0x80-0xFF (the lower half is ASCII on every table kept). A table comes from the YAML's ``data`` rows
where it has them (TCVN-3-1, TCVN-3-2, Katakana, …), else from the Python codec it names, else from
``iconv``. A byte with no glyph is stored as U+FFFD.

One correction is applied: TCVN-3-2 lists U+00D0 (Icelandic eth) where Vietnamese has U+0110
(capital D with stroke); they look alike, but Vietnamese text is written with U+0110.
"""

from __future__ import annotations

import argparse
import codecs
import json
import subprocess
import sys
import unicodedata
from pathlib import Path

import yaml

OUT = Path(__file__).with_name("codepages.json")
UNDEFINED = "\ufffd"
CORRECTIONS = {"TCVN-3-2": {"\u00d0": "\u0110"}}
SOURCE = (
    "receipt-print-hq/escpos-printer-db data/encoding.yml and data/profile/*.yml "
    "(commit fe07c81155a6c49912379fdb960dc9155c8dfc89), CC-BY-4.0, "
    "https://github.com/receipt-print-hq/escpos-printer-db"
)


def _from_rows(rows: list[str]) -> str | None:
    text = "".join(rows)
    if len(text) != 128:
        return None
    # In the data rows a space marks a position with no known glyph.
    return "".join(UNDEFINED if ch == " " else ch for ch in text)


def _from_codec(name: str) -> str | None:
    try:
        codecs.lookup(name)
    except LookupError:
        return None
    glyphs = []
    for byte in range(0x80, 0x100):
        try:
            ch = bytes([byte]).decode(name)
        except UnicodeDecodeError:
            ch = UNDEFINED
        glyphs.append(_glyph(ch))
    return "".join(glyphs)


def _glyph(ch: str) -> str:
    """``ch`` if it is one character a printer can draw (no control or format characters)."""
    return ch if len(ch) == 1 and unicodedata.category(ch)[0] != "C" else UNDEFINED


def _from_iconv(name: str) -> str | None:
    if subprocess.run(["iconv", "-f", name, "-t", "UTF-8"], input=b"", capture_output=True).returncode != 0:
        return None  # iconv does not know this code page
    glyphs = []
    for byte in range(0x80, 0x100):
        run = subprocess.run(["iconv", "-f", name, "-t", "UTF-8"], input=bytes([byte]), capture_output=True)
        ch = run.stdout.decode("utf-8", "replace") if run.returncode == 0 else UNDEFINED
        glyphs.append(_glyph(ch))
    return "".join(glyphs)


def build_table(name: str, entry: dict) -> str | None:
    table = None
    if entry.get("data"):
        table = _from_rows(entry["data"])
    if table is None and entry.get("python_encode"):
        table = _from_codec(entry["python_encode"])
    if table is None and entry.get("iconv"):
        table = _from_iconv(entry["iconv"])
    if table is None or set(table) == {UNDEFINED}:
        return None
    for wrong, right in CORRECTIONS.get(name, {}).items():
        table = table.replace(wrong, right)
    return table


def build(db: Path) -> dict:
    encodings = yaml.safe_load((db / "encoding.yml").read_text(encoding="utf-8"))
    profiles: dict[str, dict[str, str]] = {}
    for path in sorted(db.glob("profile-*.yml")):
        for profile_id, profile in yaml.safe_load(path.read_text(encoding="utf-8")).items():
            pages = profile.get("codePages") or {}
            profiles[profile_id] = {str(n): name for n, name in sorted(pages.items())}
    wanted = sorted({name for pages in profiles.values() for name in pages.values()} | {"CP437", "CP1258"})
    tables = {}
    for name in wanted:
        table = build_table(name, encodings.get(name) or {})
        if table is not None:
            tables[name] = table
    for pages in profiles.values():
        for n in [n for n, name in pages.items() if name not in tables]:
            del pages[n]
    return {"source": SOURCE, "license": "CC-BY-4.0", "tables": tables, "profiles": profiles}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("db", type=Path, help="folder holding encoding.yml and profile-*.yml")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    data = build(args.db)
    args.out.write_text(json.dumps(data, ensure_ascii=False, indent=0, sort_keys=True) + "\n", encoding="utf-8")
    print(f"wrote {len(data['tables'])} tables, {len(data['profiles'])} profiles to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
