"""The data a Verdict is judged on: the latest Crunchbase, Tracxn and Social results, loaded.

`VerdictData` holds the companies and posts of the available sources (and which are missing
or hold no record), and gives each AI step a compact view of it. Only the datasets' records
(post texts, company descriptions) count as evidence: never the founder's inputs, and never
the source reports' own prose (a Social report with 0 posts still has a "Willingness to Pay"
heading; that is not a pricing signal).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from marketnav.services.reports import social_insights as social
from marketnav.services.reports.source_data import Company, SourceData
from marketnav.services.reports.verdict_rules import (
    PRESENT,
    PRICING_FOUND,
    PRICING_UNKNOWN,
    SOURCE_LABELS,
    SOURCES,
    pricing_matches,
    pricing_state,
    source_gap,
    source_state,
)
from scraper_services.common.money import format_usd as _usd

BIG_FUNDING = 50e6
MEGA_FUNDING = 1e9
BREAKTHROUGH = re.compile(
    r"\b(breakthrough|revolutionary|quantum|agi|first[- ]ever|never been done|cure[sd]?|"
    r"fusion|teleport\w*|perpetual|patent[- ]pending|world'?s first)\b",
    re.IGNORECASE,
)
STAGE_POINTS = {"idea": 0, "mvp": 10, "early_stage": 15, "growth": 20, "scale_up": 20}


@dataclass
class VerdictData:
    """The evidence a verdict is built on: the inputs and the loaded source reports."""

    inputs: dict[str, str]
    sources: dict[str, SourceData | None]

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> VerdictData:
        return cls(
            inputs=dict(data.get("inputs") or {}),
            sources={
                t: SourceData.model_validate(v) if v else None
                for t, v in (data.get("sources") or {}).items()
            },
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "inputs": self.inputs,
            "sources": {
                t: (v.model_dump(mode="json") if v else None) for t, v in self.sources.items()
            },
        }

    @property
    def available(self) -> list[str]:
        return [t for t in SOURCES if self.sources.get(t) is not None]

    @property
    def missing(self) -> list[str]:
        return [t for t in SOURCES if self.sources.get(t) is None]

    @property
    def posts(self) -> list[dict[str, Any]]:
        source = self.sources.get("social")
        return source.posts if source else []

    @property
    def social_label(self) -> str:
        source = self.sources.get("social")
        return (source.source_label or "social posts") if source else ""

    @property
    def companies(self) -> list[Company]:
        merged: dict[str, Company] = {}
        for kind in ("crunchbase", "tracxn"):
            source = self.sources.get(kind)
            for company in source.companies if source else []:
                merged.setdefault(company.name.strip().lower(), company)
        return list(merged.values())

    @property
    def companies_found(self) -> int:
        counts = [s.companies_found for k, s in self.sources.items() if s and k != "social"]
        return max([*counts, len(self.companies)]) if counts else 0

    @property
    def has_companies_data(self) -> bool:
        return any(self.sources.get(k) for k in ("crunchbase", "tracxn"))

    @property
    def records(self) -> dict[str, int | None]:
        """Records per source: None when no report, else its posts or companies."""
        counts: dict[str, int | None] = {}
        for kind in SOURCES:
            source = self.sources.get(kind)
            if source is None:
                counts[kind] = None
            elif kind == "social":
                counts[kind] = len(source.posts)
            else:
                counts[kind] = max(len(source.companies), source.companies_found)
        return counts

    @property
    def with_records(self) -> list[str]:
        """The sources that hold at least one record (the only ones that are evidence)."""
        return [k for k, n in self.records.items() if source_state(n) == PRESENT]

    def _where(self, kind: str) -> str:
        source = self.sources.get(kind)
        if source is None:
            return ""
        if kind == "social":
            label = source.source_label or ""
            if label == "Demo data set":
                return "in the demo data set"
            return f"from {label}" if label else "from the social search"
        keywords = ", ".join(source.keywords[:4])
        return f"for the keywords {keywords}" if keywords else "for the search"

    def _remedy(self, kind: str) -> str:
        source = self.sources.get(kind)
        if source is None:
            return ""
        if kind == "social":
            if source.source_label == "Demo data set":
                return "connect a live source or import posts"
            return "search other keywords or import posts"
        return "broaden the keywords or import companies"

    def data_gaps(self) -> list[dict[str, Any]]:
        """Each source without evidence: no report, or a report with 0 records (not risks)."""
        return [
            source_gap(kind, records, self._where(kind), self._remedy(kind))
            for kind, records in self.records.items()
            if source_state(records) != PRESENT
        ]

    def gap_texts(self) -> list[str]:
        """The data gaps as the lines the reader sees, plus an unknown pricing signal."""
        lines = [gap["text"] for gap in self.data_gaps()]
        if self.pricing_state == PRICING_UNKNOWN:
            lines.append(
                "Pricing: no post or company text in the datasets to read a price from; "
                "load posts or company descriptions"
            )
        return lines

    def dataset_texts(self) -> list[tuple[str, str]]:
        """(where, text) of every record text: post texts and company descriptions.

        The pricing rule reads these and nothing else: not the inputs, not report prose.
        """
        texts: list[tuple[str, str]] = []
        for number, post in enumerate(self.posts, start=1):
            text = str(post.get("text") or "")
            if text.strip():
                author = post.get("author") or ""
                if isinstance(author, dict):
                    author = author.get("username") or author.get("name") or ""
                author = str(author).strip()
                texts.append((f"Social post {number}" + (f" by {author}" if author else ""), text))
        for company in self.companies:
            if company.description.strip():
                texts.append((f"{company.name} (company description)", company.description))
        return texts

    def texts(self) -> list[str]:
        """Every record text of the datasets (see `dataset_texts`)."""
        return [text for _, text in self.dataset_texts()]

    @property
    def pricing_state(self) -> str:
        """found / none_found / unknown (no record text at all)."""
        return pricing_state(self.texts())

    @property
    def pricing_signal(self) -> bool:
        return self.pricing_state == PRICING_FOUND

    def pricing_evidence(self, limit: int = 3) -> list[dict[str, str]]:
        """The dataset texts that name a price, a fee or a cost (where, match, excerpt)."""
        texts = self.dataset_texts()
        found = []
        for index, match in pricing_matches(text for _, text in texts)[:limit]:
            where, text = texts[index]
            found.append({"where": where, "match": match, "excerpt": " ".join(text.split())[:200]})
        return found

    def price_points(self) -> list[str]:
        amounts: list[str] = []
        for post in self.posts:
            amounts += social.prices_in(post.get("text", ""))
        return list(dict.fromkeys(amounts))

    def prompt_view(self, post_cap: int = 60, company_cap: int = 25) -> dict[str, Any]:
        """A compact JSON view of the evidence for prompts; every dataset named by its role."""
        view: dict[str, Any] = {
            "datasets_available": [SOURCE_LABELS[t] for t in self.available],
            "datasets_missing": [SOURCE_LABELS[t] for t in self.missing],
            "data_gaps": [gap["text"] for gap in self.data_gaps()],
            "pricing_signal_in_data": self.pricing_state,
            "pricing_evidence": self.pricing_evidence(),
        }
        if self.has_companies_data:
            view["competitive_landscape"] = {
                "companies_found": self.companies_found,
                "companies": [
                    {
                        "name": c.name,
                        "description": c.description[:240],
                        "funding": _usd(c.funding_usd) if c.funding_usd else "undisclosed",
                        "country": c.country,
                        "founded": c.founded_year,
                        "from": [
                            SOURCE_LABELS[k]
                            for k in ("crunchbase", "tracxn")
                            if self.sources.get(k)
                            and any(x.name == c.name for x in self.sources[k].companies)
                        ],
                    }
                    for c in sorted(self.companies, key=lambda c: -(c.funding_usd or 0))[
                        :company_cap
                    ]
                ],
            }
        social_source = self.sources.get("social")
        if social_source:
            view["demand_and_social_signal"] = {
                "source": self.social_label,
                "keywords": social_source.keywords,
                "post_count": len(self.posts),
                "sentiment": social.sentiment_split(self.posts),
                "category_evidence": {
                    key: social.category_evidence(key, self.posts).as_data()
                    for key in (
                        "pain_points",
                        "willingness_to_pay",
                        "feature_demand",
                        "competition",
                    )
                },
                "posts": social.prompt_posts(self.posts, post_cap),
            }
        return view
