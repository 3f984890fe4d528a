"""Live lobby boards: one watcher per center re-reads the board and streams changes to every display.

A watcher runs only while a display (or counter page) listens. It reads the board when nudged (the
staff's calls in this process nudge at once, ``nudge``) and at least every ``poll_s`` seconds, which
also catches tickets issued at kiosks and calls made through other worker processes. A stream is
server-sent events:

    event: state   the whole board, first on every (re)connection, then whenever it changes
    event: ping    every ``ping_s`` seconds: the server time and whether the board is fresh
    event: bye     the stream ends (every ``stream_max_s``); reconnect now

``fresh`` turns false when the database has not answered for ``stale_s`` seconds, so a display never
shows an old board as if it were live. Streams end when the service is told to stop (SIGINT/SIGTERM
in the main thread, or ``close()``), so they never hold up a shutdown.
"""

from __future__ import annotations

import asyncio
import json
import logging
import signal
import threading
import time
from dataclasses import dataclass, field
from typing import AsyncIterator, Callable

from central import board
from central.settings import VIETNAM

log = logging.getLogger(__name__)


class BoardUnavailable(RuntimeError):
    """The board could not be read (the database does not answer)."""


def sse(event: str, data: dict) -> bytes:
    return f"event: {event}\ndata: {json.dumps(data, ensure_ascii=False, separators=(',', ':'))}\n\n".encode()


@dataclass
class _Watcher:
    center: str
    listeners: int = 0
    latest: dict | None = None
    version: int = 0
    read_at: float = 0.0  # time.monotonic() of the last good read
    unknown: bool = False
    failed: bool = False
    ready: asyncio.Event = field(default_factory=asyncio.Event)
    wake: asyncio.Event = field(default_factory=asyncio.Event)
    changed: asyncio.Event = field(default_factory=asyncio.Event)
    times: board.CallTimes = field(default_factory=board.CallTimes)
    task: asyncio.Task | None = None

    def announce_change(self) -> None:
        changed, self.changed = self.changed, asyncio.Event()
        changed.set()


