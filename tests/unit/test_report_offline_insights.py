"""Offline computations of Social, Verdict and Pitch deck: keywords, posts, axes, slides, data."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from marketnav.services.ai import ProjectInputsData, SocialKeywords, offline
from marketnav.services.reports import social_insights as si
from marketnav.services.reports import verdict_axes as axes
from marketnav.services.reports import verdict_offline as vo
from marketnav.services.reports.catalog import PITCH_SLIDES, SOCIAL_CATEGORIES
from marketnav.services.reports.pipelines.pitch_deck import (
    PitchDeckDraft,
    SlideDraft,
    deck_data,
    offline_deck,
)
from marketnav.services.reports.source_data import (
    Company,
    SourceData,
    companies_from_raw,
    company_from_item,
    posts_from_raw,
)
from marketnav.services.reports.verdict_data import VerdictData
from tests.ai_fixtures import SAMPLE_INPUTS


def post(text: str, likes: int = 10, post_id: str | None = None, **extra) -> dict:
    return {
        "id": post_id or str(abs(hash(text))),
        "text": text,
        "likes": likes,
        "retweets": 0,
        "replies": 0,
        "author": {"username": "someone"},
        "created_at": "2025-01-02T00:00:00Z",
        **extra,
    }


# -- social keywords -------------------------------------------------------------------------


def test_offline_social_keywords_come_from_the_inputs():
    keywords = offline.social_keywords(ProjectInputsData(**SAMPLE_INPUTS)).keywords
    assert keywords == ["meal kit", "#mealkit", "busy families"]
    pets = ProjectInputsData(
        startup_name="PawPal",
        startup_description="PawPal connects dog owners with vetted local dog walkers and "
        "pet sitters.",
    )
    first, tag, third = offline.social_keywords(pets).keywords
    assert tag == "#" + first.replace(" ", "") and "dog" in first
    assert not set(third.split()) & set(first.split())


def test_offline_social_keywords_with_almost_no_input():
    keywords = offline.social_keywords(ProjectInputsData(startup_description="Quantum.")).keywords
    assert keywords[:2] == ["quantum", "#quantum"] and len(keywords) == 3


def test_social_keywords_model_validation():
    assert SocialKeywords(keywords=["a b", "#ab", "c", "d"]).keywords == ["a b", "#ab", "c"]
    assert SocialKeywords(keywords=["Meal kit", "meal kit", "#x", "y"]).keywords == [
        "Meal kit",
        "#x",
        "y",
    ]
    with pytest.raises(ValidationError, match="need 3 distinct"):
        SocialKeywords(keywords=["meal kit", "#mealkit"])
    with pytest.raises(ValidationError, match="1-4 plain words"):
        SocialKeywords(keywords=["one two three four five", "a", "b"])
    with pytest.raises(ValidationError, match="1-4 plain words"):
        SocialKeywords(keywords=["from:elon", "a", "b"])


# -- social insights -------------------------------------------------------------------------


def test_cues_are_whole_words_unless_starred():
    assert si.matched_cues("So frustrating!", ("frustrat*",)) == ["frustrat"]
    assert si.matched_cues("I pay monthly", ("pay",)) == ["pay"]
    assert si.matched_cues("payroll software", ("pay",)) == []
    assert si.matched_cues("as a nurse", ("as a", "nurse")) == ["as a", "nurse"]


@pytest.mark.parametrize(
    ("text", "sentiment"),
    [
        ("I love it, great app", "positive"),
        ("terrible and slow", "negative"),
        ("not great", "negative"),  # negation flips
        ("It is a kit", "neutral"),
        ("love it but the price is ridiculous and expensive", "negative"),
    ],
)
def test_lexicon_sentiment(text, sentiment):
    assert si.sentiment_of(text) == sentiment


def test_category_evidence_counts_posts_and_cues():
    posts = [
        post("Wish it had a dark mode. Please add export", post_id="1"),
        post("Love it", post_id="2"),
        post("Would love an integration with my calendar", likes=90, post_id="3"),
    ]
    evidence = si.category_evidence("feature_demand", posts)
    assert [p["id"] for p in evidence.posts] == ["1", "3"]
    assert evidence.share == pytest.approx(2 / 3)
    assert evidence.cue_counts["wish"] == 1 and evidence.cue_counts["integrat"] == 1
    assert evidence.top_posts[0]["id"] == "3"  # most engaging first
    sentiment = si.category_evidence("sentiment", posts)
    assert [p["id"] for p in sentiment.posts] == ["2", "3"]


def test_offline_category_section_is_grounded_in_the_posts():
    posts = [
        post("Cancelled after the price went to $19.99 a month", likes=50),
        post("Paying $9 per serving is fine", likes=5),
        post("Nice colours"),
    ]
    text = si.offline_category_markdown("willingness_to_pay", posts, "Demo data set")
    assert text.startswith("_Offline analysis")
    bullets = [line for line in text.splitlines() if line.startswith("- ")]
    assert 3 <= len(bullets) <= 6
    assert "**2 of 3 posts (67%)**" in bullets[0]
    assert "$19.99" in text and "$9" in text
    assert '"Cancelled after the price went to $19.99 a month"' in bullets[1]


def test_no_evidence_in_dataset():
    text = si.offline_category_markdown("user_roles", [post("Nice colours")], "Demo data set")
    assert "No evidence in dataset: none of the 1 posts touches on user roles" in text
    empty = si.offline_category_markdown("sentiment", [], "Demo data set")
    assert "No evidence in dataset" in empty


@pytest.mark.parametrize("count", [0, 1, 12])
def test_cross_cutting_is_always_ten_numbered_insights(count):
    posts = [post(f"meal kit {i} too expensive at $10", post_id=str(i)) for i in range(count)]
    text = si.offline_cross_cutting(posts, ["meal kit"], {"meal kit": count}, "Demo data set")
    numbered = [line for line in text.splitlines() if line[:1].isdigit()]
    assert [line.split(".")[0] for line in numbered] == [str(n) for n in range(1, 11)]
    if not count:
        assert "No evidence in dataset" in numbered[0]
    assert "Demo data set" in numbered[-1]


def test_every_category_has_cues_or_is_sentiment():
    for key, _, _ in SOCIAL_CATEGORIES:
        assert si.CATEGORY_CUES[key] or key == "sentiment"


# -- verdict offline axes --------------------------------------------------------------------


def social_source(posts: list[dict], label: str = "Demo data set") -> SourceData:
    return SourceData(report_type="social", run_id=1, version=1, posts=posts, source_label=label)


def market_source(kind: str, companies: list[Company], found: int | None = None) -> SourceData:
    return SourceData(
        report_type=kind,
        run_id=2,
        version=1,
        companies=companies,
        companies_found=found if found is not None else len(companies),
    )


def data(posts=None, companies=None, found=None, inputs=None) -> VerdictData:
    return VerdictData(
        inputs=inputs or dict(SAMPLE_INPUTS),
        sources={
            "crunchbase": market_source("crunchbase", companies, found)
            if companies is not None
            else None,
            "tracxn": None,
            "social": social_source(posts) if posts is not None else None,
        },
    )


def test_demand_from_volume_engagement_pain_and_intent():
    posts = [post("so frustrating, I hate the delivery", likes=99)] * 20 + [
        post("would love an app, worth $10", likes=99)
    ] * 10
    score = axes.demand(data(posts=posts))
    # volume 30/60*35 = 17.5; engagement log10(100)/2*25 = 25; pain 20/30=67% -> 25;
    # intent (10/30 + 10/30) = 67% -> 15: 82.5 -> 82 (banker's rounding).
    assert score.score == 82
    assert score.classification == "Acute" and score.confidence == "medium"
    assert "volume 17.5/35" in score.reasoning and "= 82" in score.reasoning


def test_demand_is_latent_without_enough_pain_and_unknown_without_posts():
    calm = [post("nice kit", likes=1)] * 20
    assert axes.demand(data(posts=calm)).classification == "Latent"
    empty = axes.demand(data(posts=[]))  # 0 posts: no evidence, unknown (not 0)
    assert (empty.score, empty.classification) == (None, "Unknown")
    missing = axes.demand(data(companies=[]))
    assert (missing.score, missing.classification) == (None, "Unknown")


def test_competition_penalises_crowding_incumbents_and_concentration():
    companies = [Company(name=f"Big {i}", funding_usd=100e6) for i in range(5)]
    score = axes.competition(data(companies=companies, found=25))
    # 100 - 35 (25 companies) - 30 (5 with $50M+) - 3 (HHI 0.2 x 15) = 32
    assert score.score == 32
    assert score.classification == "Crowded with funded incumbents"
    open_market = axes.competition(data(companies=[Company(name="Tiny", funding_usd=1e6)]))
    # 100 - 1.4 - 0 - 15 (one funded company: HHI 1) = 83.6 -> 84
    assert open_market.score == 84 and open_market.classification == "Concentrated"
    assert axes.competition(data(posts=[])).score is None  # no company data: unknown


def test_differentiation_from_description_overlap():
    inputs = dict(SAMPLE_INPUTS)
    twin = Company(name="Twin", description=inputs["startup_description"])
    far = Company(name="Far", description="Industrial welding robots for shipyards")
    commodity = axes.differentiation(data(companies=[twin], posts=[], inputs=inputs))
    distinct = axes.differentiation(data(companies=[far], posts=[], inputs=inputs))
    assert commodity.classification == "Commodity" and distinct.classification.startswith(
        "Distinct"
    )
    assert distinct.score > commodity.score


def test_economics_without_pricing_signal_and_with_price_points():
    none = axes.economics(data(posts=[post("love it")], companies=[]))
    assert none.classification == "Unproven (no pricing signal)" and none.confidence == "low"
    prices = [post("$10 a month"), post("$12 is steep"), post("paid $15")]
    priced = axes.economics(data(posts=prices, companies=[Company(name="A", funding_usd=30e6)]))
    # 20 + 30 (100% price talk) + 15 (3 amounts) + 20 (median $30M) = 85
    assert priced.score == 85 and priced.classification == "Price points observed"


def test_feasibility_penalises_undeclared_breakthroughs():
    comparables = [Company(name=f"C{i}", founded_year=2010, funding_usd=1e6) for i in range(5)]
    plain = axes.feasibility(data(companies=comparables))
    claim_inputs = {**SAMPLE_INPUTS, "startup_description": "A revolutionary quantum meal kit"}
    claims = axes.feasibility(data(companies=comparables, inputs=claim_inputs))
    # 40 + 30 + 10 (mvp) + 10 (mature) = 90; the claims cost 25.
    assert (plain.score, claims.score) == (90, 65)
    assert claims.classification.startswith("Novel build")


def test_offline_risks_and_roadmap():
    # Empty sources are data gaps, not risks: no killer risk from 0 posts.
    empty = vo.risks(data(posts=[], companies=[]), {})
    assert empty.killer_risks == [] and empty.major_risks == []
    assert len(empty.data_gaps) >= 2
    mega = Company(name="Mega", description=SAMPLE_INPUTS["startup_description"], funding_usd=2e9)
    risks = vo.risks(
        data(posts=[post("nice")], companies=[mega]),
        {"differentiation": {"classification": "Commodity"}},
    )
    assert [r.title for r in risks.killer_risks] == [
        "Commodity offer against a mega-funded incumbent"
    ]
    assert risks.killer_risks[0].risk_id == "K1"
    assert any(r.title == "Willingness to pay unvalidated" for r in risks.major_risks)
    scores = {"demand": 10, "competition": 50, "differentiation": 50, "economics": 10}
    roadmap = vo.roadmap({**scores, "feasibility": 60}, risks)
    # Ties go to the heavier axis: demand (25%) before economics (20%).
    assert "Demand" in roadmap.seven_day_sprint.objective
    assert [m.week for m in roadmap.thirty_day_sprint.weekly_milestones] == [1, 2, 3, 4]
    assert roadmap.abort_conditions[0].startswith("K1: Commodity offer")


def test_verdict_data_round_trips_through_json():
    original = data(posts=[post("hi $5")], companies=[Company(name="A", funding_usd=2e6)])
    again = VerdictData.from_json(original.to_json())
    assert again.available == ["crunchbase", "social"] and again.missing == ["tracxn"]
    assert again.pricing_signal and again.price_points() == ["$5"]


# -- source data parsing ---------------------------------------------------------------------


def test_company_from_every_known_shape():
    crunchbase = company_from_item(
        {
            "name": "HelloFresh",
            "company_data": {
                "About": "Meal kits",
                "Total Funding Amount": "$1.9B",
                "CB Rank": 1200,
                "Headquarters": "Berlin, Germany",
                "Founded Year": 2011,
                "Industry Tags": ["Food", "N/A"],
            },
        }
    )
    assert (crunchbase.funding_usd, crunchbase.rank, crunchbase.country) == (1.9e9, 1200, "Germany")
    assert crunchbase.tags == ["Food"] and crunchbase.founded_year == 2011
    tracxn = company_from_item(
        {
            "name": "Wolt",
            "tracxn_score": 71.5,
            "full_data": [
                {"section": "about", "data": {"description": "Delivery"}},
                {"section": "company_basic_details", "data": {"location": "Helsinki, Finland"}},
                {"section": "funding_and_investors", "data": {"total_equity_funding_usd": 8e8}},
            ],
        }
    )
    assert (tracxn.description, tracxn.funding_usd, tracxn.score, tracxn.country) == (
        "Delivery",
        8e8,
        71.5,
        "Finland",
    )
    facts = company_from_item({"name": "X", "funding_usd": 5e6, "country": "France"})
    assert (facts.funding_usd, facts.country) == (5e6, "France")
    assert company_from_item({"description": "no name"}) is None


def test_companies_from_raw_merges_top_and_all_companies():
    raw = {
        "top_companies": [{"name": "A", "company_data": {"Total Funding Amount": "$5M"}}],
        "all_companies": [{"name": "a", "description": "first"}, {"name": "B"}],
        "metadata": {"all_companies_count": 30},
    }
    companies, found = companies_from_raw(raw)
    assert [(c.name, c.funding_usd, c.description) for c in companies] == [
        ("A", 5e6, "first"),
        ("B", None, ""),
    ]
    assert found == 30
    assert companies_from_raw([{"name": "Only"}])[1] == 1


def test_posts_from_the_predecessor_tweet_shape():
    posts = posts_from_raw(
        [
            {
                "id": 9,
                "text": "hello",
                "author": {"username": "a", "followers_count": 3},
                "metrics": {"like_count": 4, "retweet_count": 1, "reply_count": 2},
            },
            {"id": 10},  # no text: skipped
        ]
    )
    assert posts == [
        {
            "id": "9",
            "text": "hello",
            "author": {"username": "a", "name": "", "followers": 3},
            "created_at": None,
            "likes": 4,
            "retweets": 1,
            "replies": 2,
            "url": "",
            "source": "",
        }
    ]


# -- pitch deck ------------------------------------------------------------------------------


def slide(title: str, bullets: int = 3) -> dict:
    return {"title": title, "bullets": [f"point {i}" for i in range(bullets)], "notes": "n"}


def test_deck_model_needs_the_ten_titles_and_orders_them():
    reversed_deck = [slide(t.upper()) for t in reversed(PITCH_SLIDES)]
    deck = PitchDeckDraft(slides=reversed_deck)
    assert [s.title for s in deck.slides] == list(PITCH_SLIDES)
    with pytest.raises(ValidationError, match="missing slides: Ask"):
        PitchDeckDraft(slides=[slide(t) for t in PITCH_SLIDES[:-1]])
    with pytest.raises(ValidationError, match="unknown slide title"):
        PitchDeckDraft(slides=[*map(slide, PITCH_SLIDES[:-1]), slide("Appendix")])
    with pytest.raises(ValidationError, match="appears twice"):
        PitchDeckDraft(slides=[*map(slide, PITCH_SLIDES), slide("Team")])


def test_slide_bullets_are_cleaned_and_bounded():
    assert SlideDraft(title="Team", bullets=["- a", "2. b", "• c"]).bullets == ["a", "b", "c"]
    with pytest.raises(ValidationError):
        SlideDraft(title="Team", bullets=["a", "b"])
    with pytest.raises(ValidationError):
        SlideDraft(title="Team", bullets=["a"] * 6)


def test_offline_deck_uses_both_market_sources():
    companies = [
        Company(name="HelloFresh", funding_usd=1.9e9, country="Germany"),
        Company(name="Marley Spoon", funding_usd=2e8, country="Germany"),
    ]
    sources = {
        "crunchbase": market_source("crunchbase", companies, 12),
        "tracxn": market_source("tracxn", [companies[0], Company(name="Gousto")], 8),
        "social": None,
    }
    facts = deck_data(dict(SAMPLE_INPUTS), sources)
    assert facts["market"]["companies_found"] == 12
    assert set(facts["market"]["by_source"]) == {"crunchbase", "tracxn"}
    hello = facts["competitors"][0]
    assert hello["name"] == "HelloFresh" and hello["sources"] == ["Crunchbase", "Tracxn"]
    assert [c["name"] for c in facts["competitors"]][-1] == "Gousto"  # Tracxn-only company
    deck = offline_deck(facts)
    assert [s.title for s in deck.slides] == list(PITCH_SLIDES)
    assert all(3 <= len(s.bullets) <= 5 and s.notes for s in deck.slides)
    landscape = deck.slides[PITCH_SLIDES.index("Competitive Landscape")]
    assert landscape.bullets[0] == "HelloFresh ($1.9B, Crunchbase, Tracxn)"
    assert deck.slides[0].bullets[0].startswith("FreshBox: FreshBox delivers weekly meal kits")
