"""An organisation's own company data: stored under its id, searchable by its projects only.

`import_batch` turns parsed rows into the service's records (its own `record_from_demo`
shape), merges each with the company the organisation already has (`company_identity`, the
rule the app's dedupe uses: same website domain, else same name key unless the websites
differ; one entity, every source kept), stores them with `owner` set and indexes
them before answering, so an accepted batch is searchable when the call returns. Keys are
namespaced (`org<id>/…`) so an import never overwrites the shared data set.
"""

from __future__ import annotations

from collections.abc import Callable

from scraper_services.common.category_tagging import CategoryVocabulary
from scraper_services.common.company_identity import IdentityIndex
from scraper_services.common.contracts import (
    WEB_IMPORT_LABEL,
    ImportBatchRequest,
    ImportBatchResponse,
    ImportedCompany,
)
from scraper_services.common.demo_catalogue import DemoCompany
from scraper_services.common.records import CompanyRecord, utc_now
from scraper_services.common.service_context import ServiceContext

RecordBuilder = Callable[[DemoCompany, str], CompanyRecord]
MAX_PAGES = 20


def _merge(old: CompanyRecord, new: CompanyRecord) -> CompanyRecord:
    """One entity from two rows: known facts are kept, gaps filled, sources united."""
    update: dict = {}
    for field in ("website", "founded_year", "hq_city", "hq_country", "total_funding_usd"):
        if getattr(old, field) in (None, "") and getattr(new, field) not in (None, ""):
            update[field] = getattr(new, field)
    if len(new.description) > len(old.description):
        update["description"] = new.description
        update["details"] = new.details
    update["categories"] = list(dict.fromkeys([*old.categories, *new.categories]))
    update["sources"] = list(dict.fromkeys([*old.sources, *new.sources]))
    update["pages"] = _newest_pages([*old.pages, *new.pages])
    # A new `fetched_at`: every process's parsed-record cache is keyed on it (the store's
    # `_parse`), so a merged record must never look like the one cached before the merge.
    update["fetched_at"] = utc_now()
    return old.model_copy(update=update)


def _record(
    row: ImportedCompany, owner: int, build: RecordBuilder, vocabulary: CategoryVocabulary
) -> CompanyRecord:
    sources = row.sources or ["csv"]
    web_only = sources == [WEB_IMPORT_LABEL]
    categories = row.categories
    if web_only and not categories:
        # The data set's labels its pages use: without any, retrieval's category signals are
        # 0 and a web company loses to every data-set company of its sector.
        categories = vocabulary.tag(f"{row.name}. {row.description}")
    company = DemoCompany(
        name=row.name,
        website=row.website or None,
        description=row.description,
        categories=categories,
        founded_year=row.founded_year,
        hq_city=row.hq_city,
        hq_country=row.hq_country,
        total_funding_usd=row.total_funding_usd,
        status=row.status,
    )
    record = build(company, f"import:{sources[0]}")
    pages = [page.model_dump(mode="json") for page in row.pages]
    record = record.model_copy(
        update={
            "key": f"org{owner}/{record.key}",
            "owner": owner,
            "sources": sources,
            "pages": _newest_pages(pages),
        }
    )
    return _web_only_unknowns(record) if web_only else record


def _newest_pages(pages: list[dict]) -> list[dict]:
    """One entry per URL (the latest fetch), newest first, at most `MAX_PAGES`."""
    latest: dict[str, dict] = {}
    for page in pages:
        known = latest.get(page["url"])
        if known is None or str(page["fetched_at"]) > str(known["fetched_at"]):
            latest[page["url"]] = page
    ordered = sorted(latest.values(), key=lambda p: str(p["fetched_at"]), reverse=True)
    return ordered[:MAX_PAGES]


# Fields the record builders fill with a default ("Active", "For Profit", "Private"): right
# for nothing a web page told us, so a web-only company has them unknown.
_DEFAULTED_DETAILS = ("CB Rank", "Operating Status", "Company Type", "IPO Status")


def _web_only_unknowns(record: CompanyRecord) -> CompanyRecord:
    """A company known only from web pages has no public facts to derive a rank or score
    from (the demo formula would give it one from nothing: unknown is not "low"), and no
    status or company type either."""
    details = record.details
    if isinstance(details, dict):
        details = {**details, **{k: "N/A" for k in _DEFAULTED_DETAILS if k in details}}
    elif isinstance(details, list):
        unknown = {"tracxn_score": None, "status": "N/A"}
        details = [
            {**s, "data": {**s["data"], **{k: v for k, v in unknown.items() if k in s["data"]}}}
            if isinstance(s, dict) and isinstance(s.get("data"), dict)
            else s
            for s in details
        ]
    update = {"cb_rank": None, "tracxn_score": None, "operating_status": None, "details": details}
    return record.model_copy(update=update)


def _unique_key(record: CompanyRecord, taken: set[str]) -> CompanyRecord:
    """Two companies whose names give one slug ("Acme" on acme.com and on acme.io) get two
    keys: `org7/acme`, `org7/acme-2`."""
    key, number = record.key, 1
    while key in taken:
        number += 1
        key = f"{record.key}-{number}"
    return record if key == record.key else record.model_copy(update={"key": key})


def import_batch(
    context: ServiceContext, request: ImportBatchRequest, build: RecordBuilder
) -> ImportBatchResponse:
    owner = request.organization_id
    catalogue = context.require_catalogue()
    known: IdentityIndex[str] = IdentityIndex()
    taken: set[str] = set()
    for key, name, website in context.store.owned_identities(owner):
        known.add(key, website, name)
        taken.add(key)
    pending: dict[str, CompanyRecord] = {}
    created = merged = 0
    vocabulary = catalogue.category_vocabulary()
    for row in request.companies:
        record = _record(row, owner, build, vocabulary)
        existing_key = known.match(record.website, record.name)
        if existing_key is None:
            created += 1
            record = _unique_key(record, taken)
            taken.add(record.key)
            pending[record.key] = record
        else:
            merged += 1
            old = pending.get(existing_key) or context.store.get_many([existing_key]).get(
                existing_key
            )
            pending[existing_key] = _merge(old, record) if old else record
        known.add(existing_key or record.key, record.website, record.name)
    records = list(pending.values())
    context.store.upsert(records)
    catalogue.add(records)
    catalogue.index.prepare()
    return ImportBatchResponse(
        received=len(request.companies),
        created=created,
        merged=merged,
        searchable=catalogue.index.count(owner),
    )


def delete_organization(context: ServiceContext, organization_id: int) -> int:
    """Everything an organisation imported, from the store and the index."""
    deleted = context.store.delete_owner(organization_id)
    if context.catalogue is not None:
        context.catalogue.remove_owner(organization_id)
    return deleted
