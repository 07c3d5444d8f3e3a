"""Live adapter: the official Crunchbase API v4 (key in `settings.crunchbase_api_key`).

- keyword search: `POST /searches/organizations` with a `contains` predicate on
  `short_description`, ordered by `rank_org_company`;
- one company: `GET /entities/organizations/{permalink}` with fields and the funding-rounds card;
- lookup by name: `GET /autocompletes?collection_ids=organizations`; by website: a search with
  `domain_eq` on `website_url`.
Authentication is the `X-cb-user-key` header. Never constructed without a key.
"""

from __future__ import annotations

import re
from typing import Any

import httpx

from scraper_services.common.records import CompanyRecord
from scraper_services.common.sources import SourceError
from scraper_services.common.upstream_http import CircuitBreaker, UpstreamClient
from scraper_services.crunchbase.company_data import LIVE_LABEL, record_from_entity

SEARCH_FIELDS = [
    "identifier", "short_description", "rank_org_company", "website_url", "categories",
    "location_identifiers", "founded_on", "funding_total", "operating_status",
]  # fmt: skip
ENTITY_FIELDS = [
    *SEARCH_FIELDS, "description", "legal_name", "company_type", "facebook", "linkedin",
    "num_funding_rounds", "num_investors", "num_employees_enum",
]  # fmt: skip
_PROFILE = re.compile(r"crunchbase\.com/organization/([a-z0-9-]+)", re.IGNORECASE)


class MissingApiKey(SourceError):
    pass


class CrunchbaseApiSource:
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
            raise MissingApiKey("crunchbase_source=live needs CRUNCHBASE_API_KEY")
        self.client = UpstreamClient(
            "crunchbase",
            base_url,
            {"X-cb-user-key": api_key},
            timeout=timeout,
            attempts=attempts,
            backoff_initial=backoff_initial,
            breaker=breaker,
            transport=transport,
        )

    async def _search(self, predicate: dict[str, Any], limit: int) -> list[CompanyRecord]:
        body = {
            "field_ids": SEARCH_FIELDS,
            "query": [{"type": "predicate", **predicate}],
            "order": [{"field_id": "rank_org_company", "sort": "asc"}],
            "limit": max(1, min(limit, 1000)),
        }
        answer = await self.client.request_json("POST", "searches/organizations", json=body)
        entities = (answer or {}).get("entities") or []
        records = [record_from_entity(e.get("properties") or {}) for e in entities]
        return [record for record in records if record.key][:limit]

    async def search(self, keyword: str, limit: int) -> list[CompanyRecord]:
        words = " ".join(w for w in keyword.split() if w.upper() not in ("AND", "OR"))
        predicate = {"field_id": "short_description", "operator_id": "contains", "values": [words]}
        return await self._search(predicate, limit)

    async def fetch(self, key: str) -> CompanyRecord | None:
        params = {"field_ids": ",".join(ENTITY_FIELDS), "card_ids": "raised_funding_rounds"}
        answer = await self.client.request_json(
            "GET", f"entities/organizations/{key}", params=params
        )
        if not answer or not answer.get("properties"):
            return None
        record = record_from_entity(answer["properties"], answer.get("cards"))
        return record if record.key else None

    async def lookup(self, name: str | None, url: str | None) -> CompanyRecord | None:
        if url:
            profile = _PROFILE.search(url)
            if profile:
                return await self.fetch(profile.group(1).lower())
            domain = re.sub(r"^[a-z]+://", "", url.strip().lower()).removeprefix("www.")
            predicate = {
                "field_id": "website_url",
                "operator_id": "domain_eq",
                "values": [domain.split("/")[0]],
            }
            found = await self._search(predicate, 1)
            if found:
                return await self.fetch(found[0].key) or found[0]
        if name:
            params = {"query": name, "collection_ids": "organizations", "limit": 5}
            answer = await self.client.request_json("GET", "autocompletes", params=params)
            for entity in (answer or {}).get("entities") or []:
                permalink = (entity.get("identifier") or {}).get("permalink")
                if permalink:
                    return await self.fetch(permalink)
        return None

    async def health(self) -> dict[str, Any]:
        state = self.client.breaker.state
        return {"kind": "live", "label": self.label, "circuit": state, "ok": state != "open"}

    async def aclose(self) -> None:
        await self.client.aclose()
