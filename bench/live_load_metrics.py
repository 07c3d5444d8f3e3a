"""Figures of `bench.bench_live_load`: backend processes, Redis, per-round latency, printing."""

from __future__ import annotations


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))]


def median(values: list[float]) -> float:
    return percentile(values, 0.5)


# -- processes --------------------------------------------------------------------------------
def backend_workers(stack_pid: int) -> list:
    import psutil

    found = []
    for child in psutil.Process(stack_pid).children(recursive=True):
        try:
            line = " ".join(child.cmdline())
            # `reflex run --env prod` and its granian worker processes (frontend and backend
            # share the port in the one-port `make run`).
            if "granian" in line or ("reflex" in line and " run" in line):
                found.append(child)
        except psutil.Error:
            pass
    return found


def rss_mb(processes: list) -> float:
    return sum(p.memory_info().rss for p in processes) / 2**20


def cpu_seconds(processes: list) -> float:
    total = 0.0
    for p in processes:
        times = p.cpu_times()
        total += times.user + times.system
    return total


def connections_per_process(processes: list, port: int) -> list[int]:
    counts = []
    for p in processes:
        try:
            conns = p.net_connections(kind="tcp")
        except Exception:
            counts.append(-1)
            continue
        counts.append(
            sum(1 for c in conns if c.status == "ESTABLISHED" and c.laddr and c.laddr.port == port)
        )
    return counts


def redis_figures(url: str) -> dict:
    import redis

    client = redis.Redis.from_url(url)
    try:
        memory, clients = client.info("memory"), client.info("clients")
        return {"used_mb": memory["used_memory"] / 2**20, "clients": clients["connected_clients"]}
    finally:
        client.close()


def round_figures(tabs, published, finished, wall, cpu, load0, load1) -> dict:
    latencies: list[float] = []
    missed = inversions = 0
    for tab in tabs:
        for key, at in published.items():
            if key in tab.first_seen:
                latencies.append((tab.first_seen[key] - at) * 1000)
            else:
                missed += 1
        last: dict[tuple, float] = {}
        for key in tab.order:
            if key not in published:
                continue
            run = key[:2]
            if published[key] < last.get(run, 0.0):
                inversions += 1
            last[run] = max(last.get(run, 0.0), published[key])
    starter = [
        (tabs[0].first_seen[k] - at) * 1000
        for k, at in published.items()
        if k in tabs[0].first_seen
    ]
    return {
        "finished": finished,
        "published": len(published),
        "latencies": latencies,
        "starter": starter,
        "missed": missed,
        "deliveries": len(published) * len(tabs),
        "inversions": inversions,
        "wall s": wall,
        "backend cpu cores": cpu / wall if wall else 0.0,
        "load": (load0, load1),
    }


def print_round(r: dict) -> None:
    lat = r["latencies"]
    print(
        f"  round: {r['finished']}  {r['published']} snapshots published, {r['wall s']:.0f} s\n"
        f"    publish->tab p50 {median(lat):6.0f} ms  p95 {percentile(lat, 0.95):6.0f} ms  "
        f"max {max(lat, default=float('nan')):6.0f} ms  (starting tab p50 "
        f"{median(r['starter']):.0f} p95 {percentile(r['starter'], 0.95):.0f} ms)\n"
        f"    never delivered {r['missed']} of {r['deliveries']} (superseded by a newer one in"
        f" the same batch), out of order {r['inversions']}\n"
        f"    backend workers CPU {r['backend cpu cores']:.2f} cores, RSS {r['rss MB']:.0f} MB at"
        f" the end; load average "
        f"{r['load'][0][0]:.1f} -> {r['load'][1][0]:.1f}",
        flush=True,
    )


def print_phase(f: dict) -> None:
    n = f["clients"]
    grown = f["rss after MB"] - f["rss before MB"]
    redis_grown = f["redis after"]["used_mb"] - f["redis before"]["used_mb"]
    print(
        f"  {n} tabs connected and listening in {f['all connected and listening s']:.1f} s "
        f"(connect p50 {median(f['connect ms']):.0f} ms, p95 "
        f"{percentile(f['connect ms'], 0.95):.0f} ms); not listening {f['not listening']}\n"
        f"  backend RSS {f['rss before MB']:.0f} -> {f['rss after MB']:.0f} MB over "
        f"{f['backend processes']} processes = {grown * 1024 / n:.0f} KiB per tab; sockets per "
        f"process {f['connections per worker']}\n"
        f"  Redis {f['redis before']['used_mb']:.1f} -> {f['redis after']['used_mb']:.1f} MB "
        f"({redis_grown * 1024 / n:.0f} KiB per tab), clients {f['redis before']['clients']} -> "
        f"{f['redis after']['clients']}\n"
        f"  errors/disconnects: {len(f['errors'])} {sorted(set(f['errors']))[:5]}; fresh tokens "
        f"handed out {f['new tokens']}",
        flush=True,
    )
