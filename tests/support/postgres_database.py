"""A throwaway PostgreSQL database for a stack or a benchmark: created, yielded, dropped."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Iterator

DEFAULT_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"


@contextlib.contextmanager
def throwaway_database(admin_url: str = DEFAULT_ADMIN_URL, prefix: str = "mn_tmp") -> Iterator[str]:
    """The URL of a new empty database on `admin_url`'s server; dropped (forced) afterwards."""
    import psycopg

    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(admin_url, autocommit=True, connect_timeout=3) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield admin_url.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
