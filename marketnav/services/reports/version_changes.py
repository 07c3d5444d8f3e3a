"""What changed between stored versions: read from the database, kept on a run, shown.

`market_changes` compares two versions' facts; this module reads those facts from a completed
run (its sections, its data, its evidence records), finds the version before, keeps the result
on the new run (`stored`) and lays it out for the viewer (`present`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, col, select

from marketnav.models import ReportEvidence, ReportRun, ReportSection
from marketnav.services.reports.catalog import viewer_url
from marketnav.services.reports.market_changes import (
    KIND_LABELS,
    EvidenceLink,
    MarketChange,
    VersionFacts,
    detect,
    summary_line,
    version_facts,
)


def between(
    session: Session, old_run: ReportRun, new_run: ReportRun, report_type: str
) -> list[MarketChange]:
    """Changes between two completed runs of one report, read from the database."""
    return detect(
        load_facts(session, old_run, report_type), load_facts(session, new_run, report_type)
    )


@dataclass(frozen=True)
class SincePrevious:
    """The changes of one version since the version before it."""

    previous: int  # 0 when this is the first version
    changes: list[MarketChange]
    comparable: bool  # False for a report type this module has nothing to compare in


def since_previous(
    session: Session,
    run: ReportRun,
    report_type: str,
    sections: list[ReportSection] | None = None,
) -> SincePrevious:
    """Changes from the newest completed version before `run`."""
    facts = load_facts(session, run, report_type, sections)
    previous = session.exec(
        select(ReportRun)
        .where(
            ReportRun.report_id == run.report_id,
            ReportRun.status == "completed",
            ReportRun.version < run.version,
        )
        .order_by(col(ReportRun.version).desc())
    ).first()
    if previous is None:
        return SincePrevious(0, [], facts.comparable)
    return SincePrevious(
        previous.version,
        detect(load_facts(session, previous, report_type), facts),
        facts.comparable,
    )


def stored(since: SincePrevious) -> dict[str, Any]:
    """What a completed run keeps in its data: the version compared with and the changes."""
    return {
        "since": since.previous,
        "summary": summary_line(since.changes),
        "changes": [c.model_dump(mode="json") for c in since.changes],
    }


def present(changes: list[MarketChange], project_id: int, report_type: str) -> list[dict[str, Any]]:
    """The changes as the viewer lists them, each side linking to its version's evidence."""

    def href(side: EvidenceLink | None) -> str:
        return viewer_url(project_id, report_type, side.version, side.anchor) if side else ""

    return [
        {
            "kind": c.kind,
            "label": KIND_LABELS[c.kind],
            "text": c.text,
            "demo": c.demo,
            "old_href": href(c.old),
            "old_label": f"v{c.old.version}" if c.old else "",
            "old_source": c.old.source if c.old else "",
            "new_href": href(c.new),
            "new_label": f"v{c.new.version}" if c.new else "",
            "new_source": c.new.source if c.new else "",
        }
        for c in changes
    ]


def load_facts(
    session: Session,
    run: ReportRun,
    report_type: str,
    sections: list[ReportSection] | None = None,
) -> VersionFacts:
    """The run's comparable facts; `sections`: its sections when the caller has read them."""
    if sections is None:
        sections = list(
            session.exec(select(ReportSection).where(ReportSection.run_id == run.id)).all()
        )
    evidence = session.exec(
        select(ReportEvidence).where(
            ReportEvidence.run_id == run.id, col(ReportEvidence.kind).in_(("company", "aggregate"))
        )
    ).all()
    return version_facts(run, report_type, sections, list(evidence))
