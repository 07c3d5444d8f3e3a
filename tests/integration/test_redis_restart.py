"""A Redis restart mid-run and mid-listen (#12 item 11), against a redis-server of our own.

The test starts `redis-server` on its own port, stops it and starts it again while a report run
publishes progress and while a listener is subscribed. The run must complete (the database row
is the truth; publishing degrades to a logged warning), the listener must re-subscribe, say
"resync" and then hear what is published after the restart, and session lookups must fail with
a clear message instead of a Redis traceback.
"""

from __future__ import annotations

import asyncio

import pytest

from marketnav.models import ReportRun
from marketnav.services import accounts, progress, projects, sessions
from marketnav.services.errors import DomainError
from marketnav.services.reports import runner, runs
from marketnav.services.reports.tracker import subject_for_project
from tests.factories import PET_SITTER_INPUTS as INPUTS
from tests.factories import make_project, make_user
from tests.support.redis_server import wait_for

pytestmark = pytest.mark.integration


async def next_event(queue: asyncio.Queue, timeout: float = 30) -> dict:
    return await asyncio.wait_for(queue.get(), timeout)


@pytest.mark.asyncio
async def test_a_listener_resubscribes_after_a_restart_and_hears_later_events(
    db, restartable_redis
):
    server = restartable_redis
    subject = "project:1:reports"
    name = progress.channel(subject)
    stop, queue = asyncio.Event(), asyncio.Queue()

    async def listen():
        async for event in progress.subscribe(subject, stop=stop):
            await queue.put(event)

    listener = asyncio.create_task(listen())
    await asyncio.to_thread(wait_for, lambda: server.subscribers(name) == 1, 10, "subscribe")
    assert progress.publish(subject, {"seq": 1})
    assert await next_event(queue) == {"seq": 1}

    await asyncio.to_thread(server.stop)
    assert progress.publish(subject, {"seq": 2}) is False  # dropped and logged, not raised
    await asyncio.to_thread(server.start)

    assert await next_event(queue) == {"type": progress.RESYNC, "subject": subject}
    assert server.subscribers(name) == 1
    assert progress.publish(subject, {"seq": 3})
    assert await next_event(queue) == {"seq": 3}  # seq 2 is gone: the resync said so
    assert queue.empty()

    # A second restart is survived the same way (the backoff starts again from the start).
    await asyncio.to_thread(server.restart)
    assert await next_event(queue) == {"type": progress.RESYNC, "subject": subject}
    assert progress.publish(subject, {"seq": 4})
    assert await next_event(queue) == {"seq": 4}
    stop.set()
    await asyncio.wait_for(listener, 10)


@pytest.mark.asyncio
async def test_a_run_completes_while_redis_goes_down_and_comes_back(
    db, restartable_redis, monkeypatch
):
    server = restartable_redis
    user = make_user(db)
    project = make_project(db, user)
    projects.save_inputs(db, user, project.id, INPUTS)
    run = runs.start(db, user, project.id, "quick_report")
    db.commit()
    run_id, subject = run.id, subject_for_project(project.id)
    name = progress.channel(subject)
    sent: list[bool] = []
    real_publish = progress.publish

    def recording_publish(subj, payload):
        ok = real_publish(subj, payload)
        sent.append(ok)
        return ok

    monkeypatch.setattr(progress, "publish", recording_publish)

    async def pipeline(ctx) -> None:
        """The real tracker writes and publishes each step; Redis restarts in the middle."""
        keys = ctx.tracker.step_keys
        for number, key in enumerate(keys):
            ctx.tracker.start_step(key)
            if number == 0:
                await asyncio.to_thread(server.stop)  # mid-run: every publish now fails
            ctx.tracker.update_step_progress(key, 50)
            ctx.tracker.add_step_detail(key, "info", f"half of {key}")
            if number == 1:
                await asyncio.to_thread(server.start)
                # The page's listener is back before the run goes on (a readiness probe).
                await asyncio.to_thread(
                    wait_for, lambda: server.subscribers(name) == 1, 30, "re-subscribe"
                )
            ctx.tracker.complete_step(key)

    monkeypatch.setattr(runner, "pipeline_for", lambda report_type: pipeline)
    stop, queue = asyncio.Event(), asyncio.Queue()

    async def listen():
        async for event in progress.subscribe(subject, stop=stop):
            await queue.put(event)

    listener = asyncio.create_task(listen())
    await asyncio.to_thread(wait_for, lambda: server.subscribers(name) == 1, 10, "subscribe")

    outcome = await asyncio.to_thread(runner.execute, run_id, "test-worker")

    assert outcome.status == "completed", outcome
    db.expire_all()
    row = db.get(ReportRun, run_id)
    assert (row.status, row.progress, row.error_message) == ("completed", 100, "")
    assert False in sent and sent[-1] is True  # some publishes failed; the last one went out
    events = []
    while not (events and events[-1].get("status") == "completed"):
        events.append(await next_event(queue))
    kinds = [e.get("type") for e in events]
    assert progress.RESYNC in kinds
    after = events[kinds.index(progress.RESYNC) + 1 :]
    assert after and all(e["type"] == "report_progress" for e in after)
    assert [e["progress"] for e in after] == sorted(e["progress"] for e in after)
    assert after[-1]["progress"] == 100
    stop.set()
    await asyncio.wait_for(listener, 10)


def test_session_lookups_say_the_store_is_unavailable_while_redis_is_down(db, restartable_redis):
    server = restartable_redis
    user = make_user(db, "Ada Lovelace", "ada@example.com")
    token = accounts.login(db, "ada@example.com", "correct horse battery").token
    db.commit()
    assert accounts.user_for_token(db, token).id == user.id

    server.stop()
    with pytest.raises(sessions.SessionStoreUnavailable) as caught:
        accounts.user_for_token(db, token)
    assert isinstance(caught.value, DomainError)  # pages show it as a message
    assert "session store cannot be reached" in str(caught.value)
    with pytest.raises(sessions.SessionStoreUnavailable):
        accounts.login(db, "ada@example.com", "correct horse battery")

    server.start()  # nothing persisted: the old session is gone, signing in works again
    assert accounts.user_for_token(db, token) is None
    again = accounts.login(db, "ada@example.com", "correct horse battery").token
    assert accounts.user_for_token(db, again).id == user.id
