"""The offline analyser: deterministic answers built from the given data and templates.

Used as the provider only when no AI key is configured. Its answers satisfy the same output
schemas as a model's, and all prose it writes starts with "Offline analysis".
"""

from __future__ import annotations

import re
from collections import Counter
from statistics import median

from pydantic import BaseModel, Field

from marketnav.services.ai.input_extraction import extract_inputs_from_text
from marketnav.services.ai.providers import OFFLINE_LABEL
from marketnav.services.ai.research_topics import section_matches, topics_of
from marketnav.services.ai.schemas import (
    CrunchbaseKeywords,
    ProjectInputExtraction,
    ProjectInputsData,
    ReportSection,
    ResearchAnswer,
    SocialKeywords,
    TargetDescription,
    TracxnKeywords,
)
from marketnav.services.ai.text_terms import (
    PHRASE_BREAKS,
    STOPWORDS,
    candidate_phrases,
    content_words,
    sentences,
    stem,
    stems,
    words,
)
from marketnav.services.wording import plural, year_span
from scraper_services.common.money import format_usd

# How much each answer counts when picking terms (competitor names are not industry terms).
FIELD_WEIGHTS = {
    "startup_description": 3.0,
    "research_goal": 1.0,
    "target_audience": 1.0,
    "business_model": 1.0,
}
PAD_SUFFIXES = ("software", "platform", "market", "technology", "services", "solutions", "apps")
# Last-resort terms when the answers are too short to give eight of their own.
FALLBACK_TERMS = (
    "emerging technology",
    "digital services",
    "software platform",
    "consumer apps",
    "b2b software",
    "online marketplace",
    "venture funding",
    "market research",
)
GENERIC_WORDS = frozenset({"market", "platform", "customers", "users", "service", "solution"})


def labelled(text: str) -> str:
    """Prefix prose with the offline label (once)."""
    text = text.strip()
    return text if text.startswith(OFFLINE_LABEL) else f"{OFFLINE_LABEL}: {text}"


def _name_words(inputs: ProjectInputsData) -> frozenset[str]:
    """The startup's own name is not an industry term."""
    return frozenset(words(inputs.startup_name))


def _weighted_words(inputs: ProjectInputsData) -> Counter[str]:
    """Content-word stems scored by the weight of the answers they occur in."""
    scores: Counter[str] = Counter()
    values = inputs.model_dump()
    excluded = _name_words(inputs) | PHRASE_BREAKS
    for key, weight in FIELD_WEIGHTS.items():
        for word in content_words(values[key]):
            if not word.isdigit() and len(word) > 2 and word not in excluded:
                scores[stem(word)] += weight
    return scores


def _weighted_phrases(inputs: ProjectInputsData, min_words: int, max_words: int) -> list[str]:
    """Phrases ranked by how often and where they occur, plus how central their words are."""
    word_scores = _weighted_words(inputs)
    scores: Counter[str] = Counter()
    first_seen: dict[str, int] = {}
    values = inputs.model_dump()
    excluded = _name_words(inputs)
    for key, weight in FIELD_WEIGHTS.items():
        phrases = candidate_phrases(values[key], min_words, max_words, excluded)
        for phrase, count in phrases.items():
            scores[phrase] += weight * count
            first_seen.setdefault(phrase, len(first_seen))
    for phrase in scores:
        parts = phrase.split()
        scores[phrase] += 0.5 * sum(word_scores[stem(w)] for w in parts) / len(parts)
    # Two-word phrases read best as search terms; break ties by first appearance.
    return sorted(scores, key=lambda p: (-scores[p], len(p.split()) != 2, first_seen[p]))


def _top_words(inputs: ProjectInputsData) -> list[str]:
    """Single key words, most central first (generic words left out)."""
    surface: dict[str, str] = {}
    for word in content_words(inputs.source_text()):
        surface.setdefault(stem(word), word)
    ranked = [surface.get(s, s) for s, _ in _weighted_words(inputs).most_common()]
    return [w for w in ranked if w not in GENERIC_WORDS]


def _distinct(phrases: list[str], limit: int) -> list[str]:
    """Keep phrases sharing at most a minority of their words with an already chosen one."""
    chosen: list[str] = []
    covered: list[set[str]] = []
    for phrase in phrases:
        phrase_stems = stems(phrase)
        if not phrase_stems or any(
            len(phrase_stems & other) * 2 >= len(phrase_stems) for other in covered
        ):
            continue
        chosen.append(phrase)
        covered.append(phrase_stems)
        if len(chosen) == limit:
            break
    return chosen


