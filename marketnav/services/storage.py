"""Object storage for report files: a local directory or MinIO/S3, one interface.

Keys are POSIX-style paths such as `organizations/1/projects/2/reports/quick_report/v1/report.html`.
"""

from __future__ import annotations

import io
import mimetypes
import shutil
from datetime import timedelta
from functools import lru_cache
from pathlib import Path
from typing import Protocol

from minio import Minio
from minio.error import S3Error

from marketnav.settings import Settings, get_settings


class StorageError(Exception):
    """A missing object or an invalid key."""


class Storage(Protocol):
    """What the platform needs from an object store."""

    name: str

    def put(self, key: str, data: bytes, content_type: str | None = None) -> None: ...
    def get(self, key: str) -> bytes: ...
    def delete(self, key: str) -> None: ...
    def list(self, prefix: str = "") -> list[str]: ...
    def download_url(self, key: str, expires_seconds: int = 3600) -> str: ...
    def ping(self) -> None: ...


def _check_key(key: str) -> str:
    parts = key.split("/")
    if not key or key.startswith("/") or any(p in ("", ".", "..") for p in parts):
        raise StorageError(f"Invalid storage key: {key!r}")
    return key


def _guess_type(key: str) -> str:
    return mimetypes.guess_type(key)[0] or "application/octet-stream"


class LocalStorage:
    """Files under a directory; downloads are served by the app at `/files/<key>`."""

    name = "local"

    def __init__(self, root: Path):
        self.root = root
        self.root.mkdir(parents=True, exist_ok=True)

    def _path(self, key: str) -> Path:
        return self.root / _check_key(key)

    def put(self, key: str, data: bytes, content_type: str | None = None) -> None:
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(path.suffix + ".tmp")
        tmp.write_bytes(data)
        tmp.replace(path)  # atomic: a reader never sees half a file

    def get(self, key: str) -> bytes:
        path = self._path(key)
        if not path.is_file():
            raise StorageError(f"No such object: {key}")
        return path.read_bytes()

    def delete(self, key: str) -> None:
        path = self._path(key)
        if path.is_dir():
            shutil.rmtree(path)
        else:
            path.unlink(missing_ok=True)

    def list(self, prefix: str = "") -> list[str]:
        return sorted(
            p.relative_to(self.root).as_posix()
            for p in self.root.rglob("*")
            if p.is_file()
            and not p.name.endswith(".tmp")
            and p.relative_to(self.root).as_posix().startswith(prefix)
        )

    def download_url(self, key: str, expires_seconds: int = 3600) -> str:
        self._path(key)
        return f"/files/{key}"

    def ping(self) -> None:
        probe = self.root / ".ping"
        probe.write_text("ok")
        probe.unlink()


class S3Storage:
    """MinIO or any S3-compatible store through the `minio` SDK; bucket made if missing."""

    name = "s3"

    def __init__(self, settings: Settings):
        endpoint = settings.s3_endpoint.removeprefix("http://").removeprefix("https://")
        self.bucket = settings.s3_bucket
        self.client = Minio(
            endpoint,
            access_key=settings.s3_access_key.get_secret_value(),
            secret_key=settings.s3_secret_key.get_secret_value(),
            secure=settings.s3_secure or settings.s3_endpoint.startswith("https://"),
            region=settings.s3_region,  # a fixed region avoids a probe request per call
        )
        self.ensure_bucket()

    def ensure_bucket(self) -> None:
        if not self.client.bucket_exists(self.bucket):
            self.client.make_bucket(self.bucket)

    def put(self, key: str, data: bytes, content_type: str | None = None) -> None:
        self.client.put_object(
            self.bucket,
            _check_key(key),
            io.BytesIO(data),
            len(data),
            content_type=content_type or _guess_type(key),
        )

    def get(self, key: str) -> bytes:
        try:
            response = self.client.get_object(self.bucket, _check_key(key))
        except S3Error as err:
            raise StorageError(f"No such object: {key}") from err
        try:
            return response.read()
        finally:
            response.close()
            response.release_conn()

    def delete(self, key: str) -> None:
        self.client.remove_object(self.bucket, _check_key(key))

    def list(self, prefix: str = "") -> list[str]:
        return sorted(
            obj.object_name
            for obj in self.client.list_objects(self.bucket, prefix=prefix, recursive=True)
        )

    def download_url(self, key: str, expires_seconds: int = 3600) -> str:
        return self.client.presigned_get_object(
            self.bucket, _check_key(key), expires=timedelta(seconds=expires_seconds)
        )

    def ping(self) -> None:
        self.client.bucket_exists(self.bucket)


def project_prefix(organization_id: int, project_id: int) -> str:
    """Where every file of one project lives (its report versions and their raw data)."""
    return f"organizations/{organization_id}/projects/{project_id}/"


def delete_prefix(storage: Storage, prefix: str) -> tuple[int, int]:
    """Delete every object under `prefix`: (deleted, left because the store failed)."""
    deleted = left = 0
    for key in storage.list(prefix):
        try:
            storage.delete(key)
            deleted += 1
        except StorageError:
            left += 1
    return deleted, left


def build_storage(settings: Settings) -> Storage:
    return S3Storage(settings) if settings.uses_s3 else LocalStorage(settings.storage_dir)


@lru_cache
def get_storage() -> Storage:
    """The configured store for this process."""
    return build_storage(get_settings())
