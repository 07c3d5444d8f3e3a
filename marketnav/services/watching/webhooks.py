"""Webhooks: an organisation's changes posted as Slack-compatible JSON, signed with HMAC.

Owners and admins add a URL on /webhooks; its secret is shown to them only. When a new version
of a report of one of the organisation's projects completes with market changes, each active
webhook gets one delivery (`record`, in the run's completion transaction). Beat posts due
deliveries (`deliver_due`): a 2xx answer delivers it; anything else is retried with backoff
(30 s, 1, 2, 4, 8 min ...) until `MAX_ATTEMPTS`, then it is failed; every attempt's status
code and error are kept as the delivery log. A delivery is claimed with one conditional UPDATE,
so two beats never post it twice.

The body is Slack's incoming-webhook shape (`text`) plus the details under `marketnavigator`.
Headers: `X-MarketNavigator-Timestamp` (Unix seconds) and `X-MarketNavigator-Signature:
sha256=<hex HMAC-SHA256 of "{timestamp}.{body}" with the secret>`. Addresses that are not
public (`public_addresses`: private, loopback, link-local, reserved ...) are refused unless
`WEBHOOK_ALLOW_PRIVATE_HOSTS` (a webhook must not reach the deployment's own services).
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import json
import logging
import secrets
import socket
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import httpx
from sqlalchemy import update
from sqlmodel import Session, col, select

from marketnav.models import (
    Organization,
    OrganizationWebhook,
    Project,
    Report,
    ReportRun,
    User,
    WebhookDelivery,
)
from marketnav.models.base import utcnow
from marketnav.services import audit, organizations, public_addresses
from marketnav.services.errors import PermissionDenied, ValidationFailed
from marketnav.services.permissions import NOT_FOUND_MESSAGE, Action
from marketnav.services.reports.catalog import REPORT_TYPES, viewer_url
from marketnav.settings import get_settings

logger = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-MarketNavigator-Signature"
TIMESTAMP_HEADER = "X-MarketNavigator-Timestamp"
MAX_ATTEMPTS = 6
FIRST_RETRY_SECONDS = 30
LAST_RETRY_SECONDS = 3600
STALE_CLAIM = timedelta(minutes=5)
TIMEOUT_SECONDS = 10.0
LOG_ROWS = 20


# -- managing (owners and admins) ---------------------------------------------------------


def manageable_organizations(session: Session, user: User) -> list[Organization]:
    """The organisations whose webhooks `user` may manage (owners and admins)."""
    return organizations.allowing(session, user, Action.ORG_MANAGE_WEBHOOKS)


def _organization(session: Session, user: User, organization_id: int) -> Organization:
    return organizations.get(session, user, organization_id, Action.ORG_MANAGE_WEBHOOKS)


def _webhook(session: Session, user: User, webhook_id: int) -> OrganizationWebhook:
    webhook = session.get(OrganizationWebhook, webhook_id)
    if webhook is None:
        raise PermissionDenied(NOT_FOUND_MESSAGE)
    _organization(session, user, webhook.organization_id)
    return webhook


def check_url(url: str) -> str:
    """The URL, stripped, when it is an http(s) URL a webhook may post to; else ValidationFailed."""
    url = (url or "").strip()
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValidationFailed("Enter the webhook's full URL, starting with https://.")
    if len(url) > 1000:
        raise ValidationFailed("That URL is too long (1,000 characters at most).")
    if not get_settings().webhook_allow_private_hosts and _private(parts.hostname):
        raise ValidationFailed(
            "That address is in a private or local network; a webhook must be reachable on "
            "the internet."
        )
    return url


def _private(host: str) -> bool:
    try:
        infos = socket.getaddrinfo(host, None)
    except OSError:
        return False  # unknown now: the delivery fails and says so
    # One judge for every server-side connection (public_addresses), not a local subset.
    return any(not public_addresses.is_public(ipaddress.ip_address(info[4][0])) for info in infos)


def create(
    session: Session, user: User, organization_id: int, url: str, label: str = ""
) -> OrganizationWebhook:
    organization = _organization(session, user, organization_id)
    webhook = OrganizationWebhook(
        organization_id=organization.id,
        created_by=user.id,
        url=check_url(url),
        label=(label or "").strip()[:120],
        secret=secrets.token_hex(32),
    )
    session.add(webhook)
    session.flush()
    _audit(session, user, "webhook.create", webhook)
    return webhook


def delete(session: Session, user: User, webhook_id: int) -> None:
    webhook = _webhook(session, user, webhook_id)
    _audit(session, user, "webhook.delete", webhook)
    session.delete(webhook)


def set_active(session: Session, user: User, webhook_id: int, active: bool) -> None:
    webhook = _webhook(session, user, webhook_id)
    webhook.active = bool(active)
    session.add(webhook)


def send_test(session: Session, user: User, webhook_id: int) -> WebhookDelivery:
    """Queue a test post (delivered by the next look, like any other)."""
    webhook = _webhook(session, user, webhook_id)
    delivery = WebhookDelivery(
        webhook_id=webhook.id,
        payload={
            "text": "MarketNavigator test: this webhook receives the organisation's changes.",
            "marketnavigator": {"event": "test"},
        },
    )
    session.add(delivery)
    session.flush()
    return delivery


def listing(session: Session, user: User, organization_id: int) -> list[dict[str, Any]]:
    """The organisation's webhooks with their secrets and delivery logs (admins only)."""
    organization = _organization(session, user, organization_id)
    hooks = session.exec(
        select(OrganizationWebhook)
        .where(OrganizationWebhook.organization_id == organization.id)
        .order_by(col(OrganizationWebhook.id))
    ).all()
    return [_present(session, hook) for hook in hooks]


