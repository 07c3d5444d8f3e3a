"""What a Research Mode question is about, by meaning: topics, their synonyms, their sections.

A question names a topic by any of its words ("what did the verdict conclude", "the decision",
"should we go ahead"); each topic says which report sections hold it (by section key or title
words) and which words mark the lines that answer it. The offline analyser matches questions
to sections with these tables, so its choice of lines can be explained.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from marketnav.services.ai.text_terms import stem


@dataclass(frozen=True)
class Topic:
    name: str
    question: re.Pattern[str]  # words in a question that ask about the topic
    sections: tuple[str, ...]  # section keys (or title words) that hold it
    lines: re.Pattern[str]  # words that mark an answering line


def _words(text: str) -> re.Pattern[str]:
    return re.compile(r"\b(?:" + text + r")", re.IGNORECASE)


TOPICS: tuple[Topic, ...] = (
    Topic(
        "verdict",
        _words(
            r"verdict|conclu|decision|decide|recommend|go ahead|go/no|pursue|park\b|kill\b"
            r"|should (?:we|i)|worth|overall|outcome|bottom line|final score|score"
        ),
        ("verdict_decision", "executive_synthesis", "verdict", "decision", "synthesis"),
        _words(
            r"verdict|decision|decide|conclu|recommend|pursue|park|kill|pivot|go\b|score"
            r"|rule applied|reasoning|next decision"
        ),
    ),
    Topic(
        "threats",
        _words(r"threat|risk|danger|weakness|concern|killer|downside|worry|worries|obstacle"),
        ("risk_synthesis", "risk", "threat", "competitors_analysis", "flash_analysis"),
        _words(r"threat|risk|killer|major|minor|danger|high|weak|concern|mitigat"),
    ),
    Topic(
        "funding",
        _words(
            r"fund|raise|raised|money|invest|capital|valuation|median|financ|round|backed"
            r"|\$|usd|dollar"
        ),
        ("fast_analysis", "flash_analysis", "strategic_summary", "executive_summary", "funding"),
        _words(r"fund|raised|\$|median|invest|round|capital|undisclosed|not disclosed|unknown"),
    ),
    Topic(
        "competitors",
        _words(
            r"competit|rival|player|incumbent|alternative|landscape|who else|other compan"
            r"|closest|similar compan"
        ),
        ("competitors_analysis", "competition", "competitive", "landscape", "company"),
        _words(r"competit|rival|relevance|close|direct|similar|player|shares|company"),
    ),
    Topic(
        "demand",
        _words(
            r"social|demand|post|sentiment|people say|reddit|twitter|hacker news|buzz|interest"
            r"|pain|complain|willing|pay for"
        ),
        ("social", "demand", "pain_points", "sentiment", "feature_demand", "willingness_to_pay"),
        _words(r"post|demand|sentiment|pain|signal|mention|people|user|unknown|no evidence"),
    ),
    Topic(
        "white_space",
        _words(r"white space|gap|opportunit|underserved|unserved|niche|nobody|no one|open"),
        ("white_space", "differentiation", "opportunit", "product_differentiation"),
        _words(r"white space|gap|no company|no close|open|opportunit|underserved|nobody"),
    ),
    Topic(
        "next_steps",
        _words(r"next|research next|todo|to do|roadmap|plan|action|step|what now"),
        ("roadmap", "next", "research_next", "actionable"),
        _words(r"next|check|research|interview|test|validate|step|action"),
    ),
    Topic(
        "market_size",
        _words(r"market size|tam\b|sam\b|som\b|how big|size of|growth rate|cagr"),
        ("market_snapshot", "market", "opportunity"),
        _words(r"tam|sam|som|market|size|growth|estimate"),
    ),
)


def topics_of(question: str) -> list[Topic]:
    """The topics a question asks about (in table order)."""
    return [topic for topic in TOPICS if topic.question.search(question)]


def section_matches(topic: Topic, section_key: str, title: str) -> bool:
    """Does a section (by key or title words) hold the topic?"""
    key = section_key.lower()
    title_stems = {stem(w) for w in re.findall(r"\w+", title.lower())}
    for marker in topic.sections:
        if marker == key:
            return True
        if "_" not in marker and (marker in key or stem(marker) in title_stems):
            return True
    return False
