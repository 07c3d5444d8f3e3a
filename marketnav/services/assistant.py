"""The project assistant: a shared thread per project, replies streamed by a worker.

The page posts a message (`post`), a Celery task on the `ai` queue runs `run_reply`, which
streams the answer from the AI layer and publishes it on the progress bus under
`chat:<project id>`: `message`, `delta`, `reset`, `auto_fill`, `done`, `failed`, `cleared`.
Every open page of the project listens there, so all members see the same thread live.
"""

from __future__ import annotations

import logging
import uuid
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete
from sqlmodel import Session, col, select

from marketnav.db import session_scope
from marketnav.models import AssistantMessage, Project, User
from marketnav.models.base import utcnow
from marketnav.services import audit, progress, project_inputs, projects
from marketnav.services.ai import (
    ChatEvent,
    ChatMessage,
    ChatRequest,
    ProjectInputsData,
    list_modes,
    stream_chat,
)
from marketnav.services.ai.modes import link_citations
from marketnav.services.ai.records import CallContext
from marketnav.services.errors import PermissionDenied, ValidationFailed
from marketnav.services.markdown_render import to_safe_html
from marketnav.services.permissions import Action, authorize
from marketnav.services.reports import research

logger = logging.getLogger(__name__)

MAX_MESSAGE_LENGTH = 4000
PAGE_SIZE = 30
HISTORY_LIMIT = 20
# Reply details that outlive a retry (which report page the question came from).
KEPT_DETAILS = ("open_report", "open_report_label")
# The `ai` queue task's hard time limit: a reply claimed longer ago has no live delivery.
REPLY_TIME_LIMIT_SECONDS = 660
ENQUEUE_FAILED = "Could not reach the queue, so the assistant did not get this message. Retry."
REPLY_LOST = "The reply was lost on its way to the assistant (no worker answered). Retry."
REPLY_STOPPED = "The assistant stopped before finishing this reply. Retry."


def subject(project_id: int) -> str:
    """The progress-bus subject of a project's thread."""
    return f"chat:{project_id}"


def view(message: AssistantMessage, author: str = "") -> dict[str, Any]:
    """What the page shows of a message (text already rendered to safe HTML)."""
    details = message.details or {}
    sources = _sources(details.get("citations", []))
    return {
        "id": message.id,
        "role": message.role,
        "author": author if message.role == "user" else "Assistant",
        "html": to_safe_html(link_citations(message.content, sources)),
        "status": message.status,
        "modes": ", ".join(message.active_modes),
        "label": details.get("label", ""),
        "offline": bool(details.get("offline")),
        "error": details.get("error", ""),
        "fills": [f"{f['label']} · {f['confidence']:.0%}" for f in details.get("fills", [])],
        "fill_basis": [
            f"{f['label']} ({f['confidence']:.0%}): {'; '.join(f['basis'])}"
            for f in details.get("fills", [])
        ],
        "sources": sources,
        "context": details.get("open_report_label", ""),
        "time": message.created_at.strftime("%H:%M"),
    }


def _sources(kept: list[Any]) -> list[dict[str, str]]:
    """A reply's Sources entries, numbered; replies stored before links keep their text."""
    sources = []
    for number, item in enumerate(kept, 1):
        entry = item if isinstance(item, dict) else {"marker": str(item), "text": str(item)}
        sources.append(
            {
                "number": str(number),
                "marker": str(entry.get("marker", "")),
                "text": str(entry.get("text", "")),
                "href": str(entry.get("href", "")),
            }
        )
    return sources


def mode_choices() -> list[dict[str, str]]:
    return [
        {"id": m.id, "name": m.name, "description": m.description, "icon": m.icon}
        for m in list_modes()
        if m.enabled
    ]


def post(
    session: Session,
    user: User,
    project_id: int,
    text: str,
    modes: list[str],
    open_report: tuple[str, int] | None = None,
) -> tuple[AssistantMessage, AssistantMessage]:
    """Store the user's message and a pending reply; the caller enqueues the reply task.

    `open_report` = (report type, version) when the user writes from a report's page.
    """
    project, _ = projects.get(session, user, project_id, Action.CHAT_SEND)
    text = text.strip()
    if not text:
        raise ValidationFailed("Type a message first.")
    if len(text) > MAX_MESSAGE_LENGTH:
        raise ValidationFailed(f"Messages are limited to {MAX_MESSAGE_LENGTH} characters.")
    known = {m["id"] for m in mode_choices()}
    modes = [m for m in dict.fromkeys(modes) if m in known]
    if "editing" in modes:
        authorize(session, user, Action.PROJECT_EDIT, project)
    question = AssistantMessage(
        project_id=project.id, user_id=user.id, role="user", content=text, active_modes=modes
    )
    session.add(question)
    session.flush()
    reply = AssistantMessage(
        project_id=project.id,
        role="assistant",
        status="pending",
        active_modes=modes,
        reply_to_id=question.id,
        details={"open_report": list(open_report)} if open_report else {},
    )
    session.add(reply)
    session.flush()
    return question, reply


