"""What the Crunchbase and Tracxn reports know about companies, alone and across the market.

`MarketCompany` is one top company's facts, extracted from the service's record
(`company_data` for Crunchbase, the `full_data` sections for Tracxn): funding parsed from the
source's formatted amount to USD, rank or score, founded year, HQ, tags and the key table rows.
`Market` is the set of companies of one run and what is computed across them (median funding,
standing, threat level, white space, the funding chart): the analysis prompts and the offline
analyser's text are built from it.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass, field
from functools import cached_property
from statistics import median
from typing import Any

from pydantic import BaseModel, Field

from marketnav.services.ai import offline
from marketnav.services.ai.text_terms import content_words, stem
from scraper_services.common.contracts import WEB_ORIGIN
from scraper_services.common.money import format_usd

_SCALES = {"": 1.0, "k": 1e3, "m": 1e6, "mm": 1e6, "mn": 1e6, "b": 1e9, "bn": 1e9, "t": 1e12}
_AMOUNT = re.compile(
    r"^(?:us\$|usd|\$)?\s*(\d[\d,]*(?:\.\d+)?|\.\d+)\s*(k|mm|mn|m|bn|b|t)?\s*(?:usd)?"
    r"\s*(?:\(.*\))?$",
    re.IGNORECASE,
)
_UNKNOWN = {"", "n/a", "na", "none", "null", "unknown", "undisclosed", "-", "—"}


# -- facts ------------------------------------------------------------------------------


def parse_funding_usd(value: Any) -> float | None:
    """USD from a number or a formatted amount ("$12.3M", "$1,200,000", "$2.5B (Series C)").

    Unknown, masked ("$## (##)") and non-USD values give None, never a guess.
    """
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value) if value > 0 else None
    text = str(value).strip()
    if "#" in text or text.lower() in _UNKNOWN:
        return None
    match = _AMOUNT.match(text)
    if match is None:
        return None
    amount = float(match.group(1).replace(",", "")) * _SCALES[(match.group(2) or "").lower()]
    return amount if amount > 0 else None


def known(value: Any) -> bool:
    """False for the sources' placeholders: None, "N/A", "", [] and {}."""
    if value is None:
        return False
    if isinstance(value, str):
        return value.strip().lower() not in _UNKNOWN
    if isinstance(value, list | dict):
        return bool(value)
    return True


def as_text(value: Any) -> str:
    if not known(value):
        return ""
    if isinstance(value, list):
        return ", ".join(str(v) for v in value if known(v))
    return str(value).strip()


def founded_year(value: Any) -> int | None:
    text = as_text(value)[:4]
    return int(text) if text.isdigit() and 1800 < int(text) < 2100 else None


def split_location(text: str) -> tuple[str, str]:
    """("Seattle", "United States") from "Seattle, United States"; a lone part is a country."""
    parts = [p.strip() for p in text.split(",") if p.strip()]
    if not parts:
        return "", ""
    return (parts[0] if len(parts) > 1 else ""), parts[-1]


