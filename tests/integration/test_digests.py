"""E-mail digests through a real SMTP server (aiosmtpd on a local port): one message a person,
never twice, retried when the server is down, the outbox folder without a server, and the
signed one-click unsubscribe route."""

from __future__ import annotations

import email
import threading
from email import policy
from urllib.parse import parse_qs, urlsplit

import pytest
from aiosmtpd.controller import Controller
from sqlmodel import Session, select
from starlette.testclient import TestClient

from marketnav.db import session_scope
from marketnav.models import Notification, WatchFollower
from marketnav.services import organizations
from marketnav.services.permissions import Role
from marketnav.services.watching import digests, notifications
from marketnav.web.routes import auth_routes
from tests.conftest import clear_caches, free_port
from tests.factories import (
    add_member,
    make_project,
    make_user,
    personal_org_id,
    version_with_changes,
)
from tests.support.concurrency import at_once

pytestmark = pytest.mark.integration

CHANGES = [
    {
        "kind": "entered",
        "subject": "Holidog",
        "text": "Holidog entered the competitor list: Medium threat, total funding $12M",
        "new": {"version": 2, "anchor": "sec-company_holidog", "demo": True},
    },
    {
        "kind": "funding",
        "subject": "Rover",
        "text": "Rover: total funding raised from $310M to $410M (+$100M: a new round?)",
        "old": {"version": 1, "anchor": "sec-company_rover", "demo": False},
        "new": {"version": 2, "anchor": "sec-company_rover", "demo": False},
    },
]


class Inbox:
    """aiosmtpd handler: keeps every message it receives."""

    def __init__(self) -> None:
        self.messages: list[email.message.EmailMessage] = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):  # aiosmtpd's hook name
        with self.lock:
            self.messages.append(email.message_from_bytes(envelope.content, policy=policy.default))
        return "250 OK"


class SmtpServer:
    """A real SMTP server on a local port that can be stopped and started again."""

    def __init__(self, inbox: Inbox) -> None:
        self.inbox, self.port = inbox, free_port()
        self.controller: Controller | None = None

    def start(self) -> None:  # a stopped aiosmtpd controller cannot start again: a new one
        self.controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port)
        self.controller.start()  # returns once the server answers

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


@pytest.fixture
def smtp(monkeypatch, isolated_settings):
    inbox = Inbox()
    server = SmtpServer(inbox)
    server.start()
    monkeypatch.setenv("SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("SMTP_PORT", str(server.port))
    monkeypatch.setenv("SMTP_STARTTLS", "false")
    monkeypatch.setenv("APP_URL", "https://mn.example")
    clear_caches()
    yield inbox, server
    server.stop()


def _notified(db: Session, owner, project) -> None:
    notifications.record(db, version_with_changes(db, project, CHANGES, requested_by=owner.id))
    db.commit()


def _statuses(db: Session) -> list[str]:
    db.expire_all()
    return [n.email_status for n in db.exec(select(Notification).order_by(Notification.id))]


def test_one_digest_a_person_with_the_changes_and_an_unsubscribe_link(db, smtp):
    inbox, _ = smtp
    owner = make_user(db, "Olga Owner")
    project = make_project(db, owner, "Pet care")
    notifications.follow(db, owner, project.id)
    db.commit()
    _notified(db, owner, project)

    result = digests.send_pending(session_scope)
    assert (result.messages, result.notifications, result.failed) == (1, 1, 0)
    (message,) = inbox.messages
    assert message["To"] == "olga@example.com"
    assert message["Subject"] == ("MarketNavigator: 1 change in the market of 1 project you follow")
    text = message.get_body(("plain",)).get_content()
    assert "Pet care · Crunchbase Analysis v2 (since v1)" in text
    assert "Holidog entered the competitor list" in text and "[demo data]" in text
    assert f"https://mn.example/projects/{project.id}/reports/crunchbase?version=2" in text
    html = message.get_body(("html",)).get_content()
    assert "<em>(demo data)</em>" in html and "Rover: total funding raised" in html
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert _statuses(db) == ["sent"]
    # Nothing new: nothing sent again.
    assert digests.send_pending(session_scope).messages == 0 and len(inbox.messages) == 1

    # The link in the message unsubscribes in one request, signed; a forged one does not.
    link = message["List-Unsubscribe"].strip("<>")
    assert link.startswith("https://mn.example/_mail/unsubscribe?token=")
    token = parse_qs(urlsplit(link).query)["token"][0]
    client = TestClient(auth_routes())
    forged = client.get("/_mail/unsubscribe", params={"token": token[:-2] + "xx"})
    assert forged.status_code == 400 and "not one we sent" in forged.text
    done = client.post("/_mail/unsubscribe", params={"token": token})
    assert done.status_code == 200 and "olga@example.com will get no more" in done.text
    db.expire_all()
    assert [f.email_digest for f in db.exec(select(WatchFollower))] == [False]


def test_a_server_that_is_down_gets_the_digest_later_and_two_senders_send_it_once(db, smtp):
    inbox, server = smtp
    owner = make_user(db, "Olga Owner")
    project = make_project(db, owner, "Pet care")
    notifications.follow(db, owner, project.id)
    db.commit()
    _notified(db, owner, project)

    server.stop()
    down = digests.send_pending(session_scope)
    assert (down.messages, down.failed) == (0, 1)
    assert _statuses(db) == ["pending"]  # kept for the next run
    server.start()

    results = at_once(lambda: digests.send_pending(session_scope))
    assert sum(r.messages for r in results) == 1 and len(inbox.messages) == 1
    assert _statuses(db) == ["sent"]


def test_someone_who_left_the_organisation_gets_no_digest_of_it(db, smtp):
    inbox, _ = smtp
    owner = make_user(db, "Olga Owner")
    org_id = personal_org_id(db, owner)
    project = make_project(db, owner, "Pet care", org_id)
    member = make_user(db, "Mia Member")
    add_member(db, owner, org_id, member, Role.MEMBER)
    notifications.follow(db, member, project.id)
    db.commit()
    _notified(db, owner, project)
    organizations.remove_member(db, owner, org_id, member.id)
    db.commit()
    assert digests.send_pending(session_scope).messages == 0
    assert inbox.messages == [] and _statuses(db) == ["none"]


def test_without_an_smtp_server_the_digest_goes_to_the_outbox_folder_and_says_so(
    db, isolated_settings, tmp_path, caplog
):
    owner = make_user(db, "Olga Owner")
    project = make_project(db, owner, "Pet care")
    notifications.follow(db, owner, project.id)
    db.commit()
    _notified(db, owner, project)
    with caplog.at_level("WARNING"):
        assert digests.send_pending(session_scope).messages == 1
    (eml,) = (tmp_path / "var" / "outbox").glob("*.eml")
    assert "Holidog entered the competitor list" in eml.read_text()
    assert "no SMTP server configured" in caplog.text
