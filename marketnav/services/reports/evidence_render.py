"""Evidence as a reader sees it: citation links, each section's Sources list, "Data used".

Sections store their text with `[^n]` markers (see `citations`) and their numbered sources;
these functions render both for the viewer, the share page and every export. Only code-built,
escaped markup is added, after the section's Markdown has been sanitised.
"""

from __future__ import annotations

import re
from html import escape
from typing import Any

from marketnav.services.markdown_render import to_safe_html
from marketnav.services.reports.citations import MARKER, UNSUPPORTED_TITLE


def source_line(source: dict[str, Any]) -> tuple[str, str]:
    """(the label, the rest) of one Sources entry as plain text."""
    parts = [str(source.get("detail") or ""), str(source.get("source") or "")]
    when = source.get("fetched_at")
    if when:
        parts.append(("posted " if source.get("kind") == "post" else "fetched ") + str(when))
    return str(source.get("label") or source.get("ref") or ""), " · ".join(p for p in parts if p)


def _pages(source: dict[str, Any]) -> list[tuple[str, str, str]]:
    """(url, title, fetched date) of the web pages a source was found on (web discovery)."""
    pages = []
    for page in source.get("pages") or []:
        url = str(page.get("url") or "")
        if url.startswith(("http://", "https://")):
            when = str(page.get("fetched_at") or "")[:10]
            pages.append((url, str(page.get("title") or url), when))
    return pages


def cited_section_html(markdown: str, data: dict[str, Any], key: str) -> str:
    """A stored section (its markdown and data) as safe HTML with citations: viewer and exports."""
    return section_html(to_safe_html(markdown), data.get("sources") or [], key)


def section_html(safe_html: str, sources: list[dict[str, Any]], key: str) -> str:
    """Sanitised section HTML with its markers as links and its Sources list appended.

    Only code-built, escaped markup is added after sanitising; the markers are digits.
    """

    def link(match: re.Match[str]) -> str:
        number = match.group(1)
        if number == "?":
            return (
                f'<sup class="unsupported" title="{escape(UNSUPPORTED_TITLE)}">'
                "not in the data</sup>"
            )
        if int(number) > len(sources):
            return match.group(0)
        return (
            f'<sup class="cite"><a href="#src-{escape(key)}-{number}" '
            f'aria-label="Source {number}">{number}</a></sup>'
        )

    html = MARKER.sub(link, safe_html)
    if not sources:
        return html
    entries = []
    for number, source in enumerate(sources, 1):
        label, rest = source_line(source)
        url = str(source.get("url") or "")
        if url.startswith(("http://", "https://")) and ".invalid/" not in url:
            label_html = (
                f'<a href="{escape(url)}" rel="noopener noreferrer nofollow" '
                f'target="_blank">{escape(label)}</a>'
            )
        else:
            label_html = f"<strong>{escape(label)}</strong>"
        demo = ' <span class="demo-badge">demo data</span>' if source.get("demo") else ""
        pages = "".join(
            f'<li><a href="{escape(url)}" rel="noopener noreferrer nofollow" '
            f'target="_blank">{escape(title)}</a> · fetched {escape(when)}</li>'
            for url, title, when in _pages(source)
        )
        found_on = f'<ul class="found-on" aria-label="Found on">{pages}</ul>' if pages else ""
        entries.append(
            f'<li id="src-{escape(key)}-{number}">{label_html}{demo}: {escape(rest)}{found_on}</li>'
        )
    listed = "".join(entries)
    return f'{html}<div class="sources"><p><strong>Sources</strong></p><ol>{listed}</ol></div>'


def section_markdown(markdown: str, sources: list[dict[str, Any]], key: str) -> str:
    """Markdown with footnotes (`[^key-1]` and their definitions) for the Markdown export."""

    def footnote(match: re.Match[str]) -> str:
        number = match.group(1)
        if number == "?":
            return " _(not in the data)_"
        return f"[^{key}-{number}]" if int(number) <= len(sources) else match.group(0)

    text = MARKER.sub(footnote, markdown)
    if not sources:
        return text
    notes = []
    for number, source in enumerate(sources, 1):
        label, rest = source_line(source)
        url = str(source.get("url") or "")
        demo = " (demo data)" if source.get("demo") else ""
        link = f" <{url}>" if url.startswith(("http://", "https://")) else ""
        found_on = "; ".join(f"{t} <{u}> (fetched {w})" for u, t, w in _pages(source))
        found_on = f" Found on: {found_on}" if found_on else ""
        notes.append(f"[^{key}-{number}]: {label}{demo}: {rest}{link}{found_on}")
    return text.rstrip() + "\n\n" + "\n".join(notes)


def data_used_html(lines: list[dict[str, Any]]) -> str:
    """The "Data used" box: one row per source, demo sources flagged."""
    if not lines:
        return ""
    rows = []
    for line in lines:
        demo = ' <span class="demo-badge">demo data</span>' if line.get("demo") else ""
        report = f" (via {escape(str(line['report']))})" if line.get("report") else ""
        rows.append(
            f"<li><strong>{escape(str(line.get('source', '')))}</strong>{demo}: "
            f"{escape(data_used_count(line))}{report}"
            + (f" · {escape(str(line['dates']))}" if line.get("dates") else "")
            + "</li>"
        )
    warning = (
        '<p class="demo-warning"><strong>Built on demo data.</strong> Some of the records '
        "below come from the bundled demo data set, not from live Crunchbase, Tracxn or "
        "social data: read the figures as an illustration.</p>"
        if any(line.get("demo") for line in lines)
        else ""
    )
    return (
        f'<aside class="data-used" aria-label="Data used"><p><strong>Data used</strong></p>'
        f"{warning}<ul>{''.join(rows)}</ul></aside>"
    )


def data_used_count(line: dict[str, Any]) -> str:
    records = int(line.get("records") or 0)
    noun = str(line.get("noun") or "records")
    if records == 0:
        return f"0 {noun}: the source was searched and returned nothing (unknown, not zero)"
    return f"{records} {noun}"


def data_used_markdown(lines: list[dict[str, Any]]) -> str:
    if not lines:
        return ""
    out = ["> **Data used**"]
    if any(line.get("demo") for line in lines):
        out.append(
            "> **Built on demo data**: some records come from the bundled demo data set, not "
            "from live sources."
        )
    for line in lines:
        demo = " (demo data)" if line.get("demo") else ""
        report = f" (via {line['report']})" if line.get("report") else ""
        dates = f" · {line['dates']}" if line.get("dates") else ""
        out.append(f"> - {line.get('source', '')}{demo}: {data_used_count(line)}{report}{dates}")
    return "\n".join(out)
