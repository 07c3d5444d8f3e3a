"""Assistant replies on the `ai` queue, so chat stays fast while reports run."""

from __future__ import annotations

from marketnav.services import assistant
from tasks.celery_app import app


# acks_late + the reply's own status make a redelivered task harmless (it is skipped).
@app.task(name="tasks.chat.reply", soft_time_limit=600, time_limit=660)
def reply(reply_id: int) -> str:
    return assistant.run_reply(reply_id)
