"""Fetch public web pages safely: `PageFetcher.fetch(url)` -> `FetchedPage | FetchRefused`.

Every hop (the URL and each redirect) is vetted: http(s) only, no userinfo, every resolved
address public (`public_addresses`), robots.txt allowing it. The request then goes to the
vetted IP itself (Host header and TLS SNI carry the name), so a second DNS answer cannot
point it elsewhere. Bodies are streamed and dropped past `max_bytes`; one deadline covers
connect, redirects and body. Nothing is executed and meta refresh is never followed.
"""

from __future__ import annotations

import asyncio
import ssl
import zlib
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from http.cookiejar import CookieJar, DefaultCookiePolicy
from typing import TYPE_CHECKING, Literal

import httpx
from protego import Protego
from pydantic import BaseModel

from marketnav.services import public_addresses
from marketnav.services.http_tls import verified_tls_context
from marketnav.services.public_addresses import IPAddress, IPNetwork
from marketnav.services.web_discovery import page_encoding

if TYPE_CHECKING:
    from marketnav.settings import Settings

ROBOTS_TOKEN = "MarketNavigatorBot"
PAGE_TYPES = frozenset({"text/html", "application/xhtml+xml"})
ROBOTS_MAX_BYTES = 500 * 1024  # RFC 9309 2.5: parse at least the first 500 KiB, ignore the rest
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
# fmt: off
RefusalCode = Literal[
    "scheme", "address", "dns", "robots", "status", "content_type", "too_large", "timeout",
    "redirects", "error",
]
# fmt: on


class FetchedPage(BaseModel):
    """A fetched HTML page, decoded to text (never rendered or executed)."""

    url: str
    final_url: str
    status: int
    content_type: str
    html: str
    fetched_at: datetime
    bytes: int


class FetchRefused(BaseModel):
    """A page that was not fetched, with a reason a person can read."""

    url: str
    reason: str
    code: RefusalCode


class _Refused(Exception):
    def __init__(self, code: RefusalCode, reason: str) -> None:
        super().__init__(reason)
        self.code, self.reason = code, reason


@dataclass
class _Body:
    url: httpx.URL
    status: int
    media: str
    charset: str | None
    data: bytes


