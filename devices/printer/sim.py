"""A simulated receipt printer that keeps what it is sent and shows what it would have printed.

URL: ``sim://`` prints into ``<data_dir>/printed``, ``sim:///abs/dir`` into that folder. Options:
``?paper=58|80`` or ``?dots=N`` (print width), ``?profile=TM-T20III`` (code page numbering),
``?baud=115200`` (imitate a serial link of that speed), ``?faults=paper_out,cover_open`` (start with
faults: ``paper_out``, ``paper_near_end``, ``cover_open``, ``offline``, ``unplugged``), ``?unplug_after=N``.

Every byte accepted is appended to ``output``; each job is written to ``job-NNNN.bin`` and rendered to
``job-NNNN.png`` in the background (printing happens after the bytes are accepted, as on a real
printer; ``wait_printed()`` waits for the pictures). Faults are set at run time with ``set_paper``,
``open_cover``/``close_cover``, ``go_offline``/``go_online``, ``unplug_after``/``unplug``/``plug_in`` and
``set_baud``; ``send`` then fails as a printer would and ``status``/``health`` say why.
"""

from __future__ import annotations

import logging
import queue
import re
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from devices.errors import CoverOpen, DeviceDisconnected, DriverUnavailable, PaperOut, PrinterOffline
from devices.ports import DeviceURL, Health, PaperState, Printer, PrinterStatus
from devices.printer import codepages, dots_per_line
from devices.printer.paper import MissingFont, glyph

if TYPE_CHECKING:
    from devices.printer.escpos_render import Rendering

log = logging.getLogger(__name__)
FAULTS = ("paper_out", "paper_near_end", "cover_open", "offline", "unplugged")
OPTIONS = ("paper", "dots", "profile", "baud", "faults", "unplug_after")


@dataclass
class SimulatedJob:
    number: int
    data: bytes
    complete: bool  # False when the link was lost part-way
    bin_path: Path
    png_path: Path
    rendering: Rendering | None = None  # set once the job is printed (rendered)
    render_error: str | None = None


