"""A fixture web on one local HTTP server: fictional company sites, media pages, hostile pages
and a search engine over them, for tests, e2e runs and the web discovery benchmark.

    with FixtureWeb.start(host="127.0.0.2") as web:
        env = web.settings_env()          # WEB_SEARCH_ENGINE=searxng, WEB_FETCH_HOSTS=...
        web.url("haulsight.test")         # http://haulsight.test:<port>/
        assert not web.requests_to("hostile.test", "/private/")

One threaded `http.server` in a background thread answers every domain by its `Host` header:
`haulsight.test:<port>` serves tests/fixtures/web/sites/haulsight.test/ (`/` is index.html,
`/pricing` also finds pricing.html or pricing/index.html; robots.txt when the site has one).
The pages link to each other as `https://<domain>/...`, as real sites do; those links are
rewritten to `http://<domain>:<port>/...` when served, so they lead back here.

`hostile.test` adds dynamic paths: `/redirect-local` (302 to http://127.0.0.1:<port>/),
`/redirect-chain/<n>` (n redirects, then a page), `/redirect-loop`, `/huge.html` (20 MB with
Content-Length), `/huge-chunked.html` (20 MB, chunked, no length), `/slow.html` (a byte every
`interval` seconds for `seconds`) and `/slow-headers.html` (nothing for `seconds`).

`search.test` is a search engine over every fixture page (BM25 over title and visible text,
pages robots.txt disallows left out), speaking SearXNG's JSON (`GET /search?format=json`),
Tavily's (`POST /search`, bearer `test-key`) and Brave's (`GET /res/v1/web/search`,
`X-Subscription-Token: test-key`). Every request is recorded, with the requests in flight per host.
"""

from __future__ import annotations

import argparse
import json
import math
import re
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from html.parser import HTMLParser
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit
from urllib.robotparser import RobotFileParser

WEB_DIR = Path(__file__).resolve().parents[1] / "fixtures" / "web"
SITES_DIR = WEB_DIR / "sites"
SEARCH_HOST = "search.test"
HOSTILE_HOST = "hostile.test"
API_KEY = "test-key"
HUGE_BYTES = 20 * 1024 * 1024
CHUNK = 64 * 1024
STOPWORDS = frozenset(
    re.findall(
        r"\w+",
        "a an and are as at be by can do for from has have how in into is it its of on or our so "
        "than that the their them they this to up we what when where which who will with without "
        "you your de het een en van",
    )
)


def load_ideas() -> list[dict[str, Any]]:
    """The startup ideas of the fixture web with their gold competitors (ideas.json)."""
    return json.loads((WEB_DIR / "ideas.json").read_text(encoding="utf-8"))["ideas"]


def tokens(text: str) -> list[str]:
    """Lower-case word tokens without stop words, plural "s" stripped."""
    words = re.findall(r"[^\W_]+", text.lower())
    return [
        w[:-1] if len(w) > 3 and w.endswith("s") and not w.endswith("ss") else w
        for w in words
        if len(w) > 1 and w not in STOPWORDS
    ]