def thread(
    session: Session, user: User, project_id: int, before_id: int | None = None
) -> tuple[list[dict[str, Any]], bool]:
    """The latest page of messages (oldest first) before `before_id`, and whether more exist."""
    projects.get(session, user, project_id)
    query = (
        select(AssistantMessage, User.name)
        .join(User, col(User.id) == col(AssistantMessage.user_id), isouter=True)
        .where(AssistantMessage.project_id == project_id)
    )
    if before_id:
        query = query.where(col(AssistantMessage.id) < before_id)
    rows = session.exec(query.order_by(col(AssistantMessage.id).desc()).limit(PAGE_SIZE + 1)).all()
    has_more = len(rows) > PAGE_SIZE
    return [view(m, name or "") for m, name in reversed(rows[:PAGE_SIZE])], has_more


def clear(session: Session, user: User, project_id: int) -> None:
    project, _ = projects.get(session, user, project_id, Action.CHAT_CLEAR)
    session.exec(delete(AssistantMessage).where(col(AssistantMessage.project_id) == project_id))
    audit.record(
        session,
        "chat.clear",
        user_id=user.id,
        organization_id=project.organization_id,
        resource_type="project",
        resource_id=project_id,
    )


def retry(session: Session, user: User, message_id: int) -> AssistantMessage:
    """Put a failed reply back in the queue."""
    reply = session.get(AssistantMessage, message_id)
    if reply is None or reply.role != "assistant":
        raise PermissionDenied("That message does not exist.")
    projects.get(session, user, reply.project_id, Action.CHAT_SEND)
    if reply.status != "failed":
        raise ValidationFailed("Only a failed reply can be retried.")
    kept = {k: v for k, v in reply.details.items() if k in KEPT_DETAILS}
    reply.status, reply.content, reply.details = "pending", "", kept
    session.add(reply)
    return reply


def _request_for(session: Session, reply: AssistantMessage) -> tuple[ChatRequest, Project, int]:
    project = session.get(Project, reply.project_id)
    question = session.get(AssistantMessage, reply.reply_to_id) if reply.reply_to_id else None
    if project is None or question is None:
        raise ValidationFailed("The message this reply answers is gone.")
    earlier = session.exec(
        select(AssistantMessage)
        .where(
            AssistantMessage.project_id == project.id,
            col(AssistantMessage.id) < question.id,
            AssistantMessage.status == "done",
            AssistantMessage.content != "",
        )
        .order_by(col(AssistantMessage.id).desc())
        .limit(HISTORY_LIMIT)
    ).all()
    inputs = projects.get_inputs(session, project)
    opened = reply.details.get("open_report")
    sections, open_label = [], ""
    if "research" in reply.active_modes or opened:
        sections, open_label = research.context_sections(
            session, project.id, (opened[0], int(opened[1])) if opened else None
        )
        # Remember which version "latest" meant when this reply was written.
        reply.details = {**reply.details, "open_report_label": open_label}
        session.add(reply)
    request = ChatRequest(
        message=question.content,
        history=[ChatMessage(role=m.role, content=m.content) for m in reversed(earlier)],
        inputs=ProjectInputsData(**project_inputs.as_dict(inputs)),
        active_modes=list(reply.active_modes),
        sections=sections,
        open_report=open_label,
        context=CallContext(
            subject_type="project",
            subject_id=str(project.id),
            organization_id=project.organization_id,
        ),
    )
    return request, project, question.user_id


