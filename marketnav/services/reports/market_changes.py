"""What changed in the market between two versions of a report, detected by code.

Compared, version against version: the competitor list (a company entering or leaving it),
each competitor's disclosed funding and status, its threat level, a competitor the founder
named now found in the data (or no longer), the verdict and its score, and the social signal
(the positive and negative shares of the posts, their volume). The model is never asked.

Every change points to its evidence in both versions: the section that shows it (an anchor
on that version's page) and the evidence record behind it, with the record's source, so a
change resting on the bundled demo data says so. Unknown stays unknown: funding that drops
out of the data is "no longer disclosed", never a fall to zero.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel

from marketnav.models import ReportEvidence, ReportRun, ReportSection
from marketnav.services.wording import plural
from scraper_services.common.money import format_usd

VERDICT_SECTION = "verdict_decision"
SOCIAL_SECTION = "social_overview"
DATA_USED_ANCHOR = "data-used"
ANALYSED_REF = "aggregate:companies_analysed"  # evidence.market_items' list of companies
# A funding figure that moved by less than this share is the same figure (rounding, FX).
FUNDING_TOLERANCE = 0.01
# The social signal shifted when a sentiment's share moved by this many percentage points,
SENTIMENT_SHIFT_POINTS = 10.0
# or when the number of posts grew or shrank by this factor.
VOLUME_FACTOR = 1.5
# A verdict score that moved by at least this much is a change even under the same verdict.
SCORE_SHIFT = 0.5

# What a change is about, in the order a digest lists them.
KINDS = (
    "verdict",
    "entered",
    "left",
    "named_found",
    "named_missing",
    "funding",
    "status",
    "threat",
    "social",
)


class EvidenceLink(BaseModel):
    """Where one side of a change can be checked: a version's section and its record."""

    version: int
    anchor: str
    ref: str = ""
    source: str = ""
    demo: bool = False


class MarketChange(BaseModel):
    kind: str
    subject: str
    text: str
    before: str = ""
    after: str = ""
    old: EvidenceLink | None = None
    new: EvidenceLink | None = None

    @property
    def demo(self) -> bool:
        return any(side is not None and side.demo for side in (self.old, self.new))


@dataclass(frozen=True)
class CompanyFacts:
    slug: str
    name: str
    funding_usd: float | None
    status: str
    threat: str
    named_by_user: bool
    anchor: str


@dataclass
class VersionFacts:
    """What one completed version says about the market (read from its sections and data)."""

    version: int
    report_type: str
    companies: dict[str, CompanyFacts] = field(default_factory=dict)
    # None: the version did not record it (made before it was recorded), not "none missing".
    named_missing: tuple[str, ...] | None = None
    verdict: str = ""
    total_score: float | None = None
    sentiment: dict[str, int] | None = None
    evidence: dict[str, tuple[str, bool]] = field(default_factory=dict)

    @property
    def comparable(self) -> bool:
        """Whether this version holds anything this module compares."""
        return bool(self.companies or self.verdict or self.sentiment)

    def link(self, anchor: str, ref: str = "") -> EvidenceLink:
        source, demo = self.evidence.get(ref, ("", False))
        return EvidenceLink(
            version=self.version, anchor=anchor, ref=ref if source else "", source=source, demo=demo
        )

    def company_link(self, company: CompanyFacts) -> EvidenceLink:
        return self.link(company.anchor, f"{self.report_type}:company:{company.slug}")


def version_facts(
    run: ReportRun,
    report_type: str,
    sections: list[ReportSection],
    evidence: list[ReportEvidence],
) -> VersionFacts:
    """The comparable facts of one completed run."""
    data = run.data or {}
    facts = VersionFacts(
        version=run.version,
        report_type=report_type,
        evidence={e.ref: (e.source, e.demo) for e in evidence},
    )
    for row in sections:
        section = row.section_data or {}
        if row.kind == "company" and isinstance(section.get("facts"), dict):
            company = section["facts"]
            slug = str(company.get("slug") or row.section_key)
            facts.companies[slug] = CompanyFacts(
                slug=slug,
                name=str(company.get("name") or row.company_name),
                funding_usd=_number(company.get("funding_usd")),
                status=str(company.get("status") or ""),
                threat=str(section.get("threat") or ""),
                named_by_user=bool(company.get("named_by_user")),
                anchor=f"sec-{row.section_key}",
            )
        elif row.section_key == SOCIAL_SECTION and isinstance(section.get("sentiment"), dict):
            facts.sentiment = {k: int(v or 0) for k, v in section["sentiment"].items()}
    if isinstance(data.get("named_not_found"), list):
        facts.named_missing = tuple(str(n) for n in data["named_not_found"])
    facts.verdict = str(data.get("verdict") or "")
    facts.total_score = _number(data.get("total_score"))
    return facts