class _VisibleText(HTMLParser):
    """Title, meta description and the text a reader sees (no script, style or template)."""

    HIDDEN = frozenset({"script", "style", "template", "head"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.title = ""
        self.description = ""
        self.parts: list[str] = []
        self._hidden: list[str] = []
        self._in_title = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "title":
            self._in_title = True
        elif tag == "meta":
            values = dict(attrs)
            if (values.get("name") or "").lower() == "description" and not self.description:
                self.description = values.get("content") or ""
        elif tag in self.HIDDEN:
            self._hidden.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self._in_title = False
        elif self._hidden and self._hidden[-1] == tag:
            self._hidden.pop()

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title += data
        elif not self._hidden:
            self.parts.append(data)

    @property
    def text(self) -> str:
        return re.sub(r"\s+", " ", " ".join(self.parts)).strip()


@dataclass(frozen=True)
class Page:
    """One indexed fixture page."""

    domain: str
    path: str  # as served: "/", "/pricing/", "/about.html"
    title: str
    text: str
    description: str


@dataclass(frozen=True)
class RecordedRequest:
    """One request the server received (`time` is time.monotonic())."""

    host: str
    path: str
    query: str
    method: str
    time: float
    user_agent: str


class SearchIndex:
    """BM25 (k1=1.5, b=0.75) over each page's title and visible text."""

    def __init__(self, pages: list[Page]):
        self.pages = pages
        self._docs = [Counter(tokens(f"{p.title} {p.text}")) for p in pages]
        self._lengths = [sum(d.values()) for d in self._docs]
        self._avg = sum(self._lengths) / max(1, len(self._lengths))
        df = Counter(term for doc in self._docs for term in doc)
        n = len(pages)
        self._idf = {t: math.log((n - f + 0.5) / (f + 0.5) + 1) for t, f in df.items()}

    def search(self, query: str, limit: int = 10) -> list[tuple[Page, float]]:
        terms = set(tokens(query))
        scored = []
        for page, doc, length in zip(self.pages, self._docs, self._lengths, strict=True):
            score = 0.0
            for term in terms & doc.keys():
                tf = doc[term]
                norm = tf + 1.5 * (0.25 + 0.75 * length / self._avg)
                score += self._idf[term] * tf * 2.5 / norm
            if score > 0:
                scored.append((page, score))
        scored.sort(key=lambda item: (-item[1], item[0].domain, item[0].path))
        return scored[: max(0, limit)]


def snippet(page: Page, query: str, size: int = 200, highlight: str = "") -> str:
    """The meta description when it has a query word, else the text around the first one."""
    terms = set(tokens(query))
    words = page.text.split()
    hit = next((i for i, w in enumerate(words) if set(tokens(w)) & terms), None)
    if page.description and (hit is None or set(tokens(page.description)) & terms):
        text = page.description
    elif hit is None:
        text = page.text[:size]
    else:
        start = max(0, hit - 8)
        chosen, used = [], 0
        for word in words[start:]:
            if used + len(word) > size:
                break
            chosen.append(word)
            used += len(word) + 1
        text = ("… " if start else "") + " ".join(chosen)
    if highlight:
        text = " ".join(
            f"<{highlight}>{w}</{highlight}>" if set(tokens(w)) & terms else w for w in text.split()
        )
    return text


def _site_pages(sites: Path) -> list[Page]:
    pages = []
    for site in sorted(p for p in sites.iterdir() if p.is_dir()):
        robots = RobotFileParser()
        robots_file = site / "robots.txt"
        robots.parse(robots_file.read_text().splitlines() if robots_file.exists() else [])
        for file in sorted(site.rglob("*.html")):
            relative = file.relative_to(site).as_posix()
            path = "/" + (relative[: -len("index.html")] if file.name == "index.html" else relative)
            if not robots.can_fetch("*", f"http://{site.name}{path}"):
                continue
            parser = _VisibleText()
            parser.feed(file.read_text(encoding="utf-8"))
            title = re.sub(r"\s+", " ", parser.title).strip()
            pages.append(Page(site.name, path, title, parser.text, parser.description))
    return pages


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    web: FixtureWeb


class FixtureWeb:
    """The fixture web on one local server; use `FixtureWeb.start()` as a context manager."""

    def __init__(self, host: str = "127.0.0.2", port: int = 0, sites: Path = SITES_DIR):
        self.sites = sites
        self.domains = tuple(sorted(p.name for p in sites.iterdir() if p.is_dir()))
        self.index = SearchIndex(_site_pages(sites))
        self.stopping = threading.Event()
        self._lock = threading.Lock()
        self._requests: list[RecordedRequest] = []
        self._in_flight: Counter[str] = Counter()
        self._max_in_flight: Counter[str] = Counter()
        self._server = _Server((host, port), _Handler)  # bound and listening from here on
        self._server.web = self
        self.host, self.port = self._server.server_address[:2]
        self._thread = threading.Thread(
            target=self._server.serve_forever, args=(0.05,), name="fixture-web", daemon=True
        )
        domains = "|".join(re.escape(d) for d in (*self.domains, SEARCH_HOST))
        self._link = re.compile(rf"(?:https?:)?//({domains})(?::\d+)?(?=[/\"'?#\s<>)]|$)".encode())

    @classmethod
    @contextmanager
    def start(cls, host: str = "127.0.0.2", port: int = 0) -> Iterator[FixtureWeb]:
        web = cls(host, port)
        web._thread.start()
        try:
            yield web
        finally:
            web.stop()

    def stop(self) -> None:
        self.stopping.set()
        if self._thread.is_alive():
            self._server.shutdown()
        self._server.server_close()

    # What tests read.
    def url(self, domain: str, path: str = "/") -> str:
        return f"http://{domain}:{self.port}{path}"

    @property
    def search_url(self) -> str:
        return self.url(SEARCH_HOST, "").rstrip("/")

    @property
    def requests(self) -> list[RecordedRequest]:
        with self._lock:
            return list(self._requests)

    def requests_to(self, host: str, path_prefix: str = "") -> list[RecordedRequest]:
        return [r for r in self.requests if r.host == host and r.path.startswith(path_prefix)]

    def in_flight(self, host: str) -> int:
        """How many requests to `host` are being answered right now."""
        with self._lock:
            return self._in_flight[host]

    def max_in_flight(self, host: str) -> int:
        """The most requests to `host` that were being answered at the same time."""
        with self._lock:
            return self._max_in_flight[host]

    def reset(self) -> None:
        with self._lock:
            self._requests.clear()
            self._max_in_flight.clear()

    def settings_env(self, engine: str = "searxng") -> dict[str, str]:
        """Environment variables that point the app's web discovery at this fixture web."""
        hosts = ",".join(f"{d}={self.host}" for d in (*self.domains, SEARCH_HOST))
        env = {
            "WEB_SEARCH_ENGINE": engine,
            "WEB_SEARCH_URL": self.search_url,
            "WEB_FETCH_ALLOWED_NETWORKS": f"{self.host}/32",
            "WEB_FETCH_HOSTS": hosts,
        }
        if engine in ("tavily", "brave"):
            env["WEB_SEARCH_API_KEY"] = API_KEY
        return env

    # Used by the handler.
    def enter(self, request: RecordedRequest) -> None:
        with self._lock:
            self._requests.append(request)
            self._in_flight[request.host] += 1
            current = self._in_flight[request.host]
            self._max_in_flight[request.host] = max(self._max_in_flight[request.host], current)

    def leave(self, host: str) -> None:
        with self._lock:
            self._in_flight[host] -= 1

    def rewrite_links(self, body: bytes) -> bytes:
        return self._link.sub(lambda m: b"http://%s:%d" % (m.group(1), self.port), body)

    def hits(self, query: str, limit: int) -> list[tuple[Page, float, str]]:
        return [(p, s, self.url(p.domain, p.path)) for p, s in self.index.search(query, limit)]


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server
    timeout = 30

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        self._dispatch()

    def do_HEAD(self) -> None:
        self._dispatch()

    def do_POST(self) -> None:
        self._dispatch()

    def _dispatch(self) -> None:
        web = self.server.web
        host = (self.headers.get("Host") or "").split(":")[0].lower()
        parts = urlsplit(self.path)
        record = RecordedRequest(
            host,
            parts.path,
            parts.query,
            self.command,
            time.monotonic(),
            self.headers.get("User-Agent", ""),
        )
        web.enter(record)
        try:
            query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
            if host == SEARCH_HOST:
                self._search(parts.path, query)
            elif host == HOSTILE_HOST and self._hostile(parts.path, query):
                pass
            elif host in web.domains and self.command in ("GET", "HEAD"):
                self._static(host, unquote(parts.path))
            else:
                self._send(404, b"<h1>Not found</h1>")
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True
        finally:
            web.leave(host)

    def _send(
        self,
        status: int,
        body: bytes,
        content_type: str = "text/html; charset=utf-8",
        headers: dict[str, str] | None = None,
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _json(self, status: int, data: Any) -> None:
        self._send(status, json.dumps(data).encode(), "application/json")

    def _static(self, host: str, path: str) -> None:
        root = self.server.web.sites / host
        if ".." in path.split("/"):
            self._send(404, b"<h1>Not found</h1>")
            return
        relative = path.lstrip("/")
        candidates = [root / relative, root / relative / "index.html", root / f"{relative}.html"]
        file = next((c for c in candidates if c.is_file()), None)
        if file is None or not file.resolve().is_relative_to(root.resolve()):
            self._send(404, b"<h1>Not found</h1>")
        elif file.suffix == ".html":
            self._send(200, self.server.web.rewrite_links(file.read_bytes()))
        else:
            self._send(200, file.read_bytes(), "text/plain; charset=utf-8")

    # The search engine.
    def _search(self, path: str, query: dict[str, str]) -> None:
        web = self.server.web
        if path == "/search" and self.command == "GET":
            if query.get("format") != "json":
                self._send(403, b"<h1>403 Forbidden</h1>")
                return
            q, page = query.get("q", ""), max(1, int(query.get("pageno", "1") or 1))
            found = web.hits(q, 10 * page)[10 * (page - 1) :]
            results = [
                {
                    "url": url,
                    "title": p.title,
                    "content": snippet(p, q),
                    "engine": "fixture",
                    "engines": ["fixture"],
                    "positions": [i],
                    "score": round(s, 4),
                    "category": "general",
                }
                for i, (p, s, url) in enumerate(found, 1)
            ]
            self._json(
                200,
                {
                    "query": q,
                    "number_of_results": len(results),
                    "results": results,
                    "answers": [],
                    "corrections": [],
                    "infoboxes": [],
                    "suggestions": [],
                    "unresponsive_engines": [],
                },
            )
        elif path == "/search" and self.command == "POST":
            if self.headers.get("Authorization") != f"Bearer {API_KEY}":
                self._json(401, {"detail": {"error": "Unauthorized: missing or invalid API key."}})
                return
            try:
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))))
                q, limit = str(body["query"]), min(20, int(body.get("max_results", 5)))
            except (ValueError, KeyError, TypeError):
                self._json(400, {"detail": {"error": "Invalid request body."}})
                return
            found = web.hits(q, limit)
            top = found[0][1] if found else 1.0
            results = [
                {
                    "title": p.title,
                    "url": url,
                    "content": snippet(p, q, 400),
                    "score": round(s / top, 4),
                    "raw_content": None,
                }
                for p, s, url in found
            ]
            self._json(
                200,
                {
                    "query": q,
                    "follow_up_questions": None,
                    "answer": None,
                    "images": [],
                    "results": results,
                    "response_time": 0.01,
                },
            )
        elif path == "/res/v1/web/search" and self.command == "GET":
            if self.headers.get("X-Subscription-Token") != API_KEY:
                self._json(
                    401,
                    {
                        "type": "ErrorResponse",
                        "error": {"status": 401, "code": "SUBSCRIPTION_TOKEN_INVALID"},
                    },
                )
                return
            q, limit = query.get("q", ""), min(20, int(query.get("count", "10") or 10))
            results = [
                {
                    "type": "search_result",
                    "title": p.title,
                    "url": url,
                    "description": snippet(p, q, highlight="strong"),
                    "profile": {"name": p.domain},
                }
                for p, _, url in web.hits(q, limit)
            ]
            self._json(
                200,
                {
                    "type": "search",
                    "query": {"original": q},
                    "web": {"type": "search", "results": results},
                },
            )
        else:
            self._send(404, b"<h1>Not found</h1>")

    # hostile.test
    def _hostile(self, path: str, query: dict[str, str]) -> bool:
        web = self.server.web
        if path == "/redirect-local":
            self._send(302, b"", headers={"Location": f"http://127.0.0.1:{web.port}/"})
        elif path.startswith("/redirect-chain/"):
            left = int(path.rsplit("/", 1)[-1] or 0)
            if left <= 0:
                self._send(200, b"<html><title>End of the chain</title><h1>Arrived</h1></html>")
            else:
                self._send(302, b"", headers={"Location": f"/redirect-chain/{left - 1}"})
        elif path == "/redirect-loop":
            self._send(302, b"", headers={"Location": "/redirect-loop"})
        elif path in ("/huge.html", "/huge-chunked.html"):
            self._huge(chunked=path == "/huge-chunked.html")
        elif path == "/slow.html":
            self._slow(float(query.get("interval", 0.5)), float(query.get("seconds", 30)))
        elif path == "/slow-headers.html":
            if not web.stopping.wait(float(query.get("seconds", 30))):
                self._send(200, b"<html><title>Late</title><p>Finally.</p></html>")
        else:
            return False
        return True

    def _start_stream(self, length: int | None) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        if length is None:
            self.send_header("Transfer-Encoding", "chunked")
        else:
            self.send_header("Content-Length", str(length))
        self.end_headers()

    def _chunk(self, data: bytes) -> None:
        self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))

    def _huge(self, chunked: bool) -> None:
        head = b"<!DOCTYPE html><html><head><title>Huge page</title></head><body><p>"
        filler = (b"HaulSight Dockvane Tarifly freight forwarder shipment visibility " * 1100)[
            :CHUNK
        ]
        self._start_stream(None if chunked else HUGE_BYTES)
        if self.command == "HEAD":
            return
        sent = 0
        while sent < HUGE_BYTES and not self.server.web.stopping.is_set():
            piece = (head if sent == 0 else filler)[: HUGE_BYTES - sent]
            self._chunk(piece) if chunked else self.wfile.write(piece)
            sent += len(piece)
        if chunked:
            self.wfile.write(b"0\r\n\r\n")

    def _slow(self, interval: float, seconds: float) -> None:
        self._start_stream(None)
        self._chunk(b"<!DOCTYPE html><html><head><title>Slow page</title></head><body>")
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline and not self.server.web.stopping.wait(interval):
            self._chunk(b".")
            self.wfile.flush()
        self._chunk(b"</body></html>")
        self.wfile.write(b"0\r\n\r\n")


def main() -> None:
    parser = argparse.ArgumentParser(description="Serve the fixture web for manual use.")
    parser.add_argument("--host", default="127.0.0.2")
    parser.add_argument("--port", type=int, default=18090)
    parser.add_argument("--engine", default="searxng", choices=("searxng", "tavily", "brave"))
    args = parser.parse_args()
    with FixtureWeb.start(host=args.host, port=args.port) as web:
        print(f"Fixture web on {web.host}:{web.port} ({len(web.domains)} sites). Export:")
        for name, value in web.settings_env(args.engine).items():
            print(f"export {name}='{value}'")
        print(
            f"Try: curl -H 'Host: haulsight.test' http://{web.host}:{web.port}/  (Ctrl-C stops)",
            flush=True,
        )
        with suppress(KeyboardInterrupt):
            threading.Event().wait()


if __name__ == "__main__":
    main()
