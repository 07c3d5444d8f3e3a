"""The public share page under load: closed-loop clients at increasing concurrency.

A page view is what a browser with the app's scripts already cached does: `GET /share/<token>`
(the HTML shell), then a websocket whose `hydrate_and_load` runs `ShareState.load`; the view
ends when the update that says `share_status` ("ready": the report's sections; "password":
the password form) has arrived. Three cases: a public link; a protected link as a stranger
sees it (the password form); a protected link from a session that has unlocked it (each
concurrent visitor has unlocked it once, keeps its grant cookie and reloads the page). The
static shell alone (`GET` only) is measured too: that is what a CDN or the proxy could hold.
"""

from __future__ import annotations

import asyncio
import json
import re
import time
import uuid
from dataclasses import dataclass, field

import httpx

from bench.reflex_socket import ReflexSocket

TARGET_P95_MS = 500.0
STATUS_VAR = "share_status_rx_state_"


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))]


def share_status(update: dict) -> str:
    for values in (update.get("delta") or {}).values():
        if isinstance(values, dict) and values.get(STATUS_VAR) not in (None, "loading"):
            return values[STATUS_VAR]
    return ""


@dataclass
class Level:
    concurrency: int
    views: int = 0
    errors: int = 0
    new_tokens: int = 0  # views whose reconnect was handed a fresh client token
    seconds: float = 0.0
    latencies: list[float] = field(default_factory=list)
    statuses: dict[str, int] = field(default_factory=dict)

    @property
    def rps(self) -> float:
        return self.views / self.seconds if self.seconds else 0.0

    @property
    def p95(self) -> float:
        return percentile(self.latencies, 0.95)


async def _socket_view(
    host: str,
    port: int,
    token: str,
    client_token: str,
    expect: str,
    timeout: float = 30.0,
    cookie: str = "",
) -> tuple[str, int]:
    """One websocket page load of the share page: its `share_status`, new tokens handed out."""
    done: asyncio.Future = asyncio.get_running_loop().create_future()

    def on_update(_at: float, update: dict) -> None:
        status = share_status(update)
        if status and not done.done():
            done.set_result(status)

    socket = ReflexSocket(
        host,
        port,
        f"/share/{token}",
        query={"token": token},
        token=client_token,
        cookie=cookie,
        on_update=on_update,
    )
    try:
        await socket.open(timeout)
        if socket.error:
            raise RuntimeError(socket.error)
        return await asyncio.wait_for(done, timeout), socket.new_tokens
    finally:
        await socket.close()


@dataclass(frozen=True)
class Visitor:
    """A browser that unlocked a protected link: its Reflex client token and grant cookie."""

    client_token: str
    cookie: str


_SHARE_CODE = re.compile(r"mn_share_code=([A-Za-z0-9_-]+)")


async def unlock(host: str, port: int, token: str, password: str) -> Visitor:
    """Unlock the protected link as a browser does: `ShareState.unlock` over the websocket
    answers with a page script holding a one-time code, `/_share/unlock` trades it for the
    link's HttpOnly grant cookie."""
    client_token = str(uuid.uuid4())
    done: asyncio.Future = asyncio.get_running_loop().create_future()

    def on_update(_at: float, update: dict) -> None:
        for event in update.get("events") or []:
            found = _SHARE_CODE.search(json.dumps(event))
            if found and not done.done():
                done.set_result(found.group(1))

    path = f"/share/{token}"
    socket = ReflexSocket(
        host, port, path, query={"token": token}, token=client_token, on_update=on_update
    )
    await socket.open()
    from marketnav.state.share import ShareState

    socket.send(f"{ShareState.get_full_name()}.unlock", {"form": {"password": password}})
    code = await asyncio.wait_for(done, 60)
    await socket.close()
    async with httpx.AsyncClient(base_url=f"http://{host}:{port}") as http:
        response = await http.get(
            "/_share/unlock", params={"next": path}, headers={"cookie": f"mn_share_code={code}"}
        )
    grant = next(
        (h.split(";")[0] for h in response.headers.get_list("set-cookie") if "mn_unlock_" in h),
        "",
    )
    if response.status_code != 303 or not grant:
        raise RuntimeError(f"/_share/unlock gave no grant: {response.status_code}")
    return Visitor(client_token, grant)


async def run_level(
    url: str,
    token: str,
    concurrency: int,
    seconds: float,
    *,
    websocket: bool,
    expect: str,
    visitors: list[Visitor] | None = None,
) -> Level:
    """`concurrency` visitors viewing the page back to back for `seconds`."""
    host, port = url.split("//", 1)[1].split(":")
    level = Level(concurrency)
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(base_url=url, limits=limits, timeout=30.0) as http:
        deadline = time.monotonic() + seconds

        async def visitor(number: int) -> None:
            while time.monotonic() < deadline:
                started = time.perf_counter()
                try:
                    response = await http.get(f"/share/{token}")
                    response.raise_for_status()
                    status = "html"
                    if websocket:
                        mine = visitors[number] if visitors else Visitor(str(uuid.uuid4()), "")
                        status, fresh = await _socket_view(
                            host, int(port), token, mine.client_token, expect, cookie=mine.cookie
                        )
                        level.new_tokens += fresh
                except Exception:
                    level.errors += 1
                    continue
                level.latencies.append((time.perf_counter() - started) * 1000)
                level.statuses[status] = level.statuses.get(status, 0) + 1
                if websocket and status != expect:
                    level.errors += 1
                else:
                    level.views += 1

        started = time.monotonic()
        await asyncio.gather(*(visitor(n) for n in range(concurrency)))
        level.seconds = time.monotonic() - started
    return level


async def sweep(
    url: str,
    token: str,
    levels: list[int],
    seconds: float,
    *,
    websocket: bool,
    expect: str,
    password: str = "",
    label: str,
) -> list[Level]:
    """Levels of increasing concurrency until p95 passes the target (or errors appear)."""
    host, port = url.split("//", 1)[1].split(":")
    results: list[Level] = []
    pool: list[Visitor] = []
    for concurrency in levels:
        if password:
            while len(pool) < concurrency:
                pool.append(await unlock(host, int(port), token, password))
        level = await run_level(
            url,
            token,
            concurrency,
            seconds,
            websocket=websocket,
            expect=expect,
            visitors=pool if password else None,
        )
        results.append(level)
        print(
            f"    {label:28} c={concurrency:3}  {level.rps:7.1f} views/s  "
            f"p50 {percentile(level.latencies, 0.5):6.0f} ms  p95 {level.p95:6.0f} ms  "
            f"max {max(level.latencies, default=float('nan')):6.0f} ms  "
            f"errors {level.errors}  new tokens {level.new_tokens}  {level.statuses}",
            flush=True,
        )
        if level.p95 > TARGET_P95_MS or level.errors > level.views:
            break
    return results


def held(results: list[Level]) -> Level | None:
    """The level with the most views per second whose p95 stayed under the target."""
    good = [r for r in results if r.p95 <= TARGET_P95_MS and r.views and r.errors <= 0.01 * r.views]
    return max(good, key=lambda r: r.rps, default=None)
