"""A hand scanner in virtual serial (USB CDC) mode: each code arrives as bytes ending in CR or LF.

URL: ``serial:///dev/ttyACM0?baudrate=9600`` (``baudrate`` defaults to 9600; CDC ports ignore it).
Serial mode sends the symbol's bytes as they are, so Vietnamese text arrives intact (a keyboard
wedge would have to type it). A scanner that was unplugged is reopened on the next ``read``.
"""

from __future__ import annotations

import threading
import time

from devices.errors import DeviceDisconnected, DeviceTimeout, DriverUnavailable
from devices.ports import DeviceURL, Health, QrReader, QrScan

TERMINATORS = (b"\r", b"\n")
#: Longest line kept; a scanner that never sends a terminator must not fill the memory.
MAX_LINE = 8192


class SerialQrReader(QrReader):
    def __init__(self, port: str, baudrate: int = 9600):
        try:
            import serial  # noqa: F401
        except ImportError as err:
            raise DriverUnavailable(f"qr_reader: pyserial is not installed: {err}") from err
        self.port_name = port
        self.baudrate = baudrate
        self._serial = None
        self._buffer = bytearray()
        self._lock = threading.Lock()
        self._open()

    @classmethod
    def from_url(cls, url: DeviceURL, context) -> "SerialQrReader":
        port = url.path or url.netloc
        if not port:
            raise DriverUnavailable("qr_reader: serial:// needs a port, e.g. serial:///dev/ttyACM0")
        try:
            baudrate = int(url.param("baudrate", "9600"))
        except ValueError:
            raise DriverUnavailable(f"qr_reader: baudrate must be a number, got '{url.param('baudrate')}'") from None
        return cls(port, baudrate)

    def _open(self) -> None:
        import serial

        try:
            self._serial = serial.Serial(self.port_name, self.baudrate, timeout=0.2)
        except (serial.SerialException, OSError, ValueError) as err:
            self._serial = None
            raise DriverUnavailable(f"qr_reader: cannot open scanner at {self.port_name}: {err}") from err

    def read(self, timeout: float) -> QrScan:
        import serial

        deadline = time.monotonic() + timeout
        with self._lock:
            while True:
                line = self._take_line()
                if line is not None:
                    return QrScan(line, source=f"serial:{self.port_name}")
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise DeviceTimeout(f"qr_reader: nothing scanned in {timeout:g} s")
                if self._serial is None:
                    try:
                        self._open()
                    except DriverUnavailable as err:
                        raise DeviceDisconnected(str(err)) from err
                try:
                    self._serial.timeout = min(remaining, 0.2)
                    chunk = self._serial.read(max(1, self._serial.in_waiting))
                except (serial.SerialException, OSError) as err:
                    self._drop()
                    raise DeviceDisconnected(f"qr_reader: scanner at {self.port_name} went away: {err}") from err
                self._buffer += chunk
                if len(self._buffer) > MAX_LINE and not any(t in self._buffer for t in TERMINATORS):
                    self._buffer.clear()  # noise, not a code

    def _take_line(self) -> bytes | None:
        while True:
            ends = [i for i in (self._buffer.find(t) for t in TERMINATORS) if i >= 0]
            if not ends:
                return None
            end = min(ends)
            line = bytes(self._buffer[:end])
            del self._buffer[:end + 1]
            if line:
                return line

    def _drop(self) -> None:
        if self._serial is not None:
            try:
                self._serial.close()
            except Exception:  # already gone
                pass
        self._serial = None
        self._buffer.clear()

    def health(self) -> Health:
        if self._serial is None or not self._serial.is_open:
            return Health("error", f"scanner at {self.port_name} is not connected")
        return Health("ok", f"serial scanner at {self.port_name}")

    def close(self) -> None:
        with self._lock:
            self._drop()
