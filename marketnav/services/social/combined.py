"""Several sources searched at once, their posts merged (each keeps its own source label)."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from marketnav.services.social.models import SocialDataError, SocialPost, SocialSource, dedupe


def interleave(groups: Sequence[list[SocialPost]]) -> list[SocialPost]:
    """Round-robin over the groups, each in its own order (scores of sources don't compare)."""
    merged: list[SocialPost] = []
    for index in range(max((len(g) for g in groups), default=0)):
        merged.extend(group[index] for group in groups if index < len(group))
    return dedupe(merged)


class CombinedSocialSource:
    """Searches every source concurrently and merges the posts, up to `limit` in all.

    One source failing does not fail the search: its error is kept in `failures[keyword]`
    and the other sources' posts are returned. Only when every source fails does the search
    raise a `SocialDataError` naming each failure.
    """

    def __init__(self, sources: Sequence[SocialSource]):
        if not sources:
            raise SocialDataError("No social source is configured.")
        self.sources = list(sources)
        self.label = " + ".join(s.label for s in self.sources)
        kinds = {s.kind for s in self.sources}
        self.kind = kinds.pop() if len(kinds) == 1 else "mixed"
        self.failures: dict[str, list[str]] = {}

    async def search(self, keyword: str, limit: int) -> list[SocialPost]:
        outcomes = await asyncio.gather(
            *(source.search(keyword, limit) for source in self.sources), return_exceptions=True
        )
        groups: list[list[SocialPost]] = []
        errors: list[str] = []
        for source, outcome in zip(self.sources, outcomes, strict=True):
            if isinstance(outcome, SocialDataError):
                errors.append(f"{source.label}: {outcome}")
            elif isinstance(outcome, BaseException):
                raise outcome
            else:
                groups.append(outcome)
        if errors:
            self.failures[keyword] = errors
        if not groups:
            raise SocialDataError("Every social source failed (" + "; ".join(errors) + ").")
        return interleave(groups)[:limit]
