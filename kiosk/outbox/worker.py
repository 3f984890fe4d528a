"""The background thread that delivers outbox jobs to the central service.

It takes due jobs one at a time, oldest first, hands each to its kind's handler and records the outcome
with the retry policy. When the service cannot be reached it stops taking jobs and instead asks
``GET /health`` every ``probe_interval_s``; as soon as the link is back (its own probe, or any other
successful request the kiosk makes) every waiting job becomes due again, except where the service asked
for more time with ``Retry-After``. ``wake()`` makes it look at the queue now (after an enqueue);
``stop()`` lets the current delivery finish and joins the thread.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from kiosk.api.client import CentralClient
from kiosk.api.errors import CentralError, CentralUnavailable, ServerError
from kiosk.outbox.delivery import HANDLERS, Delivery, Handler
from kiosk.outbox.policy import JobError, RetryPolicy
from kiosk.outbox.store import Job, Outbox
from kiosk.outbox.uploads import DEFAULT_CHUNK_BYTES

log = logging.getLogger(__name__)

DeliveredListener = Callable[[Job, Any], None]
IDLE_WAIT_S = 30.0
RECENT_OUTCOMES = 256


@dataclass(frozen=True)
class Outcome:
    """What became of a job this worker finished: delivered (with the service's answer) or failed."""

    delivered: bool
    result: Any = None
    reason: str = ""


class DeliveryWorker:
    def __init__(
        self,
        outbox: Outbox,
        client: CentralClient,
        *,
        policy: RetryPolicy | None = None,
        handlers: dict[str, Handler] | None = None,
        chunk_bytes: int = DEFAULT_CHUNK_BYTES,
        probe_interval_s: float = 5.0,
        heartbeat: Callable[[], object] | None = None,
        heartbeat_interval_s: float = 60.0,
        on_change: Callable[[], None] | None = None,
        rng: random.Random | None = None,
        clock: Callable[[], float] = time.time,
    ):
        self.outbox = outbox
        self.client = client
        self.policy = policy or RetryPolicy()
        self.handlers = dict(HANDLERS if handlers is None else handlers)
        self.delivery = Delivery(client=client, outbox=outbox, chunk_bytes=chunk_bytes)
        self.probe_interval_s = probe_interval_s
        self.heartbeat = heartbeat
        self.heartbeat_interval_s = heartbeat_interval_s
        self.on_change = on_change
        self.rng = rng or random.Random()
        self.clock = clock
        self.listeners: dict[str, list[DeliveredListener]] = {}
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._paused_until = 0.0
        self._link_down = False
        self._link_back = False
        self._next_probe = 0.0
        self._next_heartbeat = 0.0
        self._outcomes: OrderedDict[str, Outcome] = OrderedDict()
        self._finished = threading.Condition()
        client.observers.append(self._observe)

    # --- control ----------------------------------------------------------------------------------

    def start(self) -> None:
        if self._thread is not None and self._thread.is_alive():
            return
        self._stop.clear()
        self._next_heartbeat = self.clock() + self.heartbeat_interval_s
        self._thread = threading.Thread(target=self._run, name="outbox-delivery", daemon=True)
        self._thread.start()

    def stop(self, timeout: float | None = None) -> bool:
        """Stop after the current delivery; ``False`` if the thread did not end within ``timeout``."""
        self._stop.set()
        self._wake.set()
        thread, self._thread = self._thread, None
        if thread is None:
            return True
        if timeout is None:
            timeout = self.client.connect_timeout + self.client.read_timeout + 2.0
        thread.join(timeout)
        if thread.is_alive():
            log.warning("outbox delivery thread still busy after %.1f s; its job is recovered at next start", timeout)
            return False
        return True

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def wake(self) -> None:
        self._wake.set()

    def on_delivered(self, kind: str, listener: DeliveredListener) -> None:
        """Call ``listener(job, answer)`` on the delivery thread when a job of ``kind`` is delivered.

        A crash between delivery and the end of the listener delivers the job again (the service
        answers the same), so listeners must be safe to call twice.
        """
        self.listeners.setdefault(kind, []).append(listener)

    def wait_for(self, key: str, timeout: float) -> Outcome | None:
        """Wait until this worker delivers or fails the job with ``key``; ``None`` if not in time."""
        deadline = time.monotonic() + timeout
        with self._finished:
            while key not in self._outcomes:
                left = deadline - time.monotonic()
                if left <= 0:
                    return None
                self._finished.wait(left)
            return self._outcomes[key]

    # --- the loop ---------------------------------------------------------------------------------

    def _observe(self, ok: bool, error: CentralError | None) -> None:
        if ok and self._link_down:
            self._link_back = True
            self._wake.set()
        elif not ok and not isinstance(error, ServerError) and not self._link_down:
            self._next_probe = self.clock() + self.probe_interval_s
            self._link_down = True

    def _run(self) -> None:
        while not self._stop.is_set():
            self._wake.clear()
            try:
                wait = self._step()
            except Exception as err:  # a database problem must not end delivery for good
                log.error("outbox delivery step failed: %s: %s", type(err).__name__, err)
                wait = 1.0
            if wait > 0:
                self._wake.wait(min(max(wait, 0.01), IDLE_WAIT_S))

    def _step(self) -> float:
        """Do one piece of work; return how long to sleep (0: go on at once)."""
        if self._link_back:
            self._link_back = self._link_down = False
            self._paused_until = 0.0
            if self.outbox.retry_now():
                log.info("central service reachable again; delivering the waiting jobs")
        now = self.clock()
        if self.heartbeat is not None and now >= self._next_heartbeat:
            self._next_heartbeat = now + self.heartbeat_interval_s
            try:
                self.heartbeat()
            except Exception as err:
                log.warning("could not queue a heartbeat: %s", type(err).__name__)
        if self._link_down and now >= self._next_probe:
            self._next_probe = now + self.probe_interval_s
            self._probe()
            if self._link_back:
                return 0.0
        if now < self._paused_until:
            wakes = [self._paused_until]
            if self._link_down:
                wakes.append(self._next_probe)
            return min(wakes) - now
        if self.deliver_one():
            return 0.0
        due = self.outbox.next_due()
        wakes = [now + IDLE_WAIT_S if due is None else due]
        if self.heartbeat is not None:
            wakes.append(self._next_heartbeat)
        if self._link_down:
            wakes.append(self._next_probe)
        return min(wakes) - now

    def _probe(self) -> None:
        try:
            self.client.health(timeout=self.client.connect_timeout)
        except CentralError:
            return
        # A successful request reaches _observe, which sets _link_back.

    def deliver_one(self) -> bool:
        """Deliver the oldest due job, if any; ``True`` when a job was handled (whatever the outcome)."""
        job = self.outbox.claim()
        if job is None:
            return False
        handler = self.handlers.get(job.kind)
        if handler is None:
            self._fail(job, f"no delivery known for job kind {job.kind!r}")
            return True
        try:
            result = handler(self.delivery, job)
        except Exception as err:
            self._failed_attempt(job, err)
            return True
        self.outbox.delivered(job)
        for listener in self.listeners.get(job.kind, []):
            try:
                listener(job, result)
            except Exception as err:
                log.error("listener for delivered %s job %s failed: %s", job.kind, job.id, type(err).__name__)
        self._finish(job.key, Outcome(True, result))
        return True

    def _failed_attempt(self, job: Job, err: Exception) -> None:
        if not isinstance(err, (CentralError, JobError)):
            log.error("delivering %s job %s raised %s", job.kind, job.id, type(err).__name__)
        decision = self.policy.decide(err, job.attempts, self.rng)
        if not decision.retry:
            self._fail(job, decision.reason)
            return
        due = self.outbox.retry(job, decision)
        log.info("%s job %s: attempt %d failed (%s); next in %.1f s", job.kind, job.id, job.attempts,
                 decision.reason, decision.delay_s)
        if isinstance(err, CentralUnavailable):
            # The service itself is not answering: hold every job, not only this one.
            self._paused_until = due
        self._changed()

    def _fail(self, job: Job, reason: str) -> None:
        log.warning("%s job %s failed for good: %s", job.kind, job.id, reason)
        self.outbox.fail(job, reason)
        self._finish(job.key, Outcome(False, reason=reason))

    def _finish(self, key: str, outcome: Outcome) -> None:
        with self._finished:
            self._outcomes[key] = outcome
            while len(self._outcomes) > RECENT_OUTCOMES:
                self._outcomes.popitem(last=False)
            self._finished.notify_all()
        self._changed()

    def _changed(self) -> None:
        if self.on_change is not None:
            try:
                self.on_change()
            except Exception as err:
                log.error("outbox change listener failed: %s", type(err).__name__)

    def run_until_idle(self, limit: int = 10_000) -> int:
        """Deliver every due job on the calling thread (for the CLI and tests); returns how many."""
        handled = 0
        while handled < limit and self.deliver_one():
            handled += 1
        return handled
