"""Redis-backed sessions and the Redis pub/sub progress bus."""

from __future__ import annotations

import asyncio

import pytest

from marketnav.services import accounts, progress, sessions
from marketnav.services.redis_client import get_redis, key
from tests.factories import make_user

pytestmark = [pytest.mark.integration, pytest.mark.redis]


def test_sessions_live_in_redis_with_ttl(db, redis_url):
    user = make_user(db, "Ada Lovelace", "ada@example.com")
    token = accounts.login(db, "ada@example.com", "correct horse battery").token
    db.commit()
    keys = get_redis().keys(key("session", "*"))
    assert keys and all(token not in k for k in keys)  # only the digest is stored
    assert 0 < get_redis().ttl(keys[0]) <= 24 * 7 * 3600
    # The user's set of sessions expires too (item 12: no session key lives forever).
    assert 0 < get_redis().ttl(key("user-sessions", user.id)) <= 24 * 7 * 3600
    assert accounts.user_for_token(db, token).id == user.id
    other = sessions.create(db, user.id)
    sessions.revoke_all_except(db, user.id, token)
    assert accounts.user_for_token(db, other) is None
    accounts.logout(db, token)
    assert accounts.user_for_token(db, token) is None


@pytest.mark.asyncio
async def test_redis_bus_delivers_in_order(db, redis_url):
    stop = asyncio.Event()
    received: list[int] = []

    async def consume():
        async for event in progress.subscribe("report:7", stop=stop):
            received.append(event["seq"])
            if len(received) == 50:
                stop.set()

    consumer = asyncio.create_task(consume())
    channel = progress.channel("report:7")
    while dict(get_redis().pubsub_numsub(channel)).get(channel, 0) < 1:  # readiness probe
        await asyncio.sleep(0.01)

    def publish():
        for i in range(50):
            progress.publish("report:8", {"seq": -1})
            progress.publish("report:7", {"seq": i})

    await asyncio.to_thread(publish)
    await asyncio.wait_for(consumer, timeout=10)
    assert received == list(range(50))
