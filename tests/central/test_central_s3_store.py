"""The S3-compatible document store against a real S3 API server on loopback (moto's server)."""

from __future__ import annotations

import hashlib
import uuid

import boto3
import pytest
from moto.server import ThreadedMotoServer

from central.s3store import S3Store, parse_url
from central.storage import StorageError


@pytest.fixture(scope="module")
def s3_endpoint():
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def bucket(s3_endpoint, monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "kiosk-test")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "kiosk-test-secret")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "ap-southeast-1")
    name = f"documents-{uuid.uuid4().hex[:8]}"
    client = boto3.client("s3", endpoint_url=s3_endpoint)
    client.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": "ap-southeast-1"})
    return name, client


def test_a_promoted_upload_is_an_object_in_the_bucket_and_reads_back_byte_for_byte(tmp_path, s3_endpoint, bucket):
    name, client = bucket
    store = S3Store.from_url(f"s3://{name}/commune-01?endpoint={s3_endpoint}", tmp_path / "staging")
    upload, key = str(uuid.uuid4()), str(uuid.uuid4())
    body = b"%PDF-1.7\n" + bytes(range(256)) * 400
    store.write_part(upload, 0, body[:5000])
    store.write_part(upload, 3000, b"garbage that a resumed upload overwrites")
    assert store.write_part(upload, 3000, body[3000:]) == len(body)
    store.promote(upload, key)
    stored = client.get_object(Bucket=name, Key=f"commune-01/{key}.pdf")
    assert stored["ContentType"] == "application/pdf"
    assert hashlib.sha256(stored["Body"].read()).hexdigest() == hashlib.sha256(body).hexdigest()
    with store.open(key) as fh:
        assert fh.read() == body
    store.discard_part(upload)
    assert store.part_size(upload) == 0


def test_a_missing_bucket_or_document_is_a_storage_error_naming_no_content(tmp_path, s3_endpoint, bucket):
    _name, _client = bucket
    missing = S3Store.from_url(f"s3://no-such-bucket?endpoint={s3_endpoint}", tmp_path / "staging")
    with pytest.raises(StorageError, match="no-such-bucket"):
        missing.check()
    upload = str(uuid.uuid4())
    missing.write_part(upload, 0, b"%PDF-1.7 private content")
    with pytest.raises(StorageError) as failed:
        missing.promote(upload, str(uuid.uuid4()))
    assert "private content" not in str(failed.value)
    present = S3Store.from_url(f"s3://{_name}?endpoint={s3_endpoint}", tmp_path / "staging2")
    present.check()
    with pytest.raises(StorageError, match="cannot read document"):
        present.open(str(uuid.uuid4()))


@pytest.mark.parametrize("url, problem", [
    ("http://bucket/x", "not s3://"),
    ("s3:///prefix", "not s3://"),
    ("s3://user:secret@bucket", "credentials"),
    ("s3://bucket?endpont=http://x", "unknown option"),
])
def test_bad_storage_urls_are_refused_with_the_reason(url, problem):
    with pytest.raises(ValueError, match=problem):
        parse_url(url)


def test_a_storage_url_gives_bucket_prefix_endpoint_and_region():
    assert parse_url("s3://docs/hop-thinh/2026?endpoint=http://10.0.0.5:9000&region=hn") == {
        "bucket": "docs", "prefix": "hop-thinh/2026/", "endpoint": "http://10.0.0.5:9000", "region": "hn"}


def test_the_service_keeps_uploaded_documents_in_the_bucket_it_is_given(tmp_path, s3_endpoint, bucket):
    from central_support import new_site, start_service
    from test_central_dossiers import make_pdf, submit, upload

    name, client = bucket
    running = start_service("sqlite", f"sqlite:///{tmp_path / 'central.db'}", tmp_path / "central",
                            storage=f"s3://{name}/center?endpoint={s3_endpoint}")
    try:
        site = new_site(running)
        data = make_pdf(120_000)
        document_id = upload(site, data)
        listed = client.list_objects_v2(Bucket=name, Prefix="center/")
        keys = [entry["Key"] for entry in listed.get("Contents", [])]
        assert len(keys) == 1
        assert client.get_object(Bucket=name, Key=keys[0])["Body"].read() == data
        assert not list((tmp_path / "central" / "documents").rglob("*.pdf"))
        made = submit(site, documents=[{"document_id": document_id, "checklist_item": "giay_chung_sinh"}])
        assert made.status_code == 201, made.text
        site.kiosk.close()
        site.staff.close()
    finally:
        running.stop()


def test_serve_with_an_unreachable_bucket_stops_with_one_line(tmp_path, s3_endpoint, bucket):
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-m", "kiosk", "central", "serve", "--data-dir", str(tmp_path), "--port", "0",
         "--storage", f"s3://no-such-bucket?endpoint={s3_endpoint}"],
        capture_output=True, text=True, timeout=120)
    assert done.returncode == 2
    assert done.stderr.strip().splitlines()[-1].startswith("kiosk central: --storage: bucket no-such-bucket is not reachable")
    bad = subprocess.run([sys.executable, "-m", "kiosk", "central", "serve", "--data-dir", str(tmp_path),
                          "--storage", "s3://user:pw@bucket"], capture_output=True, text=True, timeout=120)
    assert bad.returncode == 2 and "credentials do not belong in the URL" in bad.stderr
    assert "Traceback" not in done.stderr + bad.stderr
