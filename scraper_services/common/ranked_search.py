"""The search-with-rank run shared by both services: keywords, the project, named competitors.

`run_ranked_search` is an async generator: it yields a `ProgressEvent` per keyword as soon as
that keyword is done (so callers can stream them) and finally one `RankedOutcome`.

1. Named competitors (the user's own list) are looked up by website, name or close spelling.
2. Each keyword is searched by meaning: on the data set, hybrid retrieval over the catalogue
   (so "b2b saas" finds SaaS companies, not the literal phrase); on a live source, the API, and
   the results join the catalogue.
3. The project as a whole (description, audience, business model; the named competitors as
   "more like these") is retrieved from the catalogue, the keyword finds scored with it.
4. Every candidate carries a calibrated relevance; only those at or above the floor (and every
   named competitor) may be presented as competitors. Ordering keeps the predecessor's
   combined score (`relevance * w_sim + rank_or_score * w_other`).
Each service shapes the outcome into its own response and per-company events.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass, field

from scraper_services.common.company_index import Hit, RetrievalQuery
from scraper_services.common.contracts import (
    KeywordCompany,
    NamedCompetitor,
    ProgressEvent,
    ProjectQuery,
    RetrievalSummary,
)
from scraper_services.common.embeddings import MODEL_NAME
from scraper_services.common.keyword_collection import (
    Cancelled,
    Candidate,
    KeywordCollector,
    KeywordOutcome,
    aggregate,
    unique_keywords,
)
from scraper_services.common.ranking import Scored, score_candidates
from scraper_services.common.records import CompanyRecord
from scraper_services.common.service_context import ServiceContext
from scraper_services.common.sources import DatasetSource

KEYWORD_PREVIEW = 5
PROJECT_CANDIDATES = 60


@dataclass
class RankedOutcome:
    keywords: list[str]
    outcomes: list[KeywordOutcome]
    candidates: dict[str, Candidate]
    ordered: list[Scored]
    collection_seconds: float
    similarity_seconds: float
    started: float
    hits: dict[str, Hit] = field(default_factory=dict)
    named: list[NamedCompetitor] = field(default_factory=list)
    floor: float = 0.5
    organization_data: bool = False

    @property
    def fetch_seconds(self) -> float:
        return sum(outcome.seconds for outcome in self.outcomes)

    @property
    def elapsed(self) -> float:
        return time.perf_counter() - self.started

    def presentable(self, scored: Scored) -> bool:
        """At or above the relevance floor, or named by the user."""
        hit = self.hits.get(scored.key)
        return hit is not None and (hit.named_by_user or hit.relevance >= self.floor)

    def presented(self, top_count: int) -> list[Scored]:
        """The best `top_count` at or above the floor, in order; a named competitor is never
        cut to make room (they come on top of the others, up to `top_count` in all)."""
        passing = [s for s in self.ordered if self.presentable(s)]
        named = {s.key for s in passing if self.hits[s.key].named_by_user}
        others = [s.key for s in passing if s.key not in named][: max(top_count - len(named), 0)]
        chosen = named.union(others)
        return [s for s in passing if s.key in chosen]

    def retrieval_summary(self) -> RetrievalSummary:
        return RetrievalSummary(
            embedding_model=MODEL_NAME,
            relevance_floor=self.floor,
            candidates=len(self.ordered),
            above_floor=sum(1 for s in self.ordered if self.presentable(s)),
            named_competitors=self.named,
            organization_data=self.organization_data,
        )


def keyword_event(
    outcome: KeywordOutcome, index: int, total: int, request_id: str, label: str
) -> ProgressEvent:
    preview = [
        KeywordCompany(name=r.name, cb_rank=r.cb_rank, tracxn_score=r.tracxn_score)
        for r in outcome.records[:KEYWORD_PREVIEW]
    ]
    if outcome.error:
        message = f"'{outcome.keyword}': search failed ({outcome.error})"
    else:
        names = ", ".join(company.name for company in preview) or "no companies"
        count = len(outcome.records)
        noun = "company" if count == 1 else "companies"
        message = f"'{outcome.keyword}': {count} {noun} on {label} ({names})"
    return ProgressEvent(
        event="search_result",
        type="search_result",
        message=message,
        request_id=request_id,
        keyword=outcome.keyword,
        index=index,
        total=total,
        status=outcome.status,
        count=len(outcome.records),
        top_companies=preview,
    )


def owners_for(organization_id: int | None) -> list[int | None]:
    """The shared data set, plus the organisation's own imports when one is given."""
    return [None, organization_id] if organization_id else [None]


def resolve_named(
    context: ServiceContext, names: Sequence[str], owners: Sequence[int | None]
) -> tuple[list[NamedCompetitor], list[tuple[int | None, str]]]:
    """What the data holds for each company the user named (in their order, once each)."""
    index = context.require_catalogue().index
    report: list[NamedCompetitor] = []
    pinned: list[tuple[int | None, str]] = []
    for name in dict.fromkeys(n.strip() for n in names if n.strip()):
        found = index.find_named(name, owners)
        if found is None:
            report.append(NamedCompetitor(name=name, found=False))
            continue
        owner, key = found
        partition_name = index.name_of(owner, key)
        if found not in pinned:
            pinned.append(found)
        report.append(NamedCompetitor(name=name, found=True, matched_name=partition_name, key=key))
    return report, pinned


