"""Runs and replies that never reach a worker (#12 item 13), on the real broker path.

The broker is the embedded SQLite transport; "unreachable" is its database path made
unopenable (a directory), so `apply_async` really fails. Beat's recovery is the real task body.
"""

from __future__ import annotations

import importlib
import sqlite3
import sys
import threading
from datetime import timedelta

import pytest
from sqlmodel import select

from marketnav.models import AssistantMessage, ProgressEvent, ReportRun
from marketnav.models.base import utcnow
from marketnav.services import assistant, chat_recovery, projects
from marketnav.services.reports import queue_recovery, runs, views
from marketnav.settings import get_settings
from tests.conftest import clear_caches
from tests.factories import PET_SITTER_INPUTS as INPUTS
from tests.factories import make_project, make_user
from tests.support.redis_server import wait_for

pytestmark = pytest.mark.integration


def fresh_tasks(name: str):
    """tasks.* read settings at import: import them again for this test's settings."""
    for module in [m for m in sys.modules if m == "tasks" or m.startswith("tasks.")]:
        sys.modules.pop(module)
    return importlib.import_module(name)


@pytest.fixture(autouse=True)
def _forget_tasks():
    yield
    for module in [m for m in sys.modules if m == "tasks" or m.startswith("tasks.")]:
        sys.modules.pop(module)


@pytest.fixture
def project(db):
    user = make_user(db)
    project = make_project(db, user)
    projects.save_inputs(db, user, project.id, INPUTS)
    db.commit()
    return user, project


def broker_down():
    path = get_settings().var_dir / "celery-broker.db"
    path.mkdir()  # sqlite cannot open a directory: every publish fails
    return path


def queued_messages() -> int:
    path = get_settings().var_dir / "celery-broker.db"
    with sqlite3.connect(path) as conn:
        return conn.execute("select count(*) from kombu_message").fetchone()[0]


def backdate_run(db, run_id: int, seconds: int) -> None:
    db.expire_all()
    run = db.get(ReportRun, run_id)
    queue = dict(run.data["queue"])
    queue["at"] = (utcnow() - timedelta(seconds=seconds)).isoformat()
    run.data = {**run.data, "queue": queue}
    db.add(run)
    db.commit()


def test_a_failed_enqueue_fails_the_run_at_once_and_start_works_again(db, project):
    user, proj = project
    broker = broker_down()
    tasks = fresh_tasks("tasks.reports")
    run = runs.start(db, user, proj.id, "quick_report")
    db.commit()

    assert tasks.enqueue(run.id) == ""

    db.expire_all()
    card = views.card(db, user, proj.id, "quick_report")
    assert (card["status"], card["error"]) == ("failed", queue_recovery.ENQUEUE_FAILED)
    broker.rmdir()  # the queue is back: Start works again, no "already running"
    again = runs.start(db, user, proj.id, "quick_report")
    db.commit()
    task_id = tasks.enqueue(again.id)
    db.expire_all()
    row = db.get(ReportRun, again.id)
    assert task_id and (row.status, row.celery_task_id) == ("queued", task_id)
    assert queued_messages() == 1


def test_beat_requeues_a_stuck_queued_run_then_fails_it_with_a_reason(db, project, monkeypatch):
    user, proj = project
    monkeypatch.setenv("REPORT_QUEUED_TIMEOUT_SECONDS", "60")
    monkeypatch.setenv("REPORT_MAX_REQUEUES", "1")
    clear_caches()
    tasks = fresh_tasks("tasks.reports")
    stuck = runs.start(db, user, proj.id, "quick_report")
    fresh = runs.start(db, user, proj.id, "crunchbase")
    db.commit()
    tasks.enqueue(stuck.id)  # no worker takes it: as good as a lost message
    tasks.enqueue(fresh.id)
    backdate_run(db, stuck.id, 120)

    summary = tasks.recover_stalled()
    assert summary["requeued"] == [stuck.id] and summary["failed_in_queue"] == []
    db.expire_all()
    assert db.get(ReportRun, stuck.id).data["queue"]["requeues"] == 1
    assert db.get(ReportRun, stuck.id).status == "queued"
    assert queued_messages() == 3  # the new copy of the stuck run's message

    backdate_run(db, stuck.id, 120)
    summary = tasks.recover_stalled()
    assert summary["requeued"] == [] and summary["failed_in_queue"] == [stuck.id]
    db.expire_all()
    failed = db.get(ReportRun, stuck.id)
    assert failed.status == "failed" and "No worker took this report" in failed.error_message
    assert db.get(ReportRun, fresh.id).status == "queued"  # not old enough: untouched
    runs.start(db, user, proj.id, "quick_report")  # Start works again


