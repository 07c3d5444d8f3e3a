"""The assistant answers from completed reports: Research Mode and the open report's page."""

from __future__ import annotations

import pytest

from marketnav.models import AssistantMessage
from marketnav.services import assistant
from marketnav.services.ai.chat import ChatRequest
from marketnav.services.ai.modes import system_prompt
from marketnav.services.reports import research
from marketnav.settings import get_settings
from tests.conftest import clear_caches
from tests.factories import fill_inputs, make_project, make_user, run_report


@pytest.fixture
def reported(db, monkeypatch):
    # No market-data service: the quick report runs on the inputs alone (fast, offline AI).
    monkeypatch.setenv("CRUNCHBASE_API_URL", "http://127.0.0.1:9")
    clear_caches()
    assert get_settings().crunchbase_api_url.endswith(":9")
    owner = make_user(db, "Olga Owner")
    project = make_project(db, owner, "Pets")
    fill_inputs(db, owner, project)
    run_report(db, owner, project)
    return db, owner, project


def _reply(db, owner, project, text, modes, open_report=None) -> AssistantMessage:
    _, reply = assistant.post(db, owner, project.id, text, modes, open_report)
    db.commit()
    assistant.run_reply(reply.id)
    db.expire_all()
    return db.get(AssistantMessage, reply.id)


def test_context_sections_put_the_open_report_first(reported):
    db, _, project = reported
    sections, label = research.context_sections(db, project.id, ("quick_report", 1))
    assert label == "Quick Report v1"
    assert sections and all(s.report_type == "quick_report" for s in sections)
    assert {s.section_key for s in sections} >= {"strategic_overview", "market_snapshot"}
    # An unknown version of the open report gives no label (and the latest sections).
    _, label = research.context_sections(db, project.id, ("quick_report", 7))
    assert label == ""


def test_research_mode_answers_with_citations_to_report_sections(reported):
    db, owner, project = reported
    reply = _reply(db, owner, project, "Which regions and time range do we target?", ["research"])
    assert reply.status == "done"
    assert "[quick_report §" in reply.content
    assert reply.details["citations"], reply.details
    assert all(c.startswith("quick_report §") for c in reply.details["citations"])


def test_report_page_question_uses_that_report_without_research_mode(reported):
    db, owner, project = reported
    reply = _reply(
        db, owner, project, "What does it say about the regions?", [], ("quick_report", 0)
    )
    assert reply.status == "done"
    assert "[quick_report §" in reply.content
    shown = assistant.view(reply)
    assert shown["context"] == "Quick Report v1" and shown["citations"]
    # Without a report open and without Research Mode, no report text is used.
    plain = _reply(db, owner, project, "What does it say about the regions?", [])
    assert "§" not in plain.content


def test_system_prompt_names_the_open_report_and_includes_its_sections(reported):
    db, _, project = reported
    sections, label = research.context_sections(db, project.id, ("quick_report", 0))
    request = ChatRequest(message="hi", sections=sections, open_report=label)
    prompt, _ = system_prompt(request.inputs, [], request.sections, request.open_report)
    assert "reading the Quick Report v1 report" in prompt
    assert "[quick_report §strategic_overview]" in prompt
    prompt_without, _ = system_prompt(request.inputs, [], request.sections, "")
    assert "REPORT SECTIONS" not in prompt_without
