"""Web search engines for web discovery: SearXNG (self-hosted), Tavily and Brave Search.

Hits come in the engine's order, validated, http(s) only, each URL once, without HTML tags.
Transport errors, 429 and 502-504 are retried (3 attempts, short exponential wait); a
`WebSearchError` names the engine and the HTTP status or "unreachable", never a key.
"""

from __future__ import annotations

import html
import re
from typing import Any, Protocol, runtime_checkable
from urllib.parse import urlsplit

import httpx
import nh3
import tenacity
from pydantic import BaseModel

from marketnav.services.http_tls import verified_tls_context
from marketnav.settings import Settings

RETRY_STATUSES = frozenset({429, 502, 503, 504})
MAX_LIMIT = 20  # Tavily and Brave answer at most 20 results per request
NOT_RESULTS = "answered something that is not a search result"


class SearchHit(BaseModel):
    """One result: where it points, what the engine showed, and its rank (1 = first)."""

    url: str
    title: str
    snippet: str = ""
    engine: str  # the adapter: "searxng", "tavily" or "brave"
    position: int


class WebSearchError(Exception):
    """A search that gave no usable answer; the message names the engine, never a key."""

    def __init__(self, engine: str, problem: str, status: int | None = None):
        super().__init__(f"{engine} {problem}")
        self.engine, self.status = engine, status


@runtime_checkable
class WebSearchEngine(Protocol):
    """What web discovery needs from a search engine: `search` (best first) and `aclose`."""

    name: str  # human label, e.g. "SearXNG at http://searx.internal:8080" or "Tavily"

    async def search(self, query: str, limit: int = 10) -> list[SearchHit]: ...

    async def aclose(self) -> None: ...


class _Result(BaseModel):
    """One result as SearXNG, Tavily (`content`) or Brave (`description`) answer it."""

    url: str
    title: str | None = None
    content: str | None = None
    description: str | None = None


class _Answer(BaseModel):
    results: list[_Result]


class _BraveAnswer(BaseModel):
    web: _Answer | None = None  # left out when nothing was found


def clean_text(text: str | None) -> str:
    """Plain text of a title or snippet: tags removed, entities decoded, spaces collapsed."""
    plain = html.unescape(nh3.clean(text, tags=set())) if text else ""
    return re.sub(r"\s+", " ", plain).strip()


def _url_key(url: str) -> str | None:
    """A comparable form of an http(s) URL (no fragment, lower-case host), else None."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return None
    return parts._replace(netloc=parts.netloc.lower(), path=parts.path or "/", fragment="").geturl()


class _HttpEngine:
    """What the adapters share: one client, retries, status and answer checks, hit mapping."""

    key: str  # names the adapter in SearchHit.engine
    refused_hint = "check WEB_SEARCH_API_KEY"  # said with a 401 or 403

    def __init__(
        self,
        name: str,
        base_url: str,
        *,
        timeout: float = 15.0,
        headers: dict[str, str] | None = None,
        user_agent: str = Settings.model_fields["web_user_agent"].default,
        transport: httpx.AsyncBaseTransport | None = None,
        backoff: float = 0.5,
    ):
        self.name, self.base_url = name, base_url.rstrip("/")
        self._backoff = backoff
        self._client = httpx.AsyncClient(
            headers={"User-Agent": user_agent, **(headers or {})},
            timeout=httpx.Timeout(timeout, connect=min(timeout, 10.0)),
            verify=verified_tls_context(),
            transport=transport,
        )

    async def aclose(self) -> None:
        await self._client.aclose()

    async def _send(self, method: str, path: str, options: dict[str, Any]) -> httpx.Response:
        retrying = tenacity.AsyncRetrying(
            stop=tenacity.stop_after_attempt(3),
            wait=tenacity.wait_exponential(multiplier=self._backoff, max=4 * self._backoff),
            retry=tenacity.retry_if_exception_type(httpx.TransportError)
            | tenacity.retry_if_result(lambda response: response.status_code in RETRY_STATUSES),
            retry_error_callback=lambda state: state.outcome.result(),  # the last answer
        )
        try:
            response = await retrying(self._client.request, method, self.base_url + path, **options)
        except httpx.TransportError as exc:
            raise WebSearchError(self.name, f"is unreachable ({type(exc).__name__})") from exc
        status = response.status_code
        if status >= 400:
            hint = f" ({self.refused_hint})" if status in (401, 403) else ""
            raise WebSearchError(self.name, f"answered HTTP {status}{hint}", status)
        return response

    async def search(self, query: str, limit: int = 10) -> list[SearchHit]:
        """The engine's results for `query`, at most `limit` (1-20) of them, best first."""
        if not query.strip():
            return []
        limit = max(1, min(int(limit), MAX_LIMIT))
        response = await self._send(*self._request(query, limit))
        try:  # broken JSON and a pydantic ValidationError are both ValueErrors
            results = self._results(response.json())
        except ValueError as exc:
            raise WebSearchError(self.name, NOT_RESULTS) from exc
        unique: dict[str, _Result] = {}
        for result in results:
            key = _url_key(result.url)
            if key is not None and key not in unique:
                unique[key] = result
        return [
            SearchHit(
                url=r.url.strip(),
                title=clean_text(r.title),
                snippet=clean_text(r.content if r.content is not None else r.description),
                engine=self.key,
                position=position,
            )
            for position, r in enumerate(list(unique.values())[:limit], 1)
        ]

    def _request(self, query: str, limit: int) -> tuple[str, str, dict[str, Any]]:
        raise NotImplementedError

    def _results(self, data: Any) -> list[_Result]:
        return _Answer.model_validate(data).results


