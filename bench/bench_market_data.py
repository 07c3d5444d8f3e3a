"""Search-with-rank latency of crunchbase_api and tracxn_api: `python -m bench.bench_market_data`.

For 10 keywords, over real HTTP (uvicorn on loopback, keep-alive client), on the bundled demo
set and on a set 10x its size generated from it (each company re-described with dropped words,
perturbed funding and year). Cold = the first search after a fresh start (empty keyword cache,
no document vectors; store seeding and model fitting are start-up, reported separately); warm =
the same search repeated with everything fresh in the store. The services rank by hybrid
retrieval (their only backend). `--quality` also prints the single-signal similarity figures
(TF-IDF and the numpy MiniLM: YC category-based P@10, the ideas' hit rate and MRR).
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import httpx
import uvicorn

from marketnav.settings import Settings
from scraper_services.common.demo_catalogue import DemoCompany, load_demo_companies
from scraper_services.common.service_context import RETRIEVAL_BACKEND
from scraper_services.common.sources import DatasetSource

KEYWORDS = [
    "food delivery", "payments", "language learning", "electric vehicles", "mental health",
    "developer tools", "marketplace", "carbon", "insurance", "ai assistant",
]  # fmt: skip
TARGET = "A mobile app that connects busy parents with healthy meal delivery and coaching"
TOKEN = "bench-token"
YC_CSV = Path(__file__).resolve().parents[2] / "shared/data/yc-startups-2005-2014/Startups.csv"


def generated_catalogue(
    base: Sequence[DemoCompany], factor: int, seed: int = 11
) -> list[DemoCompany]:
    """`factor` times the base set: the originals plus re-described variants of each."""
    rng = random.Random(seed)
    companies = list(base)
    for copy in range(1, factor):
        for company in base:
            words = company.description.split()
            kept = [w for w in words if rng.random() > 0.15] or words
            funding = (company.total_funding_usd or 1e6) * rng.uniform(0.02, 1.5)
            companies.append(
                company.model_copy(
                    update={
                        "name": f"{company.name} {copy}",
                        "slug": f"{company.slug}-{copy}",
                        "description": " ".join(kept),
                        "total_funding_usd": funding,
                        "founded_year": (company.founded_year or 2015) + rng.randint(-3, 6),
                    }
                )
            )
    return companies


@contextmanager
def running(app) -> Iterator[str]:
    with socketless_port() as port:
        config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="error")
        server = uvicorn.Server(config)
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        while not server.started:
            time.sleep(0.01)
        try:
            yield f"http://127.0.0.1:{port}"
        finally:
            server.should_exit = True
            thread.join()


@contextmanager
def socketless_port() -> Iterator[int]:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    yield port


def percentile(samples: Sequence[float], fraction: float) -> float:
    ordered = sorted(samples)
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


def _services() -> dict[str, tuple[Callable, Callable, str, dict]]:
    from scraper_services.crunchbase.app import create_app as crunchbase_app
    from scraper_services.crunchbase.company_data import record_from_demo as crunchbase_record
    from scraper_services.tracxn.app import create_app as tracxn_app
    from scraper_services.tracxn.full_data import record_from_demo as tracxn_record

    crunchbase_body = {"keywords": KEYWORDS, "target_description": TARGET, "num_companies": 10}
    tracxn_body = {"company_names": KEYWORDS, "target_description": TARGET, "top_count": 10}
    return {
        "crunchbase": (
            crunchbase_app,
            crunchbase_record,
            "/search/crunchbase/top-similar-with-rank",
            crunchbase_body,
        ),
        "tracxn": (tracxn_app, tracxn_record, "/scrape-batch-api-with-rank", tracxn_body),
    }


def bench_service(
    name: str, companies: Sequence[DemoCompany], backend: str, cold_runs: int, warm_runs: int
) -> dict[str, float]:
    create_app, to_record, path, body = _services()[name]
    records = [to_record(company) for company in companies]
    cold, startups = [], []
    warm: list[float] = []
    for run in range(cold_runs):
        with tempfile.TemporaryDirectory() as var_dir:
            settings = Settings(
                var_dir=Path(var_dir), scraper_service_token=TOKEN, similarity_backend=backend
            )
            started = time.perf_counter()
            app = create_app(
                settings, source=DatasetSource(records), rate_limit_per_minute=1_000_000
            )
            with (
                running(app) as url,
                httpx.Client(
                    base_url=url, headers={"X-Service-Token": TOKEN}, timeout=120
                ) as client,
            ):
                client.get("/health").raise_for_status()
                startups.append(time.perf_counter() - started)
                began = time.perf_counter()
                client.post(path, json=body).raise_for_status()
                cold.append(time.perf_counter() - began)
                if run == cold_runs - 1:
                    for _ in range(5):
                        client.post(path, json=body).raise_for_status()
                    for _ in range(warm_runs):
                        began = time.perf_counter()
                        client.post(path, json=body).raise_for_status()
                        warm.append(time.perf_counter() - began)
    return {
        "companies": len(companies),
        "startup_s": statistics.median(startups),
        "cold_p50_ms": percentile(cold, 0.5) * 1000,
        "cold_p95_ms": percentile(cold, 0.95) * 1000,
        "warm_p50_ms": percentile(warm, 0.5) * 1000,
        "warm_p95_ms": percentile(warm, 0.95) * 1000,
    }


def print_quality() -> None:
    from scraper_services.common.import_dataset import read_startups_csv
    from scraper_services.common.similarity import MiniLMSimilarity, TfidfSimilarity
    from scraper_services.common.similarity_quality import measure

    yc, demo = read_startups_csv(YC_CSV), load_demo_companies()
    print("\nsimilarity quality (descriptions only)")
    print(f"{'model':8} {'YC P@10':>8} {'random':>7} {'ideas hit@5':>12} {'ideas MRR':>10}")
    for model in (TfidfSimilarity(), MiniLMSimilarity()):
        f = measure(model, yc, demo)
        print(
            f"{f.name:8} {f.yc_precision_at_10:8.3f} {f.yc_random_baseline:7.3f} "
            f"{f.ideas_hit_rate_at_5:12.2f} {f.ideas_mrr:10.2f}"
        )


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.bench_market_data")
    parser.add_argument("--cold-runs", type=int, default=10)
    parser.add_argument("--warm-runs", type=int, default=200)
    parser.add_argument("--backend", default=RETRIEVAL_BACKEND, choices=[RETRIEVAL_BACKEND])
    parser.add_argument("--services", default="crunchbase,tracxn")
    parser.add_argument("--quality", action="store_true", help="also print similarity quality")
    args = parser.parse_args(argv)
    bundled = list(load_demo_companies())
    sizes = {"bundled": bundled, "10x": generated_catalogue(bundled, 10)}
    print(f"search-with-rank, {len(KEYWORDS)} keywords, 10 companies each, "
          f"backend={args.backend}, HTTP on loopback")  # fmt: skip
    header = f"{'service':11} {'data set':8} {'companies':>9} {'start s':>8} "
    header += f"{'cold p50':>9} {'cold p95':>9} {'warm p50':>9} {'warm p95':>9}  (ms)"
    print(header)
    for service in args.services.split(","):
        for label, companies in sizes.items():
            r = bench_service(service, companies, args.backend, args.cold_runs, args.warm_runs)
            print(
                f"{service:11} {label:8} {r['companies']:9d} {r['startup_s']:8.2f} "
                f"{r['cold_p50_ms']:9.1f} {r['cold_p95_ms']:9.1f} "
                f"{r['warm_p50_ms']:9.1f} {r['warm_p95_ms']:9.1f}"
            )
    if args.quality:
        print_quality()


if __name__ == "__main__":
    main()
