"""Self-contained HTML export: one file with inline CSS, a table of contents and the sections.

Every section's markdown goes through `markdown_render.to_safe_html` (markdown-it + nh3), and
every other string is escaped, so AI or scraped text cannot inject markup.
"""

from __future__ import annotations

from html import escape

from marketnav.services.markdown_render import to_safe_html
from marketnav.services.reports.exports import ReportDocument

_CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:0;color:#1f2933;
background:#f7f8fa;line-height:1.55}
main{max-width:960px;margin:0 auto;padding:24px 20px 64px}
header h1{margin:0 0 4px;font-size:1.7rem}
.meta{color:#52606d;font-size:.9rem}
.offline{background:#fff4e5;border:1px solid #f0b45b;padding:8px 12px;border-radius:6px}
nav{background:#fff;border:1px solid #e4e7eb;border-radius:8px;padding:12px 20px;margin:20px 0}
nav ol{margin:0;padding-left:20px}
section{background:#fff;border:1px solid #e4e7eb;border-radius:8px;padding:8px 20px;margin:16px 0}
table{border-collapse:collapse;width:100%;overflow-x:auto;display:block}
th,td{border:1px solid #d9dde3;padding:6px 8px;text-align:left;vertical-align:top}
th{background:#f0f2f5}
details summary{cursor:pointer;font-weight:600;padding:6px 0}
"""


def render_html(doc: ReportDocument) -> str:
    """The whole report as one HTML page."""
    generated = f"{doc.generated_at:%Y-%m-%d %H:%M} UTC" if doc.generated_at else "in progress"
    toc = "".join(
        f'<li><a href="#{escape(s.key)}">{escape(s.company_name or s.title)}</a></li>'
        for s in doc.sections
    )
    parts: list[str] = []
    for section in doc.sections:
        body = to_safe_html(section.markdown)
        heading = escape(section.company_name or section.title)
        if section.kind == "company":
            inner = f"<details open><summary>{heading}</summary>{body}</details>"
        else:
            inner = f"<h2>{heading}</h2>{body}"
        parts.append(f'<section id="{escape(section.key)}">{inner}</section>')
    offline = (
        '<p class="offline">Offline analysis: written without an AI model, from the data alone.</p>'
        if doc.offline
        else ""
    )
    title = escape(f"{doc.title}: {doc.startup_name}")
    return (
        "<!doctype html><html lang=en><head><meta charset=utf-8>"
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{title}</title><style>{_CSS}</style></head><body><main>"
        f"<header><h1>{title}</h1><p class=meta>{escape(doc.project_name)} · version "
        f"{doc.version} · {generated}</p>{offline}</header>"
        f"<nav><strong>Contents</strong><ol>{toc}</ol></nav>{''.join(parts)}"
        "</main></body></html>"
    )
