"""PostgreSQL connection options: the idle-transaction limit never replaces the URL's own."""

from __future__ import annotations

from marketnav import db
from tests.conftest import clear_caches


def test_the_idle_transaction_limit_joins_the_url_s_own_options(monkeypatch):
    monkeypatch.setenv("DB_IDLE_TRANSACTION_TIMEOUT_SECONDS", "7")
    clear_caches()
    plain = db._postgres_options("postgresql+psycopg://u@h/d")
    assert plain == "-c idle_in_transaction_session_timeout=7000"
    # A test schema's search_path (and any operator's option) used to be dropped.
    scoped = db._postgres_options("postgresql+psycopg://u@h/d?options=-csearch_path%3Dtenant")
    assert scoped == "-csearch_path=tenant -c idle_in_transaction_session_timeout=7000"
