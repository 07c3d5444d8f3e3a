"""Building blocks of the market-data services: data set, index, similarity, store, guards."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import timedelta

import pytest

from scraper_services.common.demo_catalogue import DemoCompany, load_demo_companies
from scraper_services.common.guards import RateLimiter
from scraper_services.common.keyword_collection import KeywordCollector, aggregate, unique_keywords
from scraper_services.common.keyword_index import KeywordIndex, stem
from scraper_services.common.money import format_usd, parse_usd_amounts
from scraper_services.common.records import CompanyRecord, utc_now
from scraper_services.common.similarity import TfidfSimilarity, create_similarity
from scraper_services.common.sources import DatasetSource
from scraper_services.common.store import CompanyStore, store_url_for
from scraper_services.common.upstream_http import CircuitBreaker
from scraper_services.crunchbase.app import demo_source as crunchbase_demo
from scraper_services.tracxn.app import demo_source as tracxn_demo


def test_demo_data_set_is_varied_and_well_formed():
    companies = load_demo_companies()
    assert len(companies) >= 900  # one file per sector in demo_data/sectors/ (more are coming)
    assert len({c.slug for c in companies}) == len(companies)
    for company in companies:
        assert company.description and len(company.description) > 40
        assert company.categories and company.website and company.website.startswith("https://")
        assert company.status in {"operating", "public", "acquired", "closed"}
    sectors = Counter(c.sector for c in companies)
    assert len(sectors) >= 35 and "" not in sectors
    assert min(sectors.values()) >= 20, sectors.most_common()[-3:]
    for sector in ("payments", "food-delivery", "developer-tools", "ride-hailing", "pet-care"):
        assert sectors[sector] >= 20, sector
    tags = Counter(tag for c in companies for tag in c.categories)
    for tag in ("Payments", "Food Delivery", "Developer Tools", "Marketplace"):
        assert tags[tag] >= 20, tag


def test_derived_rank_and_score_are_deterministic_and_follow_prominence():
    big = DemoCompany(name="Big", description="x", total_funding_usd=5e9, founded_year=2010)
    small = DemoCompany(name="Small", description="x", total_funding_usd=2e6, founded_year=2020)
    assert big.cb_rank < small.cb_rank
    assert big.tracxn_score > small.tracxn_score
    assert 0 <= small.tracxn_score <= 100
    again = DemoCompany(name="Big", description="x", total_funding_usd=5e9, founded_year=2010)
    assert (again.cb_rank, again.tracxn_score, again.tracxn_id) == (
        big.cb_rank,
        big.tracxn_score,
        big.tracxn_id,
    )


def test_money_formatting_and_parsing():
    assert format_usd(9.4e9) == "$9.4B"
    assert format_usd(120e6) == "$120M"
    assert format_usd(None) == "N/A"
    assert parse_usd_amounts("$1200000, undisclosed amount") == 1_200_000
    assert parse_usd_amounts("$3,000,000, $2.5M") == 5_500_000
    assert parse_usd_amounts("undisclosed") is None


def test_stemmer_and_keyword_index():
    assert stem("payments") == stem("payment")
    assert stem("companies") == "company"
    assert stem("delivering") == stem("delivery") == stem("delivered")
    assert stem("groceries") == stem("grocery")
    index = crunchbase_demo().index
    names = [r.name for r in index.search("food delivery", 30)]
    assert {"DoorDash", "Deliveroo"} <= set(names)
    assert len(names) == 30 and "Stripe" not in names
    assert index.search("Pet AND Care", 5)
    assert index.search("   ", 5) == []
    assert index.find(url="https://www.stripe.com/").name == "Stripe"
    assert index.find(name="Door Dash").name == "DoorDash"
    assert index.find(name="Door Dish") is None
    assert index.find(name="DoorDash").name == "DoorDash"


@pytest.mark.parametrize(
    ("keywords", "target", "expected"),
    [
        (
            ["food delivery", "meal kit"],
            "app delivering restaurant meals",
            {"Deliveroo", "DoorDash", "Just Eat Takeaway", "Swiggy", "Meituan"},
        ),
        (["language learning"], "mobile app that teaches languages with games", {"Duolingo"}),
        (["payments api"], "developer API for accepting card payments online", {"Stripe"}),
        (["dog walking", "pet care"], "marketplace of trusted dog walkers", {"Rover", "Wag!"}),
        (
            ["ride hailing", "taxi"],
            "app to hail a taxi or a private driver",
            {"99", "Cabify", "FREENOW", "Uber", "Bolt", "Lyft"},
        ),
    ],
)
def test_typical_ideas_find_sensible_competitors(keywords, target, expected):
    source = crunchbase_demo()
    found = {r.key: r for k in keywords for r in source.index.search(k, 10)}
    model = TfidfSimilarity()
    model.fit((r.key, r.similarity_text) for r in source.records)
    records = list(found.values())
    scores = model.score(target, [(r.key, r.similarity_text) for r in records])
    top = [r.name for _, r in sorted(zip(scores, records, strict=True), key=lambda p: -p[0])[:3]]
    assert expected & set(top), top


def test_tfidf_similarity_caches_and_refits():
    model = create_similarity("tfidf")
    model.fit(
        [("p", "online payments for merchants"), ("f", "food delivery app"), ("l", "languages")]
    )
    documents = [("a", "card payments api for online merchants"), ("b", "groceries delivered fast")]
    first = model.score("payments api for online shops", documents)
    assert first[0] > first[1] >= 0.0
    assert model.score("payments api for online shops", documents) == first
    many = [(f"n{i}", f"novel term{i} words") for i in range(80)]
    model.score("novel words", many)  # enough unseen text to trigger a refit
    assert all(0.0 <= s <= 1.0 for s in model.score("novel term3", many))
    with pytest.raises(ValueError):
        create_similarity("word2vec")


def test_rate_limiter_sliding_window():
    now = [0.0]
    limiter = RateLimiter(2, window=60, clock=lambda: now[0])
    assert limiter.check("a") is None and limiter.check("a") is None
    assert limiter.check("a") == pytest.approx(60)
    assert limiter.check("b") is None
    now[0] = 61
    assert limiter.check("a") is None


def test_circuit_breaker_opens_then_half_opens():
    now = [0.0]
    breaker = CircuitBreaker(failure_threshold=2, reset_seconds=10, clock=lambda: now[0])
    breaker.record_failure()
    assert breaker.state == "closed"
    breaker.record_failure()
    assert breaker.state == "open" and not breaker.allow()
    now[0] = 11
    assert breaker.state == "half-open"
    assert breaker.allow() and not breaker.allow()  # one trial at a time
    breaker.record_failure()
    assert breaker.state == "open"
    now[0] = 22
    assert breaker.allow()
    breaker.record_success()
    assert breaker.state == "closed"


def _store(tmp_path, service="crunchbase") -> CompanyStore:
    store = CompanyStore(store_url_for("", tmp_path, service), service)
    store.create()
    return store


def test_store_roundtrip_lookup_and_searches(tmp_path):
    store = _store(tmp_path)
    records = tracxn_demo().records[:5]
    assert store.upsert(records) == 5 and store.upsert(records) == 5
    assert store.count() == 5
    got = store.get_many([records[0].key, "missing"])
    assert list(got) == [records[0].key]
    assert got[records[0].key].tracxn_score == records[0].tracxn_score
    assert store.find(name=records[1].name.upper()).key == records[1].key
    assert store.find(url=records[2].key).key == records[2].key
    assert store.find(url=records[2].website).key == records[2].key
    store.save_search("  Food Delivery ", 10, [records[0].key])
    cached = store.get_search("food delivery")
    assert cached.keys == [records[0].key] and cached.result_limit == 10
    assert cached.age_days() < 0.01
    assert store.ping() and store.backend == "sqlite"
    store.dispose()


class CountingSource(DatasetSource):
    def __init__(self, records):
        super().__init__(records)
        self.searches, self.fetches = 0, 0

    async def search(self, keyword, limit):
        self.searches += 1
        return await super().search(keyword, limit)

    async def fetch(self, key):
        self.fetches += 1
        return await super().fetch(key)


def test_collector_serves_fresh_from_store_and_refetches_stale(tmp_path):
    store = _store(tmp_path)
    source = CountingSource(crunchbase_demo().records)
    collector = KeywordCollector(source, store)

    async def scenario():
        first = await collector.search_keyword("food delivery", 5, max_age_days=15)
        assert (first.fetched, first.from_store, source.searches) == (5, 0, 1)
        second = await collector.search_keyword("food delivery", 5, max_age_days=15)
        assert (second.from_store, source.searches, source.fetches) == (5, 1, 0)
        assert [r.key for r in second.records] == [r.key for r in first.records]
        smaller = await collector.search_keyword("food delivery", 3, max_age_days=15)
        assert smaller.from_store == 3 and source.searches == 1
        bigger = await collector.search_keyword("food delivery", 8, max_age_days=15)
        assert bigger.fetched == 8 and source.searches == 2
        stale = first.records[0].model_copy(update={"fetched_at": utc_now() - timedelta(days=30)})
        store.upsert([stale])
        again = await collector.search_keyword("food delivery", 5, max_age_days=15)
        assert (again.from_store, again.fetched, source.fetches) == (4, 1, 1)
        always = await collector.search_keyword("food delivery", 5, max_age_days=0)
        assert always.fetched == 5 and source.searches == 3

    asyncio.run(scenario())
    store.dispose()


def test_aggregate_counts_appearances_and_unique_keywords():
    a = CompanyRecord(key="a", name="A")
    b = CompanyRecord(key="b", name="B")
    from scraper_services.common.keyword_collection import KeywordOutcome

    candidates = aggregate([KeywordOutcome("x", [a, b]), KeywordOutcome("y", [a])])
    assert [(c.record.key, c.appearance_count, c.keywords) for c in candidates] == [
        ("a", 2, ["x", "y"]),
        ("b", 1, ["x"]),
    ]
    assert unique_keywords([" AI  tools", "ai tools", "", "Fintech"]) == ["AI tools", "Fintech"]


def test_keyword_index_handles_an_empty_catalogue():
    index = KeywordIndex([])
    assert index.search("anything", 3) == [] and index.find(name="x") is None


def test_tfidf_without_a_corpus_fits_on_first_use():
    model = create_similarity("tfidf")
    model.fit([])
    assert model.score("the and of", [("a", "the of")]) == [0.0]
    scores = model.score("dog walking", [("a", "dog walking app"), ("b", "tax software")])
    assert scores[0] > scores[1]
