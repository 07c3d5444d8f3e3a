"""Shared fixtures: isolated settings per test, PostgreSQL, Redis and an S3 server.

Every test gets its own `var/` directory, so nothing touches a developer's data. Tests marked
`postgres` or `redis` skip when the server is missing on a developer machine, but fail in CI
(`CI=true`), where both services are always provided.
"""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Iterator

import pytest
from sqlmodel import Session, SQLModel

import marketnav.models  # noqa: F401  (registers the tables)

IN_CI = os.environ.get("CI", "").lower() == "true"
PG_ADMIN_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
TEST_REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
ENV_KEYS = (
    "VAR_DIR",
    "DATABASE_URL",
    "REDIS_URL",
    "S3_ENDPOINT",
    "S3_ACCESS_KEY",
    "S3_SECRET_KEY",
    "S3_BUCKET",
    "INSTANCE_ADMIN_EMAILS",
    "SESSION_COOKIE_SECURE",
)


def clear_caches() -> None:
    """Forget every process-wide object built from settings."""
    from marketnav.db import get_engine
    from marketnav.services import signing
    from marketnav.services.ai import flush_call_records
    from marketnav.services.redis_client import get_redis
    from marketnav.services.storage import get_storage
    from marketnav.settings import get_settings

    flush_call_records()  # queued AI call records land in the database they were made for
    signing.clear_cache()
    get_settings.cache_clear()
    get_engine.cache_clear()
    get_storage.cache_clear()
    get_redis.cache_clear()


def unavailable(what: str, err: Exception) -> None:
    message = f"{what} is not reachable: {err}"
    if IN_CI:
        pytest.fail(message + " (CI=true: integration services must run)")
    pytest.skip(message)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(autouse=True)
def isolated_settings(tmp_path, monkeypatch) -> Iterator[None]:
    """Embedded defaults in a fresh directory for every test."""
    for key in ENV_KEYS:
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("VAR_DIR", str(tmp_path / "var"))
    # Cheap argon2 parameters: tests hash hundreds of passwords; the algorithm is the same.
    monkeypatch.setenv("ARGON2_TIME_COST", "1")
    monkeypatch.setenv("ARGON2_MEMORY_COST_KIB", "1024")
    clear_caches()
    yield
    clear_caches()


@pytest.fixture
def db(isolated_settings) -> Iterator[Session]:
    """A session on a fresh SQLite database with every table."""
    from marketnav.db import get_engine

    engine = get_engine()
    SQLModel.metadata.create_all(engine)
    with Session(engine, expire_on_commit=False) as session:
        yield session
        session.commit()


@pytest.fixture(scope="session")
def postgres_database() -> Iterator[str]:
    """A throw-away PostgreSQL database for this test run, migrated to head."""
    import psycopg

    name = f"mn_test_{uuid.uuid4().hex[:10]}"
    try:
        with psycopg.connect(PG_ADMIN_URL, autocommit=True, connect_timeout=3) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
    except Exception as err:
        unavailable("PostgreSQL", err)
    url = PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    try:
        yield url
    finally:
        with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def migrated_postgres(postgres_database) -> str:
    from alembic import command
    from alembic.config import Config

    previous = os.environ.get("DATABASE_URL")
    os.environ["DATABASE_URL"] = postgres_database
    clear_caches()
    try:
        command.upgrade(Config("alembic.ini"), "head")
    finally:
        if previous is None:
            os.environ.pop("DATABASE_URL", None)
        else:
            os.environ["DATABASE_URL"] = previous
        clear_caches()
    return postgres_database


@pytest.fixture
def pg_db(migrated_postgres, monkeypatch) -> Iterator[Session]:
    """A session on the migrated PostgreSQL database, emptied before the test."""
    from marketnav.db import get_engine

    monkeypatch.setenv("DATABASE_URL", migrated_postgres)
    clear_caches()
    engine = get_engine()
    tables = ", ".join(t.name for t in SQLModel.metadata.sorted_tables)
    with engine.begin() as conn:
        conn.exec_driver_sql(f"TRUNCATE {tables} RESTART IDENTITY CASCADE")
    with Session(engine, expire_on_commit=False) as session:
        yield session
        session.commit()
    engine.dispose()


@pytest.fixture
def redis_url(monkeypatch) -> Iterator[str]:
    """Redis database 15, flushed, configured as REDIS_URL."""
    import redis

    client = redis.Redis.from_url(TEST_REDIS_URL, socket_connect_timeout=2)
    try:
        client.ping()
    except Exception as err:
        unavailable("Redis", err)
    client.flushdb()
    monkeypatch.setenv("REDIS_URL", TEST_REDIS_URL)
    clear_caches()
    yield TEST_REDIS_URL
    client.flushdb()
    client.close()


@pytest.fixture(scope="session")
def s3_server() -> Iterator[str]:
    """moto's S3-compatible server on a free port (it checks no signatures)."""
    from moto.server import ThreadedMotoServer

    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


@pytest.fixture
def s3_env(s3_server, monkeypatch) -> str:
    bucket = f"mn-test-{uuid.uuid4().hex[:8]}"
    monkeypatch.setenv("S3_ENDPOINT", s3_server)
    monkeypatch.setenv("S3_ACCESS_KEY", "test")
    monkeypatch.setenv("S3_SECRET_KEY", "test-secret")
    monkeypatch.setenv("S3_BUCKET", bucket)
    clear_caches()
    return bucket
