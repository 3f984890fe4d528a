"""The end of a visit leaves nothing personal: not on disk, not in the logs, not in the Visit object."""

from __future__ import annotations

import datetime as dt
import logging
import os
import types
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from PIL import Image, ImageDraw

from devices.speaker.sim import SimulatedSpeaker
from kiosk import logs
from kiosk.visit import Visit, VisitEnded, VisitFileError, Visits, shred, speaker_reset

# An invented citizen.
ID_NUMBER = "001199012345"
OLD_ID = "012345678"
NAME = "Trần Thị Ngọc Diễm"
ADDRESS = "Số 7 ngõ 15 phố Hàng Bạc, phường Hoàn Kiếm, Hà Nội"
PHONE = "0912345678"
PAYLOAD = f"{ID_NUMBER}|{OLD_ID}|{NAME}|14021990|Nữ|{ADDRESS}|01032021"


def person(**changes):
    values = dict(
        id_number=ID_NUMBER,
        old_id_number=OLD_ID,
        full_name=NAME,
        date_of_birth=dt.date(1990, 2, 14),
        sex="female",
        address=ADDRESS,
        issue_date=dt.date(2021, 3, 1),
        card="cccd-2021",
        extras=[],
    )
    values.update(changes)
    return types.SimpleNamespace(**values)


@dataclass(frozen=True, slots=True)
class SlottedIdentity:
    """An identity class without ``__dict__`` (like a slotted frozen dataclass)."""

    id_number: str
    full_name: str
    home: str
    extras: list = field(default_factory=list)


def needles() -> list[bytes]:
    texts = [ID_NUMBER, OLD_ID, NAME, ADDRESS, PHONE, logs.strip_marks(NAME), NAME.upper()]
    texts.append(unicodedata.normalize("NFD", NAME))
    return [t.encode("utf-8") for t in texts] + [NAME.encode("utf-16-le")]


def leaks(folder: Path) -> list[tuple[str, bytes]]:
    """Every (file, needle) where a personal string occurs in any file under ``folder``."""
    found = []
    for root, _dirs, files in os.walk(folder):
        for name in files:
            data = (Path(root) / name).read_bytes()
            found += [(name, n) for n in needles() if n in data]
    return found


@pytest.fixture
def kiosk_logs(tmp_path):
    redactor = logs.Redactor()
    logger = logging.getLogger("test-visit-wipe")
    logger.propagate = False
    handlers = logs.setup(tmp_path / "data", logger=logger, stderr=False, redact=redactor)
    yield logger, redactor
    for handler in handlers:
        logger.removeHandler(handler)
        handler.close()


def page_image() -> Image.Image:
    image = Image.new("RGB", (400, 200), "white")
    ImageDraw.Draw(image).text((10, 10), f"{NAME} {ID_NUMBER}", fill="black")
    return image


def test_end_of_visit_wipes_disk_logs_and_memory(tmp_path, kiosk_logs):
    """GIVEN a visit with an identity, form data, sealed pages and a plain scratch file, logged about
    WHEN it ends on timeout THEN no file of it remains and no personal string is anywhere under data_dir."""
    logger, redactor = kiosk_logs
    data_dir = tmp_path / "data"
    speaker = SimulatedSpeaker()
    visits = Visits(data_dir, redactor=redactor, on_end=[speaker_reset(speaker)])
    visit = visits.begin("vi")
    folder = visit.files.folder
    assert folder.parent == data_dir / "visits"
    assert folder.stat().st_mode & 0o777 == 0o700

    visit.identity = person()
    visit.service = "birth-registration"
    visit.update_form(phone=PHONE, applicant=NAME, home=ADDRESS)
    visit.files.write_image("page-01.png", page_image())
    visit.files.write("draft.json", f'{{"name": "{NAME}", "id": "{ID_NUMBER}"}}'.encode())
    scratch = visit.files.scratch("ocr-input.txt")
    scratch.write_text(f"{NAME} {ID_NUMBER}", encoding="utf-8")
    speaker.set_volume(0.2)
    cleaned: list[str] = []
    visit.on_end(cleaned.append)

    logger.info("identified %s with %s from %r", NAME, ID_NUMBER, PAYLOAD)
    logger.warning("form: %s", {"phone": PHONE, "home": ADDRESS})
    try:
        raise ValueError(f"cannot print slip for {NAME.upper()} ({logs.strip_marks(ADDRESS)})")
    except ValueError:
        logger.exception("printing failed")

    # Sealed files hold no plaintext even while the visit lasts; the scratch file does.
    assert visit.files.read("draft.json").decode().count(ID_NUMBER) == 1
    assert visit.files.read_image("page-01.png").size == (400, 200)
    assert {name for name, _ in leaks(data_dir)} == {"ocr-input.txt"}

    report = visits.end("timeout")

    assert report.reason == "timeout" and report.files_shredded == 3 and report.cleanups == 2
    assert report.cleanups_failed == 0
    assert cleaned == ["timeout"]
    assert speaker.volume == speaker.default_volume
    assert not folder.exists()
    assert list((data_dir / "visits").iterdir()) == []
    assert leaks(data_dir) == []
    log_text = (data_dir / "logs" / "kiosk.log").read_text(encoding="utf-8")
    assert "identified [redacted] with [redacted]" in log_text and "printing failed" in log_text
    assert "Traceback" in log_text
    assert visits.current is None and redactor.owners == []


