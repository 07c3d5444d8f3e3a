"""Live adapter: the Tracxn API 2.2 (key in `settings.tracxn_api_key`).

Every call is `POST {base}/companies` with the `accessToken` header and a body
`{"filter": {...}, "from": 0, "size": n}`: `keyword` for searches, `id` for one company,
`companyName` / `domain` for lookups. Answers carry `result[]` company objects.
Never constructed without a key.
"""

from __future__ import annotations

import re
from typing import Any

import httpx

from scraper_services.common.records import CompanyRecord
from scraper_services.common.sources import SourceError
from scraper_services.common.upstream_http import CircuitBreaker, UpstreamClient
from scraper_services.tracxn.full_data import LIVE_LABEL, record_from_api

_REFERENCE = re.compile(r"/a/d/company/([^/]+)/")


class MissingApiKey(SourceError):
    pass


class TracxnApiSource:
    label = LIVE_LABEL

    def __init__(
        self,
        api_key: str,
        base_url: str,
        *,
        timeout: float = 15.0,
        attempts: int = 4,
        backoff_initial: float = 0.5,
        breaker: CircuitBreaker | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
    ):
        if not api_key:
            raise MissingApiKey("tracxn_source=live needs TRACXN_API_KEY")
        self.client = UpstreamClient(
            "tracxn",
            base_url,
            {"accessToken": api_key},
            timeout=timeout,
            attempts=attempts,
            backoff_initial=backoff_initial,
            breaker=breaker,
            transport=transport,
        )

    async def _companies(self, filter_: dict[str, Any], size: int) -> list[CompanyRecord]:
        body = {"filter": filter_, "from": 0, "size": max(1, min(size, 20))}
        records: list[CompanyRecord] = []
        while len(records) < size:
            answer = await self.client.request_json("POST", "companies", json=body)
            page = (answer or {}).get("result") or []
            records.extend(r for r in (record_from_api(c) for c in page) if r.key)
            total = (answer or {}).get("total_count", 0)
            body["from"] += len(page)
            if not page or body["from"] >= total:
                break
        return records[:size]

    async def search(self, keyword: str, limit: int) -> list[CompanyRecord]:
        terms = [t.strip() for t in re.split(r"\s+AND\s+", keyword) if t.strip()]
        return await self._companies({"keyword": terms or [keyword]}, limit)

    async def fetch(self, key: str) -> CompanyRecord | None:
        match = _REFERENCE.search(key + "/")
        if not match:
            return None
        found = await self._companies({"id": [match.group(1)]}, 1)
        return found[0] if found else None

    async def lookup(self, name: str | None, url: str | None) -> CompanyRecord | None:
        if url:
            if _REFERENCE.search(url + "/"):
                return await self.fetch(url[url.index("/a/d/company/") :])
            domain = re.sub(r"^[a-z]+://", "", url.strip().lower()).removeprefix("www.")
            found = await self._companies({"domain": [domain.split("/")[0]]}, 1)
            if found:
                return found[0]
        if name:
            found = await self._companies({"companyName": [name]}, 1)
            if found:
                return found[0]
        return None

    async def health(self) -> dict[str, Any]:
        state = self.client.breaker.state
        return {"kind": "live", "label": self.label, "circuit": state, "ok": state != "open"}

    async def aclose(self) -> None:
        await self.client.aclose()