async def _keyword_by_meaning(
    context: ServiceContext, keyword: str, limit: int, owners: Sequence[int | None]
) -> KeywordOutcome:
    started = time.perf_counter()
    index = context.require_catalogue().index
    hits = await asyncio.to_thread(index.search, RetrievalQuery(text=keyword), owners, limit)
    stored = await asyncio.to_thread(context.store.get_many, [h.key for h in hits])
    records = [stored[h.key] for h in hits if h.key in stored]
    return KeywordOutcome(
        keyword=keyword,
        records=records,
        from_store=len(records),
        seconds=time.perf_counter() - started,
        stored_keys={r.key for r in records},
    )


async def _collect_keywords(
    context: ServiceContext,
    keywords: list[str],
    per_keyword: int,
    max_age_days: float,
    owners: Sequence[int | None],
    request_id: str,
) -> AsyncIterator[KeywordOutcome]:
    is_cancelled = lambda: context.cancellations.is_cancelled(request_id)  # noqa: E731
    if isinstance(context.source, DatasetSource):
        for keyword in keywords:
            if is_cancelled():
                raise Cancelled()
            yield await _keyword_by_meaning(context, keyword, per_keyword, owners)
        if is_cancelled():
            raise Cancelled()
        return
    catalogue = context.require_catalogue()
    collector = KeywordCollector(context.source, context.store)
    async for outcome in collector.collect(keywords, per_keyword, max_age_days, is_cancelled):
        await asyncio.to_thread(catalogue.ensure_indexed, outcome.records)
        yield outcome


async def run_ranked_search(
    context: ServiceContext,
    *,
    keywords: Sequence[str],
    per_keyword: int,
    max_age_days: float,
    target_description: str,
    weights: tuple[float, float],
    normalise: Callable[[list[CompanyRecord]], list[float]],
    request_id: str,
    project: ProjectQuery | None = None,
    organization_id: int | None = None,
    top_count: int = 10,
) -> AsyncIterator[ProgressEvent | RankedOutcome]:
    started = time.perf_counter()
    catalogue = context.require_catalogue()
    cleaned = unique_keywords(keywords)
    label = context.source.label
    owners = owners_for(organization_id)
    if organization_id:
        await asyncio.to_thread(catalogue.sync_owner, organization_id)
    yield ProgressEvent(
        event="search_started",
        type="search_started",
        message=f"Searching {len(cleaned)} keywords on {label}",
        request_id=request_id,
        total=len(cleaned),
    )
    outcomes: list[KeywordOutcome] = []
    async for outcome in _collect_keywords(
        context, cleaned, per_keyword, max_age_days, owners, request_id
    ):
        outcomes.append(outcome)
        yield keyword_event(outcome, len(outcomes), len(cleaned), request_id, label)
    collection_seconds = time.perf_counter() - started

    similarity_started = time.perf_counter()
    named_names = project.named_competitors if project else []
    named, pinned = await asyncio.to_thread(resolve_named, context, named_names, owners)
    index = catalogue.index
    categories = frozenset().union(*(index.categories_of(o, k) for o, k in pinned))
    query = RetrievalQuery(
        text=project.text(target_description) if project else target_description,
        categories=categories,
        lexical_context=project.lexical_context() if project else "",
    )
    from_keywords = [(r.owner, r.key) for o in outcomes for r in o.records]
    k = max(PROJECT_CANDIDATES, top_count * 3, len(set(from_keywords)) + len(pinned))
    hits = await asyncio.to_thread(index.search, query, owners, k, pinned, from_keywords)
    by_key = {hit.key: hit for hit in hits}
    stored = await asyncio.to_thread(context.store.get_many, list(by_key))
    candidates = {c.record.key: c for c in aggregate(outcomes)}
    for hit in hits:
        if hit.key not in candidates and hit.key in stored:
            candidates[hit.key] = Candidate(record=stored[hit.key])
    records = [c.record for c in candidates.values() if c.record.key in by_key]
    ordered = score_candidates(
        [r.key for r in records],
        [r.name for r in records],
        [by_key[r.key].relevance for r in records],
        normalise(records),
        weights[0],
        weights[1],
    )
    yield RankedOutcome(
        keywords=cleaned,
        outcomes=outcomes,
        candidates={key: c for key, c in candidates.items() if key in by_key},
        ordered=ordered,
        collection_seconds=collection_seconds,
        similarity_seconds=time.perf_counter() - similarity_started,
        started=started,
        hits=by_key,
        named=named,
        floor=index.relevance.floor,
        organization_data=organization_id is not None and index.count(organization_id) > 0,
    )
