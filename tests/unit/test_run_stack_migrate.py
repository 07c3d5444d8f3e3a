"""`make run` migrates the database itself (run_stack.py), and stops when it cannot."""

from __future__ import annotations

import os
import sqlite3
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))

import run_stack  # noqa: E402


def test_a_fresh_database_is_migrated_to_head(tmp_path):
    env = {**os.environ, "VAR_DIR": str(tmp_path), "DATABASE_URL": ""}
    assert run_stack.migrate_database(env)
    databases = list(tmp_path.rglob("*.db"))
    assert databases, "no SQLite database under VAR_DIR"
    with sqlite3.connect(databases[0]) as db:
        assert db.execute("select version_num from alembic_version").fetchone()


def test_a_database_that_cannot_be_reached_is_said_and_refused(tmp_path, capfd):
    unreachable = "postgresql+psycopg://nobody@127.0.0.1:1/none?connect_timeout=2"
    env = {**os.environ, "VAR_DIR": str(tmp_path), "DATABASE_URL": unreachable}
    assert not run_stack.migrate_database(env)
    assert "The database migration failed" in capfd.readouterr().err
