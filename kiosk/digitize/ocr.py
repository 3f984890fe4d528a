"""Tesseract: words with their boxes and confidences, and the page text.

One Tesseract run per page gives its TSV (word boxes, confidences, block/paragraph/line numbers);
the text is rebuilt from it, so the text layer of the PDF and the sidecar text always agree.

Two ways to run the same Tesseract, chosen by ``engine()``:

- ``tesserocr`` (when installed): Tesseract inside this process, loaded once per worker thread and
  kept loaded; no process start and no language data read per page. Its wheel's Tesseract is built
  without OpenMP, which measured here reads a page in about 40 % less CPU than the Debian command.
- ``tesseract``: the ``tesseract`` command through pytesseract, one process per page.

``KIOSK_OCR_ENGINE`` (``tesserocr`` or ``tesseract``) picks one explicitly. Tesseract runs
single-threaded (``OMP_THREAD_LIMIT=1``); the digitizer runs pages in parallel.
"""

from __future__ import annotations

import csv
import glob
import io
import os
import shutil
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from PIL import Image

from kiosk.digitize.errors import OcrUnavailable

os.environ.setdefault("OMP_THREAD_LIMIT", "1")

#: Words below this confidence are highlighted for review.
LOW_CONFIDENCE = 60.0
#: A word whose darkest ink is lighter than this (on the cleaned page, where print is near black)
#: is faint: rubbed out, or hardly printed. Tesseract reads such words with misplaced confidence,
#: so theirs is halved and the citizen checks them. Clear print measures under 25.
FAINT_INK = 64


@dataclass(frozen=True)
class Word:
    text: str
    #: Left, top, width, height in the OCR image's pixels.
    box: tuple[int, int, int, int]
    confidence: float
    line: tuple[int, int, int]

    @property
    def low(self) -> bool:
        return self.confidence < LOW_CONFIDENCE


@dataclass
class OcrResult:
    words: list[Word] = field(default_factory=list)
    #: Size of the image the boxes refer to.
    size: tuple[int, int] = (0, 0)
    language: str = "vie"

    @property
    def text(self) -> str:
        """Lines of words; a blank line between paragraphs."""
        out: list[str] = []
        last = None
        for word in self.words:
            block_par = word.line[:2]
            if last is None:
                out.append(word.text)
            elif word.line == last:
                out[-1] += " " + word.text
            else:
                if block_par != last[:2]:
                    out.append("")
                out.append(word.text)
            last = word.line
        return "\n".join(out) + ("\n" if out else "")

    @property
    def mean_confidence(self) -> float | None:
        if not self.words:
            return None
        total = sum(len(w.text) for w in self.words)
        return sum(w.confidence * len(w.text) for w in self.words) / total


ENGINES = ("tesserocr", "tesseract")
#: A page is cut into bands for OCR only through a gap this many pixels clear of ink either way.
MIN_CUT_CLEARANCE = 3
BAND_PADDING = 12
#: Tesseract's page segmentation: fully automatic, no orientation detection (the cleaning did that).
PSM = 3


def engine() -> str:
    """The way Tesseract is run here: ``KIOSK_OCR_ENGINE``, else tesserocr when it is installed."""
    chosen = os.environ.get("KIOSK_OCR_ENGINE", "").strip()
    if chosen:
        if chosen not in ENGINES:
            raise OcrUnavailable(f"KIOSK_OCR_ENGINE must be one of {', '.join(ENGINES)}, got {chosen!r}")
        return chosen
    try:
        import tesserocr  # noqa: F401
    except ImportError:
        return "tesseract"
    return "tesserocr"


def tessdata_dirs() -> list[Path]:
    """Folders that may hold Tesseract's language data, the most specific first."""
    found = [Path(os.environ["TESSDATA_PREFIX"])] if os.environ.get("TESSDATA_PREFIX") else []
    found += [Path(p) for p in sorted(glob.glob("/usr/share/tesseract-ocr/*/tessdata"), reverse=True)]
    found += [Path("/usr/share/tessdata"), Path("/usr/local/share/tessdata")]
    return [p for p in found if p.is_dir()]


