"""Citation markers: every figure and company a section names points to the run's evidence.

`cite` reads a finished section (offline or model-written) against the run's evidence and
adds footnote markers `[^n]` after each company name and each figure it can trace: a money
amount matches a record's or an aggregate's value (within the rounding of "$12.3M"), a company
name matches a record's name. The section keeps its Sources list (numbered as the markers).

For model-written text (`check=True`) the same pass is the fact check: a number, a company
name or a quote that is neither in the evidence nor in the data the model was given is marked
`[^?]` ("not in the data") in the text and listed, and the run counts them. Code-written text
is built from the evidence, so it is cited but not checked.

`evidence_render` turns the markers into links (HTML: viewer, share page, HTML and PDF
exports) or Markdown footnotes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from marketnav.services.reports.evidence import EvidenceItem

UNSUPPORTED = "[^?]"
UNSUPPORTED_TITLE = "Not found in this report's evidence or in the data the model was given"
# A citation marker in stored section text: `[^3]`, or `[^?]` for a claim nothing supports.
MARKER = re.compile(r"\[\^(\d+|\?)\]")
_MONEY = re.compile(
    r"(?:US)?\$\s?(\d[\d,]*(?:\.\d+)?)\s?(thousand|million|billion|trillion|bn|[KMBT])?\b",
    re.IGNORECASE,
)
_NUMBER = re.compile(r"(?<![\w.$#^/-])(\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)(%|x(?![a-z]))?(?!\w)")
# A number followed by one of these counts something else than companies or posts ("10 years
# ago" in a report on 10 companies is an age, not the company count).
_OTHER_UNIT = re.compile(
    r"\s*(?:years?|months?|weeks?|days?|hours?|minutes?|seconds?|people|employees|staff|"
    r"points?|times|per|stores?|clinics?|customers?|users?)\b",
    re.IGNORECASE,
)
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
    """The name as a word of the text, never inside a web address or e-mail ("doctolib.fr")."""
    return re.compile(rf"(?<![\w./@:]){re.escape(label)}(?![\w]|\.\w|/)", re.IGNORECASE)


def _money_match(
    value: float, line_companies: list[EvidenceItem], items: list[EvidenceItem]
) -> EvidenceItem | None:
    """The evidence a money figure comes from: a company named on the line, then any record."""
    for pool in (line_companies, [i for i in items if i.kind == "aggregate"], items):
        for item in pool:
            if any(_close(value, v, MONEY_TOLERANCE) for v in item.values if v >= 1000):
                return item
    return None


def _numbers_in(text: str) -> set[float]:
    numbers = {money_value(m.group(1), m.group(2)) for m in _MONEY.finditer(text)}
    numbers |= {float(m.group(1).replace(",", "")) for m in _NUMBER.finditer(text)}
    return numbers


def _is_table_rule(line: str) -> bool:
    return bool(line) and set(line) <= set("|-: ")


# -- the pass -------------------------------------------------------------------------------


class _SectionPass:
    """One section's citation pass: what it may cite and, for model text, what it knew."""

    def __init__(self, items: list[EvidenceItem], check: bool, known_text: str) -> None:
        self.items = items
        self.check = check
        # Longest names first: "Uber Eats" before "Uber".
        self.companies = sorted(
            (i for i in items if i.kind == "company"), key=lambda i: -len(i.label)
        )
        self.patterns = {i.ref: _name_pattern(i.label) for i in self.companies if len(i.label) >= 2}
        self.known_words = _known_words(known_text + " " + " ".join(i.label for i in items))
        self.given = _numbers_in(known_text) if check else set()
        self.ratios, self.shares = self._derived() if check else (set(), set())
        self.quotes_known = " ".join(" ".join([known_text, *(i.detail for i in items)]).split())
        self.quotes_known = self.quotes_known.lower()
        self.posts = [
            (i, " ".join(str(i.data.get("text") or i.detail).lower().split()))
            for i in items
            if i.kind == "post"
        ]
        self.aggregates = [i for i in items if i.kind == "aggregate"]
        self.numbering = _Numbering()
        self.unsupported: list[str] = []

    def _derived(self) -> tuple[set[float], set[float]]:
        """Ratios ("2.1x the median") and shares ("40% of them") computable from the evidence."""
        money = sorted({v for i in self.items for v in i.values if v >= 1000})[:60]
        counts = {v for i in self.items if i.kind == "aggregate" for v in i.values if v < 1000}
        ratios = {round(a / b, 1) for a in money for b in money if b and a >= b}
        shares = {float(round(100 * a / b)) for a in counts for b in counts if b and a <= b}
        return ratios, shares

    def supports(self, value: float, suffix: str = "") -> bool:
        """Whether the writer was given the number or can compute it from the evidence.

        A share is supported by a share, a ratio by a ratio; neither by an unrelated record
        value (a CB rank of 183 does not support "grew 183%"). Years, counts and ranks must
        match exactly; large figures within rounding.
        """
        tolerance = 0.0 if value < 10_000 and value == int(value) else 0.005
        pool = set(self.given)
        if suffix == "%":
            pool |= self.shares
        elif suffix == "x":
            pool |= self.ratios
        else:
            pool |= {v for item in self.items for v in item.values}
        return any(_close(value, n, tolerance) for n in pool)

    def run(self, markdown: str) -> CitedText:
        out_lines = []
        in_code = False
        for line in markdown.split("\n"):
            stripped = line.lstrip()
            if stripped.startswith("```"):
                in_code = not in_code
            if in_code or stripped.startswith("#") or _is_table_rule(stripped):
                out_lines.append(line)
            else:
                out_lines.append(self.line(line))
        return CitedText(
            markdown="\n".join(out_lines),
            sources=[item.citation() for item in self.numbering.items],
            unsupported=self.unsupported,
        )

    def line(self, line: str) -> str:
        self.line_text = line
        # Insertions as (position, marker), applied right to left so positions stay valid.
        self.inserts: list[tuple[int, str]] = []
        self.taken: list[tuple[int, int]] = []
        named: list[EvidenceItem] = []
        for company in self.companies:
            pattern = self.patterns.get(company.ref)
            match = pattern.search(line) if pattern else None
            if not match or not self.free(*match.span()):
                continue
            self.taken.append(match.span())
            named.append(company)
            self.inserts.append((match.end(), self.numbering.marker(company)))
        for match in _MONEY.finditer(line):
            self.money(match, named)
        for match in _NUMBER.finditer(line):
            self.count(match)
        for match in _QUOTE.finditer(line):
            post = self.quoted_post(match.group(1))
            if post is not None and self.free(*match.span()):
                self.taken.append(match.span())
                self.inserts.append((match.end(), self.numbering.marker(post)))
        if self.check:
            self.check_line(line)
        for position, marker in sorted(self.inserts, key=lambda x: -x[0]):
            line = line[:position] + marker + line[position:]
        return line

    def count(self, match: re.Match[str]) -> None:
        """A count an aggregate holds ("37 companies matched") cites that aggregate."""
        if match.group(2) or not self.free(*match.span()):
            return
        if self.line_text[: match.start()].strip() == "|":  # a table's row number, not a count
            return
        if _OTHER_UNIT.match(self.line_text, match.end()):
            return
        value = float(match.group(1).replace(",", ""))
        for item in self.aggregates:
            if value >= 2 and value in item.values:
                self.taken.append(match.span())
                self.inserts.append((match.end(), self.numbering.marker(item)))
                return

    def quoted_post(self, quote: str) -> EvidenceItem | None:
        """The post a quotation comes from (its words, or the start of them when cut)."""
        words = " ".join(quote.lower().removesuffix("…").removesuffix("...").split())
        if len(words) < 24:
            return None
        for post in self.posts:
            if words in post[1] or (len(words) > 120 and words[:120] in post[1]):
                return post[0]
        return None

    def free(self, start: int, end: int) -> bool:
        return not any(s < end and start < e for s, e in self.taken)

    def mark(self, match: re.Match[str], claim: str) -> None:
        self.unsupported.append(claim)
        self.inserts.append((match.end(), UNSUPPORTED))
        self.taken.append(match.span())

    def money(self, match: re.Match[str], named: list[EvidenceItem]) -> None:
        value = money_value(match.group(1), match.group(2))
        source = _money_match(value, named, self.items)
        given = any(_close(value, n, MONEY_TOLERANCE) for n in self.given)
        if self.check and source and source not in named and source.kind != "aggregate":
            source = source if given else None  # another company's amount, not given
        if source is not None:
            self.taken.append(match.span())
            self.inserts.append((match.end(), self.numbering.marker(source)))
        elif self.check and not self.supports(value):
            self.mark(match, match.group(0))
        else:
            self.taken.append(match.span())

    def check_line(self, line: str) -> None:
        """Mark numbers, names and quotes of model-written text that nothing supports."""
        body = re.sub(r"^\s*(?:[-*+]|\d+[.)])\s+", lambda m: " " * len(m.group(0)), line)
        for match in _NUMBER.finditer(body):
            if not self.free(*match.span()):
                continue
            value = float(match.group(1).replace(",", ""))
            if value < 10 and not match.group(2):  # small counts and ordinals read as prose
                continue
            if not self.supports(value, match.group(2) or ""):
                self.mark(match, match.group(0))
        for match in _QUOTE.finditer(line):
            if not self.free(*match.span()):  # cited: a post says it
                continue
            if " ".join(match.group(1).lower().split()) not in self.quotes_known:
                self.mark(match, f"“{match.group(1)[:60]}”")
        for match in _unknown_names(line, self.known_words):
            if self.free(*match.span()):
                self.mark(match, match.group(0))


def without_markers(markdown: str) -> str:
    """The text without citation markers (for the assistant's context, which cites sections)."""
    return MARKER.sub("", markdown)


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
    return _SectionPass(items, check, known_text).run(markdown)


class _Span:
    """A name found in a line, shaped like a regex match for `_SectionPass.mark`."""

    def __init__(self, line: str, start: int, end: int) -> None:
        self._line, self._start, self._end = line, start, end

    def span(self) -> tuple[int, int]:
        return self._start, self._end

    def end(self) -> int:
        return self._end

    def group(self, _index: int = 0) -> str:
        return self._line[self._start : self._end]


def _unknown_names(line: str, known: frozenset[str]) -> list[_Span]:
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
        found.append(_Span(line, start, end))
        index += 1
    return found
