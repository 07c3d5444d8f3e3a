"""Alembic owns the schema: `upgrade head` works on SQLite and PostgreSQL and matches the models."""

from __future__ import annotations

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from sqlalchemy import inspect
from sqlmodel import SQLModel

from marketnav.db import get_engine


def _diff(engine) -> list:
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return compare_metadata(context, SQLModel.metadata)


@pytest.mark.integration
def test_sqlite_upgrade_head_matches_models(isolated_settings):
    command.upgrade(Config("alembic.ini"), "head")
    engine = get_engine()
    assert set(SQLModel.metadata.tables) <= set(inspect(engine).get_table_names())
    assert _diff(engine) == []


@pytest.mark.integration
@pytest.mark.postgres
def test_postgres_upgrade_head_matches_models(migrated_postgres, monkeypatch):
    from tests.conftest import clear_caches

    monkeypatch.setenv("DATABASE_URL", migrated_postgres)
    clear_caches()
    engine = get_engine()
    assert engine.dialect.name == "postgresql"
    assert _diff(engine) == []


@pytest.mark.integration
def test_downgrade_then_upgrade_round_trips(isolated_settings):
    config = Config("alembic.ini")
    command.upgrade(config, "head")
    command.downgrade(config, "base")
    assert "users" not in inspect(get_engine()).get_table_names()
    command.upgrade(config, "head")
    assert "users" in inspect(get_engine()).get_table_names()
