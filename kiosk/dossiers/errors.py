"""The one exception of the dossier use cases.

``DossierError(detail, message)``: ``detail`` (and ``str()``) is for the operator and never carries
personal data; ``message`` is an English message id marked with ``N_`` that the screens translate.
``values`` fill the message's ``{placeholders}``; ``retry_after`` is set when the central service asked
the kiosk to wait (429), ``code`` names the problem for the CLI and the tests.
"""

from __future__ import annotations


class DossierError(Exception):
    def __init__(self, detail: str, message: str, *, code: str = "error", retry_after: float | None = None,
                 **values: object):
        super().__init__(detail)
        self.detail = detail
        self.message = message
        self.code = code
        self.retry_after = retry_after
        self.values = values
