"""PDF export: the markdown models write (formatting inside tables, nesting) always renders."""

from __future__ import annotations

import zlib

import pytest

from marketnav.services.reports.export_pdf import _flatten_cells, render_pdf
from marketnav.services.reports.exports import ReportDocument, SectionDoc

HARD_MARKDOWN = """**Bold** lead with *emphasis*, `code` and a [link](https://example.com).

| Company | **Funding** | Notes |
|---|---:|---|
| **Acme** [site](https://acme.test) | `$12.3M` | *fast* growth, <script>x</script> |
| Zeta | n/a | - not a list |

- one
  - nested **bold**
    1. deeper
- two

> A quote with a list:
> - inside

```
code block | with pipes
```

### Heading &amp; entities < > "quotes"

---
"""


def _doc(markdown: str, offline: bool = False) -> ReportDocument:
    return ReportDocument(
        report_type="crunchbase",
        title="Crunchbase Analysis Report",
        project_name="Pets",
        startup_name="PawPal",
        version=3,
        generated_at=None,
        sections=[
            SectionDoc("fast_analysis", "Fast Analysis", "markdown", markdown),
            SectionDoc("company_acme", "Acme", "company", markdown, company_name="Acme"),
        ],
        summary={"offline_analysis": offline},
    )


def _text_streams(pdf: bytes) -> bytes:
    """The decompressed content streams (where the page text lives)."""
    out = b""
    for chunk in pdf.split(b"stream")[1::2]:
        body = chunk.strip(b"\r\n").removesuffix(b"end")
        try:
            out += zlib.decompress(body)
        except zlib.error:
            continue
    return out


def test_cells_lose_inline_tags_but_keep_their_text():
    html = "<table><thead><tr><th>A <strong>B</strong></th></tr></thead>"
    html += '<tbody><tr><td align="right"><a href="x">link</a> <code>c</code></td></tr></tbody>'
    flat = _flatten_cells(html + "</table>")
    assert "<thead>" in flat and "<strong>" not in flat and "<a " not in flat
    assert "<th>A B</th>" in flat and '<td align="right">link c</td>' in flat


@pytest.mark.parametrize("offline", [False, True])
def test_hard_markdown_renders_to_a_pdf(offline, caplog):
    data = render_pdf(_doc(HARD_MARKDOWN, offline))
    assert "plain text" not in caplog.text  # laid out with its formatting, no fallback
    assert data.startswith(b"%PDF-") and data.rstrip().endswith(b"%%EOF")
    assert len(data) > 5_000
    assert _text_streams(data), "no page content"


def test_markup_fpdf_cannot_lay_out_falls_back_to_plain_text(monkeypatch, caplog):
    from fpdf import FPDF

    def refuse(self, *_args, **_kwargs):
        raise NotImplementedError("unsupported")

    monkeypatch.setattr(FPDF, "write_html", refuse)
    data = render_pdf(_doc(HARD_MARKDOWN))
    assert data.startswith(b"%PDF-") and "plain text" in caplog.text