def _present(session: Session, hook: OrganizationWebhook) -> dict[str, Any]:
    rows = session.exec(
        select(WebhookDelivery)
        .where(WebhookDelivery.webhook_id == hook.id)
        .order_by(col(WebhookDelivery.id).desc())
        .limit(LOG_ROWS)
    ).all()
    return {
        "id": hook.id,
        "label": hook.label or urlsplit(hook.url).hostname or hook.url,
        "url": hook.url,
        "secret": hook.secret,
        "active": hook.active,
        "deliveries": [
            {
                "id": d.id,
                "what": str((d.payload.get("marketnavigator") or {}).get("title") or "Test post"),
                "status": d.status if not d.status.startswith("sending:") else "sending",
                "attempts": d.attempts,
                "code": "" if d.last_status_code is None else str(d.last_status_code),
                "error": d.last_error,
                "at": (d.delivered_at or d.created_at).strftime("%Y-%m-%d %H:%M UTC"),
            }
            for d in rows
        ],
    }


def _audit(session: Session, user: User, action: str, webhook: OrganizationWebhook) -> None:
    audit.record(
        session,
        action,
        user_id=user.id,
        organization_id=webhook.organization_id,
        resource_type="webhook",
        resource_id=webhook.id,
        url=webhook.url,
    )


# -- telling (the run's completion) --------------------------------------------------------


def record(session: Session, run: ReportRun) -> list[int]:
    """One delivery for each active webhook of the run's organisation (when it has changes)."""
    stored = (run.data or {}).get("market_changes") or {}
    if not stored.get("changes"):
        return []
    report = session.get(Report, run.report_id)
    project = session.get(Project, report.project_id) if report else None
    if report is None or project is None:
        return []
    hooks = session.exec(
        select(OrganizationWebhook).where(
            OrganizationWebhook.organization_id == project.organization_id,
            col(OrganizationWebhook.active).is_(True),
        )
    ).all()
    ids = []
    for hook in hooks:
        exists = session.exec(
            select(WebhookDelivery.id).where(
                WebhookDelivery.webhook_id == hook.id, WebhookDelivery.run_id == run.id
            )
        ).first()
        if exists is not None:
            continue
        delivery = WebhookDelivery(
            webhook_id=hook.id, run_id=run.id, payload=payload(project, report, run, stored)
        )
        session.add(delivery)
        session.flush()
        ids.append(delivery.id)
    return ids


def payload(
    project: Project, report: Report, run: ReportRun, stored: dict[str, Any]
) -> dict[str, Any]:
    """Slack's `text`, and every change with its evidence links under `marketnavigator`."""
    base = get_settings().app_url.rstrip("/")
    spec = REPORT_TYPES.get(report.report_type)
    label = spec.label if spec else report.report_type
    title = f"{project.name} · {label} v{run.version}"
    link = base + viewer_url(project.id, report.report_type, run.version, "market-changes")
    changes = list(stored.get("changes") or [])
    lines = [
        f"• {c.get('text', '')}"
        + (" (demo data)" if any((c.get(s) or {}).get("demo") for s in ("old", "new")) else "")
        for c in changes[:10]
    ]
    if len(changes) > 10:
        lines.append(f"… and {len(changes) - 10} more")
    return {
        "text": f"*{title}*: {stored.get('summary', '')} (since v{stored.get('since')})\n"
        + "\n".join(lines)
        + f"\n<{link}|Open the changes>",
        "marketnavigator": {
            "event": "market_changes",
            "title": title,
            "project": {"id": project.id, "name": project.name},
            "report_type": report.report_type,
            "version": run.version,
            "since_version": stored.get("since"),
            "summary": stored.get("summary", ""),
            "url": link,
            "changes": changes,
        },
    }