def tessdata_for(languages: str) -> Path:
    """The folder holding every ``+``-joined language's data; ``OcrUnavailable`` when none does."""
    wanted = languages.split("+")
    dirs = tessdata_dirs()
    for folder in dirs:
        if all((folder / f"{lang}.traineddata").is_file() for lang in wanted):
            return folder
    have = sorted({p.stem for folder in dirs for p in folder.glob("*.traineddata")})
    missing = [lang for lang in wanted if lang not in have]
    raise OcrUnavailable(
        f"tesseract has no '{(missing or wanted)[0]}' language data (Debian package tesseract-ocr-"
        f"{(missing or wanted)[0]}); installed: {', '.join(have) or 'none'}"
    )


def check_tesseract(languages: str) -> None:
    """Raise ``OcrUnavailable`` unless Tesseract and every ``+``-joined language are installed."""
    if engine() == "tesserocr":
        tessdata_for(languages)
        _tesseract_here(languages)
        return
    import pytesseract

    if shutil.which(pytesseract.pytesseract.tesseract_cmd) is None:
        raise OcrUnavailable("tesseract is not installed (Debian package tesseract-ocr)")
    try:
        have = set(pytesseract.get_languages(config=""))
    except (pytesseract.TesseractError, OSError) as err:
        raise OcrUnavailable(f"tesseract does not start: {err}") from err
    for lang in languages.split("+"):
        if lang not in have:
            raise OcrUnavailable(
                f"tesseract has no '{lang}' language data (Debian package tesseract-ocr-{lang}); "
                f"installed: {', '.join(sorted(have)) or 'none'}"
            )


def config_for(dpi: int = 300) -> str:
    # Inverted-text detection costs time on every line and forms never have white-on-black text.
    return f"--psm {PSM} --dpi {dpi} -c tessedit_do_invert=0"


def recognize(image: Image.Image, language: str = "vie", dpi: int = 300, timeout: float = 60.0) -> OcrResult:
    """OCR one page image (greyscale, upright, level)."""
    if engine() == "tesserocr":
        tsv = _tsv_in_process(image, language, dpi, timeout)
    else:
        tsv = _tsv_from_command(image, language, dpi, timeout)
    return doubt_faint_words(parse_tsv(tsv, image.size, language), image)


