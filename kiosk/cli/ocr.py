"""``kiosk ocr IMAGE... [--pdf OUT.pdf] [--text OUT.txt] [--lang vie]``: digitize pictures as one document.

The images (pictures or PDFs, in the order given) become the pages of one document: cleaned, checked
and read in parallel. Output contract:

* with ``--pdf`` and/or ``--text``: the files are written (atomically) and a JSON summary goes to
  stdout;
* with neither: the recognised text goes to stdout (pages separated by form feeds) and the JSON
  summary to stderr.

The summary holds ``pages``, ``seconds``, ``mean_confidence``, per-page ``flags`` (quality problems
such as ``blurry`` or ``cut_off``) and ``errors`` (inputs or pages that could not be used; the other
pages are still processed and written). Exit status: 0 all pages read, 1 something could not be
read or written, 2 a usage problem (such as a language Tesseract does not have).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path


def register(subparsers) -> None:
    parser = subparsers.add_parser("ocr", help="clean and OCR page images into a searchable PDF and text")
    parser.add_argument("images", nargs="+", metavar="IMAGE", help="page pictures or PDFs, in page order")
    parser.add_argument("--pdf", type=Path, metavar="OUT.pdf", help="write a searchable PDF")
    parser.add_argument("--text", type=Path, metavar="OUT.txt", help="write the recognised text (UTF-8)")
    parser.add_argument("--thumbnails", type=Path, metavar="DIR", help="write a small JPEG of each page here")
    parser.add_argument("--lang", default="vie", help="Tesseract language(s), e.g. vie or vie+eng (default vie)")
    parser.add_argument("--jobs", type=int, default=0, help="pages processed at once (default: one per core)")
    parser.set_defaults(handler=run)


def _page_summary(number: int, page) -> dict:
    entry = {
        "page": number,
        "source": page.source,
        "state": page.state.value,
        "flags": page.flags,
        "confidence": round(page.confidence, 1) if page.confidence is not None else None,
        "words": len(page.ocr.words) if page.ocr else 0,
        "seconds": round(page.seconds, 2),
    }
    if page.clean is not None:
        entry.update(rotation=page.clean.rotation, skew=round(page.clean.skew, 2), outline=page.clean.outline is not None)
    if page.error is not None:
        entry["error"] = str(page.error)
    return entry


def run(args) -> int:
    import time

    from kiosk.cli import UsageError
    from kiosk.digitize.digitizer import Digitizer
    from kiosk.digitize.document import Document, PageState
    from kiosk.digitize.errors import DigitizeError, OcrUnavailable
    from kiosk.digitize.loading import load_pages
    from kiosk.digitize.ocr import check_tesseract
    from kiosk.digitize.output import save_document

    if args.jobs < 0:
        raise UsageError("--jobs must be 0 (one per core) or more")
    for target in (args.pdf, args.text):
        if target is not None and not target.parent.is_dir():
            raise UsageError(f"folder {target.parent} does not exist")
    if args.thumbnails is not None:
        args.thumbnails.mkdir(parents=True, exist_ok=True)
    try:
        check_tesseract(args.lang)
    except OcrUnavailable as err:
        raise UsageError(str(err)) from None

    started = time.monotonic()
    document = Document()
    errors: list[dict] = []
    for name in args.images:
        try:
            pages = load_pages(name)
        except DigitizeError as err:
            errors.append({"source": Path(name).name, "error": str(err)})
            print(f"kiosk ocr: {err}", file=sys.stderr)
            continue
        for number, image in enumerate(pages, 1):
            label = Path(name).name if len(pages) == 1 else f"{Path(name).name}#{number}"
            document.add(image, source=label)

    with Digitizer(language=args.lang, workers=args.jobs or None) as digitizer:
        digitizer.process(document).wait()
    for page in document.pages:
        if page.state == PageState.FAILED:
            errors.append({"source": page.source, "error": str(page.error)})
            print(f"kiosk ocr: {page.source}: {page.error}", file=sys.stderr)

    outputs: dict[str, dict] = {}
    if document.pages and (args.pdf or args.text or args.thumbnails):
        try:
            saved = save_document(document, pdf=args.pdf, text=args.text, thumbnails_dir=args.thumbnails)
        except DigitizeError as err:
            errors.append({"source": "output", "error": str(err)})
            print(f"kiosk ocr: {err}", file=sys.stderr)
        else:
            for key, item in (("pdf", saved.pdf), ("text", saved.text)):
                if item is not None:
                    outputs[key] = {"path": str(item.path), "sha256": item.sha256, "bytes": item.size}
            if saved.thumbnails:
                outputs["thumbnails"] = [str(t.path) for t in saved.thumbnails]

    done = [p for p in document.pages if p.state == PageState.DONE and p.ocr is not None]
    chars = sum(len(w.text) for p in done for w in p.ocr.words)
    mean = sum(w.confidence * len(w.text) for p in done for w in p.ocr.words) / chars if chars else None
    summary = {
        "pages": len(document.pages),
        "seconds": round(time.monotonic() - started, 2),
        "mean_confidence": round(mean, 1) if mean is not None else None,
        "language": args.lang,
        "page_results": [_page_summary(i, p) for i, p in enumerate(document.pages, 1)],
        "errors": errors,
        "outputs": outputs,
    }
    text = json.dumps(summary, ensure_ascii=False, indent=2)
    if args.pdf or args.text:
        print(text)
    else:
        sys.stdout.write(document.text)
        sys.stdout.flush()
        print(text, file=sys.stderr)
    return 1 if errors or not document.pages else 0