class SimulatedPrinter(Printer):
    def __init__(
        self,
        folder: Path,
        *,
        dots: int = 576,
        profile: str = codepages.DEFAULT_PROFILE,
        baud: int | None = None,
        faults: tuple[str, ...] = (),
        sleep=time.sleep,
    ):
        self.folder = Path(folder)
        self._sleep = sleep  # how a slow link waits; tests pass a recorder
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
        except OSError as err:
            raise DriverUnavailable(f"printer sim: cannot create {self.folder}: {err.strerror}") from err
        codepages.pages(profile)  # fails now, not at the first job, on an unknown profile
        try:
            glyph("A", 0, False, 1, 1)  # the fonts the pictures are drawn with
        except MissingFont as err:
            raise DriverUnavailable(f"printer sim: {err}") from err
        self.dots_per_line = dots
        self.profile = profile
        self.output = bytearray()
        self.jobs: list[SimulatedJob] = []
        self._lock = threading.Lock()
        self._paper: PaperState = "out" if "paper_out" in faults else "near_end" if "paper_near_end" in faults else "ok"
        self._cover_open = "cover_open" in faults
        self._online = "offline" not in faults
        self._connected = "unplugged" not in faults
        self._unplug_after: int | None = None
        self._bytes_per_second: float | None = None
        self.set_baud(baud)
        self._next_number = 1 + max((int(m.group(1)) for p in self.folder.glob("job-*.bin")
                                     if (m := re.fullmatch(r"job-(\d+)\.bin", p.name))), default=0)
        self._queue: queue.Queue[SimulatedJob | None] = queue.Queue()
        self._pending = 0
        self._idle = threading.Condition()
        self._worker: threading.Thread | None = None
        self._closed = False

    @classmethod
    def from_url(cls, url: DeviceURL, context) -> SimulatedPrinter:
        unknown = sorted(set(url.query) - set(OPTIONS))
        if unknown:
            raise DriverUnavailable(f"printer {url.raw}: unknown option {unknown[0]!r} (known: {', '.join(OPTIONS)})")
        if url.path.startswith("/") and not url.netloc:
            folder = Path(url.path)
        else:
            folder = Path(context.data_dir) / ((url.netloc + url.path).strip("/") or "printed")
        faults = tuple(f.strip() for f in (url.param("faults") or "").split(",") if f.strip())
        bad = [f for f in faults if f not in FAULTS]
        if bad:
            raise DriverUnavailable(f"printer {url.raw}: unknown fault {bad[0]!r} (known: {', '.join(FAULTS)})")
        baud = url.param("baud")
        if baud is not None and (not baud.isdigit() or int(baud) < 300):
            raise DriverUnavailable(f"printer {url.raw}: baud must be a whole number of at least 300, got {baud!r}")
        profile = url.param("profile", codepages.DEFAULT_PROFILE)
        if profile not in codepages.profile_names():
            raise DriverUnavailable(f"printer {url.raw}: unknown profile {profile!r} "
                                    f"(known: {', '.join(codepages.profile_names())})")
        printer = cls(folder, dots=dots_per_line(url, context.paper_width_mm), profile=profile,
                      baud=int(baud) if baud else None, faults=faults)
        unplug = url.param("unplug_after")
        if unplug is not None:
            if not unplug.isdigit():
                raise DriverUnavailable(f"printer {url.raw}: unplug_after must be a number of bytes, got {unplug!r}")
            printer.unplug_after(int(unplug))
        return printer

    # --- faults the tests and the demo inject ----------------------------------------------------

    def set_paper(self, state: PaperState) -> None:
        if state not in ("ok", "near_end", "out"):
            raise ValueError(f"paper state must be ok, near_end or out, got {state!r}")
        self._paper = state

    def open_cover(self) -> None:
        self._cover_open = True

    def close_cover(self) -> None:
        self._cover_open = False

    def go_offline(self) -> None:
        self._online = False

    def go_online(self) -> None:
        self._online = True

    def unplug_after(self, accepted_bytes: int) -> None:
        """The link drops once ``accepted_bytes`` more bytes have been accepted (mid-job)."""
        self._unplug_after = max(0, accepted_bytes)

    def unplug(self) -> None:
        self._connected = False

    def plug_in(self) -> None:
        self._connected = True
        self._unplug_after = None

    def set_baud(self, baud: int | None) -> None:
        """Accept bytes no faster than a serial link of ``baud`` (8N1: ten bits a byte); ``None`` = at once."""
        self._bytes_per_second = baud / 10 if baud else None

    # --- the port --------------------------------------------------------------------------------

    def send(self, job: bytes) -> None:
        job = bytes(job)
        with self._lock:
            if self._closed:
                raise DeviceDisconnected("printer sim: closed")
            if not self._connected:
                raise DeviceDisconnected("printer sim: not connected (unplugged)")
            if not self._online:
                raise PrinterOffline("printer sim: offline")
            if self._cover_open:
                raise CoverOpen("printer sim: cover open")
            if self._paper == "out":
                raise PaperOut("printer sim: out of paper")
            limit = self._unplug_after
            accepted = len(job) if limit is None else min(len(job), limit)
            if self._bytes_per_second:
                self._sleep(accepted / self._bytes_per_second)
            data = job[:accepted]
            self.output += data
            lost = accepted < len(job)
            if limit is not None:
                self._unplug_after = limit - accepted
            if lost:  # the link dropped part-way: what arrived is kept and printed
                self._connected = False
                self._unplug_after = None
            if data or not lost:
                self._record(data, complete=not lost)
        if lost:
            raise DeviceDisconnected(f"printer sim: unplugged after {accepted} of {len(job)} bytes")

    def _record(self, data: bytes, *, complete: bool) -> None:
        number = self._next_number
        self._next_number += 1
        stem = self.folder / f"job-{number:04d}"
        job = SimulatedJob(number, data, complete, stem.with_suffix(".bin"), stem.with_suffix(".png"))
        job.bin_path.write_bytes(data)
        self.jobs.append(job)
        log.info("printer sim: job %04d, %d bytes%s", number, len(data), "" if complete else " (cut off)")
        with self._idle:
            self._pending += 1
        if self._worker is None:
            self._worker = threading.Thread(target=self._print_jobs, name="printer-sim", daemon=True)
            self._worker.start()
        self._queue.put(job)

    def _print_jobs(self) -> None:
        from devices.printer.escpos_render import render

        while (job := self._queue.get()) is not None:
            try:
                job.rendering = render(job.data, dots_per_line=self.dots_per_line, profile=self.profile)
                job.rendering.image.save(job.png_path)
            except Exception as err:  # a picture that cannot be made must not stop the printer
                job.render_error = f"{type(err).__name__}: {err}"
                log.warning("printer sim: job %04d could not be rendered: %s", job.number, job.render_error)
            with self._idle:
                self._pending -= 1
                self._idle.notify_all()

    def wait_printed(self, timeout: float = 30.0) -> bool:
        """Wait until every job sent so far has its PNG; False if ``timeout`` passed first."""
        with self._idle:
            return self._idle.wait_for(lambda: self._pending == 0, timeout)

    @property
    def last_job(self) -> SimulatedJob | None:
        return self.jobs[-1] if self.jobs else None

    def status(self) -> PrinterStatus:
        if not self._connected or self._closed:
            return PrinterStatus(online=False, paper="unknown", cover_open=None)
        return PrinterStatus(online=self._online and not self._cover_open, paper=self._paper,
                             cover_open=self._cover_open)

    def health(self) -> Health:
        if self._closed:
            return Health("error", "closed")
        if not self._connected:
            return Health("error", "not connected (unplugged)")
        if not self._online:
            return Health("error", "offline")
        if self._cover_open:
            return Health("error", "cover open")
        if self._paper == "out":
            return Health("error", "out of paper")
        if self._paper == "near_end":
            return Health("warning", "paper near end")
        return Health("ok", f"simulated, {self.dots_per_line} dots, printing into {self.folder}")

    def close(self) -> None:
        if self._closed:
            return
        self.wait_printed()
        self._closed = True
        if self._worker is not None:
            self._queue.put(None)
            self._worker.join(timeout=5)
