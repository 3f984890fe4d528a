"""Tesseract through pytesseract: words with their boxes and confidences, and the page text.

One Tesseract run per page gives its TSV (word boxes, confidences, block/paragraph/line numbers);
the text is rebuilt from it, so the text layer of the PDF and the sidecar text always agree.
Tesseract runs single-threaded (``OMP_THREAD_LIMIT=1``); the digitizer runs pages in parallel.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import dataclass, field

from PIL import Image

from kiosk.digitize.errors import OcrUnavailable

os.environ.setdefault("OMP_THREAD_LIMIT", "1")

#: Words below this confidence are highlighted for review.
LOW_CONFIDENCE = 60.0


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


def check_tesseract(languages: str) -> None:
    """Raise ``OcrUnavailable`` unless Tesseract and every ``+``-joined language are installed."""
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
    return f"--psm 3 --dpi {dpi} -c tessedit_do_invert=0"


def recognize(image: Image.Image, language: str = "vie", dpi: int = 300, timeout: float = 60.0) -> OcrResult:
    """OCR one page image (greyscale, upright, level)."""
    import pytesseract

    with tempfile.TemporaryDirectory(prefix="kiosk-ocr-") as tmp:
        # Uncompressed: pytesseract's own PNG would cost more than a second on a noisy A4 page.
        path = os.path.join(tmp, "page.pgm" if image.mode == "L" else "page.ppm")
        image.save(path)
        try:
            data = pytesseract.image_to_data(
                path, lang=language, config=config_for(dpi), output_type=pytesseract.Output.DICT, timeout=timeout
            )
        except RuntimeError as err:  # pytesseract's timeout
            raise OcrUnavailable(f"tesseract took longer than {timeout:.0f} s on one page") from err
        except pytesseract.TesseractError as err:
            raise OcrUnavailable(f"tesseract failed: {str(err.message).strip()[:200]}") from err
    result = OcrResult(size=image.size, language=language)
    for i, text in enumerate(data["text"]):
        text = (text or "").strip()
        conf = float(data["conf"][i])
        if not text or conf < 0:
            continue
        result.words.append(
            Word(
                text=text,
                box=(int(data["left"][i]), int(data["top"][i]), int(data["width"][i]), int(data["height"][i])),
                confidence=conf,
                line=(int(data["block_num"][i]), int(data["par_num"][i]), int(data["line_num"][i])),
            )
        )
    return result