def test_visit_object_holds_nothing_personal_after_end(tmp_path):
    redactor = logs.Redactor()
    visit = Visits(tmp_path, redactor=redactor).begin("en")
    visit.identity = person()
    visit.update_form(phone=PHONE)
    visit.files.write("note.txt", NAME.encode())
    visit.end("done")

    assert visit.identity is None and visit.form == {} and visit.files is None and visit.service is None
    state = repr(vars(visit))
    for text in (ID_NUMBER, OLD_ID, NAME, ADDRESS, PHONE):
        assert text not in state
    assert not visit.active and visit.ended == "done"
    with pytest.raises(VisitEnded):
        visit.identity = person()
    with pytest.raises(VisitEnded):
        visit.update_form(phone=PHONE)
    assert visit.end("done").files_shredded == 0


def test_identity_strings_are_redacted_while_the_visit_lasts(tmp_path):
    redactor = logs.Redactor()
    visit = Visits(tmp_path, redactor=redactor).begin("vi")
    visit.identity = SlottedIdentity(id_number=ID_NUMBER, full_name=NAME, home=ADDRESS)
    line = f"{NAME} lives at {ADDRESS.upper()}"
    assert redactor.redact(line) == "[redacted] lives at [redacted]"
    visit.end("cancelled")
    assert redactor.redact(line) == line


def test_a_failing_cleanup_does_not_stop_the_wipe(tmp_path):
    visit = Visits(tmp_path, redactor=logs.Redactor()).begin("vi")
    visit.identity = person()
    visit.files.write("page-01.png", b"sealed page")

    def broken(_reason):
        raise RuntimeError(f"draft of {NAME} is locked")

    after: list[str] = []
    visit.on_end(broken)
    visit.on_end(after.append)
    report = visit.end("done")
    assert (report.cleanups, report.cleanups_failed, report.files_shredded) == (2, 1, 1)
    assert after == ["done"] and visit.identity is None
    assert leaks(tmp_path) == []


def test_beginning_a_visit_ends_the_one_left_open(tmp_path):
    visits = Visits(tmp_path, redactor=logs.Redactor())
    first = visits.begin("vi")
    first.identity = person()
    first.files.write("page-01.png", b"x" * 100)
    second = visits.begin("en")
    assert first.ended == "replaced" and first.identity is None
    assert visits.current is second and second.active
    assert [p.name for p in (tmp_path / "visits").iterdir()] == [second.id]


def test_sweeper_removes_visits_left_by_a_crash(tmp_path):
    """GIVEN a run that died mid-visit (never called end) WHEN the kiosk starts again THEN the sweep
    shreds that visit's folder, and the sealed files it left were unreadable without the lost key."""
    crashed = Visits(tmp_path, redactor=logs.Redactor()).begin("vi")
    crashed.files.write("draft.json", f"{NAME} {ID_NUMBER}".encode())
    crashed.files.write_image("page-01.png", page_image())
    assert leaks(tmp_path) == []
    (tmp_path / "visits" / "stray-file").write_bytes(b"left over")

    restarted = Visits(tmp_path, redactor=logs.Redactor())
    assert restarted.sweep() == 2
    assert list((tmp_path / "visits").iterdir()) == []
    assert restarted.sweep() == 0


def test_sweep_keeps_the_current_visit(tmp_path):
    visits = Visits(tmp_path, redactor=logs.Redactor())
    visit = visits.begin("vi")
    visit.files.write("page-01.png", b"page")
    assert visits.sweep() == 0
    assert visit.files.read("page-01.png") == b"page"


def test_shred_overwrites_the_bytes_in_place(tmp_path):
    """A second hard link to the same inode shows what shredding left in the file's blocks."""
    path = tmp_path / "page.png"
    path.write_bytes(NAME.encode() * 1000)
    witness = tmp_path / "witness"
    os.link(path, witness)
    assert shred(path) is True
    assert not path.exists()
    data = witness.read_bytes()
    assert len(data) == len(NAME.encode()) * 1000 and set(data) == {0}


def test_visit_files_refuse_paths_and_damage(tmp_path):
    visit = Visits(tmp_path, redactor=logs.Redactor()).begin("vi")
    for bad in ("../escape", "a/b", ".hidden", "", "x.sealed"):
        with pytest.raises(ValueError):
            visit.files.write(bad, b"data")
    path = visit.files.write("page-01.png", b"page one")
    path.write_bytes(path.read_bytes()[:-1] + b"\x00")
    with pytest.raises(VisitFileError, match="damaged"):
        visit.files.read("page-01.png")
    with pytest.raises(KeyError):
        visit.files.read("page-02.png")
    files = visit.files
    visit.end("done")
    with pytest.raises(VisitFileError):
        files.write("page-03.png", b"late")


def test_unknown_reason_is_refused(tmp_path):
    visit = Visit(tmp_path, language="vi", redactor=logs.Redactor())
    with pytest.raises(ValueError, match="unknown reason"):
        visit.end("because")
    assert visit.active
    visit.end("done")
