"""The SQLite outbox: durable, idempotent, recoverable, and sealed at rest."""

import os
import sqlite3
import stat

import pytest

from kiosk.outbox import JobError, JobStatus, Outbox, SecretBox, SecretError, load_or_create_key
from kiosk.outbox.policy import Decision

# An invented citizen; no real person has these details.
ID_NUMBER = "001099012345"
FULL_NAME = "Nguyễn Thị Thử Nghiệm"
SCAN = b"%PDF-1.4\n" + b"giay khai sinh " + ID_NUMBER.encode() + b"\n%%EOF\n"


def _all_bytes(outbox: Outbox) -> bytes:
    blobs = []
    for path in [outbox.path, outbox.path.with_name(outbox.path.name + "-wal"), *outbox.files_dir.rglob("*")]:
        if path.is_file():
            blobs.append(path.read_bytes())
    return b"".join(blobs)


def test_enqueue_is_idempotent_by_key(open_outbox):
    outbox = open_outbox()
    first = outbox.enqueue("rating", {"body": {"score": 4}}, key="k-1")
    again = outbox.enqueue("rating", {"body": {"score": 1}}, key="k-1")
    assert again.id == first.id and again.payload == {"body": {"score": 4}}
    assert outbox.counts().queued == {"rating": 1}
    with pytest.raises(ValueError, match="already used by a rating job"):
        outbox.enqueue("alert", {"body": {}}, key="k-1")


def test_the_key_is_unique_in_the_database_itself(open_outbox):
    outbox = open_outbox()
    outbox.enqueue("rating", {"body": {}}, key="k-1")
    with pytest.raises(sqlite3.IntegrityError):
        with outbox.transaction() as conn:
            conn.execute(
                "INSERT INTO outbox_jobs (kind, idempotency_key, status, payload, next_attempt_at, created_at,"
                " updated_at) VALUES ('rating', 'k-1', 'queued', '{}', 0, 0, 0)"
            )


def test_payloads_must_be_plain_json(open_outbox):
    outbox = open_outbox()
    with pytest.raises(ValueError, match="plain JSON"):
        outbox.enqueue("rating", {"body": {"when": object()}})
    with pytest.raises(ValueError, match="plain JSON"):
        outbox.enqueue("rating", {"body": {"score": float("nan")}})
    assert outbox.counts().waiting_total == 0


def test_jobs_are_claimed_oldest_first_and_only_when_due(open_outbox):
    now = [1000.0]
    outbox = open_outbox(clock=lambda: now[0])
    a = outbox.enqueue("rating", {"body": {"n": 1}})
    b = outbox.enqueue("rating", {"body": {"n": 2}})
    claimed = outbox.claim()
    assert claimed.id == a.id and claimed.status is JobStatus.IN_FLIGHT and claimed.attempts == 1
    outbox.retry(claimed, Decision(True, delay_s=30, reason="503"))
    assert outbox.claim().id == b.id
    assert outbox.claim() is None, "job a is not due for 30 s"
    now[0] += 31
    again = outbox.claim()
    assert again.id == a.id and again.attempts == 2


def test_in_flight_jobs_are_queued_again_when_the_outbox_reopens(open_outbox):
    """GIVEN a job claimed when the kiosk died WHEN the outbox opens again THEN it is due again."""
    outbox = open_outbox()
    job = outbox.enqueue("ticket", {"body": {"service": "A"}})
    assert outbox.claim().id == job.id
    outbox.close()  # the process dies here: no delivered(), no retry()

    reopened = open_outbox()
    assert reopened.recovered == 1
    again = reopened.claim()
    assert again.key == job.key and again.attempts == 2


def test_looking_at_a_running_kiosk_outbox_leaves_its_in_flight_jobs_alone(open_outbox):
    running = open_outbox()
    job = running.enqueue("ticket", {"body": {"service": "A"}})
    running.claim()
    onlooker = open_outbox(recover=False)
    assert onlooker.recovered == 0
    assert [j.status for j in onlooker.jobs()] == [JobStatus.IN_FLIGHT]
    running.delivered(running.jobs()[0])
    assert onlooker.jobs() == [] and onlooker.counts().delivered == {"ticket": 1}


def test_delivered_jobs_are_deleted_and_only_counted(open_outbox):
    outbox = open_outbox()
    job = outbox.enqueue("dossier", {"procedure": "HT-01"}, personal={"id_number": ID_NUMBER}, files=[SCAN])
    assert (outbox.files_dir / job.key).is_dir()
    claimed = outbox.claim()
    outbox.delivered(claimed)
    assert outbox.jobs() == []
    assert not (outbox.files_dir / job.key).exists()
    counts = outbox.counts()
    assert counts.delivered == {"dossier": 1} and counts.waiting_total == 0


def test_final_failure_keeps_its_reason_until_an_operator_acts(open_outbox):
    outbox = open_outbox()
    job = outbox.enqueue("rating", {"body": {"score": 9}})
    outbox.fail(outbox.claim(), "422 invalid_body: score must be 1 to 4")
    [failed] = outbox.jobs(JobStatus.FAILED)
    assert failed.id == job.id and failed.failed_reason == "422 invalid_body: score must be 1 to 4"
    assert outbox.counts().failed == {"rating": 1}
    assert outbox.claim() is None

    assert outbox.retry_failed() == 1
    assert outbox.claim().id == job.id
    outbox.fail(outbox.jobs()[0], "still wrong")
    assert outbox.purge_failed() == 1
    assert outbox.jobs() == [] and outbox.counts().purged == {"rating": 1}


