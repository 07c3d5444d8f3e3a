"""Two deployments on one Redis server do not see each other (#16: deployment prefix).

Both deployments use the same Redis server and the same logical database (pub/sub ignores the
database number anyway); they differ only in their settings (another DATABASE_URL, hence
another derived REDIS_PREFIX). Progress events, session keys, the AI cache and Celery's queues
of one are invisible to the other.
"""

from __future__ import annotations

import asyncio
import importlib
import sys

import pytest

from marketnav.services import progress, sessions
from marketnav.services.ai.cache import RedisCache
from marketnav.services.redis_client import prefix
from marketnav.settings import Settings, get_settings
from tests.conftest import clear_caches
from tests.support.redis_server import own_redis, wait_for

pytestmark = pytest.mark.integration

SUBJECT = "project:1:reports"  # the same project id in both deployments


@pytest.fixture
def shared_server(tmp_path):
    with own_redis(tmp_path / "redis") as server:
        yield server


def use(monkeypatch, tmp_path, name: str, server) -> str:
    """Switch this process to deployment `name`; returns its prefix."""
    monkeypatch.setenv("VAR_DIR", str(tmp_path / name))
    monkeypatch.setenv("REDIS_URL", server.url)
    clear_caches()
    return prefix()


def subscribed(server, channel: str) -> bool:
    with server.client() as client:
        return dict(client.pubsub_numsub(channel)).get(channel.encode(), 0) == 1


def fresh_celery_app():
    for name in [m for m in sys.modules if m == "tasks" or m.startswith("tasks.")]:
        sys.modules.pop(name)
    return importlib.import_module("tasks.celery_app").app


def test_the_default_prefix_differs_per_database_and_hides_the_password():
    one = Settings(database_url="postgresql://mn:secret@db:5432/one")
    other = Settings(database_url="postgresql://mn:secret@db:5432/two")
    rotated = Settings(database_url="postgresql://mn:rotated@db:5432/one")
    assert one.redis_key_prefix != other.redis_key_prefix
    assert one.redis_key_prefix == rotated.redis_key_prefix  # a new password, same deployment
    assert "secret" not in one.redis_key_prefix
    assert Settings(redis_prefix="acme").redis_key_prefix == "acme:"
    # Reflex state (which has no prefix) gets its own database next to REDIS_URL's.
    assert Settings(redis_url="redis://:pw@redis:6379/0").reflex_redis_url.endswith("@redis:6379/1")
    assert Settings(redis_url="redis://127.0.0.1:6379/15").reflex_redis_url.endswith("/14")
    assert Settings(redis_url="redis://r/0", state_redis_db=5).reflex_redis_url == "redis://r/5"
    assert Settings().reflex_redis_url == ""


@pytest.mark.asyncio
async def test_two_deployments_on_one_server_hear_only_their_own_progress(
    shared_server, tmp_path, monkeypatch
):
    server = shared_server
    received: dict[str, list] = {"a": [], "b": []}
    arrived = {"a": asyncio.Event(), "b": asyncio.Event()}
    stop = asyncio.Event()

    async def listen(name: str):
        async for event in progress.subscribe(SUBJECT, stop=stop):
            received[name].append(event["from"])
            arrived[name].set()

    listeners = []
    prefixes = {}
    for name in ("a", "b"):
        prefixes[name] = use(monkeypatch, tmp_path, name, server)
        channel = progress.channel(SUBJECT)
        listeners.append(asyncio.create_task(listen(name)))
        await asyncio.to_thread(wait_for, lambda c=channel: subscribed(server, c), 10, channel)
    assert prefixes["a"] != prefixes["b"]

    use(monkeypatch, tmp_path, "a", server)
    assert progress.publish(SUBJECT, {"from": "a1"})
    use(monkeypatch, tmp_path, "b", server)
    assert progress.publish(SUBJECT, {"from": "b1"})
    use(monkeypatch, tmp_path, "a", server)
    assert progress.publish(SUBJECT, {"from": "a2"})
    # Redis delivers in publish order: had b heard a1, it would have heard it before b1.
    while len(received["a"]) < 2:
        arrived["a"].clear()
        await asyncio.wait_for(arrived["a"].wait(), 10)
    await asyncio.wait_for(arrived["b"].wait(), 10)
    assert received["a"] == ["a1", "a2"]
    assert received["b"][0] == "b1"
    stop.set()
    await asyncio.wait_for(asyncio.gather(*listeners), 10)
    assert received["b"] == ["b1"]


def test_two_deployments_on_one_server_keep_their_keys_apart(
    db, shared_server, tmp_path, monkeypatch
):
    server = shared_server
    tokens, prefixes = {}, {}
    try:
        for name in ("a", "b"):
            prefixes[name] = use(monkeypatch, tmp_path, name, server)
            tokens[name] = sessions.create(db, 1, "test")  # user 1 in both deployments
            RedisCache().put("same-prompt", f"answer of {name}", 60)
            app = fresh_celery_app()
            app.send_task("tasks.maintenance.system_check", queue="default")
            assert app.conf.broker_transport_options["global_keyprefix"] == prefixes[name]
            app.pool.force_close_all()

        for name, other in (("a", "b"), ("b", "a")):
            use(monkeypatch, tmp_path, name, server)
            assert sessions.user_id_for(db, tokens[name]) == 1
            assert sessions.user_id_for(db, tokens[other]) is None
            assert RedisCache().get("same-prompt") == f"answer of {name}"
            sessions.revoke_all_except(db, 1, tokens[name])  # must not touch the other's
        for name in ("a", "b"):
            use(monkeypatch, tmp_path, name, server)
            assert sessions.user_id_for(db, tokens[name]) == 1

        with server.client(decode_responses=True) as client:
            keys = set(client.keys("*"))
            assert keys, "nothing was written"
            stray = {k for k in keys if not k.startswith(tuple(prefixes.values()))}
            assert stray == set(), f"keys without a deployment prefix: {sorted(stray)}"
            for name in ("a", "b"):
                assert client.llen(prefixes[name] + "default") == 1  # each its own queue
                assert {k for k in keys if k.startswith(prefixes[name] + "session:")}
    finally:
        for name in [m for m in sys.modules if m == "tasks" or m.startswith("tasks.")]:
            sys.modules.pop(name)
        get_settings.cache_clear()
