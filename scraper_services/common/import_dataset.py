"""Import companies into the services' stores (`python -m scraper_services.common.import_dataset`).

PATH is a CSV in the layout of the YC startups 2005-2014 data set (columns Company, Satus,
Year Founded, Description, Categories, Amounts raised..., Headquarters (City),
Headquarters (Country), Website) or a JSON file in the demo data set's own format
(`{"companies": [...]}`). Imported companies are stored with origin `import`; a service on the
`dataset` source serves them, next to the bundled demo set, from its next start.
"""

from __future__ import annotations

import argparse
import csv
import json
from collections.abc import Sequence
from pathlib import Path

from marketnav.settings import get_settings
from scraper_services.common.demo_catalogue import DemoCompany, slugify
from scraper_services.common.money import parse_usd_amounts
from scraper_services.common.service_context import IMPORT_ORIGIN

_STATUS = {"operating": "operating", "dead": "closed", "exited": "acquired"}


def _year(value: str) -> int | None:
    value = value.strip()
    return int(value) if value.isdigit() and 1800 < int(value) < 2100 else None


def read_startups_csv(path: Path) -> list[DemoCompany]:
    """Companies from a YC-startups style CSV; rows without a description are skipped."""
    companies: dict[str, DemoCompany] = {}
    with path.open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            name = (row.get("Company") or "").strip()
            description = " ".join((row.get("Description") or "").split())
            if not name or not description:
                continue
            status = (row.get("Satus") or row.get("Status") or "").strip().lower()
            website = (row.get("Website") or "").strip() or None
            company = DemoCompany(
                name=name,
                slug=slugify(name),
                website=website,
                description=description,
                categories=[
                    c.strip() for c in (row.get("Categories") or "").split(",") if c.strip()
                ],
                founded_year=_year(row.get("Year Founded") or ""),
                hq_city=(row.get("Headquarters (City)") or "").strip() or None,
                hq_country=(row.get("Headquarters (Country)") or "").strip() or None,
                total_funding_usd=parse_usd_amounts(
                    row.get("Amounts raised in different funding rounds") or ""
                ),
                status=_STATUS.get(status, "operating"),
            )
            companies.setdefault(company.slug, company)
    return list(companies.values())


def read_companies_file(path: Path) -> list[DemoCompany]:
    if path.suffix.lower() == ".json":
        payload = json.loads(path.read_text(encoding="utf-8"))
        return [DemoCompany.model_validate(item) for item in payload["companies"]]
    return read_startups_csv(path)


def import_companies(companies: Sequence[DemoCompany], services: Sequence[str]) -> dict[str, int]:
    """Upserts the companies into each named service's store; returns rows written."""
    from scraper_services.crunchbase import app as crunchbase_app
    from scraper_services.crunchbase.company_data import record_from_demo as crunchbase_record
    from scraper_services.tracxn import app as tracxn_app
    from scraper_services.tracxn.full_data import record_from_demo as tracxn_record

    settings = get_settings()
    builders = {
        "crunchbase": (crunchbase_app.make_store, crunchbase_record),
        "tracxn": (tracxn_app.make_store, tracxn_record),
    }
    written: dict[str, int] = {}
    for service in services:
        make_store, to_record = builders[service]
        store = make_store(settings)
        try:
            store.create()
            written[service] = store.upsert(to_record(c, origin=IMPORT_ORIGIN) for c in companies)
        finally:
            store.dispose()
    return written


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m scraper_services.common.import_dataset")
    parser.add_argument("path", type=Path, help="CSV (YC startups layout) or JSON file")
    parser.add_argument(
        "--service", choices=["crunchbase", "tracxn", "both"], default="both", help="target store"
    )
    args = parser.parse_args(argv)
    companies = read_companies_file(args.path)
    services = ["crunchbase", "tracxn"] if args.service == "both" else [args.service]
    written = import_companies(companies, services)
    for service, count in written.items():
        print(f"{service}: imported {count} companies from {args.path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