def test_retry_now_keeps_a_retry_after_hold(open_outbox):
    now = [1000.0]
    outbox = open_outbox(clock=lambda: now[0])
    held = outbox.enqueue("rating", {"body": {}})
    waiting = outbox.enqueue("alert", {"body": {}})
    outbox.retry(outbox.claim(), Decision(True, delay_s=600, hold_s=600, reason="429"))
    outbox.retry(outbox.claim(), Decision(True, delay_s=300, reason="unreachable"))
    assert outbox.retry_now() == 1
    assert outbox.claim().id == waiting.id
    assert outbox.claim() is None
    now[0] += 600
    assert outbox.claim().id == held.id


def test_coalescing_replaces_a_queued_job_of_the_same_kind(open_outbox):
    outbox = open_outbox()
    outbox.enqueue("heartbeat", {"body": {"n": 1}}, coalesce=True)
    outbox.enqueue("heartbeat", {"body": {"n": 2}}, coalesce=True)
    [job] = outbox.jobs()
    assert job.payload == {"body": {"n": 2}}
    assert outbox.counts().coalesced == {"heartbeat": 1}


def test_personal_data_is_sealed_at_rest_and_opens_with_the_key(open_outbox):
    outbox = open_outbox()
    personal = {"owner": {"id_number": ID_NUMBER, "full_name": FULL_NAME}}
    job = outbox.enqueue("dossier", {"procedure": "HT-01"}, personal=personal, files=[SCAN])
    on_disk = _all_bytes(outbox)
    assert len(on_disk) > 1000, "the database must actually be on disk"
    assert ID_NUMBER.encode() not in on_disk
    assert FULL_NAME.encode("utf-8") not in on_disk
    assert b"giay khai sinh" not in on_disk

    claimed = outbox.claim()
    assert outbox.personal(claimed) == personal
    assert outbox.file(claimed, 0) == SCAN
    assert job.sealed is not None and ID_NUMBER.encode() not in job.sealed


def test_a_sealed_part_does_not_open_in_another_row(open_outbox):
    outbox = open_outbox()
    a = outbox.enqueue("dossier", {}, personal={"id_number": ID_NUMBER})
    b = outbox.enqueue("dossier", {}, personal={"id_number": "000000000000"})
    with outbox.transaction() as conn:
        conn.execute("UPDATE outbox_jobs SET sealed = (SELECT sealed FROM outbox_jobs WHERE id = ?) WHERE id = ?",
                     (a.id, b.id))
    outbox.claim()
    moved = outbox.claim()
    with pytest.raises(JobError, match="does not open"):
        outbox.personal(moved)


def test_a_different_key_cannot_open_the_jobs(open_outbox, tmp_path):
    outbox = open_outbox()
    outbox.enqueue("dossier", {}, personal={"id_number": ID_NUMBER}, files=[SCAN])
    outbox.close()
    (tmp_path / "outbox.key").unlink()
    reopened = open_outbox()  # a new key is made
    job = reopened.claim()
    with pytest.raises(JobError):
        reopened.personal(job)
    with pytest.raises(JobError):
        reopened.file(job, 0)


def test_key_file_is_created_private_and_reused(tmp_path):
    path = tmp_path / "keys" / "outbox.key"
    key = load_or_create_key(path)
    assert len(key) == 32
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert load_or_create_key(path) == key


def test_key_files_others_can_read_or_that_are_damaged_are_refused(tmp_path):
    path = tmp_path / "outbox.key"
    load_or_create_key(path)
    os.chmod(path, 0o644)
    with pytest.raises(SecretError, match="chmod 600"):
        load_or_create_key(path)
    os.chmod(path, 0o600)
    path.write_text("not a key\n")
    with pytest.raises(SecretError, match="32-byte"):
        load_or_create_key(path)
    with pytest.raises(SecretError, match="does not exist"):
        SecretBox.from_file(tmp_path / "absent.key", create=False)


def test_orphan_files_from_an_interrupted_enqueue_are_removed(open_outbox):
    outbox = open_outbox()
    kept = outbox.enqueue("dossier", {}, personal={}, files=[SCAN])
    orphan = outbox.files_dir / "never-committed"
    orphan.mkdir()
    (orphan / "0").write_bytes(b"sealed bytes")
    outbox.close()
    reopened = open_outbox()
    assert not orphan.exists()
    assert (reopened.files_dir / kept.key / "0").exists()


def test_wal_mode_and_schema(open_outbox):
    outbox = open_outbox()
    with outbox.reading() as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        columns = {row[1] for row in conn.execute("PRAGMA table_info(outbox_jobs)")}
    assert stat.S_IMODE(outbox.path.stat().st_mode) == 0o600
    assert stat.S_IMODE(outbox.files_dir.stat().st_mode) == 0o700
    assert {"status", "idempotency_key", "attempts", "next_attempt_at", "payload"} <= columns