def _apply_fill(project_id: int, user_id: int | None, event: ChatEvent) -> dict[str, Any]:
    """Save validated values from a fill_project_inputs call as the asking user."""
    fill = event.fill
    if fill is None or not fill.fields:
        return {"saved": {}, "rejected": fill.rejected if fill else {}}
    with session_scope() as session:
        user = session.get(User, user_id) if user_id else None
        project, _ = projects.get(session, user, project_id, Action.PROJECT_EDIT)
        inputs = projects.get_inputs(session, project)
        changed = project_inputs.apply(
            session,
            inputs,
            fill.values(),
            user,
            ai_confidence={f.key: f.confidence.score for f in fill.fields},
        )
        audit.record(
            session,
            "inputs.ai_fill",
            user_id=user_id,
            organization_id=project.organization_id,
            resource_type="project",
            resource_id=project_id,
            fields=",".join(changed),
        )
        completion = inputs.completion_status
    progress.publish(
        subject(project_id),
        {
            "type": "auto_fill",
            "fields": [
                {"key": f.key, "value": f.value, "confidence": f.confidence.score}
                for f in fill.fields
                if f.key in changed
            ],
            "completion_status": completion,
        },
    )
    return {
        "saved": {k: v for k, v in fill.values().items() if k in changed},
        "rejected": fill.rejected,
    }


def _claimed_recently(reply: AssistantMessage) -> bool:
    """A live delivery may still be streaming this reply (its task's time limit not yet up)."""
    raw = (reply.details or {}).get("claimed_at")
    try:
        claimed = datetime.fromisoformat(raw) if raw else None
    except (TypeError, ValueError):
        claimed = None
    return claimed is not None and utcnow() - claimed < timedelta(seconds=REPLY_TIME_LIMIT_SECONDS)


def run_reply(reply_id: int) -> str:
    """Stream the answer to a pending reply (called by the `ai` queue task); returns its status.

    Each delivery claims the reply with a token of its own; a second delivery while the first
    may still stream is skipped, and only the claim holder's answer is stored and announced,
    so a reply delivered twice is answered (or failed) once.
    """
    claim = uuid.uuid4().hex
    with session_scope() as session:
        reply = session.get(AssistantMessage, reply_id, with_for_update=True)
        if reply is None or reply.status not in ("pending", "streaming"):
            return "skipped"  # cleared, or already answered by an earlier delivery
        if reply.status == "streaming" and _claimed_recently(reply):
            return "skipped"  # another delivery is streaming it
        request, project, asker_id = _request_for(session, reply)
        project_id = project.id
        reply.status = "streaming"
        reply.details = {**reply.details, "claim": claim, "claimed_at": utcnow().isoformat()}
        session.add(reply)
    topic = subject(project_id)
    progress.publish(topic, {"type": "start", "id": reply_id})
    fills: list[dict[str, Any]] = []

    def handle_tool(event: ChatEvent) -> dict[str, Any] | None:
        if event.fill is None:
            return None
        result = _apply_fill(project_id, asker_id, event)
        fills.extend(
            {"label": f.label, "confidence": f.confidence.score, "basis": f.confidence.basis}
            for f in event.fill.fields
            if f.key in result["saved"]
        )
        return result

    final: ChatEvent | None = None
    try:
        for event in stream_chat(request, handle_tool):
            if event.kind == "delta":
                progress.publish(topic, {"type": "delta", "id": reply_id, "text": event.text})
            elif event.kind == "reset":
                progress.publish(topic, {"type": "reset", "id": reply_id})
            elif event.kind in ("done", "error"):
                final = event
    except PermissionDenied as err:
        final = ChatEvent(kind="error", text=str(err))
    except Exception:  # a bug must not leave the reply spinning forever
        logger.exception("assistant reply %s crashed", reply_id)
        final = ChatEvent(kind="error", text="The assistant hit an internal error. Try again.")
    return _finish(reply_id, topic, final, fills, claim)


def _finish(
    reply_id: int, topic: str, final: ChatEvent | None, fills: list, claim: str | None = None
) -> str:
    with session_scope() as session:
        reply = session.get(AssistantMessage, reply_id, with_for_update=True)
        if reply is None:
            return "cleared"
        if claim is not None and (reply.details or {}).get("claim") != claim:
            return "superseded"  # beat failed it, or another delivery took it over
        if reply.status not in ("pending", "streaming"):
            return "skipped"
        kept = {k: v for k, v in reply.details.items() if k in KEPT_DETAILS}
        if final is not None and final.kind == "done":
            reply.status, reply.content = "done", final.text
            reply.details = kept | {
                "label": final.label,
                "offline": final.offline,
                "fills": fills,
                "provider": final.provider,
                "model": final.model,
                "citations": [c.source() for c in final.citations if c.known],
            }
        else:
            reply.status = "failed"
            reply.details = kept | {
                "error": final.text if final else "No answer.",
                "fills": fills,
            }
        session.add(reply)
        session.flush()
        message = view(reply)
    progress.publish(
        topic, {"type": "done" if message["status"] == "done" else "failed", "message": message}
    )
    return message["status"]
