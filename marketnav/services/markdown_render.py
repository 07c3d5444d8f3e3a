"""Markdown to safe HTML: markdown-it-py renders (raw HTML off), nh3 sanitises the result."""

from __future__ import annotations

import re

import nh3
from markdown_it import MarkdownIt

_renderer = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table")
_ALLOWED_TAGS = {
    "p",
    "br",
    "strong",
    "em",
    "code",
    "pre",
    "blockquote",
    "ul",
    "ol",
    "li",
    "a",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "del",
}


def to_safe_html(markdown: str) -> str:
    """HTML for `markdown` with only formatting tags; links get rel=noopener and no scripts."""
    html = _renderer.render(markdown or "")
    return nh3.clean(
        html,
        tags=_ALLOWED_TAGS,
        attributes={"a": {"href", "title"}, "th": {"align"}, "td": {"align"}},
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )


_INLINE_TAGS = {"strong", "em", "code", "a", "del", "sup"}
_FOOTNOTE = re.compile(r"\[\^([\w-]{1,20})\]")
_BLOCK_PREFIX = re.compile(r"^\s*(?:#{1,6}\s+|>\s?|[-*+]\s+|\d+[.)]\s+)")
_TABLE_RULE = re.compile(r"^\s*\|?\s*:?-{2,}:?\s*(?:\|\s*:?-{2,}:?\s*)*\|?\s*$")


def line_html(line: str) -> str:
    """One Markdown line as safe inline HTML, as a reader sees it (the version diff shows
    rendered lines, never `**Stage**`): a heading in bold, a list item with a bullet, a
    table row's cells side by side, a table's rule line empty."""
    if _TABLE_RULE.match(line):
        return ""
    text = line.strip()
    heading = re.match(r"^#{1,6}\s+(.*)$", text)
    prefix = ""
    if text.startswith("|") and text.endswith("|") and len(text) > 1:
        text = " · ".join(cell.strip() for cell in text[1:-1].split("|"))
    elif heading:
        text = f"**{heading.group(1).strip()}**" if heading.group(1).strip() else ""
    else:
        match = _BLOCK_PREFIX.match(text)
        if match:
            bullet = match.group(0).strip()
            prefix = f"{bullet} " if bullet[:1].isdigit() else "• " if bullet in "-*+" else ""
            text = text[match.end() :]
    # Citation markers ([^3]) read as the superscript numbers the viewer shows.
    html = _FOOTNOTE.sub(r"<sup>\1</sup>", _renderer.renderInline(text))
    return prefix + nh3.clean(
        html,
        tags=_INLINE_TAGS,
        attributes={"a": {"href", "title"}},
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )
