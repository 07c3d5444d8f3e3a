"""The data a Verdict is judged on: the latest Crunchbase, Tracxn and Social results, loaded.

`VerdictData` holds the companies and posts of the available sources (and which are missing),
and gives each AI step a compact view of it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from marketnav.services.reports import social_insights as social
from marketnav.services.reports.source_data import Company, SourceData
from marketnav.services.reports.verdict_rules import (
    SOURCE_LABELS,
    SOURCES,
    has_pricing_signal,
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

    def texts(self) -> list[str]:
        """Every text of the datasets (the pricing-signal rule reads these, not the inputs)."""
        texts = [p.get("text", "") for p in self.posts]
        texts += [c.description for c in self.companies]
        for source in self.sources.values():
            if source:
                texts += [e.get("excerpt", "") for e in source.section_excerpts]
        return texts

    @property
    def pricing_signal(self) -> bool:
        return has_pricing_signal(self.texts())

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
            "pricing_signal_in_data": self.pricing_signal,
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
