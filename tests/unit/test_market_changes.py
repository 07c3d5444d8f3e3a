"""Change detection between two versions of a report: what it finds, what it leaves alone, and
what the viewer shows (links to both versions' evidence, demo data labelled)."""

from __future__ import annotations

import pytest
from sqlmodel import Session

from marketnav.models import Report, ReportEvidence, ReportRun, ReportSection
from marketnav.models.base import utcnow
from marketnav.services.errors import PermissionDenied
from marketnav.services.reports import market_changes, viewer
from marketnav.services.reports.market_changes import CompanyFacts, VersionFacts, detect
from tests.factories import make_project, make_user

DEMO_SOURCE = "Crunchbase · bundled demo data set (not live Crunchbase data)"


def company(name: str, funding: float | None = 10e6, **fields) -> CompanyFacts:
    slug = name.lower().replace(" ", "-")
    values = {"status": "operating", "threat": "Medium", "named_by_user": False}
    values.update(fields)
    return CompanyFacts(
        slug=slug, name=name, funding_usd=funding, anchor=f"sec-company_{slug}", **values
    )


def facts(version: int, *companies: CompanyFacts, **fields) -> VersionFacts:
    result = VersionFacts(version=version, report_type="crunchbase", **fields)
    for c in companies:
        result.companies[c.slug] = c
        result.evidence[f"crunchbase:company:{c.slug}"] = (DEMO_SOURCE, True)
    return result


def kinds(changes) -> list[tuple[str, str]]:
    return [(c.kind, c.subject) for c in changes]


def test_the_same_market_twice_is_no_change():
    old = facts(1, company("Rover"), company("Wag"), named_missing=("Fetchy",))
    new = facts(2, company("Rover"), company("Wag"), named_missing=("Fetchy",))
    assert detect(old, new) == []
    assert market_changes.summary_line([]) == "No change in the market"


def test_entering_and_leaving_companies_are_changes_with_evidence_on_both_sides():
    changes = detect(
        facts(1, company("Rover"), company("Wag")), facts(2, company("Rover"), company("Holidog"))
    )
    assert kinds(changes) == [("entered", "Holidog"), ("left", "Wag")]
    entered, left = changes
    assert entered.old is None and entered.new.ref == "crunchbase:company:holidog"
    assert entered.new.anchor == "sec-company_holidog" and entered.new.demo
    assert entered.text == "Holidog entered the competitor list: Medium threat, total funding $10M"
    assert left.old.version == 1 and left.old.ref == "crunchbase:company:wag"
    # The new side of a departure: the new version's list of what it analysed.
    assert left.new.version == 2 and left.new.anchor == "data-used"
    assert left.text == "Wag left the competitor list (was Medium threat)"
    assert market_changes.summary_line(changes) == "2 changes: 1 new competitor, 1 competitor gone"


def test_a_new_round_a_status_change_and_a_threat_change_are_each_reported():
    old = facts(1, company("Rover", 310e6, threat="High"), company("Wag", 50e6))
    new = facts(
        2,
        company("Rover", 410e6, threat="High"),
        company("Wag", 50e6, status="acquired", threat="Low"),
    )
    changes = detect(old, new)
    assert kinds(changes) == [("funding", "Rover"), ("status", "Wag"), ("threat", "Wag")]
    assert market_changes.summary_line(changes) == (
        "3 changes: 1 funding change, 1 status change, 1 threat level change"
    )
    funding = changes[0]
    assert "from $310M to $410M" in funding.text and "new round" in funding.text
    assert (funding.before, funding.after) == ("$310M", "$410M")
    assert funding.old.version == 1 and funding.new.version == 2
    assert changes[1].text == "Wag: status operating → acquired"
    assert changes[2].text == "Wag: threat Medium → Low"


def test_unknown_funding_is_never_a_fall_to_zero_and_rounding_is_no_change():
    old = facts(1, company("Rover", 310e6), company("Wag", None), company("Pawshake", 20e6))
    new = facts(2, company("Rover", None), company("Wag", 12e6), company("Pawshake", 20.1e6))
    changes = {c.subject: c for c in detect(old, new)}
    assert set(changes) == {"Rover", "Wag"}  # Pawshake moved by 0.5%: the same figure
    assert "no longer disclosed" in changes["Rover"].text
    assert "unknown, not zero" in changes["Rover"].text and "$0" not in changes["Rover"].text
    assert changes["Rover"].after == "not disclosed"
    assert "now disclosed: $12M (unknown before)" in changes["Wag"].text


def test_a_named_competitor_found_or_lost_is_told_as_such():
    old = facts(1, company("Rover"), company("Wag", named_by_user=True), named_missing=("Fetchy",))
    new = facts(2, company("Rover"), company("Fetchy", named_by_user=True), named_missing=("Wag",))
    changes = detect(old, new)
    assert kinds(changes) == [("named_found", "Fetchy"), ("named_missing", "Wag")]
    assert changes[0].text.startswith("Fetchy (named by you) is now in the data")
    assert changes[1].text == "Wag (named by you) is no longer in the data"


