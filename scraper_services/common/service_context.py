"""Everything one service process holds: source, store, catalogue, limits, cancellations.

Built once per process by the service's `create_app`; `start()` creates the store tables, loads
the dataset (bundled + imported companies) into the store and the store into the catalogue's
retrieval index (embeddings from the shipped and stored caches; the model loads once).
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from fastapi import HTTPException

from scraper_services.common.catalogue import Catalogue
from scraper_services.common.embeddings import (
    Embedder,
    EmbedderUnavailable,
    get_embedder,
)
from scraper_services.common.sources import CompanySource, DatasetSource
from scraper_services.common.store import CompanyStore

log = logging.getLogger(__name__)

IMPORT_ORIGIN = "import"
RETRIEVAL_BACKEND = "hybrid"


def parse_trusted_proxies(text: str) -> tuple[str, ...]:
    """SCRAPER_TRUSTED_PROXIES: a comma list of IP addresses or CIDR networks, nothing else.

    No wildcard: a proxy whose X-Forwarded-For is believed can set any caller's address, so
    each one is named."""
    proxies: list[str] = []
    for item in (part.strip() for part in text.split(",")):
        if not item:
            continue
        try:
            parsed = ipaddress.ip_network(item, strict=False) if "/" in item else None
            proxies.append(str(parsed or ipaddress.ip_address(item)))
        except ValueError:
            raise ValueError(
                f"SCRAPER_TRUSTED_PROXIES: {item!r} is not an IP address or CIDR network"
            ) from None
    return tuple(proxies)


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
    similarity_backend: str = RETRIEVAL_BACKEND
    rate_limit_per_minute: int = 120
    max_body_bytes: int = 64 * 1024
    # Peers whose X-Forwarded-For names the caller (service_cli configures uvicorn with them);
    # empty: the connecting peer is the caller.
    trusted_proxies: tuple[str, ...] = ()
    embedder: Callable[[], Embedder] = get_embedder
    catalogue: Catalogue | None = None
    similarity_error: str | None = None
    cancellations: CancellationRegistry = field(default_factory=CancellationRegistry)
    started: bool = False

    async def start(self) -> None:
        if self.started:
            return
        await asyncio.to_thread(self._prepare_store)
        await asyncio.to_thread(self._load_catalogue)
        self.started = True

    def _prepare_store(self) -> None:
        self.store.create()
        if isinstance(self.source, DatasetSource):
            bundled = [r for r in self.source.records if r.origin != IMPORT_ORIGIN]
            self.store.upsert(bundled)

    def _load_catalogue(self) -> None:
        if self.catalogue is not None:
            return
        if self.similarity_backend != RETRIEVAL_BACKEND:
            self.similarity_error = (
                f"unknown similarity_backend {self.similarity_backend!r}; use 'hybrid'"
            )
            log.error("retrieval unavailable: %s", self.similarity_error)
            return
        catalogue = Catalogue(self.store, self.embedder)
        try:
            catalogue.embedder  # noqa: B018 - load the model now, not on the first search
            catalogue.load()
        except EmbedderUnavailable as exc:
            log.error("retrieval unavailable: %s", exc)
            self.similarity_error = str(exc)
            return
        self.catalogue = catalogue

    def require_catalogue(self) -> Catalogue:
        if self.catalogue is None:
            raise HTTPException(
                status_code=503,
                detail=f"Retrieval model unavailable: {self.similarity_error or 'not loaded'}",
            )
        return self.catalogue

    async def stop(self) -> None:
        await self.source.aclose()
        await asyncio.to_thread(self.store.dispose)

    async def health(self) -> tuple[bool, dict[str, Any]]:
        store_ok = await asyncio.to_thread(self.store.ping)
        companies = await asyncio.to_thread(self.store.count) if store_ok else None
        source = await self.source.health()
        healthy = store_ok and self.catalogue is not None and bool(source.get("ok", True))
        return healthy, {
            "status": "healthy" if healthy else "degraded",
            "api": self.name,
            "source": self.source.label,
            "source_details": source,
            "store": {"backend": self.store.backend, "ok": store_ok, "companies": companies},
            "similarity_backend": self.similarity_backend,
            "similarity_ready": self.catalogue is not None,
        }
