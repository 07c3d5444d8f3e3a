"""Pages web discovery fetched, kept by URL for `WEB_CACHE_SECONDS` (shared by every run).

What is kept is the extracted content (title, site name, description, text, headings, links,
the organisations its metadata names), never the raw HTML, and refusals too (robots.txt, a
private address, too large), so a refused page is not asked for again within the window.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Column, Text
from sqlmodel import Field, SQLModel

from marketnav.models.base import utcnow


class WebPageCache(SQLModel, table=True):
    __tablename__ = "web_page_cache"

    id: int | None = Field(default=None, primary_key=True)
    url_hash: str = Field(max_length=64, unique=True)  # sha256 of the URL as requested
    url: str = Field(sa_column=Column(Text, nullable=False))
    final_url: str = Field(default="", sa_column=Column(Text, nullable=False))
    # "" for a page fetched, else the refusal code (robots, address, too_large, ...).
    refused: str = Field(default="", max_length=32)
    reason: str = Field(default="", max_length=500)
    content: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    fetched_at: datetime = Field(default_factory=utcnow, index=True)