def _pending_reply(db, user, proj) -> int:
    _, reply = assistant.post(db, user, proj.id, "Who are my competitors?", [])
    db.commit()
    return reply.id


def _thread_events(db, proj) -> list[dict]:
    rows = db.exec(
        select(ProgressEvent).where(ProgressEvent.subject == assistant.subject(proj.id))
    ).all()
    return [r.payload for r in rows]


def test_a_reply_that_cannot_be_queued_is_failed_at_once_and_can_be_retried(db, project):
    user, proj = project
    broker = broker_down()
    chat = fresh_tasks("tasks.chat")
    reply_id = _pending_reply(db, user, proj)

    shown = chat.enqueue(reply_id)

    assert shown is not None and shown["status"] == "failed"
    assert shown["error"] == assistant.ENQUEUE_FAILED
    db.expire_all()
    assert db.get(AssistantMessage, reply_id).status == "failed"
    assert [e["type"] for e in _thread_events(db, proj)] == ["failed"]
    broker.rmdir()
    assistant.retry(db, user, reply_id)
    db.commit()
    assert chat.enqueue(reply_id) is None
    db.expire_all()
    assert db.get(AssistantMessage, reply_id).status == "pending"


def test_a_lost_reply_is_requeued_then_failed_once(db, project, monkeypatch):
    user, proj = project
    monkeypatch.setenv("CHAT_REPLY_QUEUED_TIMEOUT_SECONDS", "60")
    monkeypatch.setenv("CHAT_MAX_REQUEUES", "1")
    clear_caches()
    chat = fresh_tasks("tasks.chat")
    reply_id = _pending_reply(db, user, proj)
    chat.enqueue(reply_id)

    def backdate() -> None:
        db.expire_all()
        reply = db.get(AssistantMessage, reply_id)
        queue = {**reply.details["queue"], "at": (utcnow() - timedelta(minutes=5)).isoformat()}
        reply.details = {**reply.details, "queue": queue}
        db.add(reply)
        db.commit()

    backdate()
    assert chat.recover_replies() == {"requeued": [reply_id], "failed": []}
    backdate()
    assert chat.recover_replies() == {"requeued": [], "failed": [reply_id]}
    assert chat.recover_replies() == {"requeued": [], "failed": []}  # once
    db.expire_all()
    reply = db.get(AssistantMessage, reply_id)
    assert (reply.status, reply.details["error"]) == ("failed", assistant.REPLY_LOST)
    assert [e["type"] for e in _thread_events(db, proj)] == ["failed"]
    # The requeued copy arrives late: the failed reply is not answered behind the user's back.
    assert assistant.run_reply(reply_id) == "skipped"


def test_a_reply_delivered_twice_is_answered_once_and_a_superseded_answer_is_dropped(
    db, project, monkeypatch
):
    user, proj = project
    reply_id = _pending_reply(db, user, proj)
    gate, real_stream = threading.Event(), assistant.stream_chat

    def gated_stream(request, handle_tool):
        gate.wait(30)  # the AI call is in flight until the test lets it answer
        yield from real_stream(request, handle_tool)

    monkeypatch.setattr(assistant, "stream_chat", gated_stream)
    outcome: list[str] = []
    first = threading.Thread(target=lambda: outcome.append(assistant.run_reply(reply_id)))
    first.start()

    def streaming() -> bool:
        db.expire_all()
        return db.get(AssistantMessage, reply_id).status == "streaming"

    wait_for(streaming, 30, "the first delivery to claim the reply")
    assert assistant.run_reply(reply_id) == "skipped"  # the duplicate delivery

    # The first worker is presumed dead (claimed longer ago than the task's time limit).
    reply = db.get(AssistantMessage, reply_id)
    old = (utcnow() - timedelta(seconds=chat_recovery.STREAM_STALE_SECONDS + 1)).isoformat()
    reply.details = {**reply.details, "claimed_at": old}
    db.add(reply)
    db.commit()
    assert chat_recovery.recover_replies().failed == [reply_id]
    gate.set()
    first.join(30)

    assert outcome == ["superseded"]
    db.expire_all()
    reply = db.get(AssistantMessage, reply_id)
    assert (reply.status, reply.details["error"]) == ("failed", assistant.REPLY_STOPPED)
    finals = [e["type"] for e in _thread_events(db, proj) if e["type"] in ("done", "failed")]
    assert finals == ["failed"]

    # Retried by the user, a single delivery answers it (offline analyser) exactly once.
    monkeypatch.setattr(assistant, "stream_chat", real_stream)
    assistant.retry(db, user, reply_id)
    db.commit()
    assert assistant.run_reply(reply_id) == "done"
    assert assistant.run_reply(reply_id) == "skipped"