def slugify(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_")[:60] or "company"


class MarketCompany(BaseModel):
    """What the analysis knows about one top company (JSON-able, checkpointed)."""

    name: str
    slug: str
    match_rank: int = Field(description="1 = closest match to the target description")
    description: str = ""
    url: str = ""
    website: str = ""
    funding_usd: float | None = None
    funding_text: str = "N/A"
    cb_rank: int | None = None
    tracxn_score: float | None = None
    similarity: float = 0.0  # the service's calibrated relevance (probability of competing)
    combined_score: float = 0.0
    named_by_user: bool = False
    origin: str = ""  # demo-dataset, import:<label> or the live API
    # The public pages it was found on ({url, title, fetched_at}), for companies from the web.
    web_pages: list[dict[str, Any]] = Field(default_factory=list)
    founded_year: int | None = None
    city: str = ""
    country: str = ""
    status: str = ""
    tags: list[str] = Field(default_factory=list)
    keywords: list[str] = Field(default_factory=list)
    rows: dict[str, str] = Field(default_factory=dict)
    details: dict[str, Any] = Field(default_factory=dict)

    @property
    def web_only(self) -> bool:
        """Known only from web pages (web discovery), not from the market data."""
        return self.origin == WEB_ORIGIN

    @property
    def independent(self) -> bool | None:
        """Privately held and operating (None: the data does not say). Crunchbase gives an
        IPO status and an operating status, Tracxn one stage ("public", "acquired")."""
        given = (self.status, self.rows.get("IPO status", ""))
        states = {v.strip().lower() for v in given if known(v)}
        if states & {"public", "ipo", "acquired", "closed"}:
            return False
        return True if states else None

    @property
    def headquarters(self) -> str:
        return ", ".join(p for p in (self.city, self.country) if p)

    @property
    def funding_cell(self) -> str:
        """Funding in a table cell: the amount, or why there is none (never a bare "N/A")."""
        if self.funding_usd:
            return format_usd(self.funding_usd)
        return "unknown (web)" if self.web_only else "not disclosed"

    @property
    def standing_value(self) -> str:
        """The measure's value alone ("1,870" / "71.5" / ""), for a table column named by it."""
        if self.cb_rank is not None:
            return f"{self.cb_rank:,}"
        if self.tracxn_score is not None:
            return f"{self.tracxn_score:g}"
        return ""

    @property
    def standing(self) -> str:
        """The source's own measure: "CB Rank 1,870" / "Tracxn score 71.5" / ""."""
        if self.cb_rank is not None:
            return f"CB Rank {self.cb_rank:,}"
        if self.tracxn_score is not None:
            return f"Tracxn score {self.tracxn_score:g}"
        return ""


def _details(data: dict[str, Any], table_rows: int = 10) -> dict[str, Any]:
    """The known fields of a source record (tables cut to `table_rows`), for prompts."""
    kept: dict[str, Any] = {}
    for key, value in data.items():
        if known(value):
            kept[key] = value[:table_rows] if isinstance(value, list) else value
    return kept


CRUNCHBASE_ROWS = (
    ("Total funding", "Total Funding Amount"),
    ("CB Rank", "CB Rank"),
    ("Founded", "Founded Year"),
    ("Headquarters", "Headquarters"),
    ("Operating status", "Operating Status"),
    ("Company type", "Company Type"),
    ("IPO status", "IPO Status"),
    ("Headcount", "Headcount"),
    ("Funding rounds", "Number of Funding Rounds"),
    ("Investors", "Number of Investors"),
    ("Monthly visits", "Monthly Visits"),
    ("Growth score", "Growth Score"),
    ("Website", "Website"),
)


def crunchbase_company(item: dict[str, Any], position: int) -> MarketCompany:
    """Facts from a `top_companies_full_data` item of the Crunchbase service."""
    data = item.get("company_data") or {}
    city, country = split_location(as_text(data.get("Headquarters")))
    rank = item.get("cb_rank") if item.get("cb_rank") is not None else data.get("CB Rank")
    tags = data.get("Industry Tags") or []
    name = as_text(data.get("Company Name")) or str(item.get("name") or "")
    return MarketCompany(
        name=name,
        slug=slugify(name),
        match_rank=int(item.get("combined_rank") or position),
        description=as_text(data.get("About")),
        url=str(item.get("url") or data.get("url") or ""),
        website=as_text(data.get("Website")),
        funding_usd=parse_funding_usd(data.get("Total Funding Amount")),
        funding_text=as_text(data.get("Total Funding Amount")) or "N/A",
        cb_rank=int(rank) if isinstance(rank, int | float) else None,
        similarity=float(item.get("relevance", item.get("similarity_score")) or 0),
        combined_score=float(item.get("combined_score") or 0),
        named_by_user=bool(item.get("named_by_user")),
        origin=str(item.get("origin") or ""),
        web_pages=list(item.get("web_pages") or []),
        founded_year=founded_year(data.get("Founded Year")),
        city=city,
        country=country,
        status=as_text(data.get("Operating Status")),
        tags=[str(t) for t in tags if known(t)] if isinstance(tags, list) else [as_text(tags)],
        keywords=list(item.get("keywords") or []),
        rows={
            label: _row_text(label, data.get(key))
            for label, key in CRUNCHBASE_ROWS
            if known(data.get(key))
        },
        details=_details(data),
    )


def _row_text(label: str, value: Any) -> str:
    """A fact table value; a rank reads as elsewhere in the report (256,470, not 256470)."""
    if label == "CB Rank" and isinstance(value, int | float):
        return f"{int(value):,}"
    return as_text(value)


def tracxn_company(item: dict[str, Any], position: int) -> MarketCompany:
    """Facts from a `top_companies_full_data` item of the Tracxn service (its `full_data`)."""
    sections: dict[str, dict[str, Any]] = {}
    for section in item.get("full_data") or []:
        if isinstance(section, dict) and isinstance(section.get("data"), dict):
            sections.setdefault(str(section.get("section") or ""), {}).update(section["data"])
    basic = sections.get("company_basic_details", {})
    metrics = sections.get("key_metrics", {})
    money = sections.get("funding_and_investors", {})
    funding_text = as_text(money.get("total_equity_funding") or metrics.get("total_equity_funding"))
    funding = parse_funding_usd(money.get("total_equity_funding_usd")) or parse_funding_usd(
        funding_text
    )
    score = item.get("tracxn_score", metrics.get("tracxn_score"))
    city, country = split_location(as_text(basic.get("location")))
    name = str(item.get("name") or sections.get("company_name", {}).get("name") or "")
    rows = {
        "Total equity funding": funding_text,
        "Tracxn score": f"{score:g}" if isinstance(score, int | float) else "",
        "Founded": as_text(basic.get("founded_year")),
        "Location": as_text(basic.get("location")),
        "Stage / status": as_text(basic.get("status")),
        "Website": as_text(basic.get("website")),
    }
    return MarketCompany(
        name=name,
        slug=slugify(name),
        match_rank=int(item.get("rank") or position),
        description=as_text(sections.get("about", {}).get("description")),
        url=str(item.get("reference") or ""),
        website=as_text(basic.get("website")),
        funding_usd=funding,
        funding_text=funding_text or "N/A",
        tracxn_score=float(score) if isinstance(score, int | float) else None,
        similarity=float(item.get("relevance", item.get("similarity_score")) or 0),
        combined_score=float(item.get("combined_score") or 0),
        named_by_user=bool(item.get("named_by_user")),
        origin=str(item.get("origin") or ""),
        web_pages=list(item.get("web_pages") or []),
        founded_year=founded_year(basic.get("founded_year")),
        city=city,
        country=country,
        status=as_text(basic.get("status")),
        tags=[str(t) for t in sections.get("coverage_areas", {}).get("sectors") or [] if known(t)],
        keywords=list(item.get("keywords") or []),
        rows={label: value for label, value in rows.items() if value},
        details={key: _details(value) for key, value in sections.items() if _details(value)},
    )


def unique_slugs(companies: list[MarketCompany]) -> list[MarketCompany]:
    """Section keys must be unique per run: a repeated slug gets a number."""
    seen: dict[str, int] = {}
    for company in companies:
        count = seen.get(company.slug, 0)
        seen[company.slug] = count + 1
        if count:
            company.slug = f"{company.slug}_{count + 1}"
    return companies


# -- across the market ----------------------------------------------------------------

RELEVANCE_LABELS = ((2, "direct"), (1, "close"), (0, "adjacent-market"))
# The service's calibrated relevance (probability of competing) from which a company is called
# a direct / a close competitor; below, down to the floor, it is an adjacent-market company.
DIRECT_AT, CLOSE_AT = 0.8, 0.5


def relevance_level(relevance: float) -> int:
    """2 direct, 1 close, 0 adjacent market (see RELEVANCE_LABELS)."""
    return 2 if relevance >= DIRECT_AT else 1 if relevance >= CLOSE_AT else 0


def relevance_text(relevance: float) -> str:
    """Two decimals, cut rather than rounded: 0.797 reads 0.79, so a "close" company never
    shows the 0.80 a "direct" one starts at."""
    return f"{math.floor(relevance * 100 + 1e-9) / 100:.2f}"


WELL_FUNDED_USD = 100e6


def root(word: str) -> str:
    """A looser stem for matching terms: sitters / sitting -> sit, walkers -> walk."""
    word = stem(word)
    for suffix in ("ing", "er", "ed"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            word = word[: -len(suffix)]
            break
    if len(word) > 3 and word[-1] == word[-2] and word[-1] not in "aeiouls":
        word = word[:-1]
    return word


def roots(text: str) -> set[str]:
    return {root(w) for w in content_words(text)}


@dataclass(frozen=True)
class Coverage:
    """A search term, how many analysed companies cover it, how many the search found."""

    term: str
    companies: int
    found: int | None = None


def plural(count: int, noun: str = "company", many: str = "companies") -> str:
    return f"{count} {noun if count == 1 else many}"


def cell(value: Any) -> str:
    """Text safe inside a markdown table cell."""
    return str(value).replace("|", "\\|").replace("\n", " ").strip() or "n/a"


@dataclass
class Market:
    """The companies of one run and what is computed across them."""

    startup: str
    label: str
    keywords: list[str]
    companies: list[MarketCompany]
    keyword_counts: dict[str, int] = field(default_factory=dict)  # companies found per keyword
    retrieval: dict[str, Any] | None = None  # the service's RetrievalSummary
    requested: int = 10

    @property
    def search_label(self) -> str:
        """Where the companies were found: the search, and the web when it added some."""
        web = sum(1 for c in self.companies if c.web_only)
        if not web:
            return f"the {self.label} search"
        return f"the {self.label} search and on the web ({web} known only from the web)"

    @property
    def named_not_found(self) -> list[str]:
        named = (self.retrieval or {}).get("named_competitors") or []
        return [n["name"] for n in named if not n.get("found")]

    def competitor_list_lines(self) -> list[str]:
        """What the list is and is not: named competitors, the floor, a short list said short."""
        lines: list[str] = []
        named = [c.name for c in self.companies if c.named_by_user]
        if named:
            lines.append(f"- **Named by you**: {', '.join(named)} (always in the landscape).")
        for name in self.named_not_found:
            lines.append(f"- **{name}**: not in the data set used for this report.")
        if self.retrieval is not None:
            floor = float(self.retrieval.get("relevance_floor") or 0)
            shown = len(self.companies)
            if shown < self.requested:
                lines.append(
                    f"- **Competitors in the data**: {plural(shown)} passed the relevance "
                    f"floor ({floor:.2f}) of {self.requested} asked for; the rest of the "
                    "data set is not close enough to call a competitor, so the list is not "
                    f"padded. {self.closeness_line()}"
                )
            else:
                lines.append(
                    f"- **Competitor list**: the {plural(shown)} closest to the project, each "
                    f"above the relevance floor ({floor:.2f}). {self.closeness_line()}"
                )
            if self.companies and not any(self.relevance(c) == 2 for c in self.companies):
                lines.append(self.coverage_warning())
        return lines

    def coverage_warning(self) -> str:
        """No direct competitor: the data may not cover the market; say so before the list.

        The relevance is calibrated on markets the data set covers; when it holds no company
        that does what the startup does, its nearest neighbours are another market (online
        grocers for a shelf-camera start-up) and must not read as confirmed competitors."""
        missing = self.named_not_found
        verb = "is" if len(missing) == 1 else "are"
        named = f", and {', '.join(missing)} (named by you) {verb} not in it" if missing else ""
        return (
            f"- **Coverage**: no company in the {self.label} data is a direct competitor "
            f"(relevance {DIRECT_AT:.1f} or more){named}. The data may not cover "
            f"{self.startup}'s market: read the list as the nearest markets, not as confirmed "
            "competitors."
        )

    def closeness_line(self) -> str:
        """'By relevance: 1 direct, 2 close, 4 adjacent-market.' (what the memos call them)."""
        levels = Counter(self.relevance(c) for c in self.companies)
        parts = [f"{levels[n]} {label}" for n, label in RELEVANCE_LABELS if levels[n]]
        return f"By relevance: {', '.join(parts)}." if parts else ""

    @cached_property
    def funded(self) -> list[MarketCompany]:
        return sorted((c for c in self.companies if c.funding_usd), key=lambda c: -c.funding_usd)

    @cached_property
    def median_funding(self) -> float | None:
        """The median of the disclosed amounts; None below two (one figure is no median)."""
        return median(c.funding_usd for c in self.funded) if len(self.funded) > 1 else None

    @property
    def measure(self) -> str:
        return "CB Rank" if any(c.cb_rank is not None for c in self.companies) else "Tracxn score"

    @cached_property
    def standing_order(self) -> dict[str, int]:
        """slug -> position by the source's measure (1 = most prominent)."""
        ranked = sorted(
            (c for c in self.companies if c.cb_rank is not None), key=lambda c: c.cb_rank
        )
        if not ranked:
            scored = (c for c in self.companies if c.tracxn_score is not None)
            ranked = sorted(scored, key=lambda c: -(c.tracxn_score or 0))
        return {c.slug: i for i, c in enumerate(ranked, 1)}

    def offline_facts(self) -> list[offline.CompanyFacts]:
        return [
            offline.CompanyFacts(
                name=c.name,
                description=c.description,
                funding_usd=c.funding_usd,
                rank=self.standing_order.get(c.slug),
                country=c.country,
                founded_year=c.founded_year,
            )
            for c in self.companies
        ]

    @cached_property
    def statistics(self) -> offline.MarketStatistics:
        return offline.market_statistics(self.offline_facts())

    def relevance(self, company: MarketCompany) -> int:
        """2 = direct competitor, 1 = close, 0 = adjacent market.

        From the service's calibrated relevance (the probability that the company competes):
        0.8 and up is direct, 0.5 (the floor) and up close; a company the founder named is at
        least close. Old snapshots without it are judged by their rank among the companies."""
        if any(c.similarity for c in self.companies):
            level = relevance_level(company.similarity)
            return max(level, 1) if company.named_by_user else level
        third = max(1, len(self.companies) // 3)
        return 2 if company.match_rank <= third else 1 if company.match_rank <= 2 * third else 0

    def threat(self, company: MarketCompany) -> tuple[str, list[str]]:
        """High / Medium / Low: how close the company is to the startup first, then its strength.

        Strength is funding against the median (or above $100M) and a top-third standing by
        the source's rank or score. A direct competitor that is well funded or prominent is
        High (the closest strong match is never Low); an adjacent-market company is Low.
        """
        relevance = self.relevance(company)
        kind = ("an adjacent-market company", "a close competitor", "a direct competitor")
        reasons = [f"{kind[relevance]} (relevance {relevance_text(company.similarity)})"]
        if company.named_by_user:
            reasons.append("named by you")
        strength = 0
        if company.funding_usd and self.median_funding:
            ratio = company.funding_usd / self.median_funding
            if ratio >= 2:
                strength += 2
                reasons.append(f"funding {ratio:.1f}x the market median")
            elif ratio >= 1 or company.funding_usd >= WELL_FUNDED_USD:
                strength += 1
                money = format_usd(company.funding_usd)
                reasons.append(f"well funded ({money}, {ratio:.1f}x the market median)")
            else:
                reasons.append(f"funding below the market median ({ratio:.1f}x)")
        elif company.funding_usd:  # the only disclosed figure: nothing to compare with
            money = format_usd(company.funding_usd)
            if company.funding_usd >= WELL_FUNDED_USD:
                strength += 1
                reasons.append(f"well funded ({money})")
            else:
                reasons.append(f"funding {money}, the only disclosed figure")
        else:
            reasons.append("funding unknown" if company.web_only else "funding not disclosed")
        # Unknown strength is not weakness: a close competitor whose funding is undisclosed is
        # rated from the middle (Medium), never Low for a figure nobody has.
        unknown_strength = 1 if relevance and not company.funding_usd else 0
        position = self.standing_order.get(company.slug)
        if position is not None and position <= max(1, len(self.standing_order) // 3):
            strength += 1
            reasons.append(f"in the top third by {self.measure}")
        if relevance == 2 and strength:
            return "High", reasons
        points = relevance + max(strength, unknown_strength) if relevance else 0
        return ("High" if points >= 4 else "Medium" if points >= 2 else "Low"), reasons

    def white_space(self) -> tuple[list[Coverage], list[Coverage]]:
        """(open, crowded) search terms: how many companies' descriptions and tags cover each."""
        texts = [roots(" ".join([c.description, *c.tags])) for c in self.companies]
        rows: list[Coverage] = []
        seen: set[frozenset[str]] = set()
        for keyword in self.keywords:
            term = keyword.replace(" AND ", " ")
            term_roots = frozenset(roots(term))
            if not term_roots or term_roots in seen:
                continue
            seen.add(term_roots)
            covered = sum(1 for text in texts if term_roots <= text)
            rows.append(Coverage(term, covered, self.keyword_counts.get(keyword)))
        crowded_at = max(2, len(self.companies) // 2)
        return (  # open: hardly any company found covers it, nor did the search find many
            [r for r in rows if r.companies <= 1 and (r.found is None or r.found <= 2)],
            sorted((r for r in rows if r.companies >= crowded_at), key=lambda r: -r.companies),
        )

    def funding_chart(self) -> list[dict[str, Any]]:
        return [{"name": c.name, "funding_usd": c.funding_usd} for c in self.funded]
