"""Retrieval at scale: `python -m bench.bench_retrieval_scale [--sizes ...] [--stores ...]`.

For each size N (default 10k and 100k companies; `--sizes 10000,100000,1000000` adds 1M,
whose start-up alone, the HNSW build, takes 10+ minutes per store on 2 cores) and store (the
embedded SQLite store and PostgreSQL on 127.0.0.1:5432, in a throw-away database
`mn_bench_<random>`), it writes N
company records into a Crunchbase service store (`CompanyStore.upsert`) with their vectors
(`put_vectors`), then, in a fresh process per size and store (a service replica):
- the start-up: `Catalogue.load` (records, cached vectors, BM25 and HNSW built), its time and
  the process RSS after it (and the peak);
- search latency p50/p95 of `CompanyIndex.search(RetrievalQuery(text=...), [None], k=60)` as
  `ranked_search` calls it: cold (the first query after the load; the first query of each of
  20 new texts, which embeds it) and warm (20 project texts of the gold set, 200 samples);
- one full HTTP search through the service (`top-similar-with-rank`: keyword searches, the
  project search, records from the store) with httpx against uvicorn in a thread.
Then ingest with real text at 10k: the numpy embedder on 10k real descriptions (companies/s)
and the store writes. Prints a table and how each figure grows with size (ratios).

The records: the 1,375 bundled companies, then companies made by recombining real description
sentences of the bundled set and of the YC startups data set
(`../shared/data/yc-startups-2005-2014/Startups.csv`), with the categories of the same
companies. Their vectors are generated at the model's dimension (384, L2-normalised): the
shipped vector of a bundled company of the same sector blended with a neighbour's plus noise,
so the neighbourhoods look like the real ones. Figures only, no assertions.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import gc
import itertools
import json
import os
import re
import resource
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

# One BLAS thread unless told otherwise: on a busy 2-core machine OpenBLAS's spinning threads
# made one query embedding ~0.8 s instead of ~60 ms (measured). Set before numpy loads.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np

YC_CSV = Path(__file__).resolve().parents[2] / "shared/data/yc-startups-2005-2014/Startups.csv"
PG_ADMIN = "host=127.0.0.1 port=5432 user=postgres dbname=postgres"
PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/{db}"
SERVICE = "crunchbase"
DIMENSION = 384
CHUNK = 10_000
QUERIES = 20
WARM_SAMPLES = 200
HTTP_SAMPLES = 20
SEARCH_K = 60
SYLLABLES = ["zor", "qua", "vel", "tri", "mon", "lux", "dra", "pel", "kin", "sto", "bri", "fa"]
SENTENCE = re.compile(r"(?<=[.!?])\s+")


# ---- the material: real sentences, categories and vectors ----------------------------------


@dataclass
class Material:
    companies: list  # DemoCompany of the bundled set
    vectors: np.ndarray  # their shipped vectors (float32, one row each)
    by_sector: dict[str, list[int]]
    sentences: list[list[str]]  # the sentences of each bundled company's description
    yc: list[tuple[str, str, list[str]]]  # (company, sentence, categories) of the YC set


def load_material() -> Material:
    from scraper_services.common.demo_catalogue import load_demo_companies
    from scraper_services.common.demo_vectors import shipped_vectors
    from scraper_services.common.embeddings import text_digest
    from scraper_services.crunchbase.company_data import record_from_demo

    companies = load_demo_companies()
    shipped = shipped_vectors()
    vectors = np.stack([shipped[text_digest(record_from_demo(c).index_text)] for c in companies])
    by_sector: dict[str, list[int]] = {}
    for i, company in enumerate(companies):
        by_sector.setdefault(company.sector, []).append(i)
    sentences = [[s for s in SENTENCE.split(c.description) if s] for c in companies]
    yc = []
    with YC_CSV.open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            text = (row.get("Description") or "").strip()
            if text:
                categories = [c.strip() for c in (row.get("Categories") or "").split(",")]
                for sentence in SENTENCE.split(text):
                    if len(sentence) > 20:
                        yc.append((row["Company"], sentence, [c for c in categories if c]))
    return Material(companies, vectors.astype(np.float32), by_sector, sentences, yc)


def generate(material: Material, start: int, count: int, seed: int = 7):
    """Records start..start+count (the bundled companies first) and the generated vectors
    by text digest (none for the bundled ones: their vectors are shipped)."""
    from scraper_services.common.demo_catalogue import DemoCompany
    from scraper_services.common.embeddings import text_digest
    from scraper_services.crunchbase.company_data import record_from_demo

    rng = np.random.default_rng(seed + start)
    bundled = len(material.companies)
    records, generated, ids = [], [], []
    for i in range(start, start + count):
        if i < bundled:
            records.append(record_from_demo(material.companies[i]))
            continue
        base_i = int(rng.integers(bundled))
        base = material.companies[base_i]
        peers = material.by_sector[base.sector]
        peer_i = peers[int(rng.integers(len(peers)))]
        peer = material.companies[peer_i]
        syllables = "".join(SYLLABLES[j] for j in rng.integers(len(SYLLABLES), size=3))
        name = f"{syllables.title()} {i}"
        own = material.sentences[base_i]
        parts = [own[int(rng.integers(len(own)))].replace(base.name, name)]
        other = material.sentences[peer_i]
        parts.append(other[int(rng.integers(len(other)))].replace(peer.name, name))
        categories = list(base.categories)
        if rng.random() < 0.4:
            yc_name, sentence, yc_categories = material.yc[int(rng.integers(len(material.yc)))]
            parts.append(sentence.replace(yc_name, name))
            categories += yc_categories[:1]
        elif rng.random() < 0.3 and peer.categories:
            categories.append(peer.categories[-1])
        company = DemoCompany(
            name=name,
            website=f"https://{name.lower().replace(' ', '-')}.example",
            description=" ".join(parts),
            categories=list(dict.fromkeys(categories)),
            founded_year=(base.founded_year or 2015) + int(rng.integers(-3, 4)),
            hq_city=peer.hq_city,
            hq_country=peer.hq_country,
            total_funding_usd=(base.total_funding_usd or 1e6) * float(rng.uniform(0.05, 2.0)),
            status="operating",
            sector=base.sector,
        )
        generated.append(record_from_demo(company))
        records.append(generated[-1])
        ids.append((base_i, peer_i))
    vectors: dict[str, np.ndarray] = {}
    if ids:
        pairs = np.asarray(ids)
        noise = rng.standard_normal((len(ids), DIMENSION)).astype(np.float32)
        blended = (
            0.75 * material.vectors[pairs[:, 0]]
            + 0.25 * material.vectors[pairs[:, 1]]
            + 0.55 * noise / np.sqrt(DIMENSION)
        )
        blended /= np.linalg.norm(blended, axis=1, keepdims=True)
        vectors = {text_digest(r.index_text): v for r, v in zip(generated, blended, strict=True)}
    return records, vectors


# ---- stores ---------------------------------------------------------------------------------


@contextlib.contextmanager
def postgres_database() -> Iterator[str]:
    """A throw-away database on the local PostgreSQL; yields its SQLAlchemy URL."""
    import psycopg

    name = f"mn_bench_{secrets.token_hex(4)}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield PG_URL.format(db=name)
    finally:
        with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def fill(material: Material, stores: dict[str, object], size: int) -> dict[str, dict]:
    """Writes `size` records (+ vectors) into each store, chunk by chunk; write timings."""
    timing = {label: {"upsert": 0.0, "vectors": 0.0} for label in stores}
    generation = 0.0
    for start in range(0, size, CHUNK):
        started = time.perf_counter()
        records, vectors = generate(material, start, min(CHUNK, size - start))
        generation += time.perf_counter() - started
        for label, store in stores.items():
            started = time.perf_counter()
            store.upsert(records)
            middle = time.perf_counter()
            store.put_vectors(vectors)
            timing[label]["upsert"] += middle - started
            timing[label]["vectors"] += time.perf_counter() - middle
        del records, vectors
    for label in stores:
        timing[label]["generation"] = generation
    return timing


# ---- one replica: load, memory, latency (run in a fresh process) ----------------------------


def project_texts() -> tuple[list[str], list[str], list[dict]]:
    """20 warm project texts, 20 new ones, and HTTP request bodies, from the gold set."""
    from bench.competitor_gold import load_ideas
    from scraper_services.common.company_index import category_set
    from scraper_services.common.contracts import ProjectQuery
    from scraper_services.common.demo_catalogue import load_demo_companies

    categories = {c.name: c.categories for c in load_demo_companies()}
    ideas = load_ideas()
    texts, bodies = [], []
    for idea in ideas[: 2 * QUERIES]:
        project = ProjectQuery(
            description=idea.inputs.get("startup_description", ""),
            audience=idea.inputs.get("target_audience", ""),
        )
        texts.append(project.text())
        labels = [c for name in idea.competitors for c in categories.get(name, [])]
        keywords = [k for k in dict.fromkeys(labels) if k.casefold() in category_set([k])][:3]
        bodies.append({
            "keywords": keywords or [idea.sector.replace("-", " ")],
            "target_description": project.description,
            "num_companies": 10,
            "top_count": 10,
            "project": project.model_dump(),
        })  # fmt: skip
    return texts[:QUERIES], texts[QUERIES:], bodies[:QUERIES]


def percentiles(samples: Sequence[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return statistics.median(ordered) * 1000, p95 * 1000


def measure(url: str, http: bool) -> dict:
    """What one service replica sees: start-up, memory, latency (direct and over HTTP)."""
    import psutil

    from scraper_services.common.catalogue import Catalogue
    from scraper_services.common.company_index import RetrievalQuery
    from scraper_services.common.embeddings import get_embedder
    from scraper_services.common.store import CompanyStore

    process = psutil.Process()
    warm_texts, new_texts, bodies = project_texts()
    store = CompanyStore(url, SERVICE)
    catalogue = Catalogue(store, get_embedder)
    catalogue.embedder  # noqa: B018 - the service loads the model before the catalogue
    gc.collect()
    rss_before = process.memory_info().rss
    started = time.perf_counter()
    count = catalogue.load()
    load_seconds = time.perf_counter() - started
    gc.collect()
    rss_after = process.memory_info().rss
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    index = catalogue.index

    def search(text: str) -> float:
        started = time.perf_counter()
        index.search(RetrievalQuery(text=text), owners=[None], k=SEARCH_K)
        return time.perf_counter() - started

    first = search(warm_texts[0])
    for text in warm_texts[1:]:
        search(text)  # each text once: the warm figures are repeats
    warm = [search(warm_texts[i % len(warm_texts)]) for i in range(WARM_SAMPLES)]
    cold = [search(text) for text in new_texts]
    embed = []
    for text in warm_texts:
        started = time.perf_counter()
        catalogue.encode([text])
        embed.append(time.perf_counter() - started)
    result = {
        "companies": count,
        "load_s": load_seconds,
        "rss_mb": rss_after / 2**20,
        "index_mb": (rss_after - rss_before) / 2**20,
        "peak_mb": peak / 2**20,
        "first_ms": first * 1000,
        "warm": percentiles(warm),
        "cold": percentiles(cold),
        "embed": percentiles(embed),
    }
    if http:
        result["http"] = http_latency(store, catalogue, bodies)
    return result


def http_latency(store, catalogue, bodies: list[dict]) -> dict:
    """`top-similar-with-rank` through the service app (uvicorn in a thread, httpx)."""
    import httpx

    from scraper_services.crunchbase.app import create_app
    from tests.scraper_fixtures import AUTH, make_settings, serve_in_thread

    with tempfile.TemporaryDirectory() as temp:
        app = create_app(make_settings(Path(temp)), store=store, rate_limit_per_minute=10**6)
        app.state.context.catalogue = catalogue  # the replica's loaded catalogue
        path = "/search/crunchbase/top-similar-with-rank"
        with serve_in_thread(app) as base, httpx.Client(base_url=base, headers=AUTH) as client:

            def post(body: dict) -> float:
                started = time.perf_counter()
                response = client.post(path, json=body, timeout=300)
                response.raise_for_status()
                return time.perf_counter() - started

            cold = [post(body) for body in bodies]
            warm = [post(bodies[i % len(bodies)]) for i in range(HTTP_SAMPLES)]
    return {"first_ms": cold[0] * 1000, "cold": percentiles(cold), "warm": percentiles(warm)}


def measure_in_child(url: str, http: bool) -> dict:
    """`measure` in a fresh interpreter, so memory is one replica's, not this process's."""
    command = [sys.executable, "-m", "bench.bench_retrieval_scale", "--measure", url]
    if http:
        command.append("--http")
    output = subprocess.run(command, capture_output=True, text=True, check=False)
    for line in output.stdout.splitlines():
        if line.startswith("RESULT "):
            return json.loads(line.removeprefix("RESULT "))
    raise RuntimeError(f"measurement failed:\n{output.stderr[-3000:]}")


# ---- ingest with real text ------------------------------------------------------------------


def ingest(material: Material, rows: int, urls: dict[str, str]) -> dict:
    """Embedding `rows` real descriptions with the numpy embedder, and writing them."""
    from scraper_services.common.embeddings import get_embedder, text_digest
    from scraper_services.common.store import CompanyStore

    records, _ = generate(material, len(material.companies), rows, seed=11)
    texts = [r.index_text for r in records]
    embedder = get_embedder()
    embedder.encode(texts[:32])  # warm up
    started = time.perf_counter()
    vectors = embedder.encode(texts)
    embed_seconds = time.perf_counter() - started
    result = {"rows": rows, "embed_per_s": rows / embed_seconds, "embed_s": embed_seconds}
    digests = {text_digest(t): v for t, v in zip(texts, vectors, strict=True)}
    for label, url in urls.items():
        store = CompanyStore(url, "ingest")
        store.create()
        started = time.perf_counter()
        store.upsert(records)
        store.put_vectors(digests)
        result[f"{label}_write_per_s"] = rows / (time.perf_counter() - started)
        store.drop()
        store.dispose()
    return result


# ---- the run --------------------------------------------------------------------------------


def fmt_ratio(values: list[float]) -> str:
    return " -> ".join(f"x{b / a:.1f}" if a else "n/a" for a, b in itertools.pairwise(values))


def report(results: dict[tuple[str, int], dict], writes: dict[tuple[str, int], dict]) -> None:
    head = (
        f"{'store':<10} {'N':>9} {'write/s':>8} {'load s':>7} {'RSS MB':>7} {'index MB':>8} "
        f"{'peak MB':>7} {'first':>6} {'warm p50':>8} {'p95':>6} {'cold p50':>8} {'p95':>6} "
        f"{'embed':>6} {'HTTP 1st':>8} {'p50':>6} {'p95':>6}"
    )
    print("\nRetrieval at scale (latencies in ms; search = index.search(..., [None], k=60))")
    print(head)
    print("-" * len(head))
    for (label, size), r in sorted(results.items()):
        w = writes[(label, size)]
        write_rate = size / max(w["upsert"] + w["vectors"], 1e-9)
        http = r.get("http")
        http_cells = (
            f"{http['first_ms']:>8.0f} {http['warm'][0]:>6.0f} {http['warm'][1]:>6.0f}"
            if http
            else f"{'-':>8} {'-':>6} {'-':>6}"
        )
        print(
            f"{label:<10} {size:>9,} {write_rate:>8,.0f} {r['load_s']:>7.1f} {r['rss_mb']:>7.0f} "
            f"{r['index_mb']:>8.0f} {r['peak_mb']:>7.0f} {r['first_ms']:>6.0f} "
            f"{r['warm'][0]:>8.1f} {r['warm'][1]:>6.1f} {r['cold'][0]:>8.1f} {r['cold'][1]:>6.1f} "
            f"{r['embed'][0]:>6.1f} {http_cells}"
        )
    print("\nGrowth between sizes (each x = ratio to the previous size):")
    for label in dict.fromkeys(label for label, _ in results):
        sizes = sorted(size for lab, size in results if lab == label)
        if len(sizes) < 2:
            continue
        rows = [results[(label, s)] for s in sizes]
        figures = {
            "load time": [r["load_s"] for r in rows],
            "index memory": [r["index_mb"] for r in rows],
            "warm p95": [r["warm"][1] for r in rows],
            "cold p95": [r["cold"][1] for r in rows],
        }
        if all("http" in r for r in rows):
            figures["HTTP warm p95"] = [r["http"]["warm"][1] for r in rows]
        sizes_text = " -> ".join(f"{s:,}" for s in sizes)
        print(f"  {label} ({sizes_text}):")
        for name, values in figures.items():
            print(f"    {name:<14} {fmt_ratio(values)}")
    largest = max(size for _, size in results)
    for (label, size), r in sorted(results.items()):
        if size == largest:
            verdict = "meets" if r["warm"][1] <= 50 else "MISSES"
            p95 = r["warm"][1]
            print(f"Target warm p95 <= 50 ms at {size:,} on {label}: {p95:.1f} ms, {verdict}")


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000", help="e.g. 10000,100000,1000000")
    parser.add_argument("--stores", default="sqlite,postgresql")
    parser.add_argument(
        "--http-sizes", default="10000,100000,1000000", help="sizes that also run HTTP searches"
    )
    parser.add_argument("--ingest-rows", type=int, default=10_000, help="0 skips the ingest")
    parser.add_argument("--measure", help=argparse.SUPPRESS)  # child: one replica
    parser.add_argument("--http", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.measure:
        print("RESULT " + json.dumps(measure(args.measure, args.http)), flush=True)
        return

    from scraper_services.common.store import CompanyStore

    sizes = sorted(int(s) for s in args.sizes.split(",") if s)
    labels = [s.strip() for s in args.stores.split(",") if s.strip()]
    http_sizes = {int(s) for s in args.http_sizes.split(",") if s}
    material = load_material()
    results: dict[tuple[str, int], dict] = {}
    writes: dict[tuple[str, int], dict] = {}
    run_started = time.perf_counter()
    with contextlib.ExitStack() as stack:
        temp = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="mn-bench-")))
        urls = {}
        for label in labels:
            if label == "sqlite":
                urls[label] = f"sqlite:///{temp / 'store.db'}"
            elif label == "postgresql":
                urls[label] = stack.enter_context(postgres_database())
            else:
                raise SystemExit(f"unknown store {label!r}: use sqlite, postgresql")
        if args.ingest_rows:
            print(f"ingest: embedding {args.ingest_rows:,} real descriptions ...", flush=True)
            ingested = ingest(material, args.ingest_rows, urls)
            print(
                f"ingest at {args.ingest_rows:,}: embedding {ingested['embed_per_s']:.0f}"
                f" companies/s ({ingested['embed_s']:.0f} s); store writes "
                + ", ".join(f"{k[:-12]} {v:,.0f}/s" for k, v in ingested.items() if "write" in k),
                flush=True,
            )
        for size in sizes:
            stores = {label: CompanyStore(url, SERVICE) for label, url in urls.items()}
            for store in stores.values():
                store.drop()
                store.create()
            started = time.perf_counter()
            timing = fill(material, stores, size)
            elapsed = time.perf_counter() - started
            print(f"{size:,} companies written in {elapsed:.0f} s", flush=True)
            for label, store in stores.items():
                store.dispose()
                writes[(label, size)] = timing[label]
                result = measure_in_child(urls[label], size in http_sizes)
                results[(label, size)] = result
                print(
                    f"  {label}: load {result['load_s']:.1f} s, RSS {result['rss_mb']:.0f} MB,"
                    f" warm p95 {result['warm'][1]:.1f} ms "
                    f"({time.perf_counter() - run_started:.0f} s so far)",
                    flush=True,
                )
        for url in urls.values():
            store = CompanyStore(url, SERVICE)
            store.drop()
            store.dispose()
    report(results, writes)
    elapsed = time.perf_counter() - run_started
    threads = os.environ["OPENBLAS_NUM_THREADS"]
    print(f"\ntotal run time {elapsed:.0f} s on {os.cpu_count()} cores, BLAS threads {threads}")


if __name__ == "__main__":
    main()
