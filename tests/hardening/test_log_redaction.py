"""Personal data never reaches the log files; rotated logs read back with tail()."""

from __future__ import annotations

import logging
import sys

import pytest

from kiosk import logs

ID_NUMBER = "079201004567"
OLD_ID = "281234567"
NAME = "Lê Hoàng Phúc"
ADDRESS = "Thôn Đông, xã Hợp Thịnh, Bắc Ninh"
PAYLOAD = f"{ID_NUMBER}|{OLD_ID}|{NAME}|05091987|Nam|{ADDRESS}|11112022"


@pytest.fixture
def logged(tmp_path):
    redactor = logs.Redactor()
    logger = logging.getLogger(f"test-redaction-{tmp_path.name}")
    logger.propagate = False
    handlers = logs.setup(tmp_path, logger=logger, stderr=False, redact=redactor)

    def text() -> str:
        for handler in handlers:
            handler.flush()
        return (tmp_path / "logs" / "kiosk.log").read_text(encoding="utf-8")

    yield logger, redactor, text
    for handler in handlers:
        logger.removeHandler(handler)
        handler.close()


@pytest.mark.parametrize(
    "line, expected",
    [
        (f"scan {PAYLOAD} rejected", "scan [redacted]"),
        (f"id={ID_NUMBER}, old={OLD_ID}", "id=[redacted], old=[redacted]"),
        ("call 0912345678 back", "call [redacted] back"),
        ("ticket A012 at counter 3 after 1234 ms", "ticket A012 at counter 3 after 1234 ms"),
        ("dossier 20250602-000123 took 12345678 bytes", "dossier 20250602-000123 took 12345678 bytes"),
        ("a 13-digit 0792010045671 number is not an ID", "a 13-digit 0792010045671 number is not an ID"),
    ],
)
def test_number_patterns(line, expected):
    assert logs.Redactor().redact(line) == expected


def test_registered_strings_in_every_spelling():
    redactor = logs.Redactor()
    redactor.add("visit-1", [NAME, ADDRESS, "ab"])
    for spelling in (
        NAME,
        NAME.upper(),
        logs.strip_marks(NAME),
        logs.strip_marks(NAME).lower(),
        repr(NAME.encode("utf-8"))[2:-1],
        "L\\u00ea Ho\\u00e0ng Ph\\u00fac",
    ):
        assert redactor.redact(f"<{spelling}>") == "<[redacted]>", spelling
    assert redactor.redact("ab cd") == "ab cd"  # too short to redact
    redactor.drop("visit-1")
    assert redactor.redact(NAME) == NAME


def test_nothing_personal_reaches_the_file(logged):
    logger, redactor, text = logged
    redactor.add("visit-2", [NAME, ADDRESS])
    logger.info("identified %s (%s)", NAME, ID_NUMBER)
    logger.warning("payload %r did not parse", PAYLOAD)
    logger.error("form %(form)s", {"form": {"address": ADDRESS}})
    logger.info(f"slip for {NAME.upper()} printed")
    try:
        raise RuntimeError(f"locker jammed while holding the result of {NAME}, {ID_NUMBER}")
    except RuntimeError:
        logger.exception("pickup failed")
    logger.info("where from", stack_info=True)
    logger.info("bad args %d", "not-a-number")
    written = text()
    for secret in (ID_NUMBER, OLD_ID, NAME, NAME.upper(), ADDRESS, logs.strip_marks(ADDRESS)):
        assert secret not in written
    assert written.count("[redacted]") == 7
    assert "RuntimeError: locker jammed while holding the result of [redacted], [redacted]" in written
    assert "pickup failed" in written and "bad args" in written


def test_records_are_redacted_for_every_later_handler(logged):
    """A handler added after ours sees the redacted record, never the original arguments."""
    logger, redactor, _text = logged
    seen: list[str] = []

    class Collect(logging.Handler):
        def emit(self, record):
            seen.append(self.format(record))

    collect = Collect()
    logger.addHandler(collect)
    try:
        logger.warning("name %s", NAME.upper(), exc_info=None)
        redactor.add("v", [NAME])
        logger.warning("name %s", NAME.upper())
    finally:
        logger.removeHandler(collect)
    assert seen[-1] == "name [redacted]"


def test_setup_replaces_its_own_handlers(tmp_path):
    logger = logging.getLogger("test-redaction-replace")
    logger.propagate = False
    other = logging.NullHandler()
    logger.addHandler(other)
    first = logs.setup(tmp_path, logger=logger, stderr=True)
    second = logs.setup(tmp_path, logger=logger, stderr=False)
    assert other in logger.handlers and not set(first) & set(logger.handlers)
    assert (tmp_path / "logs").stat().st_mode & 0o777 == 0o700
    logs.setup(tmp_path, logger=logger, stderr=False, exclusive=True)
    assert other not in logger.handlers and not set(second) & set(logger.handlers)
    for handler in list(logger.handlers):
        logger.removeHandler(handler)
        handler.close()


def test_tail_reads_across_rotated_files(tmp_path, monkeypatch):
    monkeypatch.setattr(logs, "MAX_BYTES", 2000)
    logger = logging.getLogger("test-redaction-tail")
    logger.propagate = False
    handlers = logs.setup(tmp_path, logger=logger, stderr=False)
    try:
        for number in range(200):
            logger.info("line %04d of the rotation test", number)
    finally:
        for handler in handlers:
            logger.removeHandler(handler)
            handler.close()
    files = logs.log_files(tmp_path)
    assert len(files) == 1 + logs.BACKUP_COUNT
    lines = logs.tail(tmp_path, 60)
    numbers = [int(line.split("line ")[1][:4]) for line in lines]
    assert numbers == list(range(140, 200))
    everything = logs.tail(tmp_path, 10_000)
    assert everything[-1].endswith("line 0199 of the rotation test")
    assert 40 < len(everything) < 200  # the oldest lines rotated away
    assert logs.tail(tmp_path, 0) == []
    assert logs.tail(tmp_path / "nowhere", 5) == []


def test_stderr_is_redacted_too(tmp_path, capfd):
    logger = logging.getLogger("test-redaction-stderr")
    logger.propagate = False
    handlers = logs.setup(tmp_path, logger=logger, stderr=True)
    try:
        for handler in handlers:
            if isinstance(handler, logging.StreamHandler) and not isinstance(handler, logging.FileHandler):
                handler.setStream(sys.stderr)
        logger.warning("citizen %s", ID_NUMBER)
    finally:
        for handler in handlers:
            logger.removeHandler(handler)
            handler.close()
    err = capfd.readouterr().err
    assert "citizen [redacted]" in err and ID_NUMBER not in err
