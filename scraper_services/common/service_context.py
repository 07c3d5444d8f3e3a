"""Everything one service process holds: source, store, similarity model, limits, cancellations.

Built once per process by the service's `create_app`; `start()` creates the store tables, loads
the dataset (bundled + imported companies) into the store and loads the similarity model once.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from fastapi import HTTPException

from scraper_services.common.records import CompanyRecord
from scraper_services.common.similarity import (
    SimilarityModel,
    SimilarityUnavailable,
    create_similarity,
)
from scraper_services.common.sources import CompanySource, DatasetSource
from scraper_services.common.store import CompanyStore

log = logging.getLogger(__name__)

IMPORT_ORIGIN = "import"
MAX_CORPUS_FOR_FIT = 50_000


class CancellationRegistry:
    """Request ids of running searches and whether someone asked to cancel them."""

    def __init__(self) -> None:
        self._active: dict[str, bool] = {}
        self._lock = threading.Lock()

    def begin(self, request_id: str) -> None:
        with self._lock:
            self._active[request_id] = False

    def cancel(self, request_id: str) -> bool:
        with self._lock:
            if request_id not in self._active:
                return False
            self._active[request_id] = True
            return True

    def is_running(self, request_id: str) -> bool:
        return request_id in self._active

    def is_cancelled(self, request_id: str) -> bool:
        return self._active.get(request_id, False)

    def finish(self, request_id: str) -> None:
        with self._lock:
            self._active.pop(request_id, None)


@dataclass
class ServiceContext:
    name: str
    source: CompanySource
    store: CompanyStore
    token: str
    similarity_backend: str = "tfidf"
    rate_limit_per_minute: int = 120
    max_body_bytes: int = 64 * 1024
    similarity: SimilarityModel | None = None
    similarity_error: str | None = None
    cancellations: CancellationRegistry = field(default_factory=CancellationRegistry)
    started: bool = False

    async def start(self) -> None:
        if self.started:
            return
        await asyncio.to_thread(self._prepare_store)
        await asyncio.to_thread(self._load_similarity)
        self.started = True

    def _prepare_store(self) -> None:
        self.store.create()
        if isinstance(self.source, DatasetSource):
            bundled = [r for r in self.source.records if r.origin != IMPORT_ORIGIN]
            imported = list(self.store.iter_records(origin=IMPORT_ORIGIN))
            if imported:
                self.source.extend(imported)
            self.store.upsert(bundled)

    def _corpus(self) -> list[tuple[str, str]]:
        if isinstance(self.source, DatasetSource):
            return [(record.key, record.similarity_text) for record in self.source.records]
        corpus = []
        for record in self.store.iter_records():
            corpus.append((record.key, record.similarity_text))
            if len(corpus) >= MAX_CORPUS_FOR_FIT:
                break
        return corpus

    def _load_similarity(self) -> None:
        if self.similarity is not None:
            return
        try:
            model = create_similarity(self.similarity_backend)
            model.fit(self._corpus())
        except (SimilarityUnavailable, ValueError) as exc:
            log.error("similarity model unavailable: %s", exc)
            self.similarity_error = str(exc)
            return
        self.similarity = model

    def require_similarity(self) -> SimilarityModel:
        if self.similarity is None:
            raise HTTPException(
                status_code=503,
                detail=f"Similarity model unavailable: {self.similarity_error or 'not loaded'}",
            )
        return self.similarity

    async def similarities(self, target: str, records: Sequence[CompanyRecord]) -> list[float]:
        model = self.require_similarity()
        documents = [(record.key, record.similarity_text) for record in records]
        if model.name == "tfidf" and len(documents) <= 2000:
            return model.score(target, documents)  # sub-millisecond per document: stay inline
        return await asyncio.to_thread(model.score, target, documents)

    async def stop(self) -> None:
        await self.source.aclose()
        await asyncio.to_thread(self.store.dispose)

    async def health(self) -> tuple[bool, dict[str, Any]]:
        store_ok = await asyncio.to_thread(self.store.ping)
        companies = await asyncio.to_thread(self.store.count) if store_ok else None
        source = await self.source.health()
        healthy = store_ok and self.similarity is not None and bool(source.get("ok", True))
        return healthy, {
            "status": "healthy" if healthy else "degraded",
            "api": self.name,
            "source": self.source.label,
            "source_details": source,
            "store": {"backend": self.store.backend, "ok": store_ok, "companies": companies},
            "similarity_backend": self.similarity_backend,
            "similarity_ready": self.similarity is not None,
        }
