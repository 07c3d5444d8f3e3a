"""Ranking quality on real data: YC startups 2005-2014 (../shared/data) and the demo set."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from scraper_services.common.demo_catalogue import load_demo_companies
from scraper_services.common.import_dataset import read_startups_csv
from scraper_services.common.similarity import MiniLMSimilarity, TfidfSimilarity
from scraper_services.common.similarity_quality import idea_ranking, yc_precision_at_k
from scraper_services.crunchbase.app import create_app
from tests.scraper_fixtures import AUTH, YC_STARTUPS_CSV, make_settings

pytestmark = pytest.mark.integration


def test_yc_csv_is_read_completely():
    companies = read_startups_csv(YC_STARTUPS_CSV)
    assert len(companies) > 600
    zencoder = next(c for c in companies if c.name == "Zencoder")
    assert zencoder.status == "acquired" and zencoder.total_funding_usd == 2_000_000
    assert "SaaS" in zencoder.categories


def test_tfidf_finds_same_category_neighbours_far_above_chance():
    precision, baseline = yc_precision_at_k(TfidfSimilarity(), read_startups_csv(YC_STARTUPS_CSV))
    assert precision >= 0.11 and precision >= 3 * baseline


def test_tfidf_finds_expected_competitors_for_startup_ideas():
    # On the ~1,000-company data set (was 272) TF-IDF alone gets 0.5 / 0.42; MiniLM 0.88 / 0.75.
    hit_rate, mrr = idea_ranking(TfidfSimilarity(), load_demo_companies())
    assert hit_rate >= 0.5 and mrr >= 0.4


def test_minilm_is_better_on_ideas_and_the_hybrid_service_serves_searches(tmp_path):
    # The numpy MiniLM (no torch): always installed, never skipped.
    model = MiniLMSimilarity()
    assert model.name == "minilm"
    hit_rate, mrr = idea_ranking(model, load_demo_companies())
    tfidf_hit_rate, tfidf_mrr = idea_ranking(TfidfSimilarity(), load_demo_companies())
    assert hit_rate >= tfidf_hit_rate and mrr > tfidf_mrr
    with TestClient(create_app(make_settings(tmp_path), rate_limit_per_minute=1000)) as client:
        assert client.get("/health").json()["similarity_backend"] == "hybrid"
        body = {"keywords": ["meditation", "mental health"], "target_description": "sleep app"}
        result = client.post("/search/crunchbase/top-similar-with-rank", json=body, headers=AUTH)
    assert result.status_code == 200
    assert result.json()["metadata"]["similarity_backend"] == "hybrid"
    assert result.json()["top_companies_full_data"][0]["name"] in {"Calm", "Headspace", "Oura"}


def test_minilm_finds_same_category_yc_neighbours_at_least_as_well_as_tfidf():
    yc = read_startups_csv(YC_STARTUPS_CSV)
    precision, baseline = yc_precision_at_k(MiniLMSimilarity(), yc)
    tfidf_precision, _ = yc_precision_at_k(TfidfSimilarity(), yc)
    assert precision >= 3 * baseline and precision >= 0.9 * tfidf_precision
