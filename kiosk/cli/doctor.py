"""``kiosk doctor``: check every configured device and the central service, and print a table.

Each device is opened on its own, so one broken driver does not hide the state of the others. The
central service is asked ``GET /health`` with a short timeout; when the configuration embeds it
(``central.embedded``), the embedded service is started in a scratch folder and asked the same.
Exit status 0 when everything is ``ok`` or ``warning``, 1 when anything is in ``error``.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger(__name__)

#: Longest wait for the central service's answer, whatever the configured timeouts.
CENTRAL_TIMEOUT_S = 3.0


@dataclass(frozen=True)
class Check:
    name: str
    target: str
    status: str  # "ok", "warning" or "error"
    detail: str = ""

    @property
    def ok(self) -> bool:
        return self.status != "error"


def register(subparsers) -> None:
    parser = subparsers.add_parser("doctor", help="check each configured device and the central service")
    parser.add_argument("--config", metavar="FILE", help="kiosk configuration (TOML); default: built-in simulators")
    parser.set_defaults(handler=run)


def device_checks(devices, urls: dict[str, str]) -> list[Check]:
    """Health of already opened devices (``kiosk.wiring.Devices``)."""
    checks = []
    for kind, health in devices.health().items():
        checks.append(Check(kind, urls.get(kind, ""), health.status, health.detail))
    return checks


def check_devices(config) -> list[Check]:
    """Open each configured device on its own, ask its health and close it again."""
    from devices.errors import DeviceError
    from devices.registry import DeviceContext, open_device
    from kiosk.wiring import OPEN_ORDER

    config.kiosk.data_dir.mkdir(parents=True, exist_ok=True)
    context = DeviceContext(data_dir=config.kiosk.data_dir, paper_width_mm=config.printer.paper_width_mm)
    checks: dict[str, Check] = {}
    opened = []
    try:
        for kind in OPEN_ORDER:
            url = config.devices[kind]
            try:
                device = open_device(kind, url, context)
            except DeviceError as err:
                checks[kind] = Check(kind, url, "error", str(err))
                continue
            except Exception as err:  # a driver bug must still show up as a row, not a traceback
                log.debug("opening %s failed", kind, exc_info=True)
                checks[kind] = Check(kind, url, "error", f"driver failed to start: {type(err).__name__}: {err}")
                continue
            if device is None:
                checks[kind] = Check(kind, url, "warning", "not installed at this center")
                continue
            opened.append((kind, device))
            health = device.health()
            checks[kind] = Check(kind, url, health.status, health.detail)
    finally:
        for kind, device in reversed(opened):
            try:
                device.close()
            except DeviceError as err:
                log.warning("closing %s failed: %s", kind, err)
    return [checks[kind] for kind in config.devices if kind in checks]


def check_central(url: str, token: str = "", timeout_s: float = CENTRAL_TIMEOUT_S) -> Check:
    from kiosk.api.client import CentralClient
    from kiosk.api.errors import CentralError

    client = CentralClient(url, token, connect_timeout=timeout_s, read_timeout=timeout_s, read_retries=0)
    target = f"{url}/health"
    try:
        healthy = client.health(timeout=timeout_s)
    except CentralError as err:
        return Check("central", target, "error", str(err))
    finally:
        client.close()
    if not healthy:
        return Check("central", target, "error", "answered, but does not report itself healthy")
    return Check("central", target, "ok", "answering")


def check_embedded_central(center_code: str) -> Check:
    """``central.embedded``: start the service on SQLite in a scratch folder and ask its health."""
    import tempfile

    from central import embedded
    from central.settings import Settings

    with tempfile.TemporaryDirectory(prefix="kiosk-doctor-") as tmp:
        try:
            service = embedded.start(settings=Settings(data_dir=Path(tmp), default_center=center_code))
        except Exception as err:  # whatever stops it starting is the finding
            return Check("central", "embedded", "error", f"the embedded service did not start: {type(err).__name__}: {err}")
        try:
            check = check_central(service.url, service.kiosk_token)
        finally:
            service.stop()
    detail = "embedded service (SQLite) started and answering" if check.ok else check.detail
    return Check("central", f"embedded ({service.url})", check.status, detail)


def format_table(checks: list[Check]) -> str:
    rows = [("DEVICE", "DRIVER URL", "STATUS", "DETAIL")] + [(c.name, c.target, c.status, c.detail) for c in checks]
    widths = [max(len(row[i]) for row in rows) for i in range(3)]
    lines = []
    for row in rows:
        cells = [row[i].ljust(widths[i]) for i in range(3)] + [row[3]]
        lines.append("  ".join(cells).rstrip())
    return "\n".join(lines)


def run(args) -> int:
    from kiosk import config as kiosk_config
    from kiosk.cli import UsageError

    try:
        config = kiosk_config.load(args.config)
    except kiosk_config.ConfigError as err:
        raise UsageError(str(err)) from None
    checks = check_devices(config)
    if config.central.embedded:
        checks.append(check_embedded_central(config.center.code))
    else:
        checks.append(check_central(config.central.url, config.central.token, min(CENTRAL_TIMEOUT_S, config.central.read_timeout_s)))
    print(f"kiosk {config.kiosk.id} at {config.center.code} ({config.source})")
    print(format_table(checks))
    failed = [c.name for c in checks if not c.ok]
    if failed:
        print(f"\n{len(failed)} problem(s): {', '.join(failed)}")
        return 1
    print("\nall checks passed")
    return 0
