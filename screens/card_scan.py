"""The card scan behind every screen that identifies a citizen: the ``Scanner`` loop, events on the UI thread.

``CardScan(reader, on_identity=..., on_rejected=..., on_timeout=..., on_error=..., on_struggling=...)`` runs
``kiosk.identity.Scanner`` on the QR reader. ``start()`` and ``stop()`` return at once: the UI thread
never waits for the reader. One loop runs at a time; a new start waits, on a helper thread, until the
previous loop has finished its read, so no code is swallowed by a loop that is on its way out. Events
come on the UI thread (``Clock.schedule_once``), and those of a loop that was stopped or replaced are
dropped.

``on_rejected(error, kind, reference)`` also says what the code was, when the kiosk knows
(``code_kind``): a queue ticket or dossier slip of its own (then ``reference`` names it), a web
address, a Wi-Fi code. Any other code is not kept.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from kivy.clock import Clock

from devices.ports import QrReader
from kiosk import references
from kiosk.i18n import N_
from kiosk.identity.scanner import Scanner

#: Said when the camera sees a code it cannot read (too far away, blurred or moving): a card or a slip.
MSG_HOLD_CLOSER = N_("The code is too small or blurred to read. Please hold it a little closer to the camera "
                     "and keep it still.")
#: The longest a new start waits for the previous loop's read to end (a read lasts at most ``poll_s``).
STOP_WAIT_S = 5.0

#: The loop reading each reader now, whichever screen started it: a screen that starts reading waits for
#: another screen's loop on the same reader to end, or that loop, on its way out, would swallow the next
#: code (a hand scanner sends each code once).
_LOOPS: dict[int, Scanner] = {}
_LOOPS_LOCK = threading.Lock()


def has_camera_view(reader: QrReader | None) -> bool:
    """Whether the reader can show what it sees (a camera), unlike a hand scanner."""
    return reader is not None and type(reader).preview is not QrReader.preview


def code_kind(data: bytes) -> str | None:
    """What a QR code that is not a CCCD is: ``ticket``, ``dossier``, ``web``, ``wifi`` or ``None``."""
    reference = references.parse(data)
    if reference is not None:
        return reference.kind
    text = data.decode("utf-8", errors="replace").strip().lower()
    if text.startswith(("http://", "https://", "www.")):
        return "web"
    if text.startswith("wifi:"):
        return "wifi"
    return None


class _KindScanner(Scanner):
    """The scanner, noting what kind of code it was just handed (for ``on_rejected``)."""

    kind: str | None = None
    reference: references.ScannedReference | None = None

    def handle(self, data: bytes) -> bool:
        self.kind = code_kind(data)
        self.reference = references.parse(data) if self.kind in ("ticket", "dossier") else None
        return super().handle(data)


class CardScan:
    def __init__(
        self,
        reader: Callable[[], QrReader | None],
        *,
        on_identity: Callable[[object], object],
        on_rejected: Callable[[Exception, str | None, references.ScannedReference | None], object] | None = None,
        on_timeout: Callable[[], object] | None = None,
        on_error: Callable[[Exception], object] | None = None,
        on_struggling: Callable[[], object] | None = None,
        timeout_s: Callable[[], float | None] = lambda: 45.0,
        debounce_s: float = 3.0,
    ):
        self._reader = reader
        self.on_identity = on_identity
        self.on_rejected = on_rejected
        self.on_timeout = on_timeout
        self.on_error = on_error
        self.on_struggling = on_struggling
        self._timeout_s = timeout_s
        self.debounce_s = debounce_s
        self._lock = threading.Lock()
        self._start_lock = threading.Lock()
        self._generation = 0
        self._scanner: Scanner | None = None
        self._scanner_generation = -1

    @property
    def running(self) -> bool:
        """The loop of the latest ``start`` is reading (``False`` while it is still being started)."""
        with self._lock:
            scanner = self._scanner
            return scanner is not None and self._scanner_generation == self._generation and scanner.running

    def start(self) -> None:
        """Begin reading, after the previous loop (if any) has stopped."""
        with self._lock:
            self._generation += 1
            generation = self._generation
        threading.Thread(target=self._start, args=(generation,), name="card-scan-start", daemon=True).start()

    def stop(self) -> None:
        """Stop reading; events still on their way are dropped."""
        with self._lock:
            self._generation += 1
            scanner = self._scanner
        if scanner is not None:
            scanner.stop(wait=0)

    def _start(self, generation: int) -> None:
        with self._start_lock:
            previous = self._scanner
            if previous is not None:
                previous.stop(wait=STOP_WAIT_S)
            reader = self._reader()
            with _LOOPS_LOCK:
                other = _LOOPS.get(id(reader)) if reader is not None else None
            if other is not None and other is not previous:
                other.stop(wait=STOP_WAIT_S)  # another screen's loop, stopped when it left
            with self._lock:
                reader = self._reader()
                if generation != self._generation or reader is None:
                    return
                scanner = _KindScanner(
                    reader,
                    on_identity=lambda identity: self._deliver(generation, self.on_identity, identity),
                    on_rejected=lambda error: self._deliver(
                        generation, self.on_rejected, error, scanner.kind, scanner.reference),
                    on_timeout=lambda: self._deliver(generation, self.on_timeout),
                    on_error=lambda error: self._deliver(generation, self.on_error, error),
                    on_struggling=lambda: self._deliver(generation, self.on_struggling),
                    debounce_s=self.debounce_s,
                    timeout_s=self._timeout_s(),
                    source="camera" if has_camera_view(reader) else "scanner",
                )
                self._scanner = scanner
                self._scanner_generation = generation
                with _LOOPS_LOCK:
                    _LOOPS[id(reader)] = scanner
                scanner.start()

    def _deliver(self, generation: int, callback, *args) -> None:
        if callback is None or generation != self._generation:
            return

        def run(_dt) -> None:
            if generation == self._generation:
                callback(*args)

        Clock.schedule_once(run)