# -- delivering (beat) --------------------------------------------------------------------


def signature(secret: str, timestamp: str, body: bytes) -> str:
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def backoff(attempts: int) -> timedelta:
    """The wait before attempt `attempts + 1` (30 s, doubling, at most an hour)."""
    return timedelta(seconds=min(LAST_RETRY_SECONDS, FIRST_RETRY_SECONDS * 2 ** (attempts - 1)))


@dataclass
class DeliveryRun:
    delivered: int = 0
    retrying: int = 0
    failed: int = 0


def deliver_due(
    session_factory: Callable[[], Session],
    *,
    now: datetime | None = None,
    client: httpx.Client | None = None,
) -> DeliveryRun:
    """Post every due delivery this process wins the claim of."""
    now = now or utcnow()
    result = DeliveryRun()
    with session_factory() as session:
        session.execute(  # a claim whose process died: due again
            update(WebhookDelivery)
            .where(
                col(WebhookDelivery.status).startswith("sending:"),
                col(WebhookDelivery.next_attempt_at) < now - STALE_CLAIM,
            )
            .values(status="pending")
        )
        due = session.exec(
            select(WebhookDelivery.id)
            .where(
                WebhookDelivery.status == "pending",
                col(WebhookDelivery.next_attempt_at) <= now,
            )
            .order_by(col(WebhookDelivery.next_attempt_at))
            .limit(200)
        ).all()
    own_client = client is None
    client = client or httpx.Client(timeout=TIMEOUT_SECONDS, follow_redirects=False)
    try:
        for delivery_id in due:
            outcome = _deliver_one(session_factory, client, delivery_id, now)
            if outcome:
                setattr(result, outcome, getattr(result, outcome) + 1)
    finally:
        if own_client:
            client.close()
    return result


def _deliver_one(
    session_factory: Callable[[], Session], client: httpx.Client, delivery_id: int, now: datetime
) -> str:
    claim = f"sending:{uuid.uuid4().hex}"
    with session_factory() as session:
        taken = session.execute(
            update(WebhookDelivery)
            .where(col(WebhookDelivery.id) == delivery_id, WebhookDelivery.status == "pending")
            .values(status=claim, next_attempt_at=now)
        ).rowcount
        if not taken:
            return ""  # another process has it
        delivery = session.get(WebhookDelivery, delivery_id)
        hook = session.get(OrganizationWebhook, delivery.webhook_id)
        url, secret, active = hook.url, hook.secret, hook.active
        body = json.dumps(delivery.payload, separators=(",", ":")).encode()
    code, error = None, ""
    if not active:
        error = "the webhook is switched off"
    else:
        timestamp = str(int(time.time()))
        try:
            check_url(url)  # the address may have moved into a private network since
            response = client.post(
                url,
                content=body,
                headers={
                    "Content-Type": "application/json",
                    "User-Agent": "MarketNavigator-Webhook/1",
                    TIMESTAMP_HEADER: timestamp,
                    SIGNATURE_HEADER: signature(secret, timestamp, body),
                },
            )
            code = response.status_code
            if not 200 <= code < 300:
                error = f"HTTP {code}: {response.text[:200]}"
        except ValidationFailed as err:
            error = str(err)
        except httpx.HTTPError as err:
            error = f"{type(err).__name__}: {err}"[:300]
    with session_factory() as session:
        delivery = session.get(WebhookDelivery, delivery_id)
        delivery.attempts += 1
        delivery.last_status_code, delivery.last_error = code, error[:500]
        if not error:
            delivery.status, delivery.delivered_at = "delivered", utcnow()
            outcome = "delivered"
        elif delivery.attempts >= MAX_ATTEMPTS:
            delivery.status = "failed"
            outcome = "failed"
        else:
            delivery.status = "pending"
            delivery.next_attempt_at = now + backoff(delivery.attempts)
            outcome = "retrying"
        session.add(delivery)
    if error:
        logger.warning("webhook delivery %s: %s (attempt %s)", delivery_id, error, outcome)
    return outcome