def crunchbase_keywords(inputs: ProjectInputsData) -> CrunchbaseKeywords:
    """8-12 two-to-three-word terms from the answers, padded with 'word + industry' terms."""
    keywords = _distinct(_weighted_phrases(inputs, 2, 3), 12)
    padding = [
        f"{word} {suffix}"
        for suffix in PAD_SUFFIXES
        for word in _top_words(inputs)[:4]
        if stem(word) != stem(suffix)
    ]
    for term in [*padding, *FALLBACK_TERMS]:
        if len(keywords) >= 8:
            break
        if term not in keywords:
            keywords.append(term)
    return CrunchbaseKeywords(keywords=keywords[:12], confidence=None)


def tracxn_keywords(inputs: ProjectInputsData) -> TracxnKeywords:
    """5-10 Tracxn terms: top two-word phrases joined by AND, then single key words."""
    phrases = _distinct(_weighted_phrases(inputs, 2, 2), 6)
    terms = [" AND ".join(p.split()) for p in phrases]
    covered = {stem(w) for p in phrases for w in p.split()}
    for word in [*_top_words(inputs), *PAD_SUFFIXES]:
        if len(terms) >= 8:
            break
        if stem(word) not in covered and re.fullmatch(r"[^\W_][\w&+'\-]*", word):
            terms.append(word)
            covered.add(stem(word))
    return TracxnKeywords(keywords=terms[:10], confidence=None)


def social_keywords(inputs: ProjectInputsData) -> SocialKeywords:
    """Three social search terms: the top phrase, it as a hashtag, and the next distinct phrase."""
    phrases = _distinct(_weighted_phrases(inputs, 2, 2), 4)
    top_words = _top_words(inputs)
    first = phrases[0] if phrases else (top_words[0] if top_words else "startup ideas")
    terms = [first, "#" + "".join(first.split())]
    covered = stems(first)
    for candidate in [*phrases[1:], *top_words, *FALLBACK_TERMS]:
        if len(terms) == 3:
            break
        if not stems(candidate) & covered and candidate not in terms:
            terms.append(candidate)
    return SocialKeywords(keywords=terms, confidence=None)


def _first_sentence(text: str, limit: int = 300) -> str:
    first = re.split(r"(?<=[.!?])\s+", text.strip())[0] if text.strip() else ""
    return first[:limit].rstrip(" .")


def target_description(inputs: ProjectInputsData) -> TargetDescription:
    """A templated description of comparable companies from the answers."""
    parts = []
    what = _first_sentence(inputs.startup_description)
    if what:
        parts.append(f"Companies similar to this one: {what}.")
    if inputs.target_audience.strip():
        parts.append(f"They serve {_first_sentence(inputs.target_audience, 200)}.")
    if inputs.geographic_focus.strip():
        parts.append(f"Region: {_first_sentence(inputs.geographic_focus, 120)}.")
    if inputs.business_model.strip():
        parts.append(f"Business model: {_first_sentence(inputs.business_model, 160)}.")
    terms = _distinct(_weighted_phrases(inputs, 2, 3), 4)
    if terms:
        parts.append(f"Key terms: {', '.join(terms)}.")
    text = labelled(" ".join(parts) or "Companies in the market described by the project.")
    return TargetDescription(description=text[:800], confidence=None)


def extract_project_inputs(text: str, current: ProjectInputsData) -> ProjectInputExtraction:
    """Pattern-based extraction of the nine inputs from free text (see input_extraction)."""
    return extract_inputs_from_text(text, current)


def _section_lines(markdown: str) -> list[str]:
    """Quotable lines of a section: sentences, list items and table rows (cells joined)."""
    lines: list[str] = []
    for raw in (markdown or "").splitlines():
        line = raw.strip()
        if re.fullmatch(r"\|?[\s:|-]+\|?", line):
            continue  # a table's separator row
        if line.startswith("|"):
            cells = [c.strip() for c in line.strip("|").split("|") if c.strip()]
            line = " · ".join(cells)
        lines.extend(sentences(line))
    return lines


