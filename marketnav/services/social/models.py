"""The shapes every social source shares: a post, its author, the source protocol, errors."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from pydantic import BaseModel, Field


class SocialDataError(RuntimeError):
    """The social source failed (the message is safe to show; it never holds a key)."""

    def __init__(self, message: str, status_code: int | None = None):
        super().__init__(message)
        self.status_code = status_code


class SocialAuthor(BaseModel):
    username: str = ""
    name: str = ""
    followers: int = 0


class SocialPost(BaseModel):
    """One post, the same shape from every source (the report cites url, author and date)."""

    id: str
    text: str
    author: SocialAuthor = Field(default_factory=SocialAuthor)
    created_at: datetime | None = None
    likes: int = 0
    retweets: int = 0
    replies: int = 0
    url: str = ""
    source: str = ""
    # Where on the source it was posted ("r/smallbusiness", "Hacker News comment"), if known.
    channel: str = ""

    @property
    def engagement(self) -> int:
        """Likes + 2 x reposts + replies (a repost spreads a post further than a like)."""
        return self.likes + 2 * self.retweets + self.replies


class SocialSource(Protocol):
    label: str
    kind: str  # "demo" or "live"

    async def search(self, keyword: str, limit: int) -> list[SocialPost]: ...


def dedupe(posts: list[SocialPost]) -> list[SocialPost]:
    """Posts without repeats (by id), first occurrence kept."""
    seen: set[str] = set()
    unique: list[SocialPost] = []
    for post in posts:
        if post.id not in seen:
            seen.add(post.id)
            unique.append(post)
    return unique


def top_order(posts: list[SocialPost]) -> list[SocialPost]:
    """Most engaging first; newer first among equals."""
    return sorted(
        posts,
        key=lambda p: (-p.engagement, -(p.created_at.timestamp() if p.created_at else 0), p.id),
    )
