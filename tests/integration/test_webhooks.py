"""Webhooks against a local HTTP receiver: signed Slack-compatible posts, a failure and its retry
with backoff, giving up after the last attempt, private addresses refused, admins only."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from sqlmodel import Session, select

from marketnav.db import session_scope
from marketnav.models import WebhookDelivery
from marketnav.models.base import utcnow
from marketnav.services.errors import PermissionDenied, ValidationFailed
from marketnav.services.permissions import Role
from marketnav.services.watching import webhooks
from tests.conftest import clear_caches
from tests.factories import (
    add_member,
    make_project,
    make_user,
    personal_org_id,
    version_with_changes,
)

pytestmark = pytest.mark.integration

STORED = {
    "since": 1,
    "summary": "1 change: 1 new competitor",
    "changes": [
        {
            "kind": "entered",
            "subject": "Holidog",
            "text": "Holidog entered the competitor list: Medium threat, total funding $12M",
            "new": {"version": 2, "anchor": "sec-company_holidog", "demo": True},
        }
    ],
}


class Receiver:
    """A local HTTP endpoint answering with the next scripted status (200 once they run out)."""

    def __init__(self, statuses: list[int]) -> None:
        self.statuses, self.requests = list(statuses), []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # http.server's hook name
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.requests.append((dict(self.headers), body))
                status = receiver.statuses.pop(0) if receiver.statuses else 200
                self.send_response(status)
                self.end_headers()
                self.wfile.write(b"ok" if status < 300 else b"receiver down")

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def private_hosts(monkeypatch, isolated_settings):
    monkeypatch.setenv("WEBHOOK_ALLOW_PRIVATE_HOSTS", "true")  # the receiver is on loopback
    monkeypatch.setenv("APP_URL", "https://mn.example")
    clear_caches()


def _delivery(db: Session) -> WebhookDelivery:
    db.expire_all()
    return db.exec(select(WebhookDelivery)).one()


def test_a_signed_post_fails_is_retried_with_backoff_and_then_delivered(db, private_hosts):
    receiver = Receiver([500])
    try:
        owner = make_user(db, "Olga Owner")
        project = make_project(db, owner, "Pet care")
        hook = webhooks.create(db, owner, personal_org_id(db, owner), receiver.url, "Slack #market")
        db.commit()
        webhooks.record(db, version_with_changes(db, project, STORED["changes"]))
        db.commit()

        t0 = utcnow()
        first = webhooks.deliver_due(session_scope, now=t0)
        assert (first.delivered, first.retrying) == (0, 1)
        failed = _delivery(db)
        assert (failed.attempts, failed.last_status_code, failed.status) == (1, 500, "pending")
        assert "receiver down" in failed.last_error
        assert failed.next_attempt_at == t0 + timedelta(seconds=30)
        assert webhooks.deliver_due(session_scope, now=t0 + timedelta(seconds=10)).delivered == 0
        second = webhooks.deliver_due(session_scope, now=t0 + timedelta(seconds=31))
        assert second.delivered == 1
        done = _delivery(db)
        assert (done.status, done.attempts, done.last_status_code) == ("delivered", 2, 200)
        assert len(receiver.requests) == 2
        # Nothing left: no third post.
        assert webhooks.deliver_due(session_scope, now=t0 + timedelta(hours=1)).delivered == 0

        headers, body = receiver.requests[-1]
        timestamp = headers[webhooks.TIMESTAMP_HEADER]
        expected = hmac.new(
            hook.secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256
        ).hexdigest()
        assert headers[webhooks.SIGNATURE_HEADER] == f"sha256={expected}"
        posted = json.loads(body)
        assert posted["text"].startswith("*Pet care · Crunchbase Analysis v2*: 1 change(s)")
        assert "Holidog entered the competitor list" in posted["text"]
        assert "(demo data)" in posted["text"]
        assert posted["marketnavigator"]["url"] == (
            f"https://mn.example/projects/{project.id}/reports/crunchbase?version=2#market-changes"
        )
        (shown,) = webhooks.listing(db, owner, personal_org_id(db, owner))
        assert shown["label"] == "Slack #market" and shown["secret"] == hook.secret
        assert [(d["status"], d["code"]) for d in shown["deliveries"]] == [("delivered", "200")]
    finally:
        receiver.close()


def test_an_unreachable_receiver_is_given_up_after_the_last_attempt(db, private_hosts):
    receiver = Receiver([])
    url = receiver.url
    receiver.close()  # nothing listens there any more
    owner = make_user(db, "Olga Owner")
    project = make_project(db, owner, "Pet care")
    webhooks.create(db, owner, personal_org_id(db, owner), url)
    db.commit()
    webhooks.record(db, version_with_changes(db, project, STORED["changes"]))
    db.commit()
    now = utcnow()
    for attempt in range(1, webhooks.MAX_ATTEMPTS + 1):
        webhooks.deliver_due(session_scope, now=now)
        delivery = _delivery(db)
        assert delivery.attempts == attempt and "ConnectError" in delivery.last_error
        now = delivery.next_attempt_at
    assert delivery.status == "failed"
    assert webhooks.backoff(1) == timedelta(seconds=30)
    assert webhooks.backoff(5) == timedelta(minutes=8)
    assert webhooks.backoff(20) == timedelta(hours=1)


def test_only_admins_manage_webhooks_and_see_their_secrets(db, private_hosts):
    owner = make_user(db, "Olga Owner")
    org_id = personal_org_id(db, owner)
    member = make_user(db, "Mia Member")
    add_member(db, owner, org_id, member, Role.MEMBER)
    hook = webhooks.create(db, owner, org_id, "https://hooks.example.com/x")
    db.commit()
    for act in (
        lambda: webhooks.listing(db, member, org_id),
        lambda: webhooks.create(db, member, org_id, "https://hooks.example.com/y"),
        lambda: webhooks.delete(db, member, hook.id),
        lambda: webhooks.send_test(db, member, hook.id),
    ):
        with pytest.raises(PermissionDenied):
            act()
    with pytest.raises(ValidationFailed, match="https://"):
        webhooks.create(db, owner, org_id, "ftp://hooks.example.com/x")


def test_private_and_loopback_addresses_are_refused_by_default(db, isolated_settings):
    owner = make_user(db, "Olga Owner")
    org_id = personal_org_id(db, owner)
    for url in ("http://127.0.0.1:6379/", "http://10.0.0.5/hook", "http://localhost/hook"):
        with pytest.raises(ValidationFailed, match="private or local network"):
            webhooks.create(db, owner, org_id, url)
