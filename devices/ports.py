"""Ports: the abstract interface of each device kind.

A port says what the kiosk needs from a kind of device, never how a model does it. Real drivers and
simulators implement the same port and are chosen by URL in config (``devices.registry``). Drivers
run on whatever thread calls them and never touch widgets; the screen layer moves their results onto
the UI thread. Every port reports its ``health()`` so ``kiosk doctor``, the heartbeat and the admin
screen can show it.
"""

from __future__ import annotations

import abc
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, ClassVar, Literal

from devices.errors import DoorLeftOpen

if TYPE_CHECKING:  # Pillow is only needed by drivers that return images
    from PIL import Image

HealthStatus = Literal["ok", "warning", "error"]


@dataclass(frozen=True)
class Health:
    """A device's condition: ``ok``, ``warning`` (works, needs attention soon) or ``error``."""

    status: HealthStatus
    detail: str = ""

    @property
    def ok(self) -> bool:
        return self.status != "error"


@dataclass(frozen=True)
class DeviceURL:
    """A parsed device URL from config, e.g. ``escpos+serial:///dev/ttyUSB0?baudrate=38400``."""

    raw: str
    scheme: str
    netloc: str = ""
    path: str = ""
    query: dict[str, str] = field(default_factory=dict)

    def param(self, name: str, default: str | None = None) -> str | None:
        return self.query.get(name, default)


class Device(abc.ABC):
    """Base of every port."""

    kind: ClassVar[str]

    @abc.abstractmethod
    def health(self) -> Health:
        """Check the device now; never raises."""

    def close(self) -> None:
        """Release the device (ports, handles, threads). Safe to call twice."""

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()


# --- receipt printer -----------------------------------------------------------------------------

PaperState = Literal["ok", "near_end", "out", "unknown"]


@dataclass(frozen=True)
class PrinterStatus:
    """What the printer reports. ``None``/``unknown`` where a one-way link cannot tell."""

    online: bool | None
    paper: PaperState = "unknown"
    cover_open: bool | None = None

    @property
    def can_print(self) -> bool:
        return self.online is not False and self.paper != "out" and self.cover_open is not True


class Printer(Device):
    """A receipt printer that takes complete ESC/POS jobs."""

    kind = "printer"
    #: Printable width in dots (576 for 80 mm paper at 203 dpi, 384 for 58 mm).
    dots_per_line: int = 576

    @abc.abstractmethod
    def send(self, job: bytes) -> None:
        """Hand one complete job to the printer; return when the last byte is accepted.

        Raises ``PrinterError`` (paper out, cover open, offline) or ``DeviceDisconnected`` (lost
        mid-job: part of the job may have printed).
        """

    @abc.abstractmethod
    def status(self) -> PrinterStatus:
        """Ask the printer for its state; never raises."""


# --- QR reader ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class QrScan:
    """One QR code read: the symbol's raw bytes and their text (UTF-8, never a charset guess)."""

    data: bytes
    source: str = ""

    @property
    def text(self) -> str:
        return self.data.decode("utf-8", errors="replace")


class QrReader(Device):
    """A camera or hand scanner that reads QR codes."""

    kind = "qr_reader"

    @abc.abstractmethod
    def read(self, timeout: float) -> QrScan:
        """Block until a code is read; raise ``DeviceTimeout`` after ``timeout`` seconds."""

    def preview(self) -> "Image.Image | None":
        """The latest camera frame for an on-screen preview, or ``None`` for scanners without one."""
        return None

    def struggling(self) -> bool:
        """A code has been in view for a while but cannot be read (too far away, blurred or moving): a
        hint for the citizen, not an error. Readers that do not see (hand scanners) never struggle."""
        return False


# --- document camera / scanner --------------------------------------------------------------------


class Camera(Device):
    """A document camera or scanner that produces page images."""

    kind = "camera"

    @abc.abstractmethod
    def frame(self, timeout: float = 2.0) -> "Image.Image":
        """The current preview frame (RGB). Raises ``DeviceTimeout``/``DriverUnavailable``."""

    def capture(self, timeout: float = 10.0) -> "Image.Image":
        """A full-quality still of the page; by default the current frame."""
        return self.frame(timeout)


# --- speaker --------------------------------------------------------------------------------------


class Speaker(Device):
    """Speech output. ``say`` returns at once; a new utterance interrupts the current one."""

    kind = "speaker"
    default_volume: float = 0.8

    @abc.abstractmethod
    def say(self, text: str, language: str = "vi", *, private: bool = False) -> None:
        """Start speaking ``text`` in ``language`` (an ISO code such as ``vi`` or ``en``).

        ``private`` marks text with personal data (a name): it is not kept after it is spoken.
        Blank text only stops. Raises ``DriverUnavailable`` when there is no voice for
        ``language`` and ``DeviceError`` when the speaker knows it cannot play; a playback that
        fails later shows in ``health()``. Callers treat speech as best effort and show the text.
        """

    @abc.abstractmethod
    def stop(self) -> None:
        """Interrupt speech now."""

    @abc.abstractmethod
    def set_volume(self, volume: float) -> None:
        """Set the volume, 0.0 to 1.0."""

    def reset(self) -> None:
        """End of a visit: stop speaking and go back to the default volume."""
        self.stop()
        self.set_volume(self.default_volume)


# --- result locker --------------------------------------------------------------------------------


@dataclass(frozen=True)
class CompartmentState:
    door_open: bool
    occupied: bool
    jammed: bool = False


class ResultLocker(Device):
    """Lockable compartments where finished results wait for their owners."""

    kind = "locker"

    @abc.abstractmethod
    def compartments(self) -> list[str]:
        """The compartment labels, e.g. ``["A1", "A2", …]``."""

    @abc.abstractmethod
    def open(self, compartment: str) -> None:
        """Unlock and pop the door. Raises ``LockerJammed`` when it does not open."""

    @abc.abstractmethod
    def state(self, compartment: str) -> CompartmentState:
        """Door and occupancy sensors of one compartment."""

    def wait_closed(self, compartment: str, timeout: float, poll_s: float = 0.25) -> CompartmentState:
        """Block until the door of ``compartment`` is shut and return its state then.

        Raises ``DoorLeftOpen`` when it is still open after ``timeout`` seconds, and whatever
        ``state`` raises. This polls ``state``; drivers that hear about doors directly override it.
        """
        deadline = time.monotonic() + timeout
        while True:
            current = self.state(compartment)
            if not current.door_open:
                return current
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise DoorLeftOpen(f"locker: door of compartment {compartment} still open after {timeout:g} s")
            time.sleep(min(poll_s, remaining))


PORTS: dict[str, type[Device]] = {
    cls.kind: cls for cls in (Printer, QrReader, Camera, Speaker, ResultLocker)
}
