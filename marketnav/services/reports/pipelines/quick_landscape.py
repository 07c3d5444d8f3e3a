"""The offline Quick Report: the landscape around the project, computed from the companies.

The companies are the close competitors the Crunchbase retrieval returned (the same query and
relevance floor as the Crunchbase and Tracxn reports). From them, and from the project's own
terms, audience and places, this module computes: why each company is close (shared terms and
categories, relevance), the funding spread (unknown funding counted as unknown, never as 0),
white space (project terms, audiences and places no close competitor covers) and what to
research next. Every figure is computed from the companies listed in the report.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from statistics import median

from marketnav.services.ai import OFFLINE_LABEL, ProjectInputsData
from marketnav.services.ai import extraction_vocab as vocab
from marketnav.services.ai.text_terms import PHRASE_BREAKS, content_words, stem, words
from marketnav.services.reports.pipelines.company_facts import (
    MarketCompany,
    cell,
    plural,
    relevance_level,
    relevance_text,
    root,
    roots,
)
from scraper_services.common.contracts import WEB_ORIGIN
from scraper_services.common.money import format_usd

DEMO_ORIGIN = "demo-dataset"
# Words that describe any startup, not this market.
_GENERIC_TEXT = """
platform app apps application service services solution tool software marketplace online
digital customer customers user users monthly fee plus simple easy busy local based aged
vetted trusted updates photo mobile web website book booking per
"""
GENERIC_TERMS = frozenset(_GENERIC_TEXT.split())
NOT_AUDIENCES = frozenset({"company", "companies", "business", "businesses", "user", "users"})
SAME_COUNTRY = {
    "US": "United States",
    "USA": "United States",
    "U.S.": "United States",
    "UK": "United Kingdom",
    "UAE": "United Arab Emirates",
}


@dataclass
class Landscape:
    """The close competitors of one Quick Report run and the project's terms and places."""

    startup: str
    companies: list[MarketCompany]
    terms: dict[str, str]  # root -> the project's own word
    audience_terms: dict[str, str]
    places: list[str]
    named_not_in_data: list[str] = field(default_factory=list)
    floor: float | None = None
    available: bool = True  # False when the market data could not be reached

    # -- facts ---------------------------------------------------------------------------

    def company_roots(self, company: MarketCompany) -> set[str]:
        return roots(" ".join([company.description, *company.tags]))

    def shared_terms(self, company: MarketCompany) -> list[str]:
        mine = self.company_roots(company)
        return [word for key, word in self.terms.items() if key in mine]

    def shared_categories(self, company: MarketCompany) -> list[str]:
        return [t for t in company.tags if roots(t) & set(self.terms)]

    @property
    def funded(self) -> list[MarketCompany]:
        return [c for c in self.companies if c.funding_usd]

    @property
    def undisclosed(self) -> list[MarketCompany]:
        return [c for c in self.companies if not c.funding_usd]

    def players_in(self, place: str) -> list[MarketCompany]:
        """Companies headquartered in a place (a region counts its countries)."""
        wanted = vocab.REGION_COUNTRIES.get(place, frozenset({place}))
        wanted = wanted | {SAME_COUNTRY.get(p, p) for p in wanted}
        return [
            c
            for c in self.companies
            if SAME_COUNTRY.get(c.country, c.country) in wanted or c.city in wanted
        ]

    def uncovered(self, terms: dict[str, str]) -> list[str]:
        covered = set().union(*(self.company_roots(c) for c in self.companies))
        return [word for key, word in terms.items() if key not in covered]

    def crowded(self) -> list[tuple[str, int]]:
        counts = [
            (word, sum(1 for c in self.companies if key in self.company_roots(c)))
            for key, word in self.terms.items()
        ]
        at = max(2, (len(self.companies) + 1) // 2)
        return sorted((t for t in counts if t[1] >= at), key=lambda t: -t[1])

    def origin_note(self) -> str:
        """Where the companies come from (the demo data set said as such)."""
        origins = Counter(
            "demo" if c.origin in ("", DEMO_ORIGIN) else c.origin for c in self.companies
        )
        parts = []
        if origins.get("demo"):
            parts.append(f"{plural(origins['demo'])} from the bundled demo data set")
        for origin, count in origins.items():
            if origin == WEB_ORIGIN:
                parts.append(f"{plural(count)} found on the open web (web discovery)")
            elif origin.startswith("import:"):
                parts.append(f"{plural(count)} from your organisation's import {origin[7:]}")
            elif origin != "demo":
                parts.append(f"{plural(count)} from {origin}")
        return ", ".join(parts)


def _terms_of(text: str, exclude: frozenset[str]) -> dict[str, str]:
    terms: dict[str, str] = {}
    for word in content_words(text):
        if len(word) < 3 or word.isdigit() or word in exclude or word in GENERIC_TERMS:
            continue
        if word in PHRASE_BREAKS:
            continue
        terms.setdefault(root(word), word)
    return terms


def landscape(
    inputs: ProjectInputsData,
    companies: list[MarketCompany],
    named_not_in_data: list[str],
    floor: float | None,
    available: bool = True,
) -> Landscape:
    name_words = frozenset(words(inputs.startup_name))
    # The market's terms: what the startup does and how it earns (audience words apart).
    terms = _terms_of(f"{inputs.startup_description} {inputs.business_model}", name_words)
    audience = {
        k: w
        for k, w in _terms_of(inputs.target_audience, name_words).items()
        if w in vocab.AUDIENCE_NOUNS
    }
    places = list(
        dict.fromkeys(m.group(1) for m in vocab.PLACE_RE.finditer(inputs.geographic_focus))
    )
    return Landscape(
        startup=inputs.startup_name.strip() or "The startup",
        companies=companies,
        terms=terms,
        audience_terms=audience,
        places=places,
        named_not_in_data=named_not_in_data,
        floor=floor,
        available=available,
    )


# -- the sections ----------------------------------------------------------------------------


def _header(land: Landscape) -> list[str]:
    if not land.available:
        source = "the market data service was unreachable, so no companies were compared"
    elif not land.companies:
        source = "no company in the data passed the relevance floor"
    else:
        source = f"computed from {plural(len(land.companies))} ({land.origin_note()})"
    demo = any(c.origin in ("", DEMO_ORIGIN) for c in land.companies)
    warning = " Demo data: not Crunchbase's or Tracxn's live records." if demo else ""
    return [f"_{OFFLINE_LABEL}: {source}; no AI model used.{warning}_", ""]


def _relevance(company: MarketCompany) -> str:
    kind = {2: "direct", 1: "close"}.get(relevance_level(company.similarity), "")
    return relevance_text(company.similarity) + (f" ({kind})" if kind else "")


def _why(land: Landscape, company: MarketCompany) -> str:
    reasons = []
    shared = land.shared_terms(company)
    if shared:
        reasons.append("shares " + ", ".join(f"*{w}*" for w in shared[:5]))
    categories = land.shared_categories(company)
    if categories:
        reasons.append("categories " + ", ".join(categories[:3]))
    if company.named_by_user:
        reasons.append("named by you")
    if not reasons:
        reasons.append("close by meaning only (no shared word)")
    return "; ".join(reasons)


def _funding(company: MarketCompany) -> str:
    if company.funding_usd:
        return format_usd(company.funding_usd)
    return "unknown (found on the web)" if company.web_only else "not disclosed"


def _spread(land: Landscape) -> str:
    funded = sorted(c.funding_usd for c in land.funded if c.funding_usd)
    unknown = len(land.undisclosed)
    if not funded:
        return f"no public funding for any of the {plural(len(land.companies))}"
    text = (
        f"only 1 with public funding ({format_usd(funded[0])}): too few for a median or a range"
        if len(funded) == 1
        else f"median {format_usd(median(funded))} over the {len(funded)} with public funding "
        f"(range {format_usd(funded[0])} to {format_usd(funded[-1])})"
    )
    if unknown:
        text += f"; {unknown} with no public funding (unknown, not counted as zero)"
    return text


def overview(land: Landscape) -> str:
    lines = _header(land)
    if not land.companies:
        lines.append("No close competitor to compare with: see What to Research Next.")
        return "\n".join(lines)
    closest = land.companies[0]
    lines += [
        f"- **Competitors in the data**: {len(land.companies)}"
        + (f", each above the relevance floor {land.floor:.2f}" if land.floor else ""),
        f"- **Closest**: {closest.name} (relevance {_relevance(closest)}; {_why(land, closest)})",
        f"- **Funding**: {_spread(land)}",
    ]
    countries = Counter(c.country for c in land.companies if c.country)
    if countries:
        spread = ", ".join(f"{country} ({n})" for country, n in countries.most_common(6))
        lines.append(f"- **Where they are based**: {spread}")
    empty = [p for p in land.places if not land.players_in(p)]
    if empty:
        lines.append(f"- **No close competitor based in**: {', '.join(empty)}")
    open_terms = land.uncovered(land.terms)
    if open_terms:
        lines.append(f"- **Your terms no close competitor mentions**: {', '.join(open_terms[:6])}")
    return "\n".join(lines)


def competitors(land: Landscape) -> str:
    lines = _header(land)
    if land.companies:
        lines += [
            "| Company | Relevance | Why it is close | Funding | HQ |",
            "|---|---|---|---|---|",
        ]
        lines += [
            f"| {cell(c.name)} | {_relevance(c)} | {cell(_why(land, c))} | {_funding(c)} | "
            f"{cell(c.headquarters)} |"
            for c in land.companies
        ]
        lines += [
            "",
            "Relevance is the retrieval's calibrated probability that the company competes "
            "(0.8 and up: direct). Shared words are your own terms found in the company's "
            "description or categories.",
        ]
    for name in land.named_not_in_data:
        lines.append(f"- **{name}** (named by you): not in the data set used for this report.")
    return "\n".join(lines)


def white_space(land: Landscape) -> str:
    lines = _header(land)
    if not land.companies:
        lines.append("White space cannot be judged without companies to compare with.")
        return "\n".join(lines)
    total = len(land.companies)
    open_terms = land.uncovered(land.terms)
    lines.append(
        f"- **Terms of yours that none of the {total} close competitors mentions**: "
        + (", ".join(open_terms) if open_terms else "none: every term is covered by a company")
    )
    crowded = land.crowded()
    if crowded:
        lines.append(
            "- **Crowded terms**: "
            + ", ".join(f"{word} ({n} of {total})" for word, n in crowded[:6])
        )
    for place in land.places:
        players = land.players_in(place)
        lines.append(
            f"- **{place}**: "
            + (
                f"{plural(len(players))} based there ({', '.join(c.name for c in players[:4])})"
                if players
                else "no close competitor is based there"
            )
        )
    open_audience = land.uncovered(land.audience_terms)
    if open_audience:
        lines.append(f"- **Audiences no close competitor names**: {', '.join(open_audience)}")
    return "\n".join(lines)


def audiences(land: Landscape) -> str:
    """Who the close competitors say they serve (audience words in their descriptions)."""
    lines = _header(land)
    counts: Counter[str] = Counter()
    for company in land.companies:
        found = {
            stem(w)
            for w in words(company.description)
            if w in vocab.AUDIENCE_NOUNS and w not in NOT_AUDIENCES
        }
        counts.update(found)
    if counts:
        total = len(land.companies)
        lines += ["| Audience word | Close competitors naming it |", "|---|---|"]
        lines += [f"| {word} | {n} of {total} |" for word, n in counts.most_common(8)]
    else:
        lines.append("The close competitors' descriptions name no audience.")
    if land.audience_terms:
        named = [w for w in land.audience_terms.values() if stem(w) in counts]
        lines += [
            "",
            f"Of your audience words, {len(named)} of {len(land.audience_terms)} "
            "appear among them" + (f" ({', '.join(named)})." if named else "."),
        ]
    lines.append("Personas need interviews or an AI model; this lists only what the data says.")
    return "\n".join(lines)


def funding(land: Landscape) -> str:
    lines = _header(land)
    if not land.companies:
        lines.append("No companies, so no funding figures.")
        return "\n".join(lines)
    lines.append(f"- **Spread**: {_spread(land)}")
    ranked = sorted(land.funded, key=lambda c: -(c.funding_usd or 0))
    if ranked:
        lines += ["", "| Company | Public funding |", "|---|---|"]
        lines += [f"| {cell(c.name)} | {_funding(c)} |" for c in ranked]
    if land.undisclosed:
        names = ", ".join(c.name for c in land.undisclosed)
        lines += ["", f"- **No public funding in the data**: {names}"]
    years = [c.founded_year for c in land.companies if c.founded_year]
    if years:
        low, high = min(years), max(years)
        founded = str(low) if low == high else f"{low} to {high}"
        lines.append(f"- **Founded**: {founded} ({plural(len(years))} with a year)")
    lines.append("- Market size is not estimated offline: it needs an AI model or market data.")
    return "\n".join(lines)


def research_next(land: Landscape) -> str:
    """Concrete checks, each from a gap or an unknown in the data above."""
    lines = _header(land)
    steps: list[str] = []
    open_terms = land.uncovered(land.terms)
    empty = [p for p in land.places if not land.players_in(p)]
    where = f" in {empty[0]}" if empty else ""
    if open_terms:
        shown = ", ".join(f"*{t}*" for t in open_terms[:3])
        steps.append(
            f"No close competitor in the data mentions {shown}{where}: check whether someone "
            f"serves it (search app stores, directories and LinkedIn for "
            f"'{open_terms[0]}'{where}) or whether buyers do not ask for it (five short "
            "interviews)."
        )
    for place in empty[:2]:
        steps.append(
            f"No close competitor is based in {place}: look for local players there (business "
            "registers, local app stores, trade fairs) before calling the region open."
        )
    if land.undisclosed:
        names = ", ".join(c.name for c in land.undisclosed[:4])
        steps.append(
            f"{names}: no public funding in the data; check their press releases or filings "
            "before comparing funding."
        )
    for name in land.named_not_in_data[:3]:
        steps.append(f"{name} (named by you) is not in the data set: research it directly.")
    if land.companies:
        closest = land.companies[0]
        steps.append(
            f"Read {closest.name}'s pricing and customer pages: it is the closest match "
            f"(relevance {relevance_text(closest.similarity)}) and the benchmark to differ from."
        )
    if any(c.origin in ("", DEMO_ORIGIN) for c in land.companies) or not land.available:
        steps.append(
            "Confirm the landscape on live data: run Crunchbase Analysis and Tracxn Insights "
            "with a live source, or import your own company list."
        )
    lines += [f"{i}. {step}" for i, step in enumerate(steps, 1)]
    return "\n".join(lines)


OFFLINE_SECTIONS = {
    "strategic_overview": ("Landscape Overview", overview),
    "competitors_analysis": ("Closest Competitors", competitors),
    "product_differentiation": ("White Space", white_space),
    "detailed_personas": ("Who the Competitors Serve", audiences),
    "market_snapshot": ("Funding Spread", funding),
    "audience_analysis": ("What to Research Next", research_next),
}
