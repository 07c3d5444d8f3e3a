"""Citation markers: every figure and company a section names points to the run's evidence.

`cite` reads a finished section (offline or model-written) against the run's evidence and
adds footnote markers `[^n]` after each company name and each figure it can trace: a money
amount matches a record's or an aggregate's value (within the rounding of "$12.3M"), a company
name matches a record's name. The section keeps its Sources list (numbered as the markers).

For model-written text (`check=True`) the same pass is the fact check: a number, a company
name or a quote that is neither in the evidence nor in the data the model was given is marked
`[^?]` ("not in the data") in the text and listed, and the run counts them. Code-written text
is built from the evidence, so it is cited but not checked.

The renderers turn the markers into links (HTML: viewer, share page, HTML and PDF exports) or
Markdown footnotes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from html import escape
from typing import Any

from marketnav.services.reports.evidence import EvidenceItem

UNSUPPORTED = "[^?]"
UNSUPPORTED_TITLE = "Not found in this report's evidence or in the data the model was given"
_MARKER = re.compile(r"\[\^(\d+|\?)\]")
_MONEY = re.compile(
    r"(?:US)?\$\s?(\d[\d,]*(?:\.\d+)?)\s?(thousand|million|billion|trillion|bn|[KMBT])?\b",
    re.IGNORECASE,
)
_NUMBER = re.compile(r"(?<![\w.$#^/-])(\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)(%|x(?![a-z]))?(?!\w)")
_QUOTE = re.compile(r"[\"“]([^\"”\n]{24,400})[\"”]")
_CAPITALISED = re.compile(r"\b[A-Z][\w'&.-]*[A-Za-z0-9]\b|\b[A-Z]\b")
_SCALES = {
    "": 1.0,
    "k": 1e3,
    "thousand": 1e3,
    "m": 1e6,
    "million": 1e6,
    "b": 1e9,
    "bn": 1e9,
    "billion": 1e9,
    "t": 1e12,
    "trillion": 1e12,
}
MONEY_TOLERANCE = 0.05  # "$12M" for 12.4M; format_usd rounds to one decimal
# Words that start with a capital in any report and name no company.
_REPORT_WORDS_TEXT = """
    go iterate park swot ceo cto b2b b2c saas paas api apis ai ml mvp kpi kpis gmv arr mrr
    cac ltv roi ipo seo crm erp hr usd eur gbp uk us usa eu uae emea apac latam mena sea
    series seed pre-seed angel board view fast analysis strategic summary executive final
    verdict high medium low unknown fear copy ignore build buy partner threat threats
    golden opportunities critical market map white space rank cb tracxn crunchbase social
    demo data set offline funding traction demand competition differentiation economics
    feasibility risk risks killer major minor note notes sources source total median mean
    north south east west january february march april may june july august september
    october november december monday tuesday wednesday thursday friday saturday sunday q1
    q2 q3 q4 h1 h2 n/a na tbd yes no"""
_REPORT_WORDS = frozenset(_REPORT_WORDS_TEXT.split())


@dataclass
class CitedText:
    """A section's text with markers, its numbered sources and what the check flagged."""

    markdown: str
    sources: list[dict[str, Any]] = field(default_factory=list)
    unsupported: list[str] = field(default_factory=list)


# -- matching -----------------------------------------------------------------------------


def money_value(number: str, scale: str | None) -> float:
    return float(number.replace(",", "")) * _SCALES[(scale or "").lower()]


def _close(a: float, b: float, tolerance: float) -> bool:
    return abs(a - b) <= tolerance * max(abs(a), abs(b), 1e-9)


@lru_cache(maxsize=1)
def _english() -> frozenset[str]:
    from english_words import get_english_words_set

    return frozenset(get_english_words_set(["web2", "gcide"], lower=True, alpha=True))


def _word_forms(word: str) -> set[str]:
    """The word and its likely base forms (companies -> company, strongest -> strong)."""
    word = word.lower().strip("'.-&")
    forms = {word, word.removesuffix("'s")}
    for suffix, repl in (
        ("ies", "y"),
        ("es", ""),
        ("s", ""),
        ("est", ""),
        ("er", ""),
        ("ing", ""),
        ("ing", "e"),
        ("ed", ""),
        ("ed", "e"),
        ("ly", ""),
    ):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            forms.add(word[: -len(suffix)] + repl)
    return forms


def _known_words(text: str) -> frozenset[str]:
    return frozenset(w.lower() for w in re.findall(r"[\w'&.-]+", text))


