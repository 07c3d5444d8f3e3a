"""Assistant replies that never reach a worker, or whose worker vanished mid-answer.

A reply is `pending` until a worker claims it (`assistant.run_reply`), then `streaming`. Left
alone, a lost message or a dead worker would leave the thread "thinking" forever:

- `note_enqueued` records when the reply was (re-)queued (`details["queue"]`);
- `enqueue_failed` fails it at once when the broker cannot be reached (Retry works);
- `recover_replies` (beat) re-queues a reply still pending after
  `CHAT_REPLY_QUEUED_TIMEOUT_SECONDS`, at most `CHAT_MAX_REQUEUES` times, then fails it; a
  reply streaming for longer than the task's hard time limit has no live worker and is failed.
  Each failure is stored and announced once (a late answer of a superseded delivery is
  refused by the claim check in `assistant._finish`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session, col, select

from marketnav.db import session_scope
from marketnav.models import AssistantMessage
from marketnav.models.base import utcnow
from marketnav.services import assistant, progress
from marketnav.settings import get_settings

# Past the task's hard limit, with room for the worker to have written its last answer.
STREAM_STALE_SECONDS = assistant.REPLY_TIME_LIMIT_SECONDS + 60


def note_enqueued(reply_id: int, *, requeue: bool = False) -> None:
    """Before sending the message: when it was queued and how often beat re-queued it."""
    with session_scope() as session:
        reply = session.get(AssistantMessage, reply_id)
        if reply is None:
            return
        before = (reply.details or {}).get("queue") or {}
        requeues = int(before.get("requeues", 0)) + 1 if requeue else 0
        queue = {"at": utcnow().isoformat(), "requeues": requeues}
        reply.details = {**(reply.details or {}), "queue": queue}
        session.add(reply)


def _fail(session: Session, reply: AssistantMessage, reason: str) -> dict:
    kept = {k: v for k, v in (reply.details or {}).items() if k in assistant.KEPT_DETAILS}
    reply.status, reply.details = "failed", kept | {"error": reason}
    session.add(reply)
    session.flush()
    return assistant.view(reply)


def _announce(project_id: int, message: dict) -> None:
    progress.publish(assistant.subject(project_id), {"type": "failed", "message": message})


def enqueue_failed(reply_id: int) -> dict | None:
    """Fail a still-pending reply whose message could not be sent; its view, or None."""
    with session_scope() as session:
        reply = session.get(AssistantMessage, reply_id)
        if reply is None or reply.status != "pending":
            return None
        message, project_id = _fail(session, reply, assistant.ENQUEUE_FAILED), reply.project_id
    _announce(project_id, message)
    return message


def _since(raw: object, fallback: datetime) -> datetime:
    try:
        moment = datetime.fromisoformat(raw) if isinstance(raw, str) else fallback
    except ValueError:
        moment = fallback
    return moment if moment.tzinfo else moment.replace(tzinfo=utcnow().tzinfo)


@dataclass(frozen=True)
class ReplyRecovery:
    requeue: list[int]
    failed: list[int]


def recover_replies() -> ReplyRecovery:
    """Beat: which pending replies to send again; lost and abandoned ones are failed."""
    settings = get_settings()
    now = utcnow()
    queued_limit = timedelta(seconds=settings.chat_reply_queued_timeout_seconds)
    stream_limit = timedelta(seconds=STREAM_STALE_SECONDS)
    requeue: list[int] = []
    failed: list[tuple[int, dict]] = []
    with session_scope() as session:
        rows = session.exec(
            select(AssistantMessage).where(
                AssistantMessage.role == "assistant",
                col(AssistantMessage.status).in_(("pending", "streaming")),
            )
        ).all()
        for reply in rows:
            details = reply.details or {}
            if reply.status == "streaming":
                if now - _since(details.get("claimed_at"), reply.created_at) >= stream_limit:
                    failed.append(
                        (reply.project_id, _fail(session, reply, assistant.REPLY_STOPPED))
                    )
                continue
            queue = details.get("queue") or {}
            if now - _since(queue.get("at"), reply.created_at) < queued_limit:
                continue
            if int(queue.get("requeues", 0)) >= settings.chat_max_requeues:
                failed.append((reply.project_id, _fail(session, reply, assistant.REPLY_LOST)))
            else:
                requeue.append(reply.id)
    for project_id, message in failed:
        _announce(project_id, message)
    return ReplyRecovery(requeue, [message["id"] for _, message in failed])