def detect(old: VersionFacts, new: VersionFacts) -> list[MarketChange]:
    """The changes that matter from `old` to `new`, in the order of `KINDS`."""
    changes = _verdict_changes(old, new) + _company_changes(old, new) + _social_changes(old, new)
    return sorted(changes, key=lambda c: KINDS.index(c.kind))


def summary_line(changes: list[MarketChange]) -> str:
    """One line for a card or a digest subject: "3 changes: 1 new competitor, 2 funding changes"."""
    if not changes:
        return "No change in the market"
    counts = {kind: sum(1 for c in changes if c.kind == kind) for kind in KINDS}
    parts = [plural(n, *_COUNTED[kind]) for kind, n in counts.items() if n]
    return f"{plural(len(changes), 'change')}: " + ", ".join(parts)


KIND_LABELS = {
    "verdict": "verdict",
    "entered": "new competitor",
    "left": "competitor gone",
    "named_found": "named competitor found",
    "named_missing": "named competitor missing",
    "funding": "funding",
    "status": "status",
    "threat": "threat level",
    "social": "social signal",
}
# How a count of each kind reads in a summary line ("2 new competitors", "1 funding change").
_COUNTED = {
    "verdict": ("verdict change", "verdict changes"),
    "entered": ("new competitor", "new competitors"),
    "left": ("competitor gone", "competitors gone"),
    "named_found": ("named competitor found", "named competitors found"),
    "named_missing": ("named competitor missing", "named competitors missing"),
    "funding": ("funding change", "funding changes"),
    "status": ("status change", "status changes"),
    "threat": ("threat level change", "threat level changes"),
    "social": ("social signal shift", "social signal shifts"),
}


# -- detectors ------------------------------------------------------------------------------


def _verdict_changes(old: VersionFacts, new: VersionFacts) -> list[MarketChange]:
    if not (old.verdict and new.verdict):
        return []
    moved = (
        old.total_score is not None
        and new.total_score is not None
        and abs(new.total_score - old.total_score) >= SCORE_SHIFT
    )
    if old.verdict == new.verdict and not moved:
        return []
    before, after = _verdict_text(old), _verdict_text(new)
    verb = "changed" if old.verdict != new.verdict else "score moved"
    return [
        MarketChange(
            kind="verdict",
            subject="Verdict",
            text=f"Verdict {verb}: {before} → {after}",
            before=before,
            after=after,
            old=old.link(f"sec-{VERDICT_SECTION}"),
            new=new.link(f"sec-{VERDICT_SECTION}"),
        )
    ]


def _company_changes(old: VersionFacts, new: VersionFacts) -> list[MarketChange]:
    changes: list[MarketChange] = []
    old_by_name = {c.name.casefold(): c for c in old.companies.values()}
    for slug, company in new.companies.items():
        before = old.companies.get(slug) or old_by_name.get(company.name.casefold())
        if before is None:
            changes.append(_entered(old, new, company))
        else:
            changes.extend(_company_moves(old, new, before, company))
    new_names = {c.name.casefold() for c in new.companies.values()}
    for slug, company in old.companies.items():
        if slug not in new.companies and company.name.casefold() not in new_names:
            changes.append(_departed(old, new, company))
    return changes


def _departed(old: VersionFacts, new: VersionFacts, company: CompanyFacts) -> MarketChange:
    lost = (
        company.named_by_user
        and new.named_missing is not None
        and company.name in new.named_missing
    )
    threat = _threat_text(company)
    return MarketChange(
        kind="named_missing" if lost else "left",
        subject=company.name,
        text=(
            f"{company.name} (named by you) is no longer in the data"
            if lost
            else f"{company.name} left the competitor list (was {threat})"
        ),
        before=threat,
        old=old.company_link(company),
        # The new version's list of the companies it analysed, without this one.
        new=new.link(DATA_USED_ANCHOR, f"{new.report_type}:{ANALYSED_REF}"),
    )