def band_cuts(image: Image.Image, parts: int) -> list[int]:
    """Rows where the page can be cut into ``parts`` bands holding about the same amount of text,
    each cut through the middle of blank space between lines; ``[]`` when no such cut is found.

    Bands are balanced by ink, not height: a band of bare paper is slow for Tesseract (it reads its
    grain as specks) and saves nothing.
    """
    if parts < 2:
        return []
    pixels = np.asarray(image.convert("L"))
    height = pixels.shape[0]
    ink = (pixels < 128).sum(axis=1)
    inked = np.flatnonzero(ink > 0)
    if inked.size < parts * 8:
        return []
    rows = np.arange(height)
    after = np.searchsorted(inked, rows).clip(0, inked.size - 1)
    before = (after - 1).clip(0)
    clearance = np.minimum(np.abs(inked[after] - rows), np.abs(rows - inked[before]))
    share = np.cumsum(ink) / ink.sum()
    reach = max(8, (inked[-1] - inked[0]) // (4 * parts))
    cuts = []
    for k in range(1, parts):
        middle = int(np.searchsorted(share, k / parts))
        low, high = max(0, middle - reach), min(height, middle + reach)
        best = low + int(np.argmax(clearance[low:high]))
        if clearance[best] < MIN_CUT_CLEARANCE:
            return []
        cuts.append(int(best))
    return cuts


def recognize_in_bands(
    image: Image.Image, language: str = "vie", dpi: int = 300, timeout: float = 60.0, *, parts: int = 2, pool=None
) -> OcrResult:
    """OCR one page as ``parts`` horizontal bands read at the same time on ``pool``, then joined,
    boxes in the page's pixels and blocks numbered on.

    The bands cost no more CPU than the whole page but use idle cores: the last page of a document,
    or a page retaken alone, is ready sooner. A page that cannot be cut between lines is read whole.
    With a ``pool``, Tesseract runs only on its threads, each keeping its own Tesseract loaded.
    """
    if pool is None:
        return recognize(image, language, dpi, timeout)
    edges = [0, *band_cuts(image, parts), image.height]
    if len(edges) == 2:
        return pool.submit(recognize, image, language, dpi, timeout).result()
    bands = [_padded(image.crop((0, top, image.width, bottom))) for top, bottom in zip(edges[:-1], edges[1:])]
    results = [future.result() for future in [pool.submit(recognize, band, language, dpi, timeout) for band in bands]]
    joined = OcrResult(size=image.size, language=language)
    blocks = 0
    for top, result in zip(edges, results):
        for word in result.words:
            left, y, width, height = word.box
            block, paragraph, line = word.line
            joined.words.append(Word(word.text, (left, y + top - BAND_PADDING, width, height), word.confidence,
                                     (block + blocks, paragraph, line)))
        blocks += max((w.line[0] for w in result.words), default=0)
    return joined


def _padded(band: Image.Image) -> Image.Image:
    # White above and below, as on a page: Tesseract may drop a line that touches the edge.
    out = Image.new(band.mode, (band.width, band.height + 2 * BAND_PADDING), 255)
    out.paste(band, (0, BAND_PADDING))
    return out


def doubt_faint_words(result: OcrResult, image: Image.Image) -> OcrResult:
    """Halve the confidence of words printed too faintly to trust (see ``FAINT_INK``)."""
    pixels = np.asarray(image.convert("L"))
    for i, word in enumerate(result.words):
        left, top, width, height = word.box
        box = pixels[max(0, top) : top + height, max(0, left) : left + width]
        if box.size and float(np.percentile(box, 2)) > FAINT_INK:
            result.words[i] = Word(word.text, word.box, word.confidence / 2, word.line)
    return result


def parse_tsv(tsv: str, size: tuple[int, int], language: str) -> OcrResult:
    """Words from Tesseract's TSV (with or without its header row)."""
    result = OcrResult(size=size, language=language)
    for row in csv.reader(io.StringIO(tsv), delimiter="\t", quoting=csv.QUOTE_NONE):
        if len(row) < 12 or not row[0].isdigit():
            continue
        text = row[11].strip()
        conf = float(row[10])
        if not text or conf < 0:
            continue
        block, paragraph, line = (int(v) for v in row[2:5])
        left, top, width, height = (int(v) for v in row[6:10])
        result.words.append(Word(text, (left, top, width, height), conf, (block, paragraph, line)))
    return result


def _tsv_from_command(image: Image.Image, language: str, dpi: int, timeout: float) -> str:
    import pytesseract

    with tempfile.TemporaryDirectory(prefix="kiosk-ocr-") as tmp:
        # Uncompressed: pytesseract's own PNG would cost more than a second on a noisy A4 page.
        path = os.path.join(tmp, "page.pgm" if image.mode == "L" else "page.ppm")
        image.save(path)
        try:
            return pytesseract.image_to_data(path, lang=language, config=config_for(dpi), timeout=timeout)
        except RuntimeError as err:  # pytesseract's timeout
            raise OcrUnavailable(f"tesseract took longer than {timeout:.0f} s on one page") from err
        except pytesseract.TesseractError as err:
            raise OcrUnavailable(f"tesseract failed: {str(err.message).strip()[:200]}") from err


#: One loaded Tesseract per thread (a loaded Tesseract must not be shared between threads).
_loaded = threading.local()


def _tesseract_here(language: str):
    import tesserocr

    api = getattr(_loaded, "api", None)
    if api is not None and _loaded.language == language:
        return api
    if api is not None:
        api.End()
        _loaded.api = None
    folder = tessdata_for(language)
    try:
        api = tesserocr.PyTessBaseAPI(path=f"{folder}/", lang=language, psm=PSM)
    except RuntimeError as err:
        raise OcrUnavailable(f"tesseract could not load '{language}' from {folder}: {err}") from err
    api.SetVariable("tessedit_do_invert", "0")
    _loaded.api, _loaded.language = api, language
    return api


def _tsv_in_process(image: Image.Image, language: str, dpi: int, timeout: float) -> str:
    api = _tesseract_here(language)
    api.SetVariable("user_defined_dpi", str(dpi))
    api.SetImage(image)
    if not api.Recognize(timeout=int(timeout * 1000)):
        api.Clear()
        raise OcrUnavailable(f"tesseract did not finish one page (limit {timeout:.0f} s)")
    tsv = api.GetTSVText(0)
    api.Clear()
    return tsv
