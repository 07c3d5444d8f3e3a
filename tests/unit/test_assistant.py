"""The assistant thread: posting, permissions, offline replies that fill inputs, retry, clear."""

from __future__ import annotations

import re

import pytest
from sqlmodel import select

from marketnav.models import AssistantMessage, AuditLog, ProgressEvent
from marketnav.services import assistant, projects
from marketnav.services.errors import PermissionDenied, ValidationFailed
from marketnav.services.markdown_render import to_safe_html
from marketnav.services.permissions import Role
from tests.factories import add_member, make_project, make_user, personal_org_id

DESCRIPTION = (
    "We are PawPal, a marketplace for trusted pet sitters. Our customers are urban pet owners "
    "in Western Europe. We take a 15% commission per booking. We are at the MVP stage."
)


@pytest.fixture
def setup(db):
    owner = make_user(db, "Olga Owner")
    project = make_project(db, owner, "Pets")
    return db, owner, project


def _events(db) -> list[dict]:
    return [e.payload for e in db.exec(select(ProgressEvent).order_by(ProgressEvent.id)).all()]


def test_post_validates_and_stores_question_and_pending_reply(setup):
    db, owner, project = setup
    with pytest.raises(ValidationFailed):
        assistant.post(db, owner, project.id, "   ", [])
    with pytest.raises(ValidationFailed, match="limited"):
        assistant.post(db, owner, project.id, "x" * 5000, [])
    question, reply = assistant.post(db, owner, project.id, "Hello", ["editing", "bogus"])
    db.commit()
    assert (question.role, reply.role, reply.status) == ("user", "assistant", "pending")
    assert reply.active_modes == ["editing"] and reply.reply_to_id == question.id


def test_viewer_may_read_but_not_write_and_outsider_gets_nothing(setup):
    db, owner, project = setup
    viewer, outsider = make_user(db, "Vic Viewer"), make_user(db, "Otto Outsider")
    add_member(db, owner, personal_org_id(db, owner), viewer, Role.VIEWER)
    assistant.post(db, owner, project.id, "Hello", [])
    db.commit()
    messages, _ = assistant.thread(db, viewer, project.id)
    assert [m["role"] for m in messages] == ["user", "assistant"]
    with pytest.raises(PermissionDenied):
        assistant.post(db, viewer, project.id, "Let me in", [])
    with pytest.raises(PermissionDenied):
        assistant.thread(db, outsider, project.id)
    with pytest.raises(PermissionDenied):
        assistant.clear(db, viewer, project.id)


def test_offline_reply_in_editing_mode_fills_inputs_with_markers(setup):
    db, owner, project = setup
    _, reply = assistant.post(db, owner, project.id, DESCRIPTION, ["editing"])
    db.commit()
    assert assistant.run_reply(reply.id) == "done"
    db.expire_all()
    inputs = projects.get_inputs(db, project)
    assert inputs.startup_name == "PawPal" and inputs.current_stage == "mvp"
    assert inputs.ai_generated["startup_name"] is True
    assert 0 < inputs.ai_confidence["startup_name"] < 1
    assert inputs.filled_via == "ai_chat"
    saved = db.get(AssistantMessage, reply.id)
    assert saved.status == "done" and saved.content.startswith("Offline analysis")
    assert saved.details["offline"] and saved.details["fills"]
    kinds = [e["type"] for e in _events(db)]
    assert kinds[0] == "start" and "delta" in kinds and "auto_fill" in kinds
    assert kinds[-1] == "done"
    assert db.exec(select(AuditLog).where(AuditLog.action == "inputs.ai_fill")).one()
    # A redelivered task does nothing the second time.
    assert assistant.run_reply(reply.id) == "skipped"


def test_without_editing_mode_nothing_is_written(setup):
    db, owner, project = setup
    _, reply = assistant.post(db, owner, project.id, DESCRIPTION, [])
    db.commit()
    assistant.run_reply(reply.id)
    db.expire_all()
    unchanged = projects.get_inputs(db, project)  # still the name given at creation
    assert unchanged.startup_name == project.name and unchanged.ai_generated == {}


def test_member_demoted_to_viewer_before_the_reply_cannot_fill(setup):
    db, owner, project = setup
    member = make_user(db, "Mia Member")
    org_id = personal_org_id(db, owner)
    add_member(db, owner, org_id, member, Role.MEMBER)
    _, reply = assistant.post(db, member, project.id, DESCRIPTION, ["editing"])
    db.commit()
    from marketnav.services import organizations

    organizations.change_role(db, owner, org_id, member.id, "viewer")
    db.commit()
    assert assistant.run_reply(reply.id) == "failed"
    db.expire_all()
    unchanged = projects.get_inputs(db, project)  # still the name given at creation
    assert unchanged.startup_name == project.name and unchanged.ai_generated == {}
    assert "does not allow" in db.get(AssistantMessage, reply.id).details["error"]


def test_retry_only_failed_replies_and_clear_is_audited(setup):
    db, owner, project = setup
    _, reply = assistant.post(db, owner, project.id, "Hi", [])
    db.commit()
    with pytest.raises(ValidationFailed):
        assistant.retry(db, owner, reply.id)
    reply.status = "failed"
    db.add(reply)
    db.commit()
    assert assistant.retry(db, owner, reply.id).status == "pending"
    assistant.clear(db, owner, project.id)
    db.commit()
    assert db.exec(select(AssistantMessage)).all() == []
    assert db.exec(select(AuditLog).where(AuditLog.action == "chat.clear")).one()


def test_thread_pages_latest_first_loaded(setup):
    db, owner, project = setup
    for i in range(20):
        assistant.post(db, owner, project.id, f"message {i}", [])
    db.commit()
    latest, more = assistant.thread(db, owner, project.id)
    assert more and len(latest) == assistant.PAGE_SIZE
    assert "message 19" in latest[-2]["html"]
    earlier, more = assistant.thread(db, owner, project.id, latest[0]["id"])
    assert not more and len(earlier) == 40 - assistant.PAGE_SIZE


@pytest.mark.parametrize(
    "payload",
    [
        "<script>alert(1)</script>",
        "<img src=x onerror=alert(1)>",
        "[click](javascript:alert(1))",
        "<a href='https://x' onclick='alert(1)'>x</a>",
    ],
)
def test_markdown_is_rendered_inert(payload):
    html = to_safe_html(payload)
    tags = re.findall(r"<[^>]+>", html)  # real tags; escaped text (&lt;...) is inert
    assert not any(re.match(r"<(script|img|iframe)", t) for t in tags)
    assert not any(re.search(r"\son\w+=", t) for t in tags)
    assert not any("javascript:" in t for t in tags)


def test_markdown_keeps_formatting():
    html = to_safe_html(
        "**bold** and a [link](https://example.com)\n\n| a | b |\n|---|---|\n| 1 | 2 |"
    )
    assert "<strong>bold</strong>" in html and 'rel="noopener noreferrer nofollow"' in html
    assert "<table>" in html
