"""A hand scanner in keyboard-wedge mode: it "types" each code and presses Enter.

URLs:

* ``wedge:///dev/input/event3``: read the scanner's key events straight from the Linux input device
  (``struct input_event``), grabbing it so its keystrokes do not also reach the kiosk's window.
  Keys are mapped with the US layout the scanner must be set to; add ``grab=0`` to share the device.
* ``wedge:///dev/ttyS0`` or any other file, FIFO or tty path, and ``wedge://stdin``: read typed lines.

A keyboard cannot type what its layout lacks: most wedge scanners send Vietnamese letters as nothing
or as ``?``, and a non-US layout turns ``|`` into something else. The kiosk then sees a payload that is
not a CCCD and asks for staff help; a scanner meant for CCCD cards should be set to serial (CDC) mode.
"""

from __future__ import annotations

import os
import select
import struct
import sys
import threading
import time

from devices.errors import DeviceDisconnected, DeviceTimeout, DriverUnavailable
from devices.ports import DeviceURL, Health, QrReader, QrScan

# struct input_event on 64-bit Linux: struct timeval (two longs), __u16 type, __u16 code, __s32 value.
EVENT = struct.Struct("llHHi")
EV_KEY = 1
KEY_PRESS, KEY_REPEAT = 1, 2
EVIOCGRAB = 0x40044590
SHIFT_KEYS = {42, 54}
ENTER_KEYS = {28, 96}

_ROWS = {
    2: "1234567890-=", 16: "qwertyuiop[]", 30: "asdfghjkl;'`", 44: "zxcvbnm,./",
}
_SHIFTED = dict(zip("1234567890-=[];'`,./\\", "!@#$%^&*()_+{}:\"~<>?|"))
KEYMAP: dict[int, str] = {code + i: ch for code, row in _ROWS.items() for i, ch in enumerate(row)}
KEYMAP.update({43: "\\", 57: " ", 15: "\t", 55: "*", 74: "-", 78: "+", 83: ".", 98: "/"})
KEYMAP.update({71: "7", 72: "8", 73: "9", 75: "4", 76: "5", 77: "6", 79: "1", 80: "2", 81: "3", 82: "0"})
KEYPAD = {55, 71, 72, 73, 74, 75, 76, 77, 78, 79, 80, 81, 82, 83, 98}


def key_char(code: int, shift: bool) -> str | None:
    """The character a US keyboard types for ``code`` (``None`` for keys that type nothing)."""
    char = KEYMAP.get(code)
    if char is None or not shift or code in KEYPAD:
        return char
    return char.upper() if char.isalpha() else _SHIFTED.get(char, char)


class KeyboardWedgeQrReader(QrReader):
    def __init__(self, fd: int, *, describe: str, evdev: bool, owned: bool = True):
        self._fd = fd
        self._describe = describe
        self._evdev = evdev
        self._owned = owned
        self._shift = False
        self._pending = bytearray()
        self._typed: list[str] = []
        self._lines: list[bytes] = []
        self._lock = threading.Lock()
        self._closed = False

    @classmethod
    def from_url(cls, url: DeviceURL, context) -> "KeyboardWedgeQrReader":
        if url.netloc == "stdin" and not url.path:
            return cls(sys.stdin.fileno(), describe="standard input", evdev=False, owned=False)
        path = url.path
        if not path:
            raise DriverUnavailable("qr_reader: wedge:// needs a path, e.g. wedge:///dev/input/event3")
        evdev = os.path.basename(path).startswith("event") and "/input/" in path
        try:
            fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0))
        except OSError as err:
            raise DriverUnavailable(f"qr_reader: cannot open keyboard scanner at {path}: {err.strerror}") from err
        if evdev and url.param("grab", "1") not in ("0", "false", "no"):
            import fcntl

            try:
                fcntl.ioctl(fd, EVIOCGRAB, 1)
            except OSError as err:
                os.close(fd)
                raise DriverUnavailable(f"qr_reader: cannot take the keyboard scanner at {path}: {err.strerror}") from err
        return cls(fd, describe=f"keyboard scanner at {path}", evdev=evdev)

    def read(self, timeout: float) -> QrScan:
        deadline = time.monotonic() + timeout
        with self._lock:
            while not self._lines:
                if self._closed:
                    raise DeviceDisconnected(f"qr_reader: {self._describe} is closed")
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise DeviceTimeout(f"qr_reader: nothing scanned in {timeout:g} s")
                try:
                    ready, _, _ = select.select([self._fd], [], [], min(remaining, 0.5))
                    chunk = os.read(self._fd, 4096) if ready else None
                except BlockingIOError:
                    continue
                except OSError as err:
                    raise DeviceDisconnected(f"qr_reader: {self._describe} went away: {err.strerror}") from err
                if chunk is None:
                    continue
                if chunk == b"":
                    if self._evdev:
                        raise DeviceDisconnected(f"qr_reader: {self._describe} went away")
                    time.sleep(min(0.05, max(0.0, deadline - time.monotonic())))  # end of a file or FIFO
                    continue
                self._feed(chunk)
            return QrScan(self._lines.pop(0), source="wedge")

    def _feed(self, chunk: bytes) -> None:
        self._pending += chunk
        if not self._evdev:
            *lines, rest = self._pending.replace(b"\r\n", b"\n").replace(b"\r", b"\n").split(b"\n")
            self._lines += [bytes(line) for line in lines if line]
            self._pending = bytearray(rest)
            return
        whole = len(self._pending) - len(self._pending) % EVENT.size
        for _sec, _usec, kind, code, value in EVENT.iter_unpack(bytes(self._pending[:whole])):
            if kind != EV_KEY:
                continue
            if code in SHIFT_KEYS:
                self._shift = value != 0
            elif value in (KEY_PRESS, KEY_REPEAT):
                if code in ENTER_KEYS:
                    if self._typed:
                        self._lines.append("".join(self._typed).encode("utf-8"))
                    self._typed = []
                else:
                    char = key_char(code, self._shift)
                    if char is not None:
                        self._typed.append(char)
        del self._pending[:whole]

    def health(self) -> Health:
        if self._closed:
            return Health("error", f"{self._describe} is closed")
        return Health("ok", self._describe)

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        if self._owned:
            try:
                os.close(self._fd)
            except OSError:
                pass
