"""PageFetcher against real local HTTP(S) servers: what it fetches, and everything it refuses.

The site runs on 127.0.0.2 (allowed through the test seam) under the static names site.test,
down.test and other.test; a sentinel server on 127.0.0.1 (still refused) records whether
anything ever reached it.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import gzip
import ssl
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from marketnav.services.public_addresses import allowed_networks
from marketnav.services.web_discovery.fetcher import FetchedPage, FetchRefused, PageFetcher
from marketnav.settings import Settings

pytestmark = [pytest.mark.integration, pytest.mark.asyncio]

MB = 1024 * 1024
HTML = "text/html; charset=utf-8"
ROBOTS = b"User-agent: *\nDisallow: /private\n"
PAGE = b"<html><head><title>Acme Widgets</title></head><body><p>We make widgets.</p></body></html>"


class Site(ThreadingHTTPServer):
    """A threaded HTTP server (bound and listening once built) that records every request."""

    daemon_threads = True

    def __init__(self, address: str, sentinel_url: str = "") -> None:
        super().__init__((address, 0), Handler)
        self.port = self.server_address[1]
        self.sentinel_url = sentinel_url
        self.requests: list[tuple[str, str]] = []  # (host name, path)
        self.hold = threading.Condition()
        self.in_flight = self.max_in_flight = 0
        self.hold_seconds = 0.2  # how long /hold waits for a second request at the same time
        self.big_done = threading.Event()
        self.big_written = 0
        self.big_closed_early = False
        self.stopping = threading.Event()

    def handle_error(self, request, client_address) -> None:
        pass  # clients hanging up on purpose are what several tests are about

    def __enter__(self) -> Site:
        # A short poll interval: shutdown() waits for the loop to notice.
        threading.Thread(target=self.serve_forever, args=(0.02,), daemon=True).start()
        return self

    def __exit__(self, *exc_info) -> None:
        self.stopping.set()
        self.shutdown()
        self.server_close()


class Handler(BaseHTTPRequestHandler):
    server: Site

    def log_message(self, format, *args) -> None:
        pass

    def send(self, status: int, body: bytes, content_type: str = HTML, **headers: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        for name, value in headers.items():
            self.send_header(name.replace("_", "-"), value)
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        site, path = self.server, urlsplit(self.path).path
        host = (self.headers.get("Host") or "").split(":")[0]
        with site.hold:
            site.requests.append((host, path))
        if path == "/robots.txt":
            if host == "site.test":
                return self.send(200, ROBOTS, "text/plain")
            return self.send(500 if host == "down.test" else 404, b"no", "text/plain")
        if path.startswith("/chain/"):
            left = int(path.rsplit("/", 1)[1])
            if left:
                return self.send(302, b"", Location=f"/chain/{left - 1}")
        route = getattr(self, "page_" + path.strip("/").split("/")[0].replace("-", "_"), None)
        if route is None:
            return self.send(200, PAGE)
        return route()

    def page_hostile(self) -> None:
        refresh = f'<meta http-equiv="refresh" content="0;url={self.server.sentinel_url}">'
        script = f"<script>location.href = '{self.server.sentinel_url}';</script>"
        self.send(
            200, f"<html><head>{refresh}{script}<title>Hostile</title></head></html>".encode()
        )

    def page_to_loopback(self) -> None:
        self.send(302, b"", Location=self.server.sentinel_url)

    def page_pdf(self) -> None:
        self.send(200, b"%PDF-1.4", "application/pdf")

    def page_missing(self) -> None:
        self.send(404, b"<html>gone</html>")

    def page_latin(self) -> None:
        self.send(200, "<p>Café crème</p>".encode("latin-1"), "text/html; charset=ISO-8859-1")

    def page_meta_charset(self) -> None:
        body = '<html><head><meta charset="windows-1251"></head><p>Привет</p></html>'
        self.send(200, body.encode("cp1251"), "text/html")

    def page_bad_bytes(self) -> None:
        self.send(200, b"<p>ok \xff\xfe broken</p>", "text/html")

    def page_gzip(self) -> None:
        self.send(200, gzip.compress(PAGE), Content_Encoding="gzip")

    def page_gzip_bomb(self) -> None:
        self.send(200, gzip.compress(b"\0" * 20 * MB), Content_Encoding="gzip")

    def page_announced_big(self) -> None:
        self.send(200, b"<html>", Content_Length=str(30 * MB))

    def page_big(self) -> None:
        site = self.server
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.end_headers()  # no Content-Length: the size shows only while reading
        chunk = b"<p>" + b"x" * (64 * 1024 - 3)
        try:
            while site.big_written < 20 * MB:
                self.wfile.write(chunk)
                site.big_written += len(chunk)
        except OSError:
            site.big_closed_early = True
        finally:
            site.big_done.set()

    def page_drip(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", "100")
        self.end_headers()
        try:
            for _ in range(100):
                self.wfile.write(b"x")
                self.wfile.flush()
                if self.server.stopping.wait(0.5):
                    return
        except OSError:
            return

    def page_hold(self) -> None:
        # Waits until two requests have been in flight at once (or hold_seconds pass).
        site = self.server
        with site.hold:
            site.in_flight += 1
            site.max_in_flight = max(site.max_in_flight, site.in_flight)
            site.hold.notify_all()
            site.hold.wait_for(lambda: site.max_in_flight >= 2, timeout=site.hold_seconds)
        try:
            self.send(200, PAGE)
        finally:
            with site.hold:
                site.in_flight -= 1


@pytest.fixture
def sentinel() -> Iterator[Site]:
    with Site("127.0.0.1") as server:
        yield server


@pytest.fixture
def site(sentinel) -> Iterator[Site]:
    with Site("127.0.0.2", sentinel_url=f"http://127.0.0.1:{sentinel.port}/") as server:
        yield server


def fetcher(**overrides) -> PageFetcher:
    params = {
        "allowed_networks": allowed_networks("127.0.0.2/32"),
        "static_hosts": {name: "127.0.0.2" for name in ("site.test", "down.test", "other.test")},
        "timeout": 5.0,
        "max_bytes": MB,
        "user_agent": "MarketNavigatorBot/test",
    }
    return PageFetcher(**(params | overrides))


def url(site: Site, path: str = "/", host: str = "site.test") -> str:
    return f"http://{host}:{site.port}{path}"


async def test_a_page_comes_back_as_text(site):
    async with fetcher() as f:
        page = await f.fetch(url(site))
    assert isinstance(page, FetchedPage)
    assert "<title>Acme Widgets</title>" in page.html
    assert page.status == 200 and page.content_type == "text/html" and page.bytes == len(PAGE)
    assert page.final_url == url(site)
    assert page.fetched_at.tzinfo == dt.UTC
    assert abs((dt.datetime.now(dt.UTC) - page.fetched_at).total_seconds()) < 5
    assert f.pages_fetched == 1 and f.requests_sent == 2  # robots.txt, then the page
    assert site.requests == [("site.test", "/robots.txt"), ("site.test", "/")]


async def test_from_settings_uses_the_web_settings(site):
    settings = Settings(
        web_fetch_allowed_networks="127.0.0.2/32",
        web_fetch_hosts="site.test=127.0.0.2",
        web_user_agent="MarketNavigatorBot/settings",
    )
    async with PageFetcher.from_settings(settings) as f:
        assert isinstance(await f.fetch(url(site)), FetchedPage)
        assert (await f.fetch(url(site, host="127.0.0.1"))).code == "address"
    assert f.max_bytes == settings.web_fetch_max_bytes


async def test_a_hostile_page_is_only_text(site, sentinel):
    async with fetcher() as f:
        page = await f.fetch(url(site, "/hostile"))
    assert isinstance(page, FetchedPage)
    assert "<script>" in page.html and 'http-equiv="refresh"' in page.html
    assert site.requests == [("site.test", "/robots.txt"), ("site.test", "/hostile")]
    assert sentinel.requests == []


async def test_a_redirect_to_loopback_is_refused_before_any_connection(site, sentinel):
    async with fetcher() as f:
        refused = await f.fetch(url(site, "/to-loopback"))
    assert isinstance(refused, FetchRefused) and refused.code == "address"
    assert refused.reason == "refused: 127.0.0.1 is a loopback address"
    assert sentinel.requests == []


async def test_redirects_are_followed_up_to_the_limit(site):
    async with fetcher(max_redirects=3) as f:
        page = await f.fetch(url(site, "/chain/3"))
        refused = await f.fetch(url(site, "/chain/4"))
    assert isinstance(page, FetchedPage) and page.final_url == url(site, "/chain/0")
    assert refused.code == "redirects" and "more than 3 redirects" in refused.reason
    assert ("site.test", "/chain/0") in site.requests
    assert site.requests.count(("site.test", "/chain/0")) == 1  # the 5th hop was never asked


async def test_a_huge_page_is_dropped_without_reading_it_all(site):
    started = time.monotonic()
    async with fetcher() as f:
        refused = await f.fetch(url(site, "/big"))
    assert refused.code == "too_large" and refused.reason == "page larger than 1 MB"
    assert time.monotonic() - started < 3
    assert site.big_done.wait(5)
    assert site.big_closed_early and site.big_written < 20 * MB


async def test_an_announced_size_or_a_compression_bomb_is_refused(site):
    async with fetcher() as f:
        announced = await f.fetch(url(site, "/announced-big"))
        bomb = await f.fetch(url(site, "/gzip-bomb"))
        small = await f.fetch(url(site, "/gzip"))
    assert announced.code == "too_large" and "30 MB announced" in announced.reason
    assert bomb.code == "too_large"
    assert isinstance(small, FetchedPage) and small.html == PAGE.decode()


async def test_a_slow_drip_page_times_out_on_the_deadline(site):
    async with fetcher(timeout=1.0) as f:
        await f.fetch(url(site))  # robots.txt is fetched and cached before the clock starts
        started = time.monotonic()
        refused = await f.fetch(url(site, "/drip"))
    elapsed = time.monotonic() - started
    assert refused.code == "timeout" and "1 s" in refused.reason
    assert 0.9 < elapsed < 2.0


async def test_only_web_pages_are_fetched(site):
    async with fetcher() as f:
        pdf = await f.fetch(url(site, "/pdf"))
        missing = await f.fetch(url(site, "/missing"))
    assert pdf.code == "content_type" and "application/pdf" in pdf.reason
    assert missing.code == "status" and "404" in missing.reason


async def test_charsets_from_header_meta_or_utf8_with_replacement(site):
    async with fetcher() as f:
        latin = await f.fetch(url(site, "/latin"))
        meta = await f.fetch(url(site, "/meta-charset"))
        bad = await f.fetch(url(site, "/bad-bytes"))
    assert "Café crème" in latin.html
    assert "Привет" in meta.html
    assert "ok \ufffd\ufffd broken" in bad.html


async def test_robots_txt_is_honoured_and_fetched_once(site):
    async with fetcher() as f:
        private = await f.fetch(url(site, "/private"))
        home = await f.fetch(url(site))
        other = await f.fetch(url(site, "/private", host="other.test"))  # its robots.txt: 404
    assert private.code == "robots" and "disallows /private" in private.reason
    assert isinstance(home, FetchedPage) and isinstance(other, FetchedPage)
    assert site.requests.count(("site.test", "/robots.txt")) == 1
    assert ("site.test", "/private") not in site.requests
    assert f.pages_fetched == 2


async def test_a_robots_txt_server_error_skips_the_host(site):
    async with fetcher() as f:
        first = await f.fetch(url(site, host="down.test"))
        second = await f.fetch(url(site, "/other", host="down.test"))
    assert first.code == second.code == "robots" and "HTTP 500" in first.reason
    assert site.requests == [("down.test", "/robots.txt")]


@pytest.mark.parametrize(
    ("target", "code", "reason"),
    [
        ("http://user:secret@site.test:{port}/", "scheme", "user name or password"),
        ("ftp://site.test:{port}/", "scheme", "not ftp://"),
        ("site.test/", "scheme", "without a scheme"),
        ("http://169.254.169.254/latest/meta-data/", "address", "cloud metadata"),
        ("http://[::1]:{port}/", "address", "::1 is a loopback address"),
        ("http://0.0.0.0:{port}/", "address", "0.0.0.0 is the unspecified address"),
        ("http://10.0.0.1/", "address", "10.0.0.1 is a private address"),
        ("http://127.0.0.1:{port}/", "address", "127.0.0.1 is a loopback address"),
        ("http://localhost:{port}/", "address", "localhost resolves to"),
        ("http://2130706433:{port}/", "address", "resolves to 127.0.0.1, a loopback address"),
        ("http://[::ffff:127.0.0.1]:{port}/", "address", "IPv4-mapped form of 127.0.0.1"),
        ("http://nowhere.invalid/", "dns", "nowhere.invalid does not resolve"),
    ],
)
async def test_refused_without_any_connection(sentinel, target, code, reason):
    async with fetcher() as f:
        refused = await f.fetch(target.format(port=sentinel.port))
    assert isinstance(refused, FetchRefused)
    assert refused.code == code and reason in refused.reason
    assert f.requests_sent == 0 and sentinel.requests == []


@pytest.mark.parametrize(("per_host", "expected"), [(1, 1), (2, 2)])
async def test_per_host_concurrency_is_respected(site, per_host, expected):
    # With 2 allowed, the first two meet at once (so a long wait costs nothing); with 1,
    # each request waits its short while in vain.
    site.hold_seconds = 0.2 if per_host == 1 else 10
    async with fetcher(per_host=per_host) as f:
        pages = await asyncio.gather(*(f.fetch(url(site, f"/hold/{i}")) for i in range(4)))
    assert all(isinstance(page, FetchedPage) for page in pages)
    assert site.max_in_flight == expected
    assert site.requests.count(("site.test", "/robots.txt")) == 1


# -- https: the request goes to the IP, the certificate is checked against the name -----------


@pytest.fixture
def tls_site(tmp_path) -> Iterator[tuple[Site, ssl.SSLContext]]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "site.test")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(hours=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName("site.test")]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_pem = cert.public_bytes(serialization.Encoding.PEM)
    key_pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    (tmp_path / "cert.pem").write_bytes(cert_pem)
    (tmp_path / "key.pem").write_bytes(key_pem)
    server_ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_ctx.load_cert_chain(tmp_path / "cert.pem", tmp_path / "key.pem")
    client_ctx = ssl.create_default_context(cadata=cert_pem.decode())
    with Site("127.0.0.2") as server:
        server.socket = server_ctx.wrap_socket(server.socket, server_side=True)
        yield server, client_ctx


async def test_https_is_verified_against_the_host_name_not_the_ip(tls_site):
    site, client_ctx = tls_site
    async with fetcher(verify=client_ctx) as f:
        page = await f.fetch(f"https://site.test:{site.port}/")
        wrong = await f.fetch(f"https://other.test:{site.port}/")  # same IP, other name
    assert isinstance(page, FetchedPage) and "Acme Widgets" in page.html
    assert page.final_url == f"https://site.test:{site.port}/"
    assert isinstance(wrong, FetchRefused) and wrong.code == "robots"
    assert "certificate" in wrong.reason.lower() or "hostname" in wrong.reason.lower()
    assert ("site.test", "/") in site.requests
    assert all(host == "site.test" for host, _ in site.requests)
