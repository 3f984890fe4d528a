"""Real ESC/POS receipt printers through python-escpos.

URLs (``?timeout=`` seconds for the link, ``?status_timeout=`` for status answers; the print width
comes from the config's paper width or ``?paper=58|80`` / ``?dots=N``):

* ``escpos+usb://04b8:0202[?in_ep=0x82&out_ep=0x01]``: USB by vendor:product id (needs libusb).
* ``escpos+tcp://10.0.0.5[:9100]``: network printer on its raw port.
* ``escpos+serial:///dev/ttyUSB0?baudrate=38400``: serial (also USB-serial adapters).
* ``file:///dev/usb/lp0``: a device node written to directly (one-way: status is unknown).
* ``cups://QUEUE``: a CUPS raw queue (needs pycups; one-way apart from the queue's state).

The connection opens at start-up; a printer that cannot be reached then raises ``DriverUnavailable``.
Later failures are translated into ``devices.errors``: lost links into ``DeviceDisconnected``, a
printer that stops accepting data into ``PrinterOffline``, and the state read back with ``DLE EOT``
(python-escpos ``is_online``/``paper_status``) into ``PaperOut``/``CoverOpen``/``PrinterOffline``
before a job is sent, so that a ticket is not "printed" into a printer without paper.
"""

from __future__ import annotations

import contextlib
import errno
import logging
import socket
import threading

from devices.errors import (
    CoverOpen,
    DeviceDisconnected,
    DeviceError,
    DriverUnavailable,
    PaperOut,
    PrinterOffline,
)
from devices.ports import DeviceURL, Health, Printer, PrinterStatus
from devices.printer import dots_per_line
from devices.printer.encode import escpos_profile, load_escpos

log = logging.getLogger(__name__)
DLE_EOT_OFFLINE_CAUSE = b"\x10\x04\x02"
COVER_OPEN_BIT = 0x04
STATUS_TIMEOUT = 1.0


def _number(url: DeviceURL, name: str, default: float, *, low: float, high: float) -> float:
    raw = url.param(name)
    if raw is None:
        return default
    try:
        value = int(raw, 0) if name in ("in_ep", "out_ep", "baudrate") else float(raw)
    except ValueError:
        value = None
    if value is None or not low <= value <= high:
        raise DriverUnavailable(f"printer {url.raw}: {name} must be a number from {low:g} to {high:g}, got {raw!r}")
    return value


def _open_connection(url: DeviceURL, dots: int):
    """The python-escpos printer object for ``url`` (not yet opened) and a description of it."""
    printers = load_escpos()
    profile = escpos_profile(dots)
    timeout = _number(url, "timeout", 5.0, low=0.1, high=120)
    if url.scheme == "escpos+tcp":
        host, _, port = url.netloc.rpartition(":") if ":" in url.netloc else (url.netloc, "", "9100")
        if not host or not port.isdigit():
            raise DriverUnavailable(f"printer {url.raw}: expected escpos+tcp://HOST[:PORT]")
        return printers.Network(host, int(port), timeout=timeout, profile=profile), f"tcp {host}:{port}", True
    if url.scheme == "escpos+usb":
        vid, _, pid = url.netloc.partition(":")
        try:
            vendor, product = int(vid, 16), int(pid, 16)
        except ValueError:
            raise DriverUnavailable(f"printer {url.raw}: expected escpos+usb://VID:PID in hex, e.g. 04b8:0202") from None
        endpoints = {k: int(_number(url, k, d, low=0, high=255)) for k, d in (("in_ep", 0x82), ("out_ep", 0x01))}
        return (printers.Usb(vendor, product, timeout=int(timeout * 1000), profile=profile, **endpoints),
                f"usb {vid}:{pid}", True)
    if url.scheme == "escpos+serial":
        baud = int(_number(url, "baudrate", 38400, low=1200, high=921600))
        if not url.path:
            raise DriverUnavailable(f"printer {url.raw}: expected escpos+serial:///dev/ttyUSB0?baudrate=38400")
        return (printers.Serial(url.path, baudrate=baud, timeout=timeout, profile=profile),
                f"serial {url.path} at {baud} baud", True)
    if url.scheme == "file":
        if not url.path:
            raise DriverUnavailable(f"printer {url.raw}: expected file:///dev/usb/lp0")
        return printers.File(url.path, profile=profile), f"file {url.path}", False
    if url.scheme == "cups":
        if not printers.CupsPrinter.is_usable():
            raise DriverUnavailable(f"printer {url.raw}: CUPS printing needs the pycups package "
                                    "(pip install pycups, which builds against libcups2-dev)")
        return printers.CupsPrinter(url.netloc or url.path.strip("/"), profile=profile), f"cups {url.netloc}", False
    raise DriverUnavailable(f"printer {url.raw}: not an ESC/POS printer URL")


def _is_timeout(err: BaseException) -> bool:
    if isinstance(err, (socket.timeout, TimeoutError)):
        return True
    name = type(err).__name__
    return name in ("USBTimeoutError", "SerialTimeoutException") or getattr(err, "errno", None) == errno.ETIMEDOUT


