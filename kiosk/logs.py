"""The kiosk's logs: rotating files under ``<data_dir>/logs`` plus stderr, with personal data redacted.

Code never logs personal data on purpose; redaction is belt and braces. Every record reaching a handler
set up here goes through ``RedactingFilter`` first, which formats the message with its arguments (and
any traceback) and replaces with ``[redacted]``:

- CCCD QR payloads (12 digits followed by ``|`` fields), 12-digit ID numbers, 9-digit old ID numbers
  and 10-digit phone numbers starting with 0;
- the strings the current visit registered (name, address, ID number, form values), also in upper or
  lower case, without Vietnamese diacritics, and escaped as Python bytes or JSON would print them.

``tail(n)`` reads the last lines back across the rotated files for the admin screen.
"""

from __future__ import annotations

import json
import logging
import logging.handlers
import re
import sys
import threading
import unicodedata
from collections.abc import Iterable
from pathlib import Path

REDACTED = "[redacted]"
LOG_NAME = "kiosk.log"
MAX_BYTES = 1_000_000
BACKUP_COUNT = 5
#: Registered strings shorter than this are not redacted (they would blank out ordinary words).
MIN_SENSITIVE_LENGTH = 4
FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"

PATTERNS = (
    re.compile(r"(?<!\d)\d{12}(?:\|[^|\r\n]*)+"),  # a CCCD QR payload, to the end of its last field
    re.compile(r"(?<!\d)\d{12}(?!\d)"),  # ID number (CCCD)
    re.compile(r"(?<!\d)\d{9}(?!\d)"),  # old ID number (CMND)
    re.compile(r"(?<!\d)0\d{9}(?!\d)"),  # mobile phone number
)


def strip_marks(text: str) -> str:
    """``text`` without Vietnamese diacritics: "Nguyễn Đức" -> "Nguyen Duc"."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def variants(text: str) -> set[str]:
    """The ways ``text`` may show up in a log line."""
    text = unicodedata.normalize("NFC", text.strip())
    forms = {text, unicodedata.normalize("NFD", text), strip_marks(text)}
    forms.add(repr(text.encode("utf-8"))[2:-1])
    forms.add(json.dumps(text)[1:-1])
    return {form for form in forms if len(form) >= MIN_SENSITIVE_LENGTH}


class Redactor:
    """Replaces personal data in text. Visits register their strings under an owner and drop them."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._owned: dict[str, set[str]] = {}
        self._pattern: re.Pattern[str] | None = None

    def add(self, owner: str, texts: Iterable[str]) -> None:
        with self._lock:
            forms = self._owned.setdefault(owner, set())
            for text in texts:
                if isinstance(text, str):
                    forms |= variants(text)
            self._rebuild()

    def drop(self, owner: str) -> None:
        with self._lock:
            if self._owned.pop(owner, None) is not None:
                self._rebuild()

    def clear(self) -> None:
        with self._lock:
            self._owned.clear()
            self._rebuild()

    @property
    def owners(self) -> list[str]:
        with self._lock:
            return list(self._owned)

    def _rebuild(self) -> None:
        forms = sorted({form for owned in self._owned.values() for form in owned}, key=len, reverse=True)
        self._pattern = re.compile("|".join(map(re.escape, forms)), re.IGNORECASE) if forms else None

    def redact(self, text: str) -> str:
        pattern = self._pattern
        if pattern is not None:
            text = pattern.sub(REDACTED, text)
        for number in PATTERNS:
            text = number.sub(REDACTED, text)
        return text


#: The redactor visits register with unless they are given another one.
redactor = Redactor()


class RedactingFilter(logging.Filter):
    """Formats each record once, redacted, so no handler after it sees the original arguments."""

    def __init__(self, redactor: Redactor):
        super().__init__()
        self.redactor = redactor

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # wrong arguments for the format: keep the format, drop the arguments
            message = f"{record.msg} (log arguments did not fit the message)"
        record.msg = self.redactor.redact(str(message))
        record.args = None
        if record.exc_info:
            if not record.exc_text:
                record.exc_text = logging.Formatter().formatException(record.exc_info)
            record.exc_info = None
        if record.exc_text:
            record.exc_text = self.redactor.redact(record.exc_text)
        if record.stack_info:
            record.stack_info = self.redactor.redact(record.stack_info)
        return True


def log_dir(data_dir: Path) -> Path:
    return Path(data_dir) / "logs"


def setup(
    data_dir: Path,
    *,
    level: int = logging.INFO,
    stderr: bool = True,
    logger: logging.Logger | None = None,
    redact: Redactor | None = None,
    exclusive: bool = False,
) -> list[logging.Handler]:
    """Log ``logger`` (the root by default) to ``<data_dir>/logs/kiosk.log`` and stderr, redacted.

    Handlers an earlier ``setup`` installed on the same logger are replaced; the others too when
    ``exclusive`` (so no unredacted handler is left), else they are left alone.
    """
    logger = logger if logger is not None else logging.getLogger()
    folder = log_dir(data_dir)
    folder.mkdir(parents=True, exist_ok=True)
    folder.chmod(0o700)
    redacting = RedactingFilter(redact or redactor)
    formatter = logging.Formatter(FORMAT)
    handlers: list[logging.Handler] = [
        logging.handlers.RotatingFileHandler(
            folder / LOG_NAME, maxBytes=MAX_BYTES, backupCount=BACKUP_COUNT, encoding="utf-8"
        )
    ]
    if stderr:
        handlers.append(logging.StreamHandler(sys.stderr))
    for old in [h for h in logger.handlers if exclusive or getattr(h, "kiosk_logs", False)]:
        logger.removeHandler(old)
        old.close()
    for handler in handlers:
        handler.kiosk_logs = True
        handler.addFilter(redacting)
        handler.setFormatter(formatter)
        logger.addHandler(handler)
    logger.setLevel(level)
    return handlers


def log_files(data_dir: Path) -> list[Path]:
    """The log files, newest first."""
    base = log_dir(data_dir) / LOG_NAME
    files = [base] + [base.with_name(f"{LOG_NAME}.{n}") for n in range(1, BACKUP_COUNT + 1)]
    return [path for path in files if path.is_file()]


def tail(data_dir: Path, n: int = 200) -> list[str]:
    """The last ``n`` lines logged, oldest first, across rotated files, redacted once more."""
    if n <= 0:
        return []
    lines: list[str] = []
    for path in log_files(data_dir):
        try:
            text = path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
        lines = text.splitlines() + lines
        if len(lines) >= n:
            break
    return [redactor.redact(line) for line in lines[-n:]]