def research_answer(question: str, sections: list[ReportSection]) -> ResearchAnswer:
    """An extractive answer: the lines of the sections the question is about, each cited.

    Sections are matched by meaning (the question's topics and their synonyms, see
    research_topics) and by shared words; lines by the topic's marker words and the question's.
    """
    topics = topics_of(question)
    question_stems = stems(question) - {"report", "section", "say", "tell"}
    scored: list[tuple[float, int, str, ReportSection]] = []
    order = 0
    for section in sections:
        # A section is named by its title, its key and its own headings ("### White Space").
        headings = " ".join(re.findall(r"^#{1,4}\s+(.+)$", section.markdown or "", re.M))
        title = f"{section.title} {section.section_key.replace('_', ' ')} {headings}"
        on_topic = [t for t in topics if section_matches(t, section.section_key, title)]
        section_bonus = 2.0 * len(on_topic) + 0.5 * len(question_stems & stems(title))
        for position, line in enumerate(_section_lines(section.markdown)):
            overlap = len(question_stems & stems(line))
            marked = sum(1 for t in on_topic if t.lines.search(line))
            if not overlap and not marked:
                continue
            # The section's first lines state its conclusion: a small lead bonus.
            lead = 0.5 if on_topic and position < 2 else 0.0
            scored.append((overlap + marked * 1.5 + section_bonus + lead, order, line, section))
            order += 1
    scored.sort(key=lambda item: (-item[0], item[1]))
    if not scored:
        topic = ", ".join(sorted(w for w in content_words(question) if w not in STOPWORDS)[:4])
        return ResearchAnswer(
            answer=labelled(
                f"the completed reports do not mention {topic or 'this'}. "
                "Rephrase the question, or run the report that covers it."
            ),
            confidence=None,
        )
    chosen: list[tuple[str, ReportSection]] = []
    per_section: Counter[str] = Counter()
    for _, _, line, section in scored:
        if per_section[section.citation] >= 3 or any(line == c for c, _ in chosen):
            continue
        chosen.append((line, section))
        per_section[section.citation] += 1
        if len(chosen) == 5:
            break
    about = f" about {', '.join(t.name.replace('_', ' ') for t in topics)}" if topics else ""
    lines = [f"{OFFLINE_LABEL} (quoted from your reports{about}, no AI model used):", ""]
    lines += [f"- {line} {section.citation}" for line, section in chosen]
    return ResearchAnswer(answer="\n".join(lines), confidence=None)


class CompanyFacts(BaseModel):
    """The facts of one company the offline analyser can use."""

    name: str
    description: str = ""
    funding_usd: float | None = None
    rank: int | None = None
    country: str = ""
    founded_year: int | None = None


class MarketStatistics(BaseModel):
    """Counts, funding totals and rankings over a set of companies."""

    company_count: int
    funded_count: int
    total_funding_usd: float
    median_funding_usd: float | None
    top_by_funding: list[str]
    top_by_rank: list[str]
    countries: dict[str, int]
    founded_range: tuple[int, int] | None
    frequent_terms: list[str] = Field(default_factory=list)


def market_statistics(companies: list[CompanyFacts]) -> MarketStatistics:
    """Aggregate the companies' data (what offline analysis sections are built from)."""
    funded = [c for c in companies if c.funding_usd]
    ranked = sorted((c for c in companies if c.rank is not None), key=lambda c: c.rank or 0)
    years = [c.founded_year for c in companies if c.founded_year]
    terms = candidate_phrases(" . ".join(c.description for c in companies), 2, 2)
    return MarketStatistics(
        company_count=len(companies),
        funded_count=len(funded),
        total_funding_usd=sum(c.funding_usd or 0 for c in funded),
        median_funding_usd=median(c.funding_usd or 0 for c in funded) if len(funded) > 1 else None,
        top_by_funding=[c.name for c in sorted(funded, key=lambda c: -(c.funding_usd or 0))[:5]],
        top_by_rank=[c.name for c in ranked[:5]],
        countries=dict(Counter(c.country for c in companies if c.country).most_common(8)),
        founded_range=(min(years), max(years)) if years else None,
        frequent_terms=[t for t, _ in terms.most_common(8)],
    )


def market_summary_markdown(companies: list[CompanyFacts], topic: str = "this market") -> str:
    """A labelled markdown overview of the companies for report sections."""
    stats = market_statistics(companies)
    lines = [f"_{OFFLINE_LABEL}: computed from the data, no AI model used._", ""]
    lines.append(f"- **Companies found** in {topic}: {stats.company_count}")
    if stats.funded_count:
        lines.append(
            f"- **Total disclosed funding**: {format_usd(stats.total_funding_usd)} across "
            f"{plural(stats.funded_count, 'company')}"
            + (
                f" (median {format_usd(stats.median_funding_usd)})"
                if stats.median_funding_usd is not None  # none of one figure
                else ""
            )
            + (
                f"; {stats.company_count - stats.funded_count} without disclosed funding "
                "(unknown, not zero)"
                if stats.company_count > stats.funded_count
                else ""
            )
        )
    if stats.top_by_funding:
        of_known = (
            ""
            if stats.funded_count == stats.company_count
            else f" (of the {plural(stats.funded_count, 'company')} with disclosed funding)"
        )
        lines.append(f"- **Best funded**{of_known}: {', '.join(stats.top_by_funding)}")
    if stats.top_by_rank:
        lines.append(f"- **Highest ranked**: {', '.join(stats.top_by_rank)}")
    if stats.countries:
        spread = ", ".join(f"{country} ({n})" for country, n in stats.countries.items())
        lines.append(f"- **Countries**: {spread}")
    if stats.founded_range:
        lines.append(f"- **Founded**: {year_span(*stats.founded_range)}")
    if stats.frequent_terms:
        lines.append(f"- **Recurring terms**: {', '.join(stats.frequent_terms)}")
    return "\n".join(lines)
