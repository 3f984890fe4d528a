"""The CI dependency audit (``.ci/audit.py``): a known vulnerability fails, an unreachable service warns.

pip-audit's own answers are fed to the gate as pip-audit gives them: its JSON report (or none, when it
crashed) and its stderr.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

AUDIT = Path(__file__).resolve().parents[2] / ".ci" / "audit.py"
spec = importlib.util.spec_from_file_location("ci_audit", AUDIT)
audit = importlib.util.module_from_spec(spec)
spec.loader.exec_module(audit)

CLEAN = {"dependencies": [{"name": "requests", "version": "2.32.5", "vulns": []},
                          {"name": "motcua-kiosk",
                           "skip_reason": "Dependency not found on PyPI and could not be audited"}]}
VULNERABLE = {"dependencies": [{"name": "requests", "version": "2.31.0", "vulns": [
    {"id": "GHSA-9wx4-h78v-vm56", "fix_versions": ["2.32.0"], "aliases": ["CVE-2024-35195"]}]}]}
NOTHING_ANSWERED = {"dependencies": [
    {"name": n, "skip_reason": f"Dependency not found on PyPI and could not be audited: {n} (1.0)"}
    for n in ("alembic", "anyio", "fastapi")]}
OFFLINE_STDERR = ("Traceback (most recent call last):\n  ...\nrequests.exceptions.ConnectionError: "
                  "HTTPSConnectionPool(host='api.osv.dev', port=443): Max retries exceeded with url: /v1/query")


def test_a_known_vulnerability_fails_and_names_the_fix():
    status, message = audit.judge(1, VULNERABLE, "")
    assert status == 1
    assert "requests 2.31.0: GHSA-9wx4-h78v-vm56 (fixed in 2.32.0)" in message


def test_a_clean_audit_passes():
    status, message = audit.judge(0, CLEAN, "")
    assert status == 0 and message.startswith("pip-audit: 1 packages audited, no known vulnerabilities")


def test_no_network_warns_and_passes():
    status, message = audit.judge(1, None, OFFLINE_STDERR)
    assert status == 0 and message.startswith("WARNING: dependencies NOT audited")


def test_a_service_that_answered_for_no_package_warns_and_passes():
    status, message = audit.judge(0, NOTHING_ANSWERED, "")
    assert status == 0 and message.startswith("WARNING: dependencies NOT audited")
    assert "3 packages" in message


def test_any_other_crash_of_pip_audit_fails():
    status, message = audit.judge(1, None, "Traceback ...\nKeyError: 'info'")
    assert status == 2 and "KeyError" in message


def test_ignored_advisories_are_read_with_their_reasons(tmp_path):
    listed = tmp_path / "audit-ignore.txt"
    listed.write_text("# advisories that do not apply\nGHSA-aaaa-bbbb-cccc  # only affects Windows\n\nPYSEC-2024-1\n")
    assert audit.ignored_ids(listed) == ["GHSA-aaaa-bbbb-cccc", "PYSEC-2024-1"]
