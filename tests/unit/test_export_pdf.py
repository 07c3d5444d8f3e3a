"""PDF export: the markdown models write (formatting inside tables, nesting) always renders."""

from __future__ import annotations

import logging
import os
import re
import shutil
import subprocess
import unicodedata
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


# -- every script, charts, citations ---------------------------------------------------------

# One sample per script the PDF fonts must cover (pdf_fonts: Noto Sans + fallbacks).
SCRIPT_SAMPLES = {
    "latin-extended": "naïve façade Ærø",
    "greek": "Καλημέρα κόσμε",
    "cyrillic": "Привет, мир",
    "arabic": "مرحبا بالعالم",
    "persian": "پژوهش بازار و پرداخت گروهی سلام",
    "chinese": "市场研究报告",
    "japanese": "市場調査のレポート",
    "korean": "시장 조사 보고서",
    "emoji": "🚀 📈 🟢 🟡 🔴 ⚠️",
}
RTL = {"arabic", "persian"}
# Bidi controls pdftotext wraps right-to-left runs in, and variation selectors (emoji style).
_INVISIBLE = dict.fromkeys(
    [*range(0x200E, 0x2010), *range(0x202A, 0x202F), *range(0x2066, 0x206A), *range(0xFE00, 0xFE10)]
)
LAM_ALEF, ALEF_LAM = "\u0644\u0627", "\u0627\u0644"


def _normal(text: str) -> str:
    """NFKC (Arabic presentation forms to letters), no bidi controls or selectors, and the
    lam-alef ligature in one order: pdftotext reverses the two letters a ligature glyph maps
    to when it reverses a right-to-left run, so "سلام" reads back as "سالم"."""
    text = unicodedata.normalize("NFKC", text).translate(_INVISIBLE)
    return text.replace(LAM_ALEF, ALEF_LAM)


def _rtl_found(sample: str, lines: list[str]) -> bool:
    """A right-to-left sample is found when one line holds its words in reading order or in
    the visual order pdftotext emits for runs laid out word by word (right to left)."""
    words = _normal(sample).split()
    for line in lines:
        got = _normal(line).split()
        for start in range(len(got) - len(words) + 1):
            window = got[start : start + len(words)]
            if window in (words, words[::-1]):
                return True
    return False


def _needs_system_tools() -> None:
    """CI (make test) installs poppler-utils and the Noto fonts; elsewhere the test skips."""
    from marketnav.services.reports import pdf_fonts

    missing = [] if shutil.which("pdftotext") else ["poppler-utils"]
    for face in (*pdf_fonts.MAIN_FACES, *pdf_fonts.FALLBACK_FACES):
        if not face.path.exists() and face.package not in missing:
            missing.append(face.package)
    if missing:
        message = f"needs {', '.join(missing)} (make test installs them)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)


def _pdftotext(data: bytes, tmp_path) -> str:
    path = tmp_path / "report.pdf"
    path.write_bytes(data)
    result = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(path), "-"],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return result.stdout


def _scripts_doc(**summary) -> ReportDocument:
    markdown = "\n\n".join(SCRIPT_SAMPLES.values())
    return ReportDocument(
        report_type="quick_report",
        title="Quick Report",
        project_name="Scripts",
        startup_name="Ærø 市场",
        version=1,
        generated_at=None,
        sections=[SectionDoc("scripts", "Every script", "markdown", markdown)],
        summary=summary,
    )


def test_text_in_every_script_round_trips_through_pdftotext(tmp_path, caplog):
    _needs_system_tools()
    caplog.set_level(logging.WARNING)
    data = render_pdf(_scripts_doc())
    text = _pdftotext(data, tmp_path)
    flat = "".join(_normal(text).split())
    lines = text.splitlines()
    for script, sample in SCRIPT_SAMPLES.items():
        if script in RTL:
            assert _rtl_found(sample, lines), (script, sample, text)
        else:  # spacing between emoji or CJK glyphs is up to pdftotext: compare without it
            assert "".join(_normal(sample).split()) in flat, (script, sample, text)
    assert "no installed font has a glyph" not in caplog.text
    assert "is missing the following glyphs" not in caplog.text  # fpdf2's own warning


def test_arabic_is_shaped_right_to_left_after_latin_text(tmp_path):
    """A multi_cell before write_html must not leave its left-to-right direction behind."""
    _needs_system_tools()
    text = _pdftotext(render_pdf(_scripts_doc()), tmp_path)
    reversed_letters = _normal(SCRIPT_SAMPLES["arabic"][::-1])
    assert reversed_letters not in _normal(text)  # the symptom: letters in visual order


def test_a_character_no_font_has_is_logged_not_dropped_silently(caplog):
    _needs_system_tools()
    caplog.set_level(logging.WARNING)
    doc = _scripts_doc()
    doc.sections[0].markdown += "\n\nHieroglyph \U00013000 here."
    render_pdf(doc)
    assert "no installed font has a glyph" in caplog.text and "U+13000" in caplog.text


def test_only_the_fallback_fonts_a_text_needs_are_embedded():
    _needs_system_tools()
    from marketnav.services.reports import pdf_fonts

    latin = {f.family for f in pdf_fonts.fallbacks_for(set("Plain English, 12 %"), "NotoSans")}
    assert latin == set()
    every = pdf_fonts.fallbacks_for(set("".join(SCRIPT_SAMPLES.values())), "NotoSans")
    assert {"NotoArabic", "NotoCJK", "NotoEmoji"} <= {f.family for f in every}


