"""A fetched HTML page as text and metadata: what the company extractor reads.

trafilatura (a maintained extractor) gives the main text without navigation, footers and
cookie banners, and the page metadata (title, site name, description). lxml gives what
trafilatura drops on purpose but a list of competitors lives in: the headings, the links
with their text, and the organisations named in JSON-LD. Scripts are never run: they are
removed before anything is read, so a name a script would write does not exist here.
"""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import urljoin, urlsplit

import trafilatura
from lxml import html as lxml_html
from pydantic import BaseModel, Field

MAX_TEXT = 20_000  # characters kept of the main text (the cache keeps the content, not HTML)
MAX_LINKS = 300
MAX_HEADINGS = 120
_SPACES = re.compile(r"\s+")


class PageLink(BaseModel):
    url: str
    text: str = ""


class PageHeading(BaseModel):
    level: int
    text: str
    # The first link inside or right after the heading (a listicle's "1. Acme" -> acme.com),
    # and the text right after it (what the page says of that entry).
    url: str = ""
    context: str = ""


class PageOrganization(BaseModel):
    """An organisation the page's JSON-LD names (a site's own `Organization` record)."""

    name: str
    url: str = ""
    description: str = ""
    founding_date: str = ""


class PageContent(BaseModel):
    url: str
    title: str = ""
    site_name: str = ""
    description: str = ""
    text: str = ""
    headings: list[PageHeading] = Field(default_factory=list)
    links: list[PageLink] = Field(default_factory=list)
    organizations: list[PageOrganization] = Field(default_factory=list)

    @property
    def host(self) -> str:
        return (urlsplit(self.url).hostname or "").lower()


def _clean(text: str | None, limit: int = 500) -> str:
    return _SPACES.sub(" ", text or "").strip()[:limit]


def _drop_link_lists(tree: Any) -> None:
    """Menus and link lists (a block of 3+ links that is mostly link text) say nothing about
    the company and ran into its description ("Features Integrations Pricing Contact")."""
    for node in tree.xpath("//nav|//*[count(.//a) >= 3]"):
        if node.getparent() is None or node.tag in ("html", "body"):
            continue
        text = _clean(node.text_content(), 10_000)
        links = sum(len(_clean(a.text_content())) for a in node.iter("a"))
        if node.tag == "nav" or (text and links >= 0.8 * len(text)):
            node.drop_tree()


def _unwrap_layout_tables(tree: Any) -> None:
    """A one-row table is page layout, not data: its cells become blocks (else the text is
    read as one "| … |" table row)."""
    for table in tree.xpath("//table"):
        if len(table.xpath(".//tr")) <= 1:
            table.tag = "div"
            for node in table.xpath(".//tbody|.//tr|.//td|.//th"):
                node.tag = "div"


def _meta(tree: Any, *names: str) -> str:
    for name in names:
        for attr in ("property", "name"):
            found = tree.xpath(f'//meta[@{attr}="{name}"]/@content')
            if found and _clean(found[0]):
                return _clean(found[0])
    return ""


def _json_ld(tree: Any) -> list[PageOrganization]:
    found: list[PageOrganization] = []

    def visit(node: Any) -> None:
        if isinstance(node, list):
            for item in node:
                visit(item)
        elif isinstance(node, dict):
            kind = node.get("@type")
            kinds = kind if isinstance(kind, list) else [kind]
            if any(k in ("Organization", "Corporation", "LocalBusiness") for k in kinds):
                name = _clean(str(node.get("name") or ""), 200)
                if name:
                    found.append(
                        PageOrganization(
                            name=name,
                            url=_clean(str(node.get("url") or ""), 500),
                            description=_clean(str(node.get("description") or ""), 1000),
                            founding_date=_clean(str(node.get("foundingDate") or ""), 20),
                        )
                    )
            visit(node.get("@graph"))

    for raw in tree.xpath('//script[@type="application/ld+json"]/text()'):
        try:
            visit(json.loads(raw))
        except ValueError:
            continue  # a broken JSON-LD block says nothing
    return found[:20]


def _absolute(base: str, href: str) -> str:
    url = urljoin(base, href.strip())
    return url if url.startswith(("http://", "https://")) else ""


_HEADING_TAGS = ("h1", "h2", "h3", "h4")


def _below(heading: Any) -> list[Any]:
    """The two elements after a heading, up to the next heading (its entry's body)."""
    body: list[Any] = []
    for number, sibling in enumerate(heading.itersiblings()):
        if number >= 2 or sibling.tag in _HEADING_TAGS:
            break
        body.append(sibling)
    return body


def _headings(tree: Any, base: str) -> list[PageHeading]:
    headings: list[PageHeading] = []
    for node in tree.xpath("//h1|//h2|//h3|//h4"):
        text = _clean(node.text_content(), 200)
        if not text:
            continue
        body = _below(node)
        hrefs = node.xpath(".//a/@href") or [h for b in body for h in b.xpath(".//a/@href")]
        url = next((u for u in (_absolute(base, h) for h in hrefs) if u), "")
        context = _clean(" ".join(b.text_content() for b in body), 600)
        headings.append(PageHeading(level=int(node.tag[1]), text=text, url=url, context=context))
        if len(headings) >= MAX_HEADINGS:
            break
    return headings


def _links(tree: Any, base: str) -> list[PageLink]:
    links: list[PageLink] = []
    seen: set[str] = set()
    for node in tree.xpath("//a[@href]"):
        url = _absolute(base, node.get("href", ""))
        if not url or url in seen:
            continue
        seen.add(url)
        links.append(PageLink(url=url, text=_clean(node.text_content(), 200)))
        if len(links) >= MAX_LINKS:
            break
    return links


def read_page(html: str, url: str) -> PageContent:
    """Title, site name, description, main text, headings, links and JSON-LD organisations."""
    try:
        tree = lxml_html.document_fromstring(html or "<html></html>")
    except (ValueError, lxml_html.etree.ParserError):
        return PageContent(url=url)
    organizations = _json_ld(tree)  # read before scripts are removed (JSON-LD is data)
    for node in tree.xpath("//script|//style|//noscript|//template|//iframe"):
        node.drop_tree()
    # Headings and links first: a review's list of companies is a link list too.
    headings, links = _headings(tree, url), _links(tree, url)
    _drop_link_lists(tree)
    _unwrap_layout_tables(tree)
    metadata = trafilatura.extract_metadata(tree, default_url=url)
    title = _clean(tree.findtext(".//title"), 300) or _clean(getattr(metadata, "title", ""), 300)
    text = trafilatura.extract(tree, url=url, include_comments=False, favor_recall=True) or ""
    host = (urlsplit(url).hostname or "").lower().removeprefix("www.")
    site_name = _meta(tree, "og:site_name", "application-name") or _clean(
        getattr(metadata, "sitename", ""), 200
    )
    return PageContent(
        url=url,
        title=title,
        # trafilatura falls back to the host name, which names no one
        site_name="" if site_name.lower().removeprefix("www.").split(":")[0] == host else site_name,
        description=_meta(tree, "og:description", "description", "twitter:description")
        or _clean(getattr(metadata, "description", ""), 1000),
        text=_clean(text, MAX_TEXT),
        headings=headings,
        links=links,
        organizations=organizations,
    )
