"""The S3 storage implementation (minio SDK) against moto's S3 server."""

from __future__ import annotations

import httpx
import pytest

from marketnav.services.storage import S3Storage, StorageError, get_storage

pytestmark = pytest.mark.integration


def test_s3_storage_creates_bucket_and_round_trips(s3_env):
    store = get_storage()
    assert isinstance(store, S3Storage) and store.client.bucket_exists(s3_env)
    key = "organizations/1/projects/2/reports/crunchbase/v1/raw_data.json"
    store.put(key, b'{"ok": true}')
    store.put("organizations/1/projects/3/x.html", b"<p>x</p>")
    assert store.get(key) == b'{"ok": true}'
    assert store.list("organizations/1/projects/2/") == [key]
    url = store.download_url(key, expires_seconds=60)
    assert "X-Amz-Signature" in url
    assert httpx.get(url).content == b'{"ok": true}'
    store.delete(key)
    with pytest.raises(StorageError):
        store.get(key)
    store.ping()


def test_s3_storage_refuses_escaping_keys(s3_env):
    with pytest.raises(StorageError):
        get_storage().put("../x", b"x")
