#!/usr/bin/env python3
"""Dependency audit for CI: pip-audit over the packages installed in .venv.

    .venv/bin/python .ci/audit.py

* A known vulnerability in an installed package fails (exit 1) and lists package, version, advisory
  and the fixed versions.
* When the vulnerability service cannot be reached (no network, DNS, proxy, timeouts, or every package
  skipped because the service did not answer for it) the packages were not audited: a WARNING says so
  plainly and the exit status is 0, so an offline build is not blocked by a service it cannot reach.
  ``AUDIT_REQUIRED=1`` makes that a failure too (exit 3), for a release build.
* pip-audit failing for any other reason fails (exit 2): a broken audit must not pass silently.

Advisories that do not apply to the kiosk can be listed, one ID per line with a reason after ``#``, in
``.ci/audit-ignore.txt``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
IGNORE_FILE = HERE / "audit-ignore.txt"
NETWORK_SIGNS = ("ConnectionError", "NameResolutionError", "Max retries exceeded", "ConnectTimeout", "ReadTimeout",
                 "Timeout", "ProxyError", "SSLError", "Temporary failure in name resolution", "Network is unreachable")
UNREACHABLE_SKIP = ("could not be audited",)


def ignored_ids(path: Path = IGNORE_FILE) -> list[str]:
    if not path.is_file():
        return []
    ids = []
    for line in path.read_text(encoding="utf-8").splitlines():
        advisory = line.split("#", 1)[0].strip()
        if advisory:
            ids.append(advisory)
    return ids


def judge(returncode: int, report: dict | None, stderr: str) -> tuple[int, str]:
    """The exit status and message for a pip-audit run (its status, JSON report if any, and stderr)."""
    if report is None:
        if any(sign in stderr for sign in NETWORK_SIGNS):
            last = stderr.strip().splitlines()[-1] if stderr.strip() else ""
            return 0, ("WARNING: dependencies NOT audited: the vulnerability service could not be reached "
                       f"({last[:200]})")
        return 2, "pip-audit failed:\n" + stderr[-3000:]
    deps = report.get("dependencies", [])
    vulnerable = [d for d in deps if d.get("vulns")]
    if vulnerable:
        lines = [f"  {d['name']} {d.get('version', '?')}: {v['id']} "
                 f"(fixed in {', '.join(v.get('fix_versions') or ['no release yet'])})"
                 for d in vulnerable for v in d["vulns"]]
        return 1, f"known vulnerabilities in {len(vulnerable)} installed package(s):\n" + "\n".join(lines)
    skipped = [d for d in deps if d.get("skip_reason")]
    unreachable = [d for d in skipped if any(s in d["skip_reason"] for s in UNREACHABLE_SKIP)]
    audited = len(deps) - len(skipped)
    if deps and audited == 0 and unreachable:
        return 0, (f"WARNING: dependencies NOT audited: the vulnerability service gave no answer for any of the "
                   f"{len(deps)} packages (e.g. {unreachable[0]['skip_reason'][:120]})")
    if returncode not in (0, 1):
        return 2, "pip-audit failed:\n" + stderr[-3000:]
    note = f"; {len(skipped)} skipped (not on PyPI or local)" if skipped else ""
    return 0, f"pip-audit: {audited} packages audited, no known vulnerabilities{note}"


def run() -> int:
    with tempfile.TemporaryDirectory(prefix="audit-") as tmp:
        out = Path(tmp) / "report.json"
        cmd = [sys.executable, "-m", "pip_audit", "--local", "--skip-editable", "--progress-spinner", "off",
               "--timeout", "20", "--format", "json", "--output", str(out)]
        for advisory in ignored_ids():
            cmd += ["--ignore-vuln", advisory]
        try:
            done = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
        except subprocess.TimeoutExpired:
            status, message = 0, "WARNING: dependencies NOT audited: pip-audit did not finish within 10 minutes"
        else:
            try:
                report = json.loads(out.read_text(encoding="utf-8")) if out.is_file() else None
            except ValueError:
                report = None
            status, message = judge(done.returncode, report, done.stderr)
    if message.startswith("WARNING") and os.environ.get("AUDIT_REQUIRED") == "1":
        status = 3
    print(message, file=sys.stderr if status or message.startswith("WARNING") else sys.stdout)
    return status


if __name__ == "__main__":
    sys.exit(run())
