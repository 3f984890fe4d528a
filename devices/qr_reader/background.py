"""A QR reader's slowest reading, in the background: the whole decoding pipeline, with its deep step
(``deep_read``, seconds for a card blurred by a whole module), on one picture of a card the reader
keeps failing to read, while the citizen holds the card. Used by the camera reader and its
simulator alike."""

from __future__ import annotations

import logging
import threading
from typing import Callable

import numpy as np

log = logging.getLogger(__name__)

#: Most seconds the background read gives the pipeline's deep step per symbol: the citizen is
#: holding the card anyway, and on generated frames some cards took 8–10 s to read.
BACKGROUND_DEEP_SECONDS = 20.0


class BackgroundRead:
    """The whole decoding pipeline on one frame in a background thread, one at a time. ``take``
    gives its code once; ``forget`` drops a result still to come (the card it read has gone) and
    stops the read at its next step."""

    def __init__(self, accept: Callable[[bytes], bool] | None, on_found: Callable[[], None] | None = None):
        self.accept = accept
        self.on_found = on_found
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._found: bytes | None = None
        self._generation = 0
        #: Background reads started so far.
        self.started = 0

    def start(self, gray: np.ndarray) -> bool:
        """Start reading ``gray`` unless a read is already running; whether one started."""
        with self._lock:
            if self._thread is not None and self._thread.is_alive():
                return False
            self._thread = threading.Thread(target=self._run, args=(gray, self._generation),
                                            name="qr-background-read", daemon=True)
            self._thread.start()
            self.started += 1
            return True

    def _run(self, gray: np.ndarray, generation: int) -> None:
        from devices.qr_reader.decode import QrDecoder

        try:
            result = QrDecoder(deep_seconds=BACKGROUND_DEEP_SECONDS).decode(
                gray, accept=self.accept, stop=lambda: generation != self._generation)
        except Exception as err:  # a failed background read must not end the reader
            log.warning("qr_reader: background read failed: %s", type(err).__name__)
            return
        with self._lock:
            if result.accepted is None or generation != self._generation:
                return
            self._found = result.accepted.data
        if self.on_found is not None:
            self.on_found()

    def take(self) -> bytes | None:
        with self._lock:
            found, self._found = self._found, None
            return found

    def forget(self) -> None:
        with self._lock:
            self._generation += 1
            self._found = None

    def running(self) -> bool:
        with self._lock:
            return self._thread is not None and self._thread.is_alive()