class LiveBoards:
    def __init__(self, central, *, poll_s: float = 1.0, ping_s: float = 3.0, stream_max_s: float = 60.0,
                 stale_s: float = 6.0, on_new_calls: Callable[[str, list[dict]], None] | None = None):
        self.central = central
        self.poll_s = poll_s
        self.ping_s = ping_s
        self.stream_max_s = stream_max_s
        self.stale_s = stale_s
        self.on_new_calls = on_new_calls
        self.closed = False
        self._watchers: dict[str, _Watcher] = {}
        self._loop: asyncio.AbstractEventLoop | None = None
        self._signals_hooked = False
        self._side_tasks: set[asyncio.Task] = set()

    # --- from any thread ---------------------------------------------------------------------------

    def nudge(self, center: str | None = None) -> None:
        """Re-read the board of ``center`` (or of every watched center) now."""
        loop = self._loop
        if loop is None or loop.is_closed():
            return
        try:
            loop.call_soon_threadsafe(self._wake, center)
        except RuntimeError:  # the loop closed in between
            pass

    def close(self) -> None:
        """End every stream (the service is stopping)."""
        self.closed = True
        self.nudge()

    # --- on the event loop -------------------------------------------------------------------------

    def _wake(self, center: str | None) -> None:
        for watcher in self._watchers.values():
            if center is None or watcher.center == center:
                watcher.wake.set()
                if self.closed:
                    watcher.announce_change()

    def _hook_signals(self) -> None:
        """Let SIGINT/SIGTERM end the streams before the server waits for its connections to close."""
        self._signals_hooked = True
        if threading.current_thread() is not threading.main_thread():
            return
        for signum in (signal.SIGINT, signal.SIGTERM):
            previous = signal.getsignal(signum)
            if not callable(previous):
                continue

            def handler(sig, frame, previous=previous):
                self.close()
                previous(sig, frame)

            signal.signal(signum, handler)

    async def join(self, center: str) -> _Watcher:
        """Start listening to ``center``; raises ``board.UnknownCenter`` or ``BoardUnavailable``."""
        if self._loop is None:
            self._loop = asyncio.get_running_loop()
        if not self._signals_hooked:
            self._hook_signals()
        watcher = self._watchers.get(center)
        if watcher is None:
            watcher = self._watchers[center] = _Watcher(center)
        watcher.listeners += 1
        if watcher.task is None or watcher.task.done():
            watcher.task = asyncio.create_task(self._watch(watcher), name=f"lobby-{center}")
        try:
            await asyncio.wait_for(watcher.ready.wait(), timeout=30)
        except asyncio.TimeoutError:
            self.leave(watcher)
            raise BoardUnavailable(center) from None
        if watcher.unknown:
            self.leave(watcher)
            raise board.UnknownCenter(center)
        if watcher.latest is None:
            self.leave(watcher)
            raise BoardUnavailable(center)
        return watcher

    def leave(self, watcher: _Watcher) -> None:
        watcher.listeners -= 1
        if watcher.listeners > 0:
            return
        watcher.wake.set()  # the watcher sees nobody listens and stops
        if (watcher.task is None or watcher.task.done()) and self._watchers.get(watcher.center) is watcher:
            del self._watchers[watcher.center]

    def _read(self, watcher: _Watcher) -> dict:
        with self.central.db.read() as session:
            return board.read(self.central, session, watcher.center, watcher.times)

    async def _watch(self, watcher: _Watcher) -> None:
        watcher.unknown = False
        while watcher.listeners > 0 and not self.closed:
            watcher.wake.clear()
            try:
                fresh = await asyncio.to_thread(self._read, watcher)
            except board.UnknownCenter:
                watcher.unknown = True
                watcher.ready.set()
                break
            except Exception as err:  # the database is away; pings say the board is stale
                if not watcher.failed:
                    log.warning("lobby board %s unreadable: %s", watcher.center, type(err).__name__)
                watcher.failed = True
            else:
                watcher.failed = False
                watcher.read_at = time.monotonic()
                if fresh != watcher.latest:
                    self._report_new_calls(watcher, fresh)
                    watcher.latest = fresh
                    watcher.version += 1
                    watcher.announce_change()
            watcher.ready.set()
            try:
                await asyncio.wait_for(watcher.wake.wait(), timeout=self.poll_s)
            except asyncio.TimeoutError:
                pass
        watcher.ready = asyncio.Event()
        if self._watchers.get(watcher.center) is watcher and watcher.listeners <= 0:
            del self._watchers[watcher.center]

    def _report_new_calls(self, watcher: _Watcher, fresh: dict) -> None:
        if self.on_new_calls is None:
            return
        known = {c["id"] for c in (watcher.latest or {}).get("calls", [])}
        new = [c for c in fresh["calls"] if c["id"] not in known]
        if not new or watcher.latest is None:
            return
        task = asyncio.create_task(asyncio.to_thread(self.on_new_calls, watcher.center, new))
        self._side_tasks.add(task)
        task.add_done_callback(self._side_tasks.discard)

    def is_fresh(self, watcher: _Watcher) -> bool:
        return not watcher.failed and time.monotonic() - watcher.read_at < self.stale_s

    def _stamp(self, watcher: _Watcher) -> dict:
        return {"now": self.central.settings.now().astimezone(VIETNAM).isoformat(), "version": watcher.version,
                "fresh": self.is_fresh(watcher)}

    def snapshot(self, watcher: _Watcher) -> dict:
        return {**(watcher.latest or {}), **self._stamp(watcher)}

    async def stream(self, center: str) -> AsyncIterator[bytes]:
        """The event stream of one listener. It joins when it starts, so a stream that never starts
        holds no watcher; if the board cannot be read now it just ends and the display retries later."""
        loop = asyncio.get_running_loop()
        yield b"retry: 1000\n\n"
        if self.closed:
            return
        try:
            watcher = await self.join(center)
        except (board.UnknownCenter, BoardUnavailable):
            return  # the display's reconnection backs off and tries again
        try:
            sent = watcher.version
            yield sse("state", self.snapshot(watcher))
            ends = loop.time() + self.stream_max_s
            next_ping = loop.time() + self.ping_s
            while True:
                changed = watcher.changed
                if watcher.version == sent:
                    timeout = max(0.0, min(next_ping, ends) - loop.time())
                    try:
                        await asyncio.wait_for(changed.wait(), timeout=timeout)
                    except asyncio.TimeoutError:
                        pass
                if self.closed:
                    return  # the service stops: no "bye", so displays back off instead of retrying at once
                if loop.time() >= ends:
                    break
                if watcher.version != sent:
                    sent = watcher.version
                    yield sse("state", self.snapshot(watcher))
                    next_ping = loop.time() + self.ping_s
                elif loop.time() >= next_ping:
                    yield sse("ping", self._stamp(watcher))
                    next_ping = loop.time() + self.ping_s
            yield sse("bye", {"reconnect": True})
        finally:
            self.leave(watcher)


class NudgeAfterStaffWrites:
    """ASGI middleware: after a successful write of the bearer staff API (``/api/v1/staff/...``), wake
    the watched boards at once instead of at their next poll."""

    PREFIX = "/api/v1/staff/"

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or scope["method"] != "POST" or not scope["path"].startswith(self.PREFIX):
            await self.app(scope, receive, send)
            return

        async def watching(message):
            if message["type"] == "http.response.start" and 200 <= message["status"] < 300:
                scope["app"].state.lobby.nudge()
            await send(message)

        await self.app(scope, receive, watching)
