"""AI call records are written off the caller's path: batched, flushed, never lost to a swap."""

from __future__ import annotations

import logging
import threading
from pathlib import Path

from sqlmodel import Session, SQLModel, create_engine, select

from marketnav.models.ai import AICallRecord
from marketnav.services.ai.record_writer import CallRecordWriter


def engine_at(path: Path):
    engine = create_engine(f"sqlite:///{path}", connect_args={"check_same_thread": False})
    SQLModel.metadata.create_all(engine, tables=[AICallRecord.__table__])
    return engine


def features(engine) -> list[str]:
    with Session(engine) as session:
        rows = session.exec(select(AICallRecord).order_by(AICallRecord.id)).all()
        return [row.feature for row in rows]


def test_queued_records_are_written_in_order_by_flush(tmp_path):
    engine = engine_at(tmp_path / "a.db")
    writer = CallRecordWriter()
    for n in range(50):
        writer.put(engine, lambda n=n: AICallRecord(feature=f"f{n}", provider="p"))
    assert writer.flush(timeout=10)
    assert features(engine) == [f"f{n}" for n in range(50)]


def test_a_record_lands_in_the_database_it_was_queued_for(tmp_path):
    first, second = engine_at(tmp_path / "a.db"), engine_at(tmp_path / "b.db")
    writer = CallRecordWriter()
    writer.put(first, lambda: AICallRecord(feature="first", provider="p"))
    writer.put(second, lambda: AICallRecord(feature="second", provider="p"))
    assert writer.flush(timeout=10)
    assert (features(first), features(second)) == (["first"], ["second"])


def test_the_caller_does_not_wait_for_a_slow_write(tmp_path):
    engine = engine_at(tmp_path / "a.db")
    writer = CallRecordWriter()
    release = threading.Event()

    def slow_row():
        release.wait(10)  # the database is slow: the writer thread waits, not the caller
        return AICallRecord(feature="slow", provider="p")

    writer.put(engine, slow_row)
    assert not writer.flush(timeout=0.2)  # still being written
    release.set()
    assert writer.flush(timeout=10)
    assert features(engine) == ["slow"]


def test_a_failed_write_is_logged_and_does_not_stop_the_writer(tmp_path, caplog):
    missing = create_engine(f"sqlite:///{tmp_path / 'no-tables.db'}")  # no ai_call_records
    engine = engine_at(tmp_path / "a.db")
    writer = CallRecordWriter()
    with caplog.at_level(logging.ERROR, logger="marketnav.services.ai.record_writer"):
        writer.put(missing, lambda: AICallRecord(feature="lost", provider="p"))
        assert writer.flush(timeout=10)
    assert "could not record 1 AI call(s)" in caplog.text
    writer.put(engine, lambda: AICallRecord(feature="kept", provider="p"))
    assert writer.flush(timeout=10)
    assert features(engine) == ["kept"]