def _entered(old: VersionFacts, new: VersionFacts, company: CompanyFacts) -> MarketChange:
    was_missing = old.named_missing is not None and company.name in old.named_missing
    found = company.named_by_user and was_missing
    funding = (
        f"total funding {format_usd(company.funding_usd)}"
        if company.funding_usd
        else "funding not disclosed"
    )
    name = f"{company.name} (named by you)" if company.named_by_user else company.name
    what = "is now in the data" if found else "entered the competitor list"
    return MarketChange(
        kind="named_found" if found else "entered",
        subject=company.name,
        text=f"{name} {what}: {_threat_text(company)}, {funding}",
        after=_threat_text(company),
        new=new.company_link(company),
    )


def _company_moves(
    old: VersionFacts, new: VersionFacts, before: CompanyFacts, after: CompanyFacts
) -> list[MarketChange]:
    def change(kind: str, text: str, was: str, now: str) -> MarketChange:
        return MarketChange(
            kind=kind,
            subject=after.name,
            text=text,
            before=was,
            after=now,
            old=old.company_link(before),
            new=new.company_link(after),
        )

    changes = []
    funding = funding_change(before.funding_usd, after.funding_usd)
    if funding:
        was, now = _funding_text(before.funding_usd), _funding_text(after.funding_usd)
        changes.append(change("funding", f"{after.name}: {funding}", was, now))
    if before.status and after.status and before.status.casefold() != after.status.casefold():
        changes.append(
            change(
                "status",
                f"{after.name}: status {before.status} → {after.status}",
                before.status,
                after.status,
            )
        )
    if before.threat and after.threat and before.threat != after.threat:
        changes.append(
            change(
                "threat",
                f"{after.name}: threat {before.threat} → {after.threat}",
                before.threat,
                after.threat,
            )
        )
    return changes


def funding_change(before: float | None, after: float | None) -> str:
    """How disclosed funding moved, in words ("" when it did not); unknown is never zero."""
    if before is None and after is None:
        return ""
    if before is None:
        return f"funding now disclosed: {format_usd(after)} (unknown before)"
    if after is None:
        return (
            f"funding no longer disclosed in the data (was {format_usd(before)}); unknown, not zero"
        )
    if abs(after - before) <= FUNDING_TOLERANCE * max(abs(before), abs(after)):
        return ""
    verb = "raised" if after > before else "fell"
    note = f" (+{format_usd(after - before)}: a new round?)" if after > before else ""
    return f"total funding {verb} from {format_usd(before)} to {format_usd(after)}{note}"


def _funding_text(amount: float | None) -> str:
    return format_usd(amount) if amount is not None else "not disclosed"


def _social_changes(old: VersionFacts, new: VersionFacts) -> list[MarketChange]:
    if not (old.sentiment and new.sentiment):
        return []
    old_total, new_total = sum(old.sentiment.values()), sum(new.sentiment.values())
    if not (old_total and new_total):
        return []
    parts = []
    for mood in ("positive", "negative"):
        was = 100 * old.sentiment.get(mood, 0) / old_total
        now = 100 * new.sentiment.get(mood, 0) / new_total
        if abs(now - was) >= SENTIMENT_SHIFT_POINTS:
            parts.append(f"{mood} posts {was:.0f}% → {now:.0f}%")
    if max(old_total, new_total) >= VOLUME_FACTOR * min(old_total, new_total):
        parts.append(f"{plural(old_total, 'post')} → {new_total}")
    if not parts:
        return []
    return [
        MarketChange(
            kind="social",
            subject="Social signal",
            text="Social signal shifted: " + "; ".join(parts),
            before=_sentiment_text(old.sentiment),
            after=_sentiment_text(new.sentiment),
            old=old.link(f"sec-{SOCIAL_SECTION}"),
            new=new.link(f"sec-{SOCIAL_SECTION}"),
        )
    ]


# -- helpers --------------------------------------------------------------------------------


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def _threat_text(company: CompanyFacts) -> str:
    return f"{company.threat} threat" if company.threat else "threat not rated"


def _verdict_text(facts: VersionFacts) -> str:
    score = f"{facts.total_score:g}" if facts.total_score is not None else "unknown"
    return f"{facts.verdict} (score {score})"


def _sentiment_text(split: dict[str, int]) -> str:
    return ", ".join(f"{split.get(m, 0)} {m}" for m in ("positive", "negative", "neutral"))
