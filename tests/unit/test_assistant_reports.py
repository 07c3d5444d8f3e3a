"""The assistant answers from completed reports: Research Mode and the open report's page."""

from __future__ import annotations

import json

import pytest

from marketnav.models import AssistantMessage
from marketnav.services import assistant
from marketnav.services.ai.chat import ChatRequest
from marketnav.services.ai.client import reset_clients
from marketnav.services.ai.modes import system_prompt
from marketnav.services.reports import research
from marketnav.settings import get_settings
from tests import ai_fixtures
from tests.conftest import clear_caches
from tests.factories import fill_inputs, make_project, make_user, run_report
from tests.support.openai_test_server import Behaviour


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
    base = f"/projects/{project.id}/reports/quick_report?version=1#sec-"
    for source in reply.details["citations"]:
        assert source["marker"].startswith("quick_report §")
        assert source["text"].startswith("Quick Report v1 · ") and "§" not in source["text"]
        assert source["href"] == base + source["marker"].split("§")[1]
    # The Sources list and the text both link to the sections in the viewer.
    shown = assistant.view(reply)
    assert [s["number"] for s in shown["sources"]] == [
        str(i) for i in range(1, len(shown["sources"]) + 1)
    ]
    first = shown["sources"][0]
    assert f'<a href="{first["href"]}" title="{first["text"]}"' in shown["html"]
    assert "[quick_report §" not in shown["html"]


def test_context_sections_link_to_the_version_they_come_from(reported):
    db, owner, project = reported
    run_report(db, owner, project)  # version 2
    sections, _ = research.context_sections(db, project.id, ("quick_report", 1))
    assert sections[0].report_label == "Quick Report v1"
    assert sections[0].link == (
        f"/projects/{project.id}/reports/quick_report?version=1#sec-{sections[0].section_key}"
    )
    latest, _ = research.context_sections(db, project.id)
    assert all("?version=2#sec-" in s.link for s in latest)


def test_replies_stored_before_links_still_show_their_sources(reported):
    db, owner, project = reported
    reply = _reply(db, owner, project, "Which regions do we target?", ["research"])
    reply.details = {**reply.details, "citations": ["quick_report §market_snapshot"]}
    shown = assistant.view(reply)
    assert shown["sources"] == [
        {
            "number": "1",
            "marker": "quick_report §market_snapshot",
            "text": "quick_report §market_snapshot",
            "href": "",
        }
    ]


def test_report_page_question_uses_that_report_without_research_mode(reported):
    db, owner, project = reported
    reply = _reply(
        db, owner, project, "What does it say about the regions?", [], ("quick_report", 0)
    )
    assert reply.status == "done"
    assert "[quick_report §" in reply.content
    shown = assistant.view(reply)
    assert shown["context"] == "Quick Report v1" and shown["sources"]
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


openai_server = ai_fixtures.openai_server


def test_model_citations_become_links_to_the_sections(reported, openai_server, monkeypatch):
    db, owner, project = reported
    openai_server.reset()
    entry = {
        "name": "alpha",
        "base_url": openai_server.base_url("alpha"),
        "api_key": "test-key-alpha",
        "model": "gpt-4o-mini",
    }
    monkeypatch.setenv("AI_EXTRA_PROVIDERS", json.dumps([entry]))
    monkeypatch.setenv("AI_ROUTE_CHAT", "alpha")
    clear_caches()
    reset_clients()
    answer = (
        "The landscape is summarised first [quick_report §strategic_overview]; "
        "another claim cites a section that does not exist [quick_report §made_up]."
    )
    openai_server.script("alpha", Behaviour(kind="content", content=answer))
    try:
        reply = _reply(db, owner, project, "Summarise the landscape", ["research"])
    finally:  # later tests run offline again
        monkeypatch.delenv("AI_EXTRA_PROVIDERS")
        monkeypatch.delenv("AI_ROUTE_CHAT")
        clear_caches()
        reset_clients()
        openai_server.reset()
    assert reply.status == "done" and reply.content == answer  # the model's text is kept
    href = f"/projects/{project.id}/reports/quick_report?version=1#sec-strategic_overview"
    assert reply.details["citations"] == [
        {
            "marker": "quick_report §strategic_overview",
            "text": "Quick Report v1 · Strategic Overview",
            "href": href,
        }
    ]
    shown = assistant.view(reply)
    assert f'<a href="{href}" title="Quick Report v1 · Strategic Overview"' in shown["html"]
    assert ">[1]</a>" in shown["html"]
    assert "[quick_report §made_up]" in shown["html"]  # an unknown section is not linked
