"""The object-store bucket is created when a worker starts, as .env.example says (#16)."""

from __future__ import annotations

import time

import pytest
from minio import Minio

from marketnav.settings import get_settings
from tests.processes import celery_worker_args, child_env, running

pytestmark = pytest.mark.integration


def test_a_starting_worker_creates_the_bucket_before_any_report(tmp_path, s3_env, s3_server):
    settings = get_settings()
    client = Minio(
        s3_server.removeprefix("http://"), "test", "test-secret", secure=False, region="us-east-1"
    )
    assert not client.bucket_exists(s3_env)
    env = child_env(
        VAR_DIR=str(settings.var_dir),
        S3_ENDPOINT=s3_server,
        S3_ACCESS_KEY="test",
        S3_SECRET_KEY="test-secret",
        S3_BUCKET=s3_env,
    )
    log = tmp_path / "worker.log"
    with running(celery_worker_args("default", 1), env, log) as worker:
        deadline = time.monotonic() + 60
        while not client.bucket_exists(s3_env):  # readiness probe: the bucket appears
            assert worker.poll() is None, log.read_text()[-3000:]
            assert time.monotonic() < deadline, log.read_text()[-3000:]
            time.sleep(0.1)
