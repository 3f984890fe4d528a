"""The one place that builds the kiosk from its configuration.

``build(config)`` opens every configured device, the central API client and the outbox, and hands
them to the use cases. The app, the CLI and the tests all start here; nothing does I/O at import time.

``Kiosk.call_staff(screen)`` asks for staff at once (``POST /api/v1/alerts`` with a short timeout) and
says whether the central service accepted it; when it did not, the same alert (same idempotency key)
waits in the outbox, so staff still see it once the link is back.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, field

from devices.errors import DeviceError
from devices.ports import Camera, Device, Health, Printer, QrReader, ResultLocker, Speaker
from devices.registry import DeviceContext, open_device
from kiosk.api.client import CentralClient, new_key
from kiosk.api.errors import CentralError
from kiosk.config import Config, ConfigError
from kiosk.dossiers import Catalog, DossierDesk
from kiosk.outbox import DeliveryWorker, Outbox, SecretBox, SecretError, queue_alert, queue_heartbeat
from kiosk.printing.monitor import PrinterMonitor
from kiosk.sync import SyncStatus
from kiosk.ticket_flow import TicketDesk
from kiosk.tickets import Tickets
from kiosk.visit import Visits, speaker_reset

log = logging.getLogger(__name__)

#: What can stop ``build`` on a given machine (a device, the configuration, a full or read-only disk for
#: the kiosk's data folder and its databases): the commands report them as one line, never a traceback.
START_ERRORS = (DeviceError, ConfigError, OSError, sqlite3.Error)

ALERTS_PATH = "/api/v1/alerts"
#: The longest a citizen waits to hear whether staff were reached: (connect, read) seconds.
STAFF_CALL_TIMEOUT_S = (2.0, 3.0)


@dataclass
class Devices:
    """The kiosk's devices; ``None`` where the center has none (``none://``)."""

    qr_reader: QrReader | None = None
    camera: Camera | None = None
    printer: Printer | None = None
    speaker: Speaker | None = None
    locker: ResultLocker | None = None

    def items(self) -> list[tuple[str, Device | None]]:
        return [(k, getattr(self, k)) for k in ("qr_reader", "camera", "printer", "speaker", "locker")]

    def health(self) -> dict[str, Health]:
        report = {}
        for kind, device in self.items():
            if device is None:
                report[kind] = Health("warning", "not installed at this center")
            else:
                report[kind] = device.health()
        return report

    def close(self) -> None:
        for _kind, device in self.items():
            if device is not None:
                try:
                    device.close()
                except DeviceError as err:  # closing must never stop a shutdown
                    log.warning("closing %s failed: %s", _kind, err)


@dataclass
class CentralLink:
    """The kiosk's side of the central service: client, outbox and its worker, sync status."""

    api: CentralClient
    outbox: Outbox
    worker: DeliveryWorker
    sync: SyncStatus

    def close(self) -> None:
        self.worker.stop()
        self.api.close()
        self.outbox.close()


@dataclass
class Kiosk:
    config: Config
    devices: Devices
    extras: dict[str, object] = field(default_factory=dict)
    api: CentralClient | None = None
    outbox: Outbox | None = None
    worker: DeliveryWorker | None = None
    sync: SyncStatus | None = None
    tickets: Tickets | None = None
    #: Taking a number: issue, print, faults (``kiosk.ticket_flow``); its ``monitor`` watches the printer.
    desk: TicketDesk | None = None
    #: The citizen's visit: identity, form data and files, wiped when it ends (``kiosk.visit``).
    visits: Visits | None = None
    #: The procedures (works offline) and the dossier counter: submit, slips, look-up, pickup, rating.
    catalog: Catalog | None = None
    dossiers: DossierDesk | None = None

    def call_staff(self, screen: str) -> bool:
        """A citizen asks for help on ``screen``; ``True`` only when the central service accepted the alert."""
        return self.alert_staff("call_staff", screen)

    def alert_staff(self, kind: str, screen: str, detail: str = "") -> bool:
        """Raise an alert for staff now; ``True`` only when the central service accepted it.

        When it did not, the alert is queued in the outbox under the same idempotency key (a request that
        timed out after the service took it is not recorded twice). ``detail`` is for staff and never
        carries personal data.
        """
        if self.api is None:
            log.warning("alert %s from %s: this kiosk has no central service to tell", kind, screen)
            return False
        body = {"kind": kind, "screen": screen, "detail": detail}
        key = new_key()
        connect, read = STAFF_CALL_TIMEOUT_S
        limit = (min(connect, self.config.central.connect_timeout_s), min(read, self.config.central.read_timeout_s))
        try:
            self.api.request("POST", ALERTS_PATH, json=body, idempotency_key=key, timeout=limit)
            return True
        except CentralError as err:
            log.warning("alert %s from %s not accepted now: %s", kind, screen, err)
        if self.outbox is not None:
            try:
                queue_alert(self.outbox, kind, screen, detail, key=key)
            except Exception as err:  # the citizen is told staff were not reached either way
                log.error("alert %s from %s could not be queued: %s", kind, screen, err)
            else:
                if self.worker is not None:
                    self.worker.wake()
        return False

    def close(self) -> None:
        if self.visits is not None:
            self.visits.end("shutdown")
        if self.desk is not None:
            self.desk.monitor.stop()
        if self.tickets is not None:
            self.tickets.close()  # releases this run's hold on its unanswered ticket requests
        if self.worker is not None:
            self.worker.stop()
        if self.api is not None:
            self.api.close()
        if self.outbox is not None:
            self.outbox.close()
        self.devices.close()


