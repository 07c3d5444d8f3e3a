"""The Celery app: queues `default`, `reports` and `ai`, and the beat schedule."""

from __future__ import annotations

import logging

from celery import Celery
from celery.signals import worker_init
from kombu import Queue
from kombu.transport import sqlalchemy as kombu_sqlalchemy

from marketnav.settings import get_settings

settings = get_settings()

# The SQLite broker polls (default every 1 s). kombu 5.7 forwards `broker_transport_options`
# to create_engine, which rejects `polling_interval`, so set the transport's default instead:
# 0.1 s keeps a task's start latency low on embedded defaults.
kombu_sqlalchemy.Transport.polling_interval = 0.1

app = Celery("marketnav", broker=settings.celery_broker_url, backend=settings.celery_result_backend)
app.conf.update(
    task_serializer="json",
    result_serializer="json",
    accept_content=["json"],
    timezone="UTC",
    task_queues=(Queue("default"), Queue("reports"), Queue("ai")),
    task_default_queue="default",
    task_routes={
        "tasks.reports.recover_stalled": {"queue": "default"},
        "tasks.chat.recover_replies": {"queue": "default"},
        "tasks.imports.*": {"queue": "default"},
        "tasks.watching.*": {"queue": "default"},
        "tasks.reports.*": {"queue": "reports"},
        "tasks.chat.*": {"queue": "ai"},
    },
    task_acks_late=True,
    worker_prefetch_multiplier=1,
    task_track_started=True,
    result_expires=3600,
    broker_connection_retry_on_startup=True,
    beat_schedule={
        "system-check": {
            "task": "tasks.maintenance.system_check",
            "schedule": float(settings.system_check_interval_seconds),
        },
        "prune-old-records": {"task": "tasks.maintenance.prune_old_records", "schedule": 3600.0},
        "recover-stalled-reports": {"task": "tasks.reports.recover_stalled", "schedule": 60.0},
        "recover-lost-replies": {"task": "tasks.chat.recover_replies", "schedule": 60.0},
        "retry-data-deletions": {"task": "tasks.imports.retry_data_deletions", "schedule": 300.0},
        "send-digests": {
            "task": "tasks.watching.send_digests",
            "schedule": float(settings.digest_interval_seconds),
        },
        "check-followed-companies": {
            "task": "tasks.watching.check_companies",
            "schedule": float(settings.company_check_interval_seconds),
        },
        "deliver-webhooks": {
            "task": "tasks.watching.deliver_webhooks",
            "schedule": float(settings.webhook_interval_seconds),
        },
    },
    beat_schedule_filename=str(settings.var_dir / "celerybeat-schedule"),
    # The fixed entries above, plus the market watches read from the database at each look.
    beat_scheduler="tasks.watch_scheduler:WatchScheduler",
    include=["tasks.maintenance", "tasks.chat", "tasks.reports", "tasks.imports", "tasks.watching"],
)

if settings.redis_url:
    # Queues, unacked messages, results and control channels carry the deployment's prefix, so
    # two deployments on one Redis server never take each other's tasks (docs/reliability.md).
    for _option in ("broker_transport_options", "result_backend_transport_options"):
        app.conf[_option] = {
            **(app.conf.get(_option) or {}),
            "global_keyprefix": settings.redis_key_prefix,
        }
    # An unacknowledged run is redelivered after the visibility timeout (Redis default: 1 h).
    # It must outlast a run's deadline, or a long live run gets a second copy while it still
    # runs (the fence in `runs.fenced_run` would stop that copy, but it should not start).
    app.conf.broker_transport_options["visibility_timeout"] = (
        settings.report_deadline_minutes * 60 + 15 * 60
    )


@worker_init.connect
def _create_bucket_at_start(**_kwargs) -> None:
    """Make the object-store bucket when a worker starts, not at the first report (#16)."""
    from marketnav.services.storage import get_storage

    try:
        get_storage()  # S3Storage creates a missing bucket; a local directory is made
    except Exception as err:  # the store is down: reports retry it when they write
        logging.getLogger(__name__).warning("object storage not ready at start: %s", err)
