"""One run's web discovery: queries, result pages, company sites, candidates (within budget).

1. `queries.build_queries` makes at most `max_queries` queries from the project; the engine
   answers them concurrently (a failed query is reported, the others go on).
2. Result pages are read best first (a URL found by several queries first), at most
   `max_pages` pages in all, cached ones included, through the guarded fetcher.
3. Each page gives candidates (the site's own company, companies it lists); a listed company
   whose own site was not read yet gets its home page read, while the budget lasts, so its
   name and description come from its own site.
4. Candidates are merged by website domain; the founder's own company is left out.

Nothing here ranks: the caller stores the candidates with the organisation's companies and the
services' retrieval and relevance floor decide, as for every other company.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field
from sqlalchemy.exc import IntegrityError

from marketnav.db import session_scope
from marketnav.services.ai import ProjectInputsData
from marketnav.services.ai.records import CallContext
from marketnav.services.web_discovery import ai_extraction, candidates, page_cache, queries
from marketnav.services.web_discovery.candidates import Candidate
from marketnav.services.web_discovery.fetcher import FetchedPage, PageFetcher
from marketnav.services.web_discovery.page_text import PageContent, read_page
from marketnav.services.web_discovery.search_engines import (
    SearchHit,
    WebSearchEngine,
    WebSearchError,
)
from scraper_services.common.contracts import company_name_key, website_domain

logger = logging.getLogger(__name__)
RESULTS_PER_QUERY = 10
RESULT_PAGE_SHARE = 0.6  # of the page budget, for result pages; the rest for company sites

Progress = Callable[..., None]  # progress(kind, message, **data)


class QueryOutcome(BaseModel):
    query: str
    results: int = 0
    error: str = ""


class PageOutcome(BaseModel):
    url: str
    title: str = ""
    cached: bool = False
    refused: str = ""  # the refusal code, "" when read
    reason: str = ""


class DiscoveryReport(BaseModel):
    """What one run searched, read and found (JSON-able: the step's checkpoint)."""

    engine: str
    max_queries: int
    max_pages: int
    queries: list[QueryOutcome] = Field(default_factory=list)
    pages: list[PageOutcome] = Field(default_factory=list)
    candidates: list[Candidate] = Field(default_factory=list)
    readers: list[str] = Field(default_factory=list)  # who read the pages (model or offline)
    error: str = ""

    @property
    def pages_read(self) -> int:
        return sum(1 for p in self.pages if not p.refused)

    @property
    def pages_fetched(self) -> int:
        return sum(1 for p in self.pages if not p.refused and not p.cached)


class _Run:
    def __init__(
        self,
        report: DiscoveryReport,
        fetcher: PageFetcher,
        progress: Progress,
        cache_seconds: int,
        context: CallContext | None,
    ) -> None:
        self.report, self.fetcher, self.progress = report, fetcher, progress
        self.cache_seconds, self.context = cache_seconds, context
        self.seen: set[str] = set()

    @property
    def budget_left(self) -> int:
        return self.report.max_pages - len(self.report.pages)

    async def search(self, engine: WebSearchEngine, query: str) -> list[SearchHit]:
        try:
            hits = await engine.search(query, RESULTS_PER_QUERY)
        except WebSearchError as err:
            self.report.queries.append(QueryOutcome(query=query, error=str(err)))
            self.progress("web_query", f"'{query}': search failed ({err})", query=query)
            return []
        self.report.queries.append(QueryOutcome(query=query, results=len(hits)))
        hosts = ", ".join(dict.fromkeys(website_domain(h.url) for h in hits[:4]))
        self.progress(
            "web_query",
            f"'{query}': {len(hits)} results" + (f" ({hosts}…)" if hosts else ""),
            query=query,
            results=len(hits),
        )
        return hits

    async def read(self, url: str) -> tuple[PageContent, datetime] | None:
        """The page's content (cache, else a guarded fetch), counted against the budget."""
        if url in self.seen or self.budget_left <= 0:
            return None
        self.seen.add(url)
        outcome = PageOutcome(url=url)
        self.report.pages.append(outcome)
        with session_scope() as session:
            cached = page_cache.get(session, url, self.cache_seconds)
        if cached is not None:
            outcome.cached, outcome.refused, outcome.reason = True, cached.refused, cached.reason
            if cached.content is None:
                return None
            outcome.title = cached.content.title
            return cached.content, cached.fetched_at
        fetched = await self.fetcher.fetch(url)
        if not isinstance(fetched, FetchedPage):
            outcome.refused, outcome.reason = fetched.code, fetched.reason
            self.progress("web_page", f"Not read: {url} ({fetched.reason})", url=url)
            self._store(url, None, refused=fetched.code, reason=fetched.reason)
            return None
        content = await asyncio.to_thread(read_page, fetched.html, fetched.final_url)
        outcome.title = content.title
        self.progress(
            "web_page", f"Read {content.title or url}", url=fetched.final_url, title=content.title
        )
        self._store(url, content, final_url=fetched.final_url, fetched_at=fetched.fetched_at)
        return content, fetched.fetched_at

    def _store(self, url: str, content: PageContent | None, **fields: Any) -> None:
        try:
            with session_scope() as session:
                page_cache.put(session, url, content=content, **fields)
        except IntegrityError:
            logger.info("web page %s was cached by another run at the same time", url)

    async def extract(self, page: PageContent, fetched_at: datetime) -> list[Candidate]:
        own = candidates.own_company(page, fetched_at)
        listed = candidates.listed_companies(page, fetched_at)
        if own is not None and not listed:
            return [own]  # a company's own home page: no model needed to read its name
        offline = ([own] if own else []) + listed
        found, reader = await asyncio.to_thread(
            ai_extraction.extract, page, fetched_at, offline, self.context
        )
        if reader not in self.report.readers:
            self.report.readers.append(reader)
        return found


def _ordered_hits(results: list[list[SearchHit]]) -> list[str]:
    """Result URLs, those several queries found (and found high) first."""
    score: dict[str, float] = {}
    for hits in results:
        for hit in hits:
            score[hit.url] = score.get(hit.url, 0.0) + 1.0 / hit.position
    return sorted(score, key=lambda url: -score[url])


async def discover(
    inputs: ProjectInputsData,
    keywords: list[str],
    *,
    engine: WebSearchEngine,
    fetcher: PageFetcher,
    max_queries: int,
    max_pages: int,
    cache_seconds: int,
    progress: Progress = lambda *_a, **_k: None,
    context: CallContext | None = None,
) -> DiscoveryReport:
    """Search, read and extract for one project (see the module docstring)."""
    report = DiscoveryReport(engine=engine.name, max_queries=max_queries, max_pages=max_pages)
    run = _Run(report, fetcher, progress, cache_seconds, context)
    planned = queries.build_queries(inputs, keywords, max_queries)
    results = await asyncio.gather(*(run.search(engine, q) for q in planned))
    if planned and all(q.error for q in report.queries):
        report.error = f"every web search failed ({report.queries[0].error})"
        return report
    urls = [u for u in _ordered_hits(results) if candidates.is_company_site(website_domain(u))]
    first = urls[: max(1, int(max_pages * RESULT_PAGE_SHARE))]
    pages = await asyncio.gather(*(run.read(u) for u in first))
    extracted = await asyncio.gather(*(run.extract(*p) for p in pages if p is not None))
    found = [c for page_candidates in extracted for c in page_candidates]
    merged = candidates.merge(found)
    # Listed companies whose own site is not read yet: most-mentioned first, while pages last.
    unread = sorted((c for c in merged if not c.own_site), key=lambda c: (-len(c.pages), c.domain))
    homes = await asyncio.gather(*(run.read(c.website) for c in unread[: run.budget_left]))
    for home in (h for h in homes if h is not None):
        own = candidates.own_company(*home)
        if own is not None:
            found.append(own)
    own_name = company_name_key(inputs.startup_name) if inputs.startup_name else ""
    report.candidates = [
        c for c in candidates.merge(found) if not own_name or company_name_key(c.name) != own_name
    ]
    progress(
        "web_summary",
        f"{len(report.candidates)} candidate companies from {report.pages_read} pages",
        candidates=len(report.candidates),
        pages=report.pages_read,
    )
    return report