def _is_known_name(word: str, known: frozenset[str]) -> bool:
    forms = _word_forms(word)
    if forms & known or forms & _REPORT_WORDS:
        return True
    if word.isupper() and len(word) <= 5:  # an acronym (ARR, EMEA, KYC)
        return True
    return bool(forms & _english())


class _Numbering:
    """Per-section footnote numbers: one number per evidence record, in order of first use."""

    def __init__(self) -> None:
        self.refs: dict[str, int] = {}
        self.items: list[EvidenceItem] = []

    def marker(self, item: EvidenceItem) -> str:
        if item.ref not in self.refs:
            self.items.append(item)
            self.refs[item.ref] = len(self.items)
        return f"[^{self.refs[item.ref]}]"


def _name_pattern(label: str) -> re.Pattern[str]:
    return re.compile(rf"(?<![\w]){re.escape(label)}(?![\w])", re.IGNORECASE)


def _money_match(
    value: float, line_companies: list[EvidenceItem], items: list[EvidenceItem]
) -> EvidenceItem | None:
    """The evidence a money figure comes from: a company named on the line, then any record."""
    for pool in (line_companies, [i for i in items if i.kind == "aggregate"], items):
        for item in pool:
            if any(_close(value, v, MONEY_TOLERANCE) for v in item.values if v >= 1000):
                return item
    return None


def _number_supported(value: float, items: list[EvidenceItem], known_numbers: set[float]) -> bool:
    # Years, counts and ranks must match exactly; large figures within rounding.
    tolerance = 0.0 if value < 10_000 and value == int(value) else 0.005
    if any(_close(value, n, tolerance) for n in known_numbers):
        return True
    return any(_close(value, v, tolerance) for item in items for v in item.values)


def _numbers_in(text: str) -> set[float]:
    numbers = {money_value(m.group(1), m.group(2)) for m in _MONEY.finditer(text)}
    numbers |= {float(m.group(1).replace(",", "")) for m in _NUMBER.finditer(text)}
    return numbers


def _derived(items: list[EvidenceItem]) -> set[float]:
    """Ratios and shares a writer may compute from the evidence ("2.1x the median", "40%")."""
    money = sorted({v for i in items for v in i.values if v >= 1000})[:60]
    counts = sorted({v for i in items if i.kind == "aggregate" for v in i.values if v < 1000})
    ratios = {round(a / b, 1) for a in money for b in money if b and a >= b}
    shares = {round(100 * a / b) for a in counts for b in counts if b and a <= b}
    return ratios | {float(s) for s in shares}


# -- the pass -------------------------------------------------------------------------------


def cite(
    markdown: str,
    items: list[EvidenceItem],
    *,
    check: bool = False,
    known_text: str = "",
) -> CitedText:
    """`markdown` with citation markers (and, with `check`, unsupported claims marked).

    `known_text` is what the model was given (the project inputs and the data): a number or a
    name found there is supported even when no single record holds it.
    """
    companies = sorted(
        (i for i in items if i.kind == "company"), key=lambda i: -len(i.label)
    )  # longest first: "Uber Eats" before "Uber"
    patterns = {i.ref: _name_pattern(i.label) for i in companies if len(i.label) >= 2}
    known = _known_words(known_text + " " + " ".join(i.label for i in items))
    known_numbers = (_numbers_in(known_text) | _derived(items)) if check else set()
    quotes_known = " ".join([known_text, *(i.detail for i in items)]).lower()
    numbering = _Numbering()
    unsupported: list[str] = []
    out_lines = []
    in_code = False
    for line in markdown.split("\n"):
        stripped = line.lstrip()
        if stripped.startswith("```"):
            in_code = not in_code
        if in_code or stripped.startswith("#") or _is_table_rule(stripped):
            out_lines.append(line)
            continue
        out_lines.append(
            _cite_line(
                line,
                companies,
                patterns,
                items,
                numbering,
                unsupported,
                check,
                known,
                known_numbers,
                quotes_known,
            )
        )
    return CitedText(
        markdown="\n".join(out_lines),
        sources=[item.citation() for item in numbering.items],
        unsupported=unsupported,
    )


def _is_table_rule(line: str) -> bool:
    return bool(line) and set(line) <= set("|-: ")


