"""Where a service gets company data: one adapter interface, two kinds of adapter.

- `DatasetSource` serves a catalogue of records (the bundled demo data set plus anything
  imported with `python -m scraper_services.common.import_dataset`); its label, returned as
  `"source"` in every response, is `demo-dataset`.
- The live adapters (`scraper_services/<svc>/live_source.py`) call the official APIs.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

from scraper_services.common.keyword_index import KeywordIndex
from scraper_services.common.records import CompanyRecord, utc_now

DEMO_SOURCE_LABEL = "demo-dataset"


class SourceError(RuntimeError):
    """The source could not answer (upstream down, circuit open, bad response)."""


class CompanySource(Protocol):
    label: str

    async def search(self, keyword: str, limit: int) -> list[CompanyRecord]:
        """Companies matching a keyword, best match first, at most `limit`."""
        ...

    async def fetch(self, key: str) -> CompanyRecord | None:
        """The full record of one company by its source key (refetch of stale data)."""
        ...

    async def lookup(self, name: str | None, url: str | None) -> CompanyRecord | None:
        """One company by name or by website / profile URL."""
        ...

    async def health(self) -> dict[str, Any]: ...

    async def aclose(self) -> None: ...


class DatasetSource:
    """A catalogue held in memory with a BM25 keyword index."""

    def __init__(self, records: Sequence[CompanyRecord], label: str = DEMO_SOURCE_LABEL):
        self.label = label
        self.index = KeywordIndex(records)

    @property
    def records(self) -> list[CompanyRecord]:
        return self.index.records

    def extend(self, records: Sequence[CompanyRecord]) -> None:
        """Add (or replace by key) records, e.g. imported ones, and rebuild the index."""
        merged = {record.key: record for record in self.index.records}
        merged.update({record.key: record for record in records})
        self.index = KeywordIndex(merged.values())

    @staticmethod
    def _fresh(record: CompanyRecord | None) -> CompanyRecord | None:
        return None if record is None else record.model_copy(update={"fetched_at": utc_now()})

    async def search(self, keyword: str, limit: int) -> list[CompanyRecord]:
        now = utc_now()
        return [r.model_copy(update={"fetched_at": now}) for r in self.index.search(keyword, limit)]

    async def fetch(self, key: str) -> CompanyRecord | None:
        return self._fresh(self.index.get(key))

    async def lookup(self, name: str | None, url: str | None) -> CompanyRecord | None:
        return self._fresh(self.index.find(name=name, url=url))

    async def health(self) -> dict[str, Any]:
        return {"kind": "dataset", "label": self.label, "companies": len(self.index), "ok": True}

    async def aclose(self) -> None:
        return None
