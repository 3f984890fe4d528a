"""What can go wrong while digitizing, each with two messages.

``message`` is an English message id (marked with ``N_``) that the kiosk translates and shows to the
citizen; ``str(err)`` is a one-line explanation for the operator. Neither ever holds personal data
(no text read from a page, no file contents)::

    DigitizeError              any digitizing problem
    ├── UnreadableImage        not a picture or PDF, damaged, truncated, empty file
    ├── ImageTooLarge          more pixels than the kiosk will decode
    ├── OcrUnavailable         Tesseract or its language data is missing or failed
    ├── OutputFailed           the finished document could not be written (disk full, no permission)
    └── Cancelled              the citizen or the kiosk stopped the work
"""

from __future__ import annotations

from kiosk.i18n import N_


class DigitizeError(Exception):
    message = N_("This page could not be read. Please try again or ask the staff for help.")

    def __init__(self, detail: str, message: str | None = None):
        super().__init__(detail)
        if message is not None:
            self.message = message


class UnreadableImage(DigitizeError):
    message = N_("This file is not a readable picture of a page. Please scan or photograph the page again.")


class ImageTooLarge(DigitizeError):
    message = N_("This picture is too large to process. Please scan the page again at a lower resolution.")


class OcrUnavailable(DigitizeError):
    message = N_("Text reading is not working at this kiosk right now. Please ask the staff for help.")


class OutputFailed(DigitizeError):
    message = N_("Your document could not be saved. Your pages are kept; please ask the staff for help.")


class Cancelled(DigitizeError):
    message = N_("Processing was stopped.")
