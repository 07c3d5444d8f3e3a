"""Candidate companies in a page, and one entity per company (its website domain first).

Two kinds of candidate, from the page content (`page_text.PageContent`):

- the site's own company, when the page is a home page (or its JSON-LD `Organization` is the
  site's): its name from JSON-LD, `og:site_name` or the title, its description from the page;
- companies a page lists (a review, an "alternatives to X" article): a heading or a list entry
  that links to another site, named by the heading text, described by the text after it.

This is the offline extractor; with an AI key, `ai_extraction` reads the same content with a
structured schema and falls back to this one. Neither decides who is a competitor: every
candidate goes through the services' retrieval and relevance floor like any other company.
"""

from __future__ import annotations

import re
from datetime import datetime
from urllib.parse import urlsplit

from pydantic import BaseModel, Field

from marketnav.services.web_discovery.page_text import PageContent
from scraper_services.common.contracts import WebPage, company_name_key, website_domain

# Sites that are never "the company" a page is about (profiles, app stores, publishers).
NOT_COMPANY_SITES = frozenset(
    {
        "linkedin.com",
        "twitter.com",
        "x.com",
        "facebook.com",
        "instagram.com",
        "youtube.com",
        "github.com",
        "medium.com",
        "wikipedia.org",
        "en.wikipedia.org",
        "google.com",
        "apps.apple.com",
        "play.google.com",
        "reddit.com",
        "crunchbase.com",
        "tracxn.com",
        "g2.com",
        "capterra.com",
        "producthunt.com",
    }
)
_NUMBERING = re.compile(r"^\s*(?:#?\d{1,3}[.):]?|[-•*])\s+")
# Hyphen, en dash and em dash, escaped for a character class ("Acme \u2013 fast X").
_DASHES = "\\-\u2013\u2014"
_TITLE_SPLIT = re.compile(rf"\s+[|{_DASHES}]\s+|:\s+|\s+\u00b7\s+")
# What follows a name in a heading: " - tagline", ": tagline", " (tagline)", ", tagline".
_TAIL = re.compile(rf"(?:\s+[{_DASHES}|]\s+|:\s|\s*\(|,\s).*$")
_LEGAL = re.compile(r",?\s+(?:GmbH|Ltd\.?|Inc\.?|B\.V\.|BV|SAS|S\.A\.|AG|LLC|Oy|AB)$")
MAX_NAME_WORDS = 5


class Candidate(BaseModel):
    """One company a page names, with the page as its evidence."""

    name: str
    website: str  # scheme://host/ of the company's site
    description: str = ""
    own_site: bool = Field(False, description="Read from the company's own site")
    pages: list[WebPage] = Field(default_factory=list)

    @property
    def domain(self) -> str:
        return website_domain(self.website)


def page_ref(page: PageContent, fetched_at: datetime) -> WebPage:
    return WebPage(url=page.url, title=page.title or page.host, fetched_at=fetched_at)


def home_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}/"


def is_company_site(domain: str) -> bool:
    """Whether a domain may be a company's own site (not a profile or store page)."""
    return bool(domain) and not any(
        domain == site or domain.endswith("." + site) for site in NOT_COMPANY_SITES
    )


def _is_home(url: str) -> bool:
    path = urlsplit(url).path
    return path in ("", "/") or path.rstrip("/") in ("/index.html", "/index.htm", "/en")


def _plausible_name(text: str) -> str:
    """A heading or title cut to the name it starts with ("2. Acme - fast X" -> "Acme")."""
    name = _TAIL.sub("", _NUMBERING.sub("", text)).strip(" .,;:!?\"'")
    name = _LEGAL.sub("", name).strip()
    words = name.split()
    if not words or len(words) > MAX_NAME_WORDS or len(name) > 60:
        return ""
    if not any(ch.isalpha() for ch in name):
        return ""
    return name


def _title_name(page: PageContent) -> str:
    """The site's name from its title: the shortest plausible part ("Acme | Freight ...")."""
    parts = [p for p in (_plausible_name(p) for p in _TITLE_SPLIT.split(page.title)) if p]
    domain_label = website_domain(page.url).split(".")[0]
    for part in parts:  # the part that is the domain's own label first ("acme" on acme.io)
        if company_name_key(part) == company_name_key(domain_label):
            return part
    return min(parts, key=len) if parts else ""


def own_company(page: PageContent, fetched_at: datetime) -> Candidate | None:
    """The company whose site this is, when the page is its home page or says so in JSON-LD."""
    domain = website_domain(page.url)
    if not is_company_site(domain):
        return None
    organization = next(
        (o for o in page.organizations if not o.url or website_domain(o.url) == domain), None
    )
    if organization is None and not _is_home(page.url):
        return None
    name = (
        (organization.name if organization else "") or page.site_name or _title_name(page)
    ).strip()
    if not _plausible_name(name):
        return None
    lead = (organization.description if organization else "") or page.description
    description = " ".join(p for p in (lead, page.text[:1200]) if p).strip()
    return Candidate(
        name=name,
        website=home_of(page.url),
        description=description[:2000],
        own_site=True,
        pages=[page_ref(page, fetched_at)],
    )


def listed_companies(page: PageContent, fetched_at: datetime) -> list[Candidate]:
    """Companies a page lists: headings (or link texts) that link to another company site."""
    own = website_domain(page.url)
    ref = page_ref(page, fetched_at)
    found: dict[str, Candidate] = {}
    for heading in page.headings:
        domain = website_domain(heading.url)
        name = _plausible_name(heading.text)
        if not name or not domain or domain == own or not is_company_site(domain):
            continue
        found.setdefault(
            domain,
            Candidate(
                name=name, website=home_of(heading.url), description=heading.context, pages=[ref]
            ),
        )
    for link in page.links:
        domain = website_domain(link.url)
        if domain in found or not domain or domain == own or not is_company_site(domain):
            continue
        name = _plausible_name(link.text)
        # A bare link counts only when its text is the site's own name ("Acme" -> acme.io).
        if name and company_name_key(name) == company_name_key(domain.split(".")[0]):
            found[domain] = Candidate(name=name, website=home_of(link.url), pages=[ref])
    return list(found.values())


def offline_candidates(page: PageContent, fetched_at: datetime) -> list[Candidate]:
    """Every candidate of one page, without AI."""
    own = own_company(page, fetched_at)
    return ([own] if own else []) + listed_companies(page, fetched_at)


def merge(candidates: list[Candidate]) -> list[Candidate]:
    """One entity per website domain: the company's own site names and describes it; every
    page it was found on is kept (newest fetch per URL)."""
    entities: dict[str, Candidate] = {}
    for candidate in candidates:
        key = candidate.domain or company_name_key(candidate.name)
        known = entities.get(key)
        if known is None:
            entities[key] = candidate.model_copy(deep=True)
            continue
        if candidate.own_site and not known.own_site:
            known.name, known.own_site = candidate.name, True
            known.description = candidate.description or known.description
        elif len(candidate.description) > len(known.description) and not known.own_site:
            known.description = candidate.description
        pages = {p.url: p for p in known.pages}
        for page in candidate.pages:
            if page.url not in pages or page.fetched_at > pages[page.url].fetched_at:
                pages[page.url] = page
        known.pages = sorted(pages.values(), key=lambda p: p.url)
    return list(entities.values())
