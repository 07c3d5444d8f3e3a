"""Assistant replies on the `ai` queue, so chat stays fast while reports run."""

from __future__ import annotations

from celery.utils.log import get_task_logger

from marketnav.services import assistant, chat_recovery
from tasks.celery_app import app

logger = get_task_logger(__name__)


def enqueue(reply_id: int, *, requeue: bool = False) -> dict | None:
    """Queue a reply (the page after `assistant.post` / `retry`; beat with `requeue`).

    When the broker cannot be reached the reply is failed at once ("could not reach the
    queue") and its new view is returned, so the page shows it and Retry works; else None.
    """
    chat_recovery.note_enqueued(reply_id, requeue=requeue)
    try:
        reply.apply_async(args=[reply_id], queue="ai")
    except Exception as err:  # broker down: kombu OperationalError, redis ConnectionError, ...
        logger.warning("assistant reply %s: could not be queued (%s)", reply_id, err)
        return None if requeue else chat_recovery.enqueue_failed(reply_id)
    return None


# acks_late + the reply's claim make a redelivered task harmless (it is skipped).
@app.task(
    name="tasks.chat.reply",
    soft_time_limit=assistant.REPLY_TIME_LIMIT_SECONDS - 60,
    time_limit=assistant.REPLY_TIME_LIMIT_SECONDS,
)
def reply(reply_id: int) -> str:
    return assistant.run_reply(reply_id)


@app.task(name="tasks.chat.recover_replies")
def recover_replies() -> dict:
    """Beat: re-queue replies whose message was lost; fail those that cannot be answered."""
    recovery = chat_recovery.recover_replies()
    for reply_id in recovery.requeue:
        enqueue(reply_id, requeue=True)
    return {"requeued": recovery.requeue, "failed": recovery.failed}
