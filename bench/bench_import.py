"""Company-import throughput, end to end to searchable: `python -m bench.bench_import`.

Generates a Crunchbase-layout CSV of `--rows` companies (default 10,000) from real text: the
descriptions, categories and places of the YC startups data set
(`../shared/data/yc-startups-2005-2014/Startups.csv`), repeated with varied names, websites,
years and funding. Then runs the import exactly as the worker does (`company_import.jobs`:
parse, dedupe, batches of 200 to both services over HTTP, each answering when its batch is
stored, embedded and indexed) against both market-data services started in threads on the
embedded defaults, and checks with a search that the last company is found for the
organisation. Prints companies per second.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import io
import random
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from bench.embedded_stack import embedded_stack

YC_CSV = Path(__file__).resolve().parents[2] / "shared/data/yc-startups-2005-2014/Startups.csv"
SYLLABLES = ["zor", "qua", "vel", "tri", "mon", "lux", "dra", "pel", "kin", "sto", "bri", "fa"]


def generate_csv(rows: int, seed: int = 7) -> bytes:
    rng = random.Random(seed)
    with YC_CSV.open(newline="", encoding="utf-8") as handle:
        base = [r for r in csv.DictReader(handle) if (r.get("Description") or "").strip()]
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([
        "Organization Name", "Website", "Full Description", "Industries",
        "Headquarters Location", "Founded Date", "Total Funding Amount (in USD)",
        "Operating Status",
    ])  # fmt: skip
    for i in range(rows):
        source = base[i % len(base)]
        name = "".join(rng.choice(SYLLABLES) for _ in range(3)).title() + f" {i}"
        place = ", ".join(
            p for p in (source["Headquarters (City)"], source["Headquarters (Country)"]) if p
        )
        funding = "" if rng.random() < 0.3 else f"${rng.uniform(0.2, 80):.1f}M"
        writer.writerow([
            name, f"https://{name.lower().replace(' ', '-')}.example", source["Description"],
            source["Categories"], place, str(rng.randint(2000, 2023)), funding,
            rng.choice(["Active", "Active", "Active", "Closed"]),
        ])  # fmt: skip
    return out.getvalue().encode()


async def _searchable(organization_id: int, name: str, description: str) -> bool:
    from marketnav.services.market_data import MarketDataClient
    from scraper_services.crunchbase.schemas import TopSimilarWithRankRequest

    async with MarketDataClient() as client:
        answer = await client.search_crunchbase(
            TopSimilarWithRankRequest(
                keywords=[name], target_description=description, organization_id=organization_id,
                num_companies=20, top_count=20, days_threshold=0,
            )
        )  # fmt: skip
    return name in {c.name for c in answer.all_companies}


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.bench_import")
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--verbose", action="store_true", help="print the time of each batch")
    args = parser.parse_args(argv)
    data = generate_csv(args.rows)
    print(f"CSV: {args.rows:,} rows, {len(data) / 1048576:.1f} MB (YC Startups.csv text)")
    with tempfile.TemporaryDirectory() as temp, embedded_stack(Path(temp)):
        from marketnav.db import session_scope
        from marketnav.models import Organization
        from marketnav.services.company_import import jobs, parsing

        with session_scope() as session:
            org = Organization(name="Bench Co")
            session.add(org)
            session.flush()
            organization_id = org.id
        started = time.perf_counter()
        parsed = parsing.parse(data)
        parse_seconds = time.perf_counter() - started
        started = time.perf_counter()
        with session_scope() as session:
            job = jobs.create(session, organization_id, "bench.csv", data, user=None)
            jobs.queue(session, job)
            import_id = job.id
        marks: list[tuple[float, int]] = []

        def progress(job) -> None:
            if job.sent_count and (not marks or marks[-1][1] != job.sent_count):
                marks.append((time.perf_counter() - started, job.sent_count))
                if args.verbose:
                    print(f"  {marks[-1][0]:7.1f} s  {job.sent_count:,} sent", flush=True)

        job = jobs.execute(import_id, on_progress=progress)
        last = parsed.rows[-1].company
        found = asyncio.run(_searchable(organization_id, last.name, last.description))
        seconds = time.perf_counter() - started
    assert job.status == "completed", job.message
    print(f"parse + dedupe alone: {parse_seconds:.2f} s ({args.rows / parse_seconds:,.0f} rows/s)")
    print(
        f"end to end: {job.sent_count:,} companies sent to both services in {seconds:.1f} s, "
        f"{job.error_count} row errors, last company searchable: {found}"
    )
    if len(marks) >= 2:
        first = marks[0][0]
        last_batch = marks[-1][0] - marks[-2][0]
        print(f"first batch acknowledged after {first:.1f} s, the last one took {last_batch:.1f} s")
    print(f"import throughput: {job.sent_count / seconds:,.1f} companies/s (to searchable)")


if __name__ == "__main__":
    main()