def _cite_line(
    line: str,
    companies: list[EvidenceItem],
    patterns: dict[str, re.Pattern[str]],
    items: list[EvidenceItem],
    numbering: _Numbering,
    unsupported: list[str],
    check: bool,
    known: frozenset[str],
    known_numbers: set[float],
    quotes_known: str,
) -> str:
    # Insertions as (position, marker), applied right to left so positions stay valid.
    inserts: list[tuple[int, str]] = []
    taken: list[tuple[int, int]] = []
    named: list[EvidenceItem] = []
    for company in companies:
        match = patterns.get(company.ref) and patterns[company.ref].search(line)
        if not match or any(s < match.end() and match.start() < e for s, e in taken):
            continue
        taken.append(match.span())
        named.append(company)
        inserts.append((match.end(), numbering.marker(company)))
    for match in _MONEY.finditer(line):
        value = money_value(match.group(1), match.group(2))
        source = _money_match(value, named, items)
        taken.append(match.span())
        if source is not None:
            inserts.append((match.end(), numbering.marker(source)))
        elif check and not _number_supported(value, items, known_numbers):
            unsupported.append(match.group(0))
            inserts.append((match.end(), UNSUPPORTED))
    if check:
        _check_line(line, taken, items, known, known_numbers, quotes_known, inserts, unsupported)
    for position, marker in sorted(inserts, key=lambda x: -x[0]):
        line = line[:position] + marker + line[position:]
    return line


def _check_line(
    line: str,
    taken: list[tuple[int, int]],
    items: list[EvidenceItem],
    known: frozenset[str],
    known_numbers: set[float],
    quotes_known: str,
    inserts: list[tuple[int, str]],
    unsupported: list[str],
) -> None:
    """Mark numbers, names and quotes of model-written text that nothing supports."""

    def free(start: int, end: int) -> bool:
        return not any(s < end and start < e for s, e in taken)

    body = re.sub(r"^\s*(?:[-*+]|\d+[.)])\s+", lambda m: " " * len(m.group(0)), line)
    for match in _NUMBER.finditer(body):
        if not free(*match.span()):
            continue
        value = float(match.group(1).replace(",", ""))
        if value < 10 and not match.group(2):  # small counts and ordinals read as prose
            continue
        if not _number_supported(value, items, known_numbers):
            unsupported.append(match.group(0))
            inserts.append((match.end(), UNSUPPORTED))
            taken.append(match.span())
    for match in _QUOTE.finditer(line):
        quote = " ".join(match.group(1).lower().split())
        if quote not in " ".join(quotes_known.split()):
            unsupported.append(f"“{match.group(1)[:60]}”")
            inserts.append((match.end(), UNSUPPORTED))
    for start, end, phrase in _unknown_names(line, known):
        if free(start, end):
            unsupported.append(phrase)
            inserts.append((end, UNSUPPORTED))
            taken.append((start, end))


def _unknown_names(line: str, known: frozenset[str]) -> list[tuple[int, int, str]]:
    """Capitalised words that are no English word and appear nowhere in what the model had,
    grouped with the capitalised words around them ("Zentrix Labs")."""
    found = []
    matches = list(_CAPITALISED.finditer(line))
    index = 0
    while index < len(matches):
        match = matches[index]
        if _is_known_name(match.group(0), known):
            index += 1
            continue
        start, end = match.span()
        # Extend over the adjacent capitalised words of the same name.
        while index + 1 < len(matches) and line[end : matches[index + 1].start()] == " ":
            index += 1
            end = matches[index].end()
        found.append((start, end, line[start:end]))
        index += 1
    return found


# -- rendering ------------------------------------------------------------------------------


def source_line(source: dict[str, Any]) -> tuple[str, str]:
    """(the label, the rest) of one Sources entry as plain text."""
    parts = [str(source.get("detail") or ""), str(source.get("source") or "")]
    when = source.get("fetched_at")
    if when:
        parts.append(("posted " if source.get("kind") == "post" else "fetched ") + str(when))
    return str(source.get("label") or source.get("ref") or ""), " · ".join(p for p in parts if p)


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

    html = _MARKER.sub(link, safe_html)
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
        entries.append(
            f'<li id="src-{escape(key)}-{number}">{label_html}{demo}: {escape(rest)}</li>'
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

    text = _MARKER.sub(footnote, markdown)
    if not sources:
        return text
    notes = []
    for number, source in enumerate(sources, 1):
        label, rest = source_line(source)
        url = str(source.get("url") or "")
        demo = " (demo data)" if source.get("demo") else ""
        link = f" <{url}>" if url.startswith(("http://", "https://")) else ""
        notes.append(f"[^{key}-{number}]: {label}{demo}: {rest}{link}")
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