# Cameras open before the QR reader, which may read through the camera.
OPEN_ORDER = ("camera", "qr_reader", "printer", "speaker", "locker")


def open_devices(config: Config) -> Devices:
    context = DeviceContext(
        data_dir=config.kiosk.data_dir,
        paper_width_mm=config.printer.paper_width_mm,
    )
    devices = Devices()
    try:
        for kind in OPEN_ORDER:
            setattr(devices, kind, open_device(kind, config.devices[kind], context))
    except BaseException:
        devices.close()
        raise
    return devices


def open_central_link(config: Config, heartbeat: Callable[[Outbox], object] | None = None) -> CentralLink:
    """The API client, the outbox (sealed with the kiosk's key) and its delivery worker, not started."""
    key_file = config.kiosk.outbox_key_file
    try:
        box = SecretBox.from_file(key_file or config.kiosk.data_dir / "outbox.key", create=key_file is None)
    except SecretError as err:
        raise ConfigError("kiosk.outbox_key_file", str(err)) from None
    sync = SyncStatus()
    api = CentralClient(
        config.central.url,
        config.central.token,
        connect_timeout=config.central.connect_timeout_s,
        read_timeout=config.central.read_timeout_s,
        observer=sync.observe,
    )
    outbox = Outbox(config.kiosk.data_dir / "outbox.sqlite3", box)
    sync.outbox = outbox
    worker = DeliveryWorker(
        outbox,
        api,
        heartbeat=(lambda: heartbeat(outbox)) if heartbeat else None,
        on_change=sync.changed,
    )
    if outbox.recovered:
        log.info("outbox: %d interrupted deliveries queued again", outbox.recovered)
    return CentralLink(api=api, outbox=outbox, worker=worker, sync=sync)


def build(config: Config) -> Kiosk:
    config.kiosk.data_dir.mkdir(parents=True, exist_ok=True)
    devices = open_devices(config)

    def heartbeat(outbox: Outbox) -> object:
        health = {kind: {"status": h.status, "detail": h.detail} for kind, h in devices.health().items()}
        return queue_heartbeat(outbox, config.kiosk.id, health)

    link = None
    try:
        link = open_central_link(config, heartbeat)
        tickets = Tickets(
            link.api,
            link.outbox,
            link.sync,
            prefix=config.kiosk.offline_prefix,
            timeout=(config.central.connect_timeout_s, config.central.read_timeout_s),
        )
        tickets.attach(link.worker)
        desk = ticket_desk(config, devices, link, tickets, heartbeat)
        catalog, dossiers = dossier_desk(config, devices, link, desk)
        visits = open_visits(config, devices)
        link.worker.start()
        desk.monitor.start()
    except BaseException:
        if link is not None:
            link.close()
        devices.close()
        raise
    kiosk = Kiosk(
        config=config,
        devices=devices,
        api=link.api,
        outbox=link.outbox,
        worker=link.worker,
        sync=link.sync,
        tickets=tickets,
        desk=desk,
        visits=visits,
        catalog=catalog,
        dossiers=dossiers,
    )
    dossiers.alert = kiosk.alert_staff
    return kiosk


def open_visits(config: Config, devices: Devices) -> Visits:
    """The visits of this kiosk, after shredding what a crashed run left in ``<data_dir>/visits``."""
    visits = Visits(config.kiosk.data_dir, on_end=[speaker_reset(devices.speaker)] if devices.speaker else [])
    visits.sweep()
    return visits


def ticket_desk(config: Config, devices: Devices, link: CentralLink, tickets: Tickets,
                heartbeat: Callable[[Outbox], object]) -> TicketDesk:
    """The ticket desk and its printer monitor (not started), which voids unprinted numbers on each check."""

    def alert(kind: str, detail: str) -> None:
        queue_alert(link.outbox, kind, "printer", detail)
        link.worker.wake()

    monitor = PrinterMonitor(devices.printer, alert=alert, heartbeat=lambda: heartbeat(link.outbox))
    desk = TicketDesk(config, tickets, link.outbox, devices.printer, monitor)
    monitor.ticks.append(desk.expire)
    return desk


def dossier_desk(config: Config, devices: Devices, link: CentralLink, desk: TicketDesk) -> tuple[Catalog, DossierDesk]:
    """The procedure catalog and the dossier desk; the printer monitor's timer keeps their offline copies
    (procedures, office calendar) fresh."""
    catalog = Catalog.load(cache=config.kiosk.data_dir / "procedures.json")
    dossiers = DossierDesk(config, catalog, link.api, link.outbox, worker=link.worker, printer=devices.printer,
                           monitor=desk.monitor, locker=devices.locker, sync=link.sync)
    desk.monitor.ticks.append(dossiers.refresh_if_due)
    return catalog, dossiers