def test_a_version_that_did_not_record_missing_names_never_claims_one_was_found():
    old = facts(1, company("Rover"))  # named_missing None: made before it was recorded
    new = facts(2, company("Rover"), company("Fetchy", named_by_user=True), named_missing=())
    (entered,) = detect(old, new)
    assert entered.kind == "entered" and entered.text.startswith("Fetchy (named by you) entered")


def test_the_verdict_and_its_score():
    same = detect(facts(1, verdict="GO", total_score=7.0), facts(2, verdict="GO", total_score=7.2))
    assert same == []
    changed = detect(
        facts(1, verdict="GO", total_score=7.0), facts(2, verdict="PIVOT", total_score=5.5)
    )
    assert kinds(changed) == [("verdict", "Verdict")]
    assert changed[0].text == "Verdict changed: GO (score 7) → PIVOT (score 5.5)"
    assert changed[0].new.anchor == "sec-verdict_decision"
    moved = detect(facts(1, verdict="GO", total_score=7.0), facts(2, verdict="GO", total_score=8))
    assert moved[0].text.startswith("Verdict score moved")
    # An unknown score is no movement.
    assert detect(facts(1, verdict="GO"), facts(2, verdict="GO", total_score=8.0)) == []


def test_the_social_signal_shifts_on_sentiment_share_or_volume_only():
    def social(version: int, positive: int, negative: int, neutral: int) -> VersionFacts:
        split = {"positive": positive, "negative": negative, "neutral": neutral}
        return facts(version, sentiment=split)

    assert detect(social(1, 40, 20, 40), social(2, 44, 18, 38)) == []
    shifted = detect(social(1, 40, 20, 40), social(2, 20, 40, 40))
    assert kinds(shifted) == [("social", "Social signal")]
    assert "positive posts 40% → 20%" in shifted[0].text
    assert "negative posts 20% → 40%" in shifted[0].text
    louder = detect(social(1, 4, 2, 4), social(2, 8, 4, 8))
    assert louder[0].text == "Social signal shifted: 10 posts → 20"
    assert detect(social(1, 0, 0, 0), social(2, 8, 4, 8)) == []


# -- from the database, as the viewer shows it ---------------------------------------------


def _version(db: Session, report: Report, version: int, companies: list[dict]) -> ReportRun:
    run = ReportRun(
        report_id=report.id,
        version=version,
        status="completed",
        completed_at=utcnow(),
        data={"named_not_found": []},
    )
    db.add(run)
    db.commit()
    for position, c in enumerate(companies):
        slug = c["slug"]
        db.add(
            ReportSection(
                run_id=run.id,
                section_key=f"company_{slug}",
                title=c["name"],
                kind="company",
                company_name=c["name"],
                position=10 + position,
                markdown=f"Memo of {c['name']}.",
                section_data={"facts": c, "threat": "Medium"},
            )
        )
        db.add(
            ReportEvidence(
                run_id=run.id,
                ref=f"crunchbase:company:{slug}",
                kind="company",
                label=c["name"],
                source=DEMO_SOURCE,
                demo=True,
            )
        )
    db.commit()
    report.latest_version = version
    db.add(report)
    db.commit()
    return run


def test_the_viewer_lists_the_changes_since_the_version_before_with_links(db):
    owner = make_user(db, "Olga Owner")
    project = make_project(db, owner, "Pet care")
    report = Report(project_id=project.id, report_type="crunchbase")
    db.add(report)
    db.commit()
    rover = {"name": "Rover", "slug": "rover", "funding_usd": 310e6, "status": "operating"}
    _version(db, report, 1, [dict(rover), {"name": "Wag", "slug": "wag", "funding_usd": None}])
    _version(
        db, report, 2, [dict(rover, funding_usd=410e6), {"name": "Holidog", "slug": "holidog"}]
    )

    page = viewer.report_page(db, owner, project.id, "crunchbase")
    assert page.version == 2 and page.changes_since == 1 and page.changes_comparable
    shown = {c["text"].split(":")[0]: c for c in page.market_changes}
    assert set(shown) == {
        "Rover",
        "Holidog entered the competitor list",
        "Wag left the competitor list (was Medium threat)",
    }
    funding = shown["Rover"]
    base = f"/projects/{project.id}/reports/crunchbase"
    assert funding["old_href"] == f"{base}?version=1#sec-company_rover"
    assert funding["new_href"] == f"{base}?version=2#sec-company_rover"
    assert funding["demo"] and funding["new_source"] == DEMO_SOURCE
    assert (funding["old_label"], funding["new_label"]) == ("v1", "v2")

    first = viewer.report_page(db, owner, project.id, "crunchbase", 1)
    assert first.changes_since == 0 and first.market_changes == []

    compared = viewer.diff(db, owner, project.id, "crunchbase", 1, 2)
    assert [c["kind"] for c in compared["market_changes"]] == ["entered", "left", "funding"]

    # Another person's project: nothing, through the same access check as the page.
    stranger = make_user(db, "Sam Stranger")
    for read in (
        lambda: viewer.report_page(db, stranger, project.id, "crunchbase"),
        lambda: viewer.diff(db, stranger, project.id, "crunchbase", 1, 2),
    ):
        with pytest.raises(PermissionDenied):
            read()
