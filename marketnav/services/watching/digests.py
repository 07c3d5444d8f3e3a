"""E-mail digests: one message a person for everything that changed since their last one.

Beat runs `send_pending` every `DIGEST_INTERVAL_SECONDS`. A person's pending notifications are
claimed with one conditional UPDATE (two beats never send one twice), read through the same
access rule as the bell (a project they can no longer open is left out), sent, then marked
sent; a failed send puts them back for the next run, and a claim left by a process that died
is released after `STALE_CLAIM`. Without `SMTP_HOST` the message is written to the outbox
folder as an .eml file and the log says so: the embedded default, never a silent success.

Every digest carries a signed one-click unsubscribe link (`List-Unsubscribe` and RFC 8058's
`List-Unsubscribe-Post`): it turns off the person's e-mail digests for every project they
follow; the bell keeps telling them.
"""

from __future__ import annotations

import logging
import smtplib
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from html import escape
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import quote

from sqlalchemy import update
from sqlmodel import Session, col, select

from marketnav.models import Notification, ReportRun, User, WatchFollower
from marketnav.models.base import utcnow
from marketnav.services import signing
from marketnav.services.watching import notifications
from marketnav.services.wording import plural
from marketnav.settings import get_settings

logger = logging.getLogger(__name__)

UNSUBSCRIBE_PURPOSE = "unsubscribe-digests"
UNSUBSCRIBE_ROUTE = "/_mail/unsubscribe"
STALE_CLAIM = timedelta(minutes=10)
CHANGES_PER_ITEM = 6  # change lines quoted under each new version (the link has them all)


# -- unsubscribing --------------------------------------------------------------------------


def unsubscribe_url(user_id: int) -> str:
    token = signing.sign(UNSUBSCRIBE_PURPOSE, str(user_id))
    return f"{get_settings().app_url.rstrip('/')}{UNSUBSCRIBE_ROUTE}?token={quote(token)}"


def unsubscribe(session: Session, token: str) -> User | None:
    """Turn off the e-mail digests of the token's person; None for a token we did not sign."""
    value = signing.verify(UNSUBSCRIBE_PURPOSE, token)
    user = session.get(User, int(value)) if value and value.isdigit() else None
    if user is None:
        return None
    session.execute(
        update(WatchFollower)
        .where(col(WatchFollower.user_id) == user.id)
        .values(email_digest=False)
    )
    session.execute(
        update(Notification)
        .where(col(Notification.user_id) == user.id, col(Notification.email_status) == "pending")
        .values(email_status="none")
    )
    return user


# -- sending --------------------------------------------------------------------------------


class Mailer(Protocol):
    def send(self, message: EmailMessage) -> str:
        """Deliver the message; a short description of where it went."""


class SmtpMailer:
    """The configured SMTP server (STARTTLS and login when set)."""

    def send(self, message: EmailMessage) -> str:
        settings = get_settings()
        with smtplib.SMTP(
            settings.smtp_host, settings.smtp_port, timeout=settings.smtp_timeout_seconds
        ) as smtp:
            if settings.smtp_starttls:
                smtp.starttls()
            if settings.smtp_username:
                smtp.login(settings.smtp_username, settings.smtp_password.get_secret_value())
            smtp.send_message(message)
        return f"SMTP {settings.smtp_host}:{settings.smtp_port}"


