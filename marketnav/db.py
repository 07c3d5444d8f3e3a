"""Database engine and sessions for the platform database (SQLite or PostgreSQL)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache

from sqlalchemy import event
from sqlalchemy.engine import Engine, make_url
from sqlmodel import Session, create_engine

from marketnav.settings import get_settings


@lru_cache
def get_engine() -> Engine:
    """The process-wide engine for `settings.db_url` (cached; tests clear it)."""
    url = get_settings().db_url
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection, _record):  # pragma: no cover - driver hook
            # WAL lets the web app read while a worker writes; foreign keys are off by default.
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.close()

        return engine
    return create_engine(
        url,
        pool_pre_ping=True,
        pool_size=10,
        max_overflow=10,
        connect_args={"options": _postgres_options(url)},
    )


def _postgres_options(url: str) -> str:
    """libpq `options` of every connection: the URL's own (a search_path, say), plus a limit
    on idle transactions, so the server, not the client, ends a transaction whose process
    froze (its row locks would block the worker that took its run over)."""
    idle_ms = get_settings().db_idle_transaction_timeout_seconds * 1000
    own = make_url(url).query.get("options", "")
    own = " ".join(own) if isinstance(own, tuple) else own
    return f"{own} -c idle_in_transaction_session_timeout={idle_ms}".strip()


@contextmanager
def session_scope() -> Iterator[Session]:
    """A session that commits on success and rolls back on error."""
    with Session(get_engine(), expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except Exception:
            session.rollback()
            raise
