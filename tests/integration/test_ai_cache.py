"""Identical analysis prompts are served from the cache (database and Redis backends)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import Session, select

from marketnav import db
from marketnav.models.ai import AICacheEntry
from marketnav.models.base import utcnow
from marketnav.services import ai
from marketnav.services.ai.cache import purge_expired_entries, redis_prefix
from tests import ai_fixtures
from tests.ai_fixtures import SAMPLE_INPUTS, VALID_CRUNCHBASE, require_redis
from tests.support.openai_test_server import Behaviour

ai_env = ai_fixtures.ai_env
fake_ai = ai_fixtures.fake_ai
openai_server = ai_fixtures.openai_server

pytestmark = pytest.mark.integration
REDIS_URL = "redis://127.0.0.1:6379/15"


def _run(inputs=SAMPLE_INPUTS, **kwargs):
    return ai.generate_crunchbase_keywords(
        inputs, context=ai.CallContext(subject_type="report", subject_id=9), **kwargs
    )


def _assert_second_run_is_free(ai_env, fake_ai):
    fake_ai.set_default_content("alpha", VALID_CRUNCHBASE)
    first = _run()
    second = _run()
    assert not first.cached and second.cached
    assert second.value == first.value and second.provider == "alpha"
    assert fake_ai.request_count("alpha") == 1
    cached_record = ai_env.records()[-1]
    assert cached_record.cached and cached_record.cost_usd == 0.0
    assert cached_record.prompt_tokens == 0 and cached_record.subject_id == "9"


def test_database_cache_serves_identical_prompts(ai_env, fake_ai):
    ai_env.use_providers(fake_ai, "alpha")
    _assert_second_run_is_free(ai_env, fake_ai)
    with Session(db.get_engine()) as session:
        assert len(session.exec(select(AICacheEntry)).all()) == 1


def test_changed_inputs_miss_the_cache(ai_env, fake_ai):
    ai_env.use_providers(fake_ai, "alpha")
    fake_ai.set_default_content("alpha", VALID_CRUNCHBASE)
    _run()
    _run(dict(SAMPLE_INPUTS, geographic_focus="France"))
    assert fake_ai.request_count("alpha") == 2


def test_expired_entries_are_ignored_and_purged(ai_env, fake_ai):
    ai_env.use_providers(fake_ai, "alpha")
    fake_ai.set_default_content("alpha", VALID_CRUNCHBASE)
    _run()
    with Session(db.get_engine()) as session:
        entry = session.exec(select(AICacheEntry)).one()
        entry.expires_at = utcnow() - timedelta(seconds=1)
        session.add(entry)
        session.commit()
    assert not _run().cached
    assert fake_ai.request_count("alpha") == 2
    with Session(db.get_engine()) as session:
        entry = session.exec(select(AICacheEntry)).one()
        entry.expires_at = utcnow() - timedelta(seconds=1)
        session.add(entry)
        session.commit()
    assert purge_expired_entries() == 1


def test_cache_can_be_bypassed_or_disabled(ai_env, fake_ai):
    ai_env.use_providers(fake_ai, "alpha")
    fake_ai.set_default_content("alpha", VALID_CRUNCHBASE)
    _run()
    assert not _run(use_cache=False).cached
    ai_env.set(ai_cache_ttl_seconds=0)
    assert not _run().cached
    assert fake_ai.request_count("alpha") == 3


def test_failures_are_never_cached(ai_env, fake_ai):
    ai_env.use_providers(fake_ai, "alpha")
    ai_env.set(ai_max_retries=0)
    fake_ai.script("alpha", Behaviour.failure(500))
    with pytest.raises(ai.AIStepFailed):
        _run()
    fake_ai.script("alpha", Behaviour.content_reply(VALID_CRUNCHBASE))
    assert not _run().cached


def test_unreachable_redis_degrades_to_no_cache(ai_env, fake_ai):
    ai_env.use_providers(fake_ai, "alpha")
    ai_env.set(redis_url="redis://127.0.0.1:1/0")
    fake_ai.set_default_content("alpha", VALID_CRUNCHBASE)
    assert not _run().cached and not _run().cached
    assert fake_ai.request_count("alpha") == 2


@pytest.mark.redis
def test_redis_cache_serves_identical_prompts(ai_env, fake_ai):
    require_redis(REDIS_URL)
    import redis

    ai_env.use_providers(fake_ai, "alpha")
    ai_env.set(redis_url=REDIS_URL, ai_cache_ttl_seconds=120)
    client = redis.Redis.from_url(REDIS_URL)
    before = set(client.scan_iter(f"{redis_prefix()}*"))
    try:
        _assert_second_run_is_free(ai_env, fake_ai)
        created = set(client.scan_iter(f"{redis_prefix()}*")) - before
        assert len(created) == 1
        assert 0 < client.ttl(next(iter(created))) <= 120
        with Session(db.get_engine()) as session:
            assert session.exec(select(AICacheEntry)).all() == []
    finally:
        for key in set(client.scan_iter(f"{redis_prefix()}*")) - before:
            client.delete(key)