def _charts_doc() -> ReportDocument:
    sections = [
        SectionDoc(
            "funding_overview",
            "Funding",
            "chart",
            "Funding of the field.",
            data={
                "funding_chart": [
                    {"name": "Rover", "funding_usd": 310_000_000},
                    {"name": "美团外卖", "funding_usd": 12_000_000},
                    {"name": "Broken", "funding_usd": "n/a"},
                ]
            },
        ),
        SectionDoc(
            "company_rover",
            "Rover",
            "company",
            "About.",
            "Rover",
            {"funding_usd": 310e6, "score": 0.9},
        ),
        SectionDoc(
            "company_mt",
            "美团外卖",
            "company",
            "About.",
            "美团外卖",
            {"funding_usd": 12e6, "score": 0.7},
        ),
        SectionDoc("company_tiny", "Tiny", "company", "About.", "Tiny", {"score": 0.5}),
        SectionDoc(
            "verdict_decision",
            "Verdict Decision",
            "markdown",
            "## 🟡 ITERATE",
            data={
                "verdict": "ITERATE",
                "total_score": 58,
                "scores": {
                    "demand": None,
                    "competition": 40,
                    "differentiation": {"raw": 55},
                    "economics": 70,
                    "feasibility": "unknown",
                },
            },
        ),
    ]
    return ReportDocument("quick_report", "Quick Report", "Pets", "PawPal", 2, None, sections, {})


def test_charts_are_drawn_in_the_pdf_with_what_is_missing_said(tmp_path):
    _needs_system_tools()
    text = _pdftotext(render_pdf(_charts_doc()), tmp_path)
    for expected in (
        "Funding by company ($M)",
        "$310.0M",
        "$12.0M",
        "2 companies without public funding not shown.",  # Broken (n/a) and Tiny (none)
        "Competitor map",
        "1 company without public funding or a score not shown.",
        "Scores by axis",
        "Demand: unknown",
        "Feasibility: unknown",
        "Competition: 40",
        "No score, so not drawn (not 0): Demand, Feasibility.",
    ):
        assert expected in text, expected
    assert "美团外卖" in "".join(text.split())
    assert "Broken" not in text  # its funding is unknown: no bar, no "$0"


def test_citations_become_internal_links_and_data_used_comes_first(tmp_path):
    _needs_system_tools()
    doc = _doc("Acme raised $12.3M.[^1] A guess.[^?] A stray marker.[^9]")
    doc.sections[0].data = {
        "sources": [{"label": "Acme", "source": "Demo data set", "detail": "Crunchbase record"}]
    }
    doc.summary["data_used"] = [
        {"source": "Crunchbase", "records": 3, "noun": "companies", "demo": True}
    ]
    data = render_pdf(doc)
    text = _pdftotext(data, tmp_path)
    assert text.index("Data used") < text.index("Fast Analysis")
    assert "Built on demo data." in text and "3 companies" in text
    assert "Acme raised $12.3M.1" in text and "not in the data" in text
    assert "1. Acme: Crunchbase record · Demo data set" in text
    # The marker links to the Sources entry: a named destination, and a link annotation to it.
    body = data.replace(b"\n", b" ")
    assert b"(src-fast_analysis-1) [" in body and b"(sec-fast_analysis) [" in body
    assert b"/Dest (src-fast_analysis-1)" in body or b"/D (src-fast_analysis-1)" in body


def test_a_link_to_a_missing_anchor_is_written_as_text(monkeypatch, tmp_path):
    from marketnav.services.reports import exports

    monkeypatch.setattr(
        exports, "section_html", lambda section: '<p>See <a href="#nowhere">this</a>.</p>'
    )
    data = render_pdf(_doc("ignored"))
    assert data.startswith(b"%PDF-") and b"nowhere" not in data


def test_without_noto_the_pdf_falls_back_to_dejavu_and_says_so(monkeypatch, tmp_path, caplog):
    _needs_system_tools()
    from marketnav.services.reports import pdf_fonts

    gone = tuple(
        pdf_fonts.FontFace(f.family, f.style, tmp_path / f.path.name, f.package)
        for f in pdf_fonts.MAIN_FACES
    )
    monkeypatch.setattr(pdf_fonts, "MAIN_FACES", gone)
    caplog.set_level(logging.WARNING)
    text = _pdftotext(render_pdf(_scripts_doc()), tmp_path)
    assert "Noto Sans missing (fonts-noto-core); using DejaVu Sans" in caplog.text
    assert "Καλημέρα κόσμε" in text and "市场研究报告" in text  # DejaVu, then the fallbacks


def test_make_test_and_the_image_install_every_font_package_the_pdf_uses():
    from pathlib import Path

    from marketnav.services.reports import pdf_fonts

    root = Path(__file__).resolve().parents[2]
    makefile, dockerfile = (root / "Makefile").read_text(), (root / "Dockerfile").read_text()
    apt_line = next(line for line in makefile.splitlines() if "apt-get install" in line)
    apt_words = set(re.findall(r"[\w.+-]+", apt_line))
    packages = {f.package for f in (*pdf_fonts.MAIN_FACES, *pdf_fonts.FALLBACK_FACES)}
    for package in packages | {"poppler-utils", "chromium"}:
        assert package in apt_words, package
    for package in packages:
        assert package in re.findall(r"[\w.+-]+", dockerfile), package
