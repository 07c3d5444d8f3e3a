"""Plain text from the HTML fragments some APIs return (Hacker News comments)."""

from __future__ import annotations

import html
import re

_BREAKS = re.compile(r"<\s*(?:br|/p|p)\s*/?>", re.IGNORECASE)
_TAGS = re.compile(r"<[^>]+>")
_SPACES = re.compile(r"[ \t]+")


def plain_text(fragment: str) -> str:
    """Tags dropped (paragraphs become line breaks), entities decoded, spaces tidied."""
    text = _TAGS.sub("", _BREAKS.sub("\n", fragment or ""))
    text = html.unescape(text)
    lines = [_SPACES.sub(" ", line).strip() for line in text.splitlines()]
    return "\n".join(line for line in lines if line)