class SearxngEngine(_HttpEngine):
    """A SearXNG instance's JSON API (`json` must be among `search.formats` in settings.yml)."""

    key = "searxng"
    refused_hint = "is the json format enabled in its settings.yml?"

    def __init__(self, base_url: str, **kwargs: Any):
        super().__init__(f"SearXNG at {base_url.rstrip('/')}", base_url, **kwargs)

    def _request(self, query: str, limit: int) -> tuple[str, str, dict[str, Any]]:
        return "GET", "/search", {"params": {"q": query, "format": "json", "pageno": 1}}


class TavilyEngine(_HttpEngine):
    """Tavily's search API (`POST /search`, the key as a bearer token)."""

    key = "tavily"

    def __init__(self, api_key: str, base_url: str = "https://api.tavily.com", **kwargs: Any):
        headers = {"Authorization": f"Bearer {api_key}".strip()}  # no key: a clean 401
        super().__init__("Tavily", base_url, headers=headers, **kwargs)

    def _request(self, query: str, limit: int) -> tuple[str, str, dict[str, Any]]:
        body = {"query": query, "max_results": limit, "search_depth": "basic"}
        return "POST", "/search", {"json": {**body, "include_answer": False}}


class BraveEngine(_HttpEngine):
    """Brave Search's web search API (the key in `X-Subscription-Token`)."""

    key = "brave"

    def __init__(self, api_key: str, base_url: str = "https://api.search.brave.com", **kwargs: Any):
        headers = {"X-Subscription-Token": api_key, "Accept": "application/json"}
        super().__init__("Brave Search", base_url, headers=headers, **kwargs)

    def _request(self, query: str, limit: int) -> tuple[str, str, dict[str, Any]]:
        return "GET", "/res/v1/web/search", {"params": {"q": query, "count": limit}}

    def _results(self, data: Any) -> list[_Result]:
        answer = _BraveAnswer.model_validate(data)
        return answer.web.results if answer.web else []


class PinnedHostTransport(httpx.AsyncHTTPTransport):
    """Connects to fixed addresses for some host names (no DNS); Host header and SNI kept."""

    def __init__(self, hosts: dict[str, str], **kwargs: Any):
        super().__init__(**kwargs)
        self._hosts = hosts

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if address := self._hosts.get(request.url.host.lower()):
            request.extensions = {**request.extensions, "sni_hostname": request.url.host}
            request.url = request.url.copy_with(host=address)
        return await super().handle_async_request(request)


def engine_from_settings(settings: Settings) -> WebSearchEngine | None:
    """The engine WEB_SEARCH_ENGINE names (None: off); WEB_FETCH_HOSTS pins its host too."""
    kind = settings.web_search_engine
    if not kind:
        return None
    url = settings.web_search_url.strip()
    pairs = (item.split("=", 1) for item in settings.web_fetch_hosts.split(",") if "=" in item)
    hosts = {host.strip().lower(): address.strip() for host, address in pairs}
    common: dict[str, Any] = {
        "timeout": settings.web_search_timeout_seconds,
        "user_agent": settings.web_user_agent,
        "transport": PinnedHostTransport(hosts) if hosts else None,
    }
    if kind == "searxng":
        if not url:
            raise ValueError("WEB_SEARCH_ENGINE=searxng needs WEB_SEARCH_URL (its address)")
        return SearxngEngine(url, **common)
    key = settings.web_search_api_key.get_secret_value().strip()
    if not key:
        raise ValueError(f"WEB_SEARCH_ENGINE={kind} needs WEB_SEARCH_API_KEY (the {kind} API key)")
    if url:
        common["base_url"] = url
    return (TavilyEngine if kind == "tavily" else BraveEngine)(key, **common)
