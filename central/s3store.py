"""Documents in any S3-compatible object store (AWS S3, MinIO, Ceph, a province's own).

Uploads arrive chunk by chunk and may be resumed or rewritten from an earlier offset, which object
stores cannot do in place, so the parts stay in a staging folder on the service's disk (they are
short-lived) and only a verified, finished document goes to the bucket: ``promote`` puts it as
``<prefix><key>.pdf`` and reads it back to check its size before the upload is marked complete.

Configured with ``storage = "s3://BUCKET/PREFIX?endpoint=http://host:9000&region=…"``; credentials come
from the usual AWS environment variables or files, never from the URL.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import BinaryIO
from urllib.parse import parse_qs, urlsplit

from central.storage import DiskStore, StorageError, _checked


def parse_url(url: str) -> dict:
    """``s3://bucket/prefix?endpoint=…&region=…`` → the store's settings; ValueError names the problem."""
    parts = urlsplit(url)
    if parts.scheme != "s3" or not parts.hostname:
        raise ValueError(f"storage: {url!r} is not s3://BUCKET[/PREFIX]")
    if parts.username or parts.password:
        raise ValueError("storage: credentials do not belong in the URL; use the AWS environment variables")
    query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
    unknown = set(query) - {"endpoint", "region"}
    if unknown:
        raise ValueError(f"storage: unknown option(s) {', '.join(sorted(unknown))}")
    prefix = parts.path.strip("/")
    return {"bucket": parts.hostname, "prefix": f"{prefix}/" if prefix else "",
            "endpoint": query.get("endpoint"), "region": query.get("region")}


class S3Store(DiskStore):
    """Parts staged on disk (``staging``), finished documents in the bucket."""

    def __init__(self, staging: Path, bucket: str, prefix: str = "", client=None, *,
                 endpoint: str | None = None, region: str | None = None):
        super().__init__(staging)
        if client is None:
            import boto3

            client = boto3.client("s3", endpoint_url=endpoint, region_name=region)
        self.client, self.bucket, self.prefix = client, bucket, prefix

    @classmethod
    def from_url(cls, url: str, staging: Path) -> "S3Store":
        found = parse_url(url)
        return cls(staging, found["bucket"], found["prefix"], endpoint=found["endpoint"], region=found["region"])

    def _object(self, key: str) -> str:
        return f"{self.prefix}{_checked(key)}.pdf"

    def promote(self, upload_id: str, key: str) -> None:
        from botocore.exceptions import BotoCoreError, ClientError

        size = self.part_size(upload_id)
        name = self._object(key)
        try:
            with self.open_part(upload_id) as fh:
                self.client.put_object(Bucket=self.bucket, Key=name, Body=fh, ContentType="application/pdf")
            stored = self.client.head_object(Bucket=self.bucket, Key=name)["ContentLength"]
        except (BotoCoreError, ClientError) as err:
            raise StorageError(f"cannot store document {key} in bucket {self.bucket}: {_reason(err)}") from None
        if stored != size:
            raise StorageError(f"document {key}: the bucket holds {stored} bytes, expected {size}")

    def open(self, key: str) -> BinaryIO:
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            answer = self.client.get_object(Bucket=self.bucket, Key=self._object(key))
            return io.BytesIO(answer["Body"].read())
        except (BotoCoreError, ClientError) as err:
            raise StorageError(f"cannot read document {key} from bucket {self.bucket}: {_reason(err)}") from None

    def check(self) -> None:
        """Raise StorageError when the bucket cannot be reached (used at start-up and by /health)."""
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            self.client.head_bucket(Bucket=self.bucket)
        except (BotoCoreError, ClientError) as err:
            raise StorageError(f"bucket {self.bucket} is not reachable: {_reason(err)}") from None


def _reason(err: Exception) -> str:
    response = getattr(err, "response", None)
    if isinstance(response, dict):
        code = response.get("Error", {}).get("Code")
        if code:
            return str(code)
    return type(err).__name__
