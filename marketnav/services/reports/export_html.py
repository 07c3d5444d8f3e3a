"""Self-contained HTML export: one file with inline CSS, a table of contents, the Data used
box, the sections and their charts (inline SVG).

Each section's HTML comes from `exports.section_html` (markdown-it + nh3, with its citation
markers and Sources list), the charts from `chart_data` + `chart_layout` + `chart_svg` (the
viewer's data, drawn server-side, no scripts), and every other string is escaped, so AI or
scraped text cannot inject markup. The font stack names the Noto fonts the Docker image
installs, and each block takes its direction from its own text (Arabic and Persian right to
left).
"""

from __future__ import annotations

from html import escape

from marketnav.services.reports import chart_data, chart_layout, chart_svg, exports
from marketnav.services.reports.exports import ReportDocument

FONT_STACK = (
    'system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans","Noto Sans Arabic",'
    '"Noto Naskh Arabic","Noto Sans CJK SC","Noto Sans CJK JP","Noto Sans CJK KR",'
    '"Noto Color Emoji","Apple Color Emoji","Segoe UI Emoji","Noto Sans Symbols",'
    '"Noto Sans Symbols 2","DejaVu Sans",sans-serif'
)

_CSS = (
    "body{font-family:"
    + FONT_STACK
    + """;margin:0;color:#1f2933;
background:#f7f8fa;line-height:1.55}
section :is(p,li,td,th,h2,h3,h4,blockquote),.data-used :is(p,li){unicode-bidi:plaintext}
nav a,summary{unicode-bidi:isolate}
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
.data-used{display:block;background:#fff;border:1px solid #e4e7eb;border-radius:8px;
padding:8px 20px;margin:16px 0}
.demo-warning{background:#fff4e5;border:1px solid #f0b45b;padding:6px 10px;border-radius:6px}
.demo-badge{background:#fff4e5;color:#8a4b00;border-radius:4px;padding:0 5px;font-size:.8em}
sup.unsupported{color:#b42318;font-size:.75em}
figure.chart{margin:12px 0;padding:8px 0}
figure.chart figcaption{font-weight:600;font-size:.95rem;margin-bottom:4px}
figure.chart svg{max-width:100%;height:auto;display:block}
.chart-note{color:#52606d;font-size:.85rem;margin:2px 0}
sup.cite{font-size:.75em;line-height:0}
.sources{font-size:.9rem;color:#3e4c59}
code,pre{font-family:"DejaVu Sans Mono","Noto Sans Mono",ui-monospace,monospace}
"""
)


def render_html(doc: ReportDocument) -> str:
    """The whole report as one HTML page."""
    generated = f"{doc.generated_at:%Y-%m-%d %H:%M} UTC" if doc.generated_at else "in progress"
    toc = "".join(
        f'<li><a href="#{escape(s.anchor)}">{escape(s.company_name or s.title)}</a></li>'
        for s in doc.sections
    )
    placement = chart_layout.placed_charts(chart_data.from_sections(doc.sections))
    parts: list[str] = []
    for section in doc.sections:
        parts += [chart_svg.render_figure(c) for c in placement.before.get(section.key, [])]
        body = exports.section_html(section)
        body += "".join(chart_svg.render_figure(c) for c in placement.after.get(section.key, []))
        heading = escape(section.company_name or section.title)
        if section.kind == "company":
            inner = f"<details open><summary>{heading}</summary>{body}</details>"
        else:
            inner = f"<h2>{heading}</h2>{body}"
        parts.append(f'<section id="{escape(section.anchor)}">{inner}</section>')
    parts += [chart_svg.render_figure(chart) for chart in placement.end]
    data_used = exports.data_used_html(doc)
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
        f"{doc.version} · {generated}</p>{offline}</header>{data_used}"
        f"<nav><strong>Contents</strong><ol>{toc}</ol></nav>{''.join(parts)}"
        "</main></body></html>"
    )