class OutboxMailer:
    """No SMTP server configured: each message becomes an .eml file in the outbox folder."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def send(self, message: EmailMessage) -> str:
        self.folder.mkdir(parents=True, exist_ok=True)
        stamp = utcnow().strftime("%Y%m%dT%H%M%S")
        path = self.folder / f"{stamp}-{uuid.uuid4().hex[:8]}.eml"
        path.write_bytes(message.as_bytes())
        logger.warning(
            "no SMTP server configured (SMTP_HOST): digest for %s written to %s",
            message["To"],
            path,
        )
        return f"outbox file {path}"


def get_mailer() -> Mailer:
    settings = get_settings()
    return SmtpMailer() if settings.smtp_host else OutboxMailer(settings.outbox_dir)


@dataclass
class DigestRun:
    messages: int = 0
    notifications: int = 0
    failed: int = 0


def send_pending(
    session_factory: Callable[[], Session],
    mailer: Mailer | None = None,
    *,
    now: datetime | None = None,
) -> DigestRun:
    """Send every person with pending notifications one digest."""
    mailer = mailer or get_mailer()
    now = now or utcnow()
    result = DigestRun()
    with session_factory() as session:
        session.execute(  # claims of a process that died: pending again
            update(Notification)
            .where(
                col(Notification.email_status).startswith("sending:"),
                col(Notification.emailed_at) < now - STALE_CLAIM,
            )
            .values(email_status="pending", emailed_at=None)
        )
        people = session.exec(
            select(Notification.user_id).where(Notification.email_status == "pending").distinct()
        ).all()
    for user_id in people:
        claim = f"sending:{uuid.uuid4().hex}"
        with session_factory() as session:
            claimed = session.execute(
                update(Notification)
                .where(
                    col(Notification.user_id) == user_id,
                    col(Notification.email_status) == "pending",
                )
                .values(email_status=claim, emailed_at=now)
            ).rowcount
        if not claimed:
            continue  # another sender has them
        with session_factory() as session:
            message, count = _compose_claimed(session, user_id, claim)
        if message is None:
            continue
        try:
            where = mailer.send(message)
        except Exception as err:  # the server is down or refused: try again next time
            logger.warning("digest for user %s not sent (%s); retried later", user_id, err)
            _set_status(session_factory, claim, "pending", None)
            result.failed += 1
            continue
        _set_status(session_factory, claim, "sent", now)
        logger.info("digest for user %s: %d notification(s), %s", user_id, count, where)
        result.messages += 1
        result.notifications += count
    return result


def _set_status(
    session_factory: Callable[[], Session], claim: str, status: str, when: datetime | None
) -> None:
    with session_factory() as session:
        session.execute(
            update(Notification)
            .where(col(Notification.email_status) == claim)
            .values(email_status=status, emailed_at=when)
        )


def _compose_claimed(session: Session, user_id: int, claim: str) -> tuple[EmailMessage | None, int]:
    """The digest of the claimed notifications the person may still see (others: no e-mail)."""
    user = session.get(User, user_id)
    rows = (
        session.exec(
            notifications.visible_to(user)
            .where(Notification.email_status == claim)
            .order_by(col(Notification.created_at))
        ).all()
        if user is not None and user.is_active
        else []
    )
    shown = {n.id for n, _ in rows}
    session.execute(  # a project they can no longer open, or a closed account: never sent
        update(Notification)
        .where(col(Notification.email_status) == claim, col(Notification.id).not_in(shown))
        .values(email_status="none")
    )
    if not rows:
        return None, 0
    items = [
        {**notifications.present(n, p), "changes": _change_lines(session, n.run_id)}
        for n, p in rows
    ]
    return compose(user, items), len(items)


def _change_lines(session: Session, run_id: int | None) -> list[dict[str, Any]]:
    run = session.get(ReportRun, run_id) if run_id is not None else None
    stored = ((run.data or {}) if run else {}).get("market_changes") or {}
    lines = []
    for change in stored.get("changes") or []:
        demo = any((change.get(side) or {}).get("demo") for side in ("old", "new"))
        lines.append({"text": str(change.get("text") or ""), "demo": demo})
    return lines


def compose(user: User, items: list[dict[str, Any]]) -> EmailMessage:
    """One digest: per new version, its summary, its first changes and a link to all of them."""
    settings = get_settings()
    base = settings.app_url.rstrip("/")
    projects_named = {i["project_name"] for i in items}
    message = EmailMessage()
    message["Subject"] = (
        f"MarketNavigator: {plural(len(items), 'change')} in the market of "
        f"{plural(len(projects_named), 'project')} you follow"
    )
    message["From"] = settings.mail_from
    message["To"] = user.email
    unsubscribe = unsubscribe_url(user.id)
    message["List-Unsubscribe"] = f"<{unsubscribe}>"
    message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"

    text = [f"Hello {user.name},", "", "What changed in the projects you follow:", ""]
    html = [f"<p>Hello {escape(user.name)},</p><p>What changed in the projects you follow:</p>"]
    for item in items:
        title = f"{item['project_name']} · {item['title']}"
        link = base + item["href"]
        lines = item["changes"][:CHANGES_PER_ITEM]
        more = len(item["changes"]) - len(lines)
        text += [title, f"  {item['summary']}"]
        text += [f"  - {c['text']}{' [demo data]' if c['demo'] else ''}" for c in lines]
        text += [f"  ... and {more} more"] if more > 0 else []
        text += [f"  {link}", ""]
        html.append(
            f'<h3><a href="{escape(link)}">{escape(title)}</a></h3><p>{escape(item["summary"])}</p>'
        )
        html.append(
            "<ul>"
            + "".join(
                f"<li>{escape(c['text'])}{' <em>(demo data)</em>' if c['demo'] else ''}</li>"
                for c in lines
            )
            + (f"<li>… and {more} more</li>" if more > 0 else "")
            + "</ul>"
        )
    footer = (
        "You follow these projects on MarketNavigator. Stop these e-mails (the bell keeps "
        "telling you): "
    )
    text += ["--", footer + unsubscribe]
    html.append(f'<hr><p><small>{escape(footer)}<a href="{escape(unsubscribe)}">unsubscribe</a>'
                "</small></p>")  # fmt: skip
    message.set_content("\n".join(text))
    message.add_alternative("".join(html), subtype="html")
    return message
