"""Receipt printers: ESC/POS drivers, a simulator that renders what it prints, and job encoding.

* ``sim.SimulatedPrinter`` (``sim://``): keeps every byte, writes ``job-NNNN.bin`` + ``.png`` per job,
  and can be told to run out of paper, open its cover, go offline, be unplugged mid-job or print
  over a slow serial link.
* ``escpos_driver.EscposPrinter`` (``escpos+usb://``, ``escpos+tcp://``, ``escpos+serial://``,
  ``file://``, ``cups://``): real printers through python-escpos.
* ``encode``: complete jobs as bytes (raster image, or text in a Vietnamese code page).
* ``escpos_render.render``: job bytes -> picture of the paper and what is on it.
"""

from __future__ import annotations

from devices.errors import DriverUnavailable
from devices.ports import DeviceURL

#: Printable dots per line by paper width (203 dpi print heads).
DOTS_BY_PAPER_MM = {80: 576, 58: 384}


def dots_per_line(url: DeviceURL, paper_width_mm: int) -> int:
    """The print width: ``?dots=N`` or ``?paper=58|80`` in the URL, else the configured paper width."""
    dots = url.param("dots")
    if dots is not None:
        if not dots.isdigit() or not 64 <= int(dots) <= 2048:
            raise DriverUnavailable(f"printer {url.raw}: dots must be a whole number from 64 to 2048, got {dots!r}")
        return int(dots)
    paper = url.param("paper", str(paper_width_mm))
    if paper not in ("58", "80"):
        raise DriverUnavailable(f"printer {url.raw}: paper must be 58 or 80 (mm), got {paper!r}")
    return DOTS_BY_PAPER_MM[int(paper)]
