"""AI call records and the DB cache on PostgreSQL (an isolated schema per test)."""

from __future__ import annotations

import os
import uuid

import psycopg
import pytest
from sqlmodel import SQLModel

from marketnav import db
from marketnav.models.ai import AICacheEntry, AICallRecord
from marketnav.services import ai
from marketnav.services.ai.cache import purge_expired_entries
from tests import ai_fixtures
from tests.ai_fixtures import SAMPLE_INPUTS, VALID_CRUNCHBASE

ai_env = ai_fixtures.ai_env
fake_ai = ai_fixtures.fake_ai
openai_server = ai_fixtures.openai_server

pytestmark = [pytest.mark.integration, pytest.mark.postgres]
ADMIN_DSN = "postgresql://postgres@127.0.0.1:5432/test"


@pytest.fixture
def pg_schema(ai_env):
    try:
        admin = psycopg.connect(ADMIN_DSN, autocommit=True, connect_timeout=3)
    except psycopg.OperationalError:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("PostgreSQL is required in CI")
        pytest.skip("PostgreSQL not reachable")
    schema = f"ai_test_{uuid.uuid4().hex[:10]}"
    admin.execute(f'CREATE SCHEMA "{schema}"')
    ai_env.set(database_url=f"{ADMIN_DSN}?options=-csearch_path%3D{schema}")
    engine = db.get_engine()
    SQLModel.metadata.create_all(engine, tables=[AICallRecord.__table__, AICacheEntry.__table__])
    try:
        yield schema
    finally:
        engine.dispose()
        admin.execute(f'DROP SCHEMA "{schema}" CASCADE')
        admin.close()


def test_records_cache_and_summary_on_postgres(ai_env, fake_ai, pg_schema):
    ai_env.use_providers(fake_ai, "alpha")
    fake_ai.set_default_content("alpha", VALID_CRUNCHBASE)
    context = ai.CallContext(subject_type="report", subject_id=77, organization_id=2)
    first = ai.generate_crunchbase_keywords(SAMPLE_INPUTS, context=context)
    second = ai.generate_crunchbase_keywords(SAMPLE_INPUTS, context=context)
    assert not first.cached and second.cached
    assert fake_ai.request_count("alpha") == 1
    usage = ai.calls_for_subject("report", 77)
    assert usage.total_calls == 2 and usage.cached_calls == 1
    summary = ai.usage_summary(organization_id=2)
    assert summary.total_calls == 2 and summary.cached_calls == 1 and summary.failed_calls == 0
    assert purge_expired_entries() == 0