class PageFetcher:
    """Fetches pages with one shared client; `async with PageFetcher.from_settings(s) as f`."""

    def __init__(
        self,
        *,
        max_bytes: int = 2 * 1024 * 1024,
        timeout: float = 10.0,
        user_agent: str = f"{ROBOTS_TOKEN}/1.0",
        allowed_networks: Sequence[IPNetwork] = (),
        static_hosts: dict[str, str] | None = None,
        max_redirects: int = 5,
        concurrency: int = 6,
        per_host: int = 2,
        verify: ssl.SSLContext | bool = True,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.max_bytes, self.timeout, self.max_redirects = max_bytes, timeout, max_redirects
        self._allowed = tuple(allowed_networks)
        self._static_hosts = dict(static_hosts or {})
        self._global = asyncio.Semaphore(concurrency)
        self._per_host = per_host
        self._host_slots: dict[str, asyncio.Semaphore] = {}
        # None: no rules (allow all); str: the host is off-limits, and why.
        self._robots: dict[tuple[str, str, int], Protego | str | None] = {}
        self._robots_locks: dict[tuple[str, str, int], asyncio.Lock] = {}
        self.pages_fetched = 0
        self.requests_sent = 0
        self._client = httpx.AsyncClient(
            headers={"User-Agent": user_agent, "Accept-Encoding": "gzip, deflate"},
            # Requests go to IPs: a cookie or a pooled TLS connection kept for one name would
            # be offered to another name on the same IP, so neither is kept.
            cookies=CookieJar(DefaultCookiePolicy(allowed_domains=[])),
            limits=httpx.Limits(max_keepalive_connections=0),
            follow_redirects=False,
            trust_env=False,  # an environment proxy would undo the address checks
            timeout=httpx.Timeout(timeout),
            verify=verified_tls_context() if verify is True else verify,
            transport=transport,
        )

    @classmethod
    def from_settings(cls, settings: Settings) -> PageFetcher:
        """A fetcher configured by the `web_*` settings."""
        return cls(
            max_bytes=settings.web_fetch_max_bytes,
            timeout=settings.web_fetch_timeout_seconds,
            user_agent=settings.web_user_agent,
            allowed_networks=public_addresses.allowed_networks(settings.web_fetch_allowed_networks),
            static_hosts=public_addresses.static_hosts(settings.web_fetch_hosts),
            max_redirects=settings.web_fetch_max_redirects,
            concurrency=settings.web_fetch_concurrency,
            per_host=settings.web_fetch_per_host,
        )

    async def __aenter__(self) -> PageFetcher:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._client.aclose()

    async def fetch(self, url: str) -> FetchedPage | FetchRefused:
        """The page at `url`, or why not; never raises for a network or page problem."""
        try:
            async with asyncio.timeout(self.timeout) as deadline:
                body = await self._follow(url, deadline, robots=False)
        except _Refused as refused:
            return FetchRefused(url=url, reason=refused.reason, code=refused.code)
        except (TimeoutError, httpx.TimeoutException):
            reason = f"no complete answer within {self.timeout:g} s"
            return FetchRefused(url=url, reason=reason, code="timeout")
        except httpx.ConnectError as err:
            reason = f"could not connect: {err or type(err).__name__}"
            return FetchRefused(url=url, reason=reason, code="error")
        except (httpx.HTTPError, OSError, ValueError) as err:
            reason = f"the fetch failed: {err or type(err).__name__}"
            return FetchRefused(url=url, reason=reason, code="error")
        self.pages_fetched += 1
        return FetchedPage(
            url=url,
            final_url=str(body.url),
            status=body.status,
            content_type=body.media,
            html=page_encoding.decode(body.data, body.charset),
            fetched_at=datetime.now(UTC),
            bytes=len(body.data),
        )

    # -- hops ------------------------------------------------------------------------------

    async def _follow(self, url: str, deadline: asyncio.Timeout, *, robots: bool) -> _Body:
        current, redirects = _checked_url(url), 0
        while True:
            answer = await self._hop(current, deadline, robots=robots)
            if isinstance(answer, _Body):
                return answer
            redirects += 1
            if redirects > self.max_redirects:
                raise _Refused("redirects", f"more than {self.max_redirects} redirects")
            current = _checked_url(str(answer))

    async def _hop(
        self, url: httpx.URL, deadline: asyncio.Timeout, *, robots: bool
    ) -> _Body | httpx.URL:
        host = url.raw_host.decode("ascii").lower()
        port = url.port or (443 if url.scheme == "https" else 80)
        try:
            addresses = await public_addresses.resolve(host, port, static_hosts=self._static_hosts)
        except OSError as err:
            raise _Refused("dns", f"{host} does not resolve ({err.strerror or err})") from None
        for ip in addresses:
            why = public_addresses.refusal(ip, self._allowed)
            if why is not None:
                said = f"{ip} is" if public_addresses.literal(host) else f"{host} resolves to {ip},"
                raise _Refused("address", f"refused: {said} {why}")
        if not robots:
            async with _paused(deadline):
                rules = await self._robots_for(url, host, port)
            if isinstance(rules, str):
                raise _Refused("robots", rules)
            if rules is not None and not rules.can_fetch(str(url), ROBOTS_TOKEN):
                raise _Refused("robots", f"robots.txt of {host} disallows {url.raw_path.decode()}")
        async with self._slot(host, deadline):
            response = await self._send(url, host, addresses)
            try:
                return await self._answer(url, response, robots=robots)
            finally:
                await response.aclose()

    @asynccontextmanager
    async def _slot(self, host: str, deadline: asyncio.Timeout) -> AsyncIterator[None]:
        # The host's slot first, so a fetch queued behind a busy host holds no global slot;
        # waiting in line does not count against the fetch's deadline.
        host_slot = self._host_slots.setdefault(host, asyncio.Semaphore(self._per_host))
        async with _paused(deadline):
            await host_slot.acquire()
            try:
                await self._global.acquire()
            except BaseException:
                host_slot.release()
                raise
        try:
            yield
        finally:
            self._global.release()
            host_slot.release()

    async def _send(self, url: httpx.URL, host: str, addresses: list[IPAddress]) -> httpx.Response:
        # Connect to the vetted address; the name travels in Host and, for TLS, as SNI, which
        # httpcore also uses to verify the certificate (request extension "sni_hostname").
        headers = {"Host": url.netloc.decode("ascii")}
        extensions: dict[str, str] = {}
        if url.scheme == "https" and public_addresses.literal(host) is None:
            extensions["sni_hostname"] = host
        error: httpx.ConnectError | None = None
        for ip in addresses:  # all vetted; try the next one only when one cannot be reached
            request = self._client.build_request(
                "GET", url.copy_with(host=str(ip)), headers=headers, extensions=extensions
            )
            self.requests_sent += 1
            try:
                return await self._client.send(request, stream=True)
            except httpx.ConnectError as err:
                error = err
        assert error is not None  # resolve never returns an empty list
        raise error

    async def _answer(
        self, url: httpx.URL, response: httpx.Response, *, robots: bool
    ) -> _Body | httpx.URL:
        status = response.status_code
        location = response.headers.get("location", "").strip()
        if status in REDIRECT_STATUSES and location:
            try:
                return url.join(location).copy_with(fragment=None)
            except (httpx.InvalidURL, ValueError):
                raise _Refused("redirects", f"redirect to an invalid URL {location!r}") from None
        media, charset = page_encoding.content_type(response.headers.get("content-type", ""))
        if robots:  # any status is an answer for robots.txt; only plain text carries rules
            readable = 200 <= status < 300 and media == "text/plain"
            data = await _read(response, ROBOTS_MAX_BYTES, cut=True) if readable else b""
            return _Body(url, status, media, charset, data)
        if not 200 <= status < 300:
            raise _Refused("status", f"the page answered HTTP {status}")
        if media not in PAGE_TYPES:
            raise _Refused("content_type", f"not a web page ({media or 'no content type'})")
        return _Body(url, status, media, charset, await _read(response, self.max_bytes))

    # -- robots.txt (RFC 9309) --------------------------------------------------------------

    async def _robots_for(self, url: httpx.URL, host: str, port: int) -> Protego | str | None:
        key = (url.scheme, host, port)
        lock = self._robots_locks.setdefault(key, asyncio.Lock())
        async with lock:  # one robots.txt request per origin, however many fetches wait
            if key not in self._robots:
                self._robots[key] = await self._load_robots(url, host)
        return self._robots[key]

    async def _load_robots(self, url: httpx.URL, host: str) -> Protego | str | None:
        skipped = f"robots.txt of {host} is unreachable, so the host is skipped"
        try:
            async with asyncio.timeout(self.timeout) as deadline:
                body = await self._follow(str(url.join("/robots.txt")), deadline, robots=True)
        except _Refused as refused:
            if refused.code == "redirects":
                return None  # RFC 9309 2.3.1.2: too many redirects count as unavailable
            return f"{skipped} ({refused.reason})"
        except (TimeoutError, httpx.HTTPError, OSError, ValueError) as err:
            return f"{skipped} ({err or type(err).__name__})"
        if 200 <= body.status < 300:
            return (
                Protego.parse(page_encoding.decode(body.data, body.charset)) if body.data else None
            )
        if 400 <= body.status < 500:
            return None  # unavailable: no rules
        return f"robots.txt of {host} answered HTTP {body.status}, so the host is skipped"


@asynccontextmanager
async def _paused(deadline: asyncio.Timeout) -> AsyncIterator[None]:
    """Stop `deadline`'s clock for the block (waiting in line is not the page's time)."""
    loop = asyncio.get_running_loop()
    when = deadline.when()
    left = None if when is None else when - loop.time()
    deadline.reschedule(None)
    try:
        yield
    finally:
        if left is not None and not deadline.expired():
            deadline.reschedule(loop.time() + left)


def _checked_url(url: str) -> httpx.URL:
    try:
        parsed = httpx.URL(url.strip())
    except (httpx.InvalidURL, ValueError, TypeError):
        raise _Refused("scheme", f"refused: {url!r} is not a valid URL") from None
    if parsed.scheme not in ("http", "https"):
        what = f"{parsed.scheme}://" if parsed.scheme else "a URL without a scheme"
        raise _Refused("scheme", f"refused: only http and https pages are fetched, not {what}")
    if parsed.userinfo:
        raise _Refused("scheme", "refused: URLs with a user name or password are not fetched")
    if not parsed.raw_host:
        raise _Refused("scheme", "refused: the URL has no host")
    return parsed.copy_with(fragment=None)


async def _read(response: httpx.Response, limit: int, *, cut: bool = False) -> bytes:
    """The decoded body, refused ("too_large") past `limit`, or cut there when `cut`."""
    too_large = f"page larger than {_size(limit)}"
    length = response.headers.get("content-length", "").strip()
    if not cut and length.isdigit() and int(length) > limit:
        raise _Refused("too_large", f"{too_large} ({_size(int(length))} announced)")
    encoding = response.headers.get("content-encoding", "").strip().lower()
    if encoding not in ("", "identity", "gzip", "x-gzip", "deflate"):
        raise _Refused("error", f"the page uses an unsupported content encoding ({encoding})")
    # Our own bounded inflate: httpx inflates a whole network chunk at once, which a
    # compression bomb turns into a huge allocation before any size check.
    inflate = None if encoding in ("", "identity") else zlib.decompressobj(zlib.MAX_WBITS | 32)
    chunks: list[bytes] = []
    total = 0
    try:
        async for raw in response.aiter_raw():
            while raw:
                if inflate is None:
                    out, raw = raw, b""
                else:
                    out = inflate.decompress(raw, limit - total + 1)
                    raw = inflate.unconsumed_tail
                chunks.append(out)
                total += len(out)
                if total > limit:
                    if cut:
                        return b"".join(chunks)[:limit]
                    raise _Refused("too_large", too_large)
    except zlib.error:
        raise _Refused("error", "the page's compressed body is corrupt") from None
    return b"".join(chunks)


def _size(n: int) -> str:
    return f"{n / 1048576:.3g} MB" if n >= 1048576 else f"{n / 1024:.3g} KB"
