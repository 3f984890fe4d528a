"""Digitizing paper documents: load, clean, check, read (Tesseract) and write a searchable PDF.

No Kivy here: screens drive a ``Digitizer`` and show a ``Document``'s pages; the CLI and the
benchmark use the same code. Modules: ``loading`` (files to page pictures), ``cleaning``
(perspective, skew, orientation, light), ``quality`` (retake checks), ``ocr`` (Tesseract),
``document`` (pages, reorder/retake/delete), ``digitizer`` (parallel processing), ``pdf`` and
``output`` (searchable PDF, text, thumbnails, checksums, atomic writes), ``errors``.
"""
