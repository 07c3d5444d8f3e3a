"""Fetched pages by URL, for `WEB_CACHE_SECONDS`: a page is read once a window, not once a run.

What is kept is `page_text.PageContent` (or the refusal), so a cached page costs no fetch and
no parse. Pages are public, so the cache is shared by every organisation.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta

from sqlmodel import Session, select

from marketnav.models.base import utcnow
from marketnav.models.web import WebPageCache
from marketnav.services.web_discovery.page_text import PageContent


def _hash(url: str) -> str:
    return hashlib.sha256(url.encode("utf-8", "surrogatepass")).hexdigest()


class CachedPage:
    """A page from the cache: its content, or why it was refused, and when it was fetched."""

    def __init__(self, row: WebPageCache) -> None:
        self.content = PageContent.model_validate(row.content) if not row.refused else None
        self.refused, self.reason = row.refused, row.reason
        self.fetched_at: datetime = row.fetched_at


def get(session: Session, url: str, max_age_seconds: int) -> CachedPage | None:
    """The cached entry of `url` when it is younger than `max_age_seconds`."""
    if max_age_seconds <= 0:
        return None
    row = session.exec(select(WebPageCache).where(WebPageCache.url_hash == _hash(url))).first()
    if row is None or row.fetched_at < utcnow() - timedelta(seconds=max_age_seconds):
        return None
    return CachedPage(row)


def put(
    session: Session,
    url: str,
    *,
    content: PageContent | None,
    final_url: str = "",
    refused: str = "",
    reason: str = "",
    fetched_at: datetime | None = None,
) -> None:
    """Store (or refresh) the entry of `url`."""
    row = session.exec(select(WebPageCache).where(WebPageCache.url_hash == _hash(url))).first()
    row = row or WebPageCache(url_hash=_hash(url), url=url)
    row.final_url = final_url
    row.refused, row.reason = refused, reason[:500]
    row.content = content.model_dump(mode="json") if content else {}
    row.fetched_at = fetched_at or utcnow()
    session.add(row)
