"""Candidate companies read from a page by the AI provider chain (structured schema).

The model gets the page's title, headings and main text, and returns the companies the page
presents as products or vendors (name, website, one-line description). Without a key the
chain is the offline analyser, whose answer is `candidates.offline_candidates`; a model's
answer is kept only where it is grounded in the page (the name appears in it), and a website
the model gives must be a link of the page or the page's own site, never a guess.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from marketnav.services.ai.records import CallContext
from marketnav.services.ai.structured import complete_structured
from marketnav.services.web_discovery import candidates
from marketnav.services.web_discovery.candidates import Candidate
from marketnav.services.web_discovery.page_text import PageContent
from scraper_services.common.contracts import website_domain

PROMPT_TEXT = 6000


class PageCompany(BaseModel):
    name: str = Field(max_length=120)
    website: str = Field("", max_length=300, description="As linked on the page, or ''")
    description: str = Field("", max_length=400, description="What it offers, from the page")


class PageCompanies(BaseModel):
    companies: list[PageCompany] = Field(default_factory=list, max_length=30)


def _prompt(page: PageContent) -> str:
    headings = "\n".join(f"{'#' * h.level} {h.text} [{h.url}]" for h in page.headings[:60])
    links = "\n".join(f"- {link.text}: {link.url}" for link in page.links[:120] if link.text)
    return (
        f"URL: {page.url}\nTitle: {page.title}\nSite: {page.site_name}\n"
        f"Description: {page.description}\n\nHeadings:\n{headings}\n\nLinks:\n{links}\n\n"
        f"Text:\n{page.text[:PROMPT_TEXT]}"
    )


class _Grounding:
    """What a model's answer about one page may rest on: the page's words and its links."""

    def __init__(self, page: PageContent, fetched_at: datetime) -> None:
        self.page, self.fetched_at = page, fetched_at
        words = [page.title, page.site_name, page.text, *(h.text for h in page.headings)]
        self.text = " ".join(words).lower()
        self.linked = {website_domain(link.url): link.url for link in page.links}
        self.linked.update({website_domain(h.url): h.url for h in page.headings if h.url})
        self.linked[website_domain(page.url)] = page.url

    def candidate(self, found: PageCompany) -> Candidate | None:
        """A model's company, kept only when the page names it and links (or is) its site."""
        if not found.name or found.name.lower() not in self.text:
            return None
        url = self.linked.get(website_domain(found.website))
        if not url or not candidates.is_company_site(website_domain(url)):
            return None
        return Candidate(
            name=found.name,
            website=candidates.home_of(url),
            description=found.description,
            own_site=website_domain(url) == website_domain(self.page.url),
            pages=[candidates.page_ref(self.page, self.fetched_at)],
        )


def extract(
    page: PageContent,
    fetched_at: datetime,
    offline: list[Candidate],
    context: CallContext | None = None,
) -> tuple[list[Candidate], str]:
    """(the candidates of `page`, the label of who read it: a model or the offline reader).

    `offline` is what the offline reader found on the page (the answer without a key)."""
    outcome = complete_structured(
        feature="keywords",  # the route of short structured extraction calls
        operation="page_companies",
        output_model=PageCompanies,
        messages=[
            {
                "role": "system",
                "content": "You read one web page for a market-research tool. List the "
                "companies the page presents as vendors of a product or service (not "
                "publishers, investors, customers or the authors), each with the website the "
                "page links for it and one sentence of what it offers, from the page only. "
                "If the page is a company's own site, that company comes first.",
            },
            {"role": "user", "content": _prompt(page)},
        ],
        offline=lambda: PageCompanies(
            companies=[
                PageCompany(name=c.name[:120], website=c.website, description=c.description[:400])
                for c in offline
            ]
        ),
        description="companies on a web page",
        context=context,
        max_tokens=1500,
    )
    if outcome.offline:
        return offline, outcome.label
    grounding = _Grounding(page, fetched_at)
    kept = [c for c in map(grounding.candidate, outcome.value.companies) if c is not None]
    # The page's own company keeps the description its site gives (richer than one line).
    for candidate in kept:
        mine = next((o for o in offline if o.own_site and o.domain == candidate.domain), None)
        if mine is not None:
            candidate.description = mine.description or candidate.description
    return kept, outcome.label
