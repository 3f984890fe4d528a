"""Render ESC/POS job bytes into a picture of the printed paper and a record of what is on it.

    result = render(job, dots_per_line=576)
    result.image.save("job.png")
    result.lines            # text of each printed line (NFC)
    result.qr_codes[0].data # the payload of the first QR code printed
    len(result.cuts)

The subset understood, in standard mode, is what receipts use: text with ``ESC !`` print modes,
``ESC E`` emphasis, ``ESC -`` underline, ``GS !`` sizes, ``ESC a`` justification, ``GS B`` reverse,
``ESC SP`` character spacing, ``ESC $``/``ESC \\``/``HT`` positions, ``GS L``/``GS W`` print area,
``LF``/``ESC d``/``ESC J`` feeds, ``ESC 2``/``ESC 3`` line spacing, ``ESC @``, code pages by ``ESC t``
(tables from escpos-printer-db, numbered as the chosen printer profile numbers them); ``GS v 0``,
``ESC *``, ``GS ( L``/``GS 8 L`` and ``GS *``/``GS /`` images; ``GS ( k`` QR, micro QR, PDF417, Data
Matrix and Aztec; ``GS k`` barcodes (``GS h``/``GS w``/``GS H``/``GS f``); ``GS V``/``ESC i``/``ESC m``
cuts. Other commands of known length are skipped whole; unknown ones byte by byte, and both are noted
in ``skipped``. Like a printer, nothing is printed for text still in the line buffer when the job ends
(it is kept in ``unprinted``). No job bytes make ``render`` raise.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field

from PIL import Image

from devices.printer import codepages
from devices.printer.paper import Paper


@dataclass(frozen=True)
class PrintedCode:
    """A QR code, 2D symbol or barcode the job asked for, and whether and where it was drawn."""

    kind: str  # "qr", "micro_qr", "pdf417", "datamatrix", "aztec", "ean13", "code128", …
    data: bytes
    printed: bool
    box: tuple[int, int, int, int] | None = None  # left, top, right, bottom in image pixels
    details: dict = field(default_factory=dict)

    @property
    def text(self) -> str:
        try:
            return self.data.decode("utf-8")
        except UnicodeDecodeError:
            return self.data.decode("latin-1")


@dataclass(frozen=True)
class PrintedImage:
    command: str  # "GS v 0", "ESC *", "GS ( L", "GS /"
    width: int
    height: int
    box: tuple[int, int, int, int]


@dataclass(frozen=True)
class Cut:
    kind: str  # "full" or "partial"
    y: int


@dataclass
class Rendering:
    image: Image.Image
    lines: list[str] = field(default_factory=list)
    qr_codes: list[PrintedCode] = field(default_factory=list)
    barcodes: list[PrintedCode] = field(default_factory=list)
    images: list[PrintedImage] = field(default_factory=list)
    cuts: list[Cut] = field(default_factory=list)
    code_pages: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    unprinted: str = ""
    complete: bool = True  # False when the job ended inside a command
    clipped: bool = False  # True when the paper grew past ``max_height`` and the rest was not drawn

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


def render(
    job: bytes,
    *,
    dots_per_line: int = 576,
    profile: str = codepages.DEFAULT_PROFILE,
    max_height: int = 40_000,
) -> Rendering:
    """Interpret ``job`` as a printer with ``dots_per_line`` dots and ``profile``'s code pages would."""
    from devices.printer.commands import Interpreter

    paper = Paper(dots_per_line, max_height=max_height)
    result = Rendering(image=Image.new("L", (1, 1), 255))
    Interpreter(paper, result, codepages.pages(profile)).run(bytes(job))
    result.image = paper.image()
    result.clipped = paper.clipped
    result.unprinted = unicodedata.normalize("NFC", result.unprinted)
    return result


def main(argv: list[str] | None = None) -> int:
    """``python -m devices.printer.escpos_render JOB.bin [OUT.png]``: draw a saved job, list its text."""
    import argparse
    import sys
    from pathlib import Path

    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("job", type=Path)
    parser.add_argument("out", type=Path, nargs="?", help="PNG to write (default: JOB with .png)")
    parser.add_argument("--paper", type=int, choices=(58, 80), default=80, help="paper width in mm")
    parser.add_argument("--profile", default=codepages.DEFAULT_PROFILE, choices=codepages.profile_names())
    args = parser.parse_args(argv)
    try:
        job = args.job.read_bytes()
    except OSError as err:
        print(f"escpos_render: cannot read {args.job}: {err.strerror}", file=sys.stderr)
        return 2
    result = render(job, dots_per_line={80: 576, 58: 384}[args.paper], profile=args.profile)
    out = args.out or args.job.with_suffix(".png")
    result.image.save(out)
    print("\n".join(result.lines))
    print(f"-- {out}: {len(result.lines)} lines, {len(result.qr_codes)} QR, {len(result.barcodes)} barcodes, "
          f"{len(result.images)} images, {len(result.cuts)} cuts{'' if result.complete else ', job cut off'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
