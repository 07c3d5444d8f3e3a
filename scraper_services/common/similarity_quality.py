"""Measuring how well a similarity model finds real competitors (used by tests and bench/).

Two measures, descriptions only (categories are the labels, so they are kept out of the text):
- YC startups 2005-2014: each company's description is a query against all other companies;
  a hit is a neighbour sharing a specific category (generic ones like "Software" or
  "Curated Web" do not count). Reported: precision@10 and the random-ranking baseline.
- Bundled demo set: startup ideas phrased in the founders' words (not the data set's) with the
  competitors one would expect; reported: hit rate@5 and mean reciprocal rank.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass

from scraper_services.common.demo_catalogue import DemoCompany
from scraper_services.common.similarity import SimilarityModel

GENERIC_CATEGORIES = frozenset(
    {
        "Curated Web", "Software", "Mobile", "Internet", "Enterprise Software", "SaaS",
        "Web Development", "Hardware + Software", "Startups", "Technology", "Apps",
        "Web Tools", "Consumer Internet", "Services", "Web Hosting", "Android", "iOS",
        "iPhone", "Social Media", "Analytics", "Big Data", "Cloud Computing",
    }
)  # fmt: skip

IDEAS: tuple[tuple[str, frozenset[str]], ...] = (
    ("an app where people order dinner from nearby restaurants and a courier brings it",
     frozenset({"DoorDash", "Deliveroo", "Grubhub", "Wolt", "Glovo", "Swiggy", "Zomato",
                "Just Eat Takeaway", "Uber"})),
    ("boxes with recipes and fresh ingredients sent weekly so families cook at home",
     frozenset({"HelloFresh", "Blue Apron"})),
    ("learn spanish or french on your phone with short playful daily exercises",
     frozenset({"Duolingo", "Babbel", "Preply"})),
    ("let online shops take credit cards through a simple developer API",
     frozenset({"Stripe", "Adyen", "Checkout.com", "Block"})),
    ("find someone trustworthy to look after your dog while you travel",
     frozenset({"Rover", "Wag!", "Care.com"})),
    ("suck carbon dioxide out of the atmosphere and lock it away",
     frozenset({"Climeworks", "Pachama"})),
    ("talk to a licensed therapist over video or chat from home",
     frozenset({"Talkspace", "BetterHelp", "Cerebral", "Lyra Health", "Spring Health",
                "Modern Health", "Headspace"})),
    ("split a purchase at checkout into four interest-free payments",
     frozenset({"Klarna", "Affirm"})),
    ("rent strangers' spare rooms and apartments for your holiday",
     frozenset({"Airbnb"})),
    ("get a ride across town from a driver using your smartphone",
     frozenset({"Uber", "Lyft", "Bolt", "Grab", "Ola", "BlaBlaCar", "Via"})),
    ("robot cars that drive passengers around with nobody behind the wheel",
     frozenset({"Waymo", "Cruise", "Nuro"})),
    ("chatbot that writes essays and answers questions using a large language model",
     frozenset({"OpenAI", "Anthropic", "Cohere", "Mistral AI", "Perplexity", "Character.AI"})),
    ("track which servers are slow and alert engineers when the website breaks",
     frozenset({"Datadog", "Sentry", "Grafana Labs"})),
    ("sell your used clothes to other people online",
     frozenset({"Vinted", "Poshmark", "ThredUp"})),
    ("a card for company employees with automatic expense reports",
     frozenset({"Brex", "Ramp", "Navan"})),
    ("grow lettuce indoors stacked in warehouses under led lights",
     frozenset({"Plenty", "Bowery Farming"})),
    ("pay remote workers in other countries legally",
     frozenset({"Deel", "Rippling", "Gusto"})),
    ("homework answers and tutoring for students",
     frozenset({"Chegg", "Brainly", "Quizlet", "Khan Academy", "Byju's"})),
)  # fmt: skip


@dataclass(frozen=True)
class QualityFigures:
    name: str
    yc_precision_at_10: float
    yc_random_baseline: float
    ideas_hit_rate_at_5: float
    ideas_mrr: float


def _specific(company: DemoCompany) -> frozenset[str]:
    return frozenset(c for c in company.categories if c not in GENERIC_CATEGORIES)


def yc_precision_at_k(
    model: SimilarityModel, companies: Sequence[DemoCompany], k: int = 10
) -> tuple[float, float]:
    """Mean share of the top-k neighbours sharing a specific category, and a random baseline."""
    documents = [(c.slug, c.description) for c in companies]
    labels = [_specific(c) for c in companies]
    model.fit(documents)
    queries = [i for i, label in enumerate(labels) if label]
    rng = random.Random(7)
    precision = baseline = 0.0
    for i in queries:
        scores = model.score(companies[i].description, documents)
        order = sorted((j for j in range(len(companies)) if j != i), key=lambda j: -scores[j])
        precision += sum(1 for j in order[:k] if labels[i] & labels[j]) / k
        sample = rng.sample([j for j in range(len(companies)) if j != i], k)
        baseline += sum(1 for j in sample if labels[i] & labels[j]) / k
    return precision / len(queries), baseline / len(queries)


def idea_ranking(
    model: SimilarityModel, companies: Sequence[DemoCompany], k: int = 5
) -> tuple[float, float]:
    """Hit rate@k and mean reciprocal rank of the expected competitors for each idea.

    Ideas none of whose competitors are in `companies` are left out (the data set changes)."""
    documents = [(c.slug, c.description) for c in companies]
    model.fit(documents)
    present = {c.name for c in companies}
    ideas = [(idea, expected) for idea, expected in IDEAS if expected & present]
    hits = reciprocal = 0.0
    for idea, expected in ideas:
        scores = model.score(idea, documents)
        order = sorted(range(len(companies)), key=lambda j: -scores[j])
        names = [companies[j].name for j in order]
        first = next((rank for rank, name in enumerate(names, 1) if name in expected), None)
        hits += 1 if first is not None and first <= k else 0
        reciprocal += 1 / first if first else 0
    return hits / len(ideas), reciprocal / len(ideas)


def measure(
    model: SimilarityModel, yc: Sequence[DemoCompany], demo: Sequence[DemoCompany]
) -> QualityFigures:
    precision, baseline = yc_precision_at_k(model, yc)
    hit_rate, mrr = idea_ranking(model, demo)
    return QualityFigures(model.name, precision, baseline, hit_rate, mrr)