@contextlib.contextmanager
def translated(where: str, doing: str):
    """Turn python-escpos, pyusb, pyserial and socket errors into ``devices.errors``."""
    load_escpos()
    from escpos import exceptions as escpos_exceptions

    try:
        yield
    except DeviceError:
        raise
    except escpos_exceptions.DeviceNotFoundError as err:
        raise DeviceDisconnected(f"printer {where}: not reachable while {doing}") from err
    except Exception as err:  # noqa: BLE001 - every vendor error is translated here, at the boundary
        if _is_timeout(err):
            raise PrinterOffline(f"printer {where}: not accepting data while {doing} (timeout); "
                                 "check paper, cover and power") from err
        if type(err).__name__ == "NoBackendError":
            raise DriverUnavailable(f"printer {where}: no USB backend (install libusb-1.0-0)") from err
        if isinstance(err, (OSError, escpos_exceptions.Error)):
            raise DeviceDisconnected(f"printer {where}: connection lost while {doing} "
                                     f"({type(err).__name__}); part of the job may have printed") from err
        raise


class EscposPrinter(Printer):
    def __init__(self, connection, *, where: str, dots: int, bidirectional: bool,
                 status_timeout: float = STATUS_TIMEOUT, per_job: bool = False):
        self._printer = connection
        self.per_job = per_job  # CUPS: each job is opened, written and closed
        self.status_timeout = status_timeout
        self.where = where
        self.dots_per_line = dots
        self.bidirectional = bidirectional
        self._lock = threading.Lock()
        self._closed = False

    @classmethod
    def from_url(cls, url: DeviceURL, context) -> EscposPrinter:
        dots = dots_per_line(url, context.paper_width_mm)
        connection, where, bidirectional = _open_connection(url, dots)
        printer = cls(connection, where=where, dots=dots, bidirectional=bidirectional,
                      status_timeout=_number(url, "status_timeout", STATUS_TIMEOUT, low=0.05, high=30),
                      per_job=url.scheme == "cups")
        try:
            with translated(where, "opening"):
                if not printer.per_job:
                    connection.open()
        except DriverUnavailable:
            raise
        except DeviceError as err:
            reason = " ".join(str(err.__cause__ or err).split())
            raise DriverUnavailable(f"printer {where}: cannot start ({reason})") from err
        except RuntimeError as err:  # python-escpos: optional dependency missing
            raise DriverUnavailable(f"printer {where}: {err}") from err
        return printer

    def send(self, job: bytes) -> None:
        with self._lock:
            if self._closed:
                raise DeviceDisconnected(f"printer {self.where}: closed")
            if self.bidirectional:
                status = self._status()
                if status.paper == "out":
                    raise PaperOut(f"printer {self.where}: out of paper")
                if status.cover_open:
                    raise CoverOpen(f"printer {self.where}: cover open")
                if status.online is False:
                    raise PrinterOffline(f"printer {self.where}: offline")
            try:
                with translated(self.where, "sending a job"):
                    if self.per_job:
                        self._printer.open(job_name="kiosk")
                        self._printer._raw(bytes(job))
                        self._printer.close()
                    else:
                        self._printer._raw(bytes(job))
                        if hasattr(self._printer, "flush"):
                            self._printer.flush()
            except DeviceDisconnected:
                self._drop_connection()
                raise
        log.info("printer %s: sent %d bytes", self.where, len(job))

    def _drop_connection(self) -> None:
        """Forget a broken link; python-escpos opens it again on the next job."""
        with contextlib.suppress(Exception):
            self._printer.close()

    def _status(self) -> PrinterStatus:
        """Ask with ``DLE EOT``; unknown where the printer does not answer in time."""
        try:
            with translated(self.where, "reading status"), self._short_reads():
                online = self._printer.is_online()
                paper = {2: "ok", 1: "near_end", 0: "out"}[self._printer.paper_status()]
                cause = self._printer.query_status(DLE_EOT_OFFLINE_CAUSE)
        except (DeviceError, KeyError, IndexError) as err:
            log.debug("printer %s: no status (%s)", self.where, err)
            return PrinterStatus(online=None, paper="unknown", cover_open=None)
        cover_open = bool(cause[0] & COVER_OPEN_BIT) if len(cause) else None
        return PrinterStatus(online=online, paper=paper, cover_open=cover_open)

    @contextlib.contextmanager
    def _short_reads(self):
        """Wait at most ``status_timeout`` seconds for a status answer (sockets and serial ports)."""
        device = self._printer.device
        if isinstance(device, socket.socket):
            previous = device.gettimeout()
            device.settimeout(self.status_timeout)
            try:
                yield
            finally:
                device.settimeout(previous)
        elif hasattr(device, "timeout") and hasattr(device, "baudrate"):
            previous = device.timeout
            device.timeout = self.status_timeout
            try:
                yield
            finally:
                device.timeout = previous
        else:
            yield

    def status(self) -> PrinterStatus:
        if self._closed:
            return PrinterStatus(online=False)
        if not self.bidirectional:
            if self.per_job:  # CUPS knows whether its queue is accepting jobs
                with contextlib.suppress(Exception):
                    return PrinterStatus(online=self._printer.is_online())
            return PrinterStatus(online=None)
        with self._lock:
            return self._status()

    def health(self) -> Health:
        try:
            status = self.status()
        except Exception as err:  # noqa: BLE001 - health never raises
            return Health("error", f"{self.where}: status failed ({type(err).__name__})")
        if status.online is False:
            return Health("error", f"{self.where}: offline")
        if status.paper == "out":
            return Health("error", f"{self.where}: out of paper")
        if status.cover_open:
            return Health("error", f"{self.where}: cover open")
        if status.paper == "near_end":
            return Health("warning", f"{self.where}: paper near end")
        if status.online is None:
            return Health("ok", f"{self.where}: connected (the printer does not report its state)")
        return Health("ok", f"{self.where}: online, paper ok")

    def close(self) -> None:
        if not self._closed:
            self._closed = True
            self._drop_connection()
