"""Live subscriptions over a real socket: outsiders hear nothing of a project they cannot open.

An attacker does not need the UI: Reflex's websocket (Engine.IO 4 / Socket.IO 5 on `/_event`)
accepts any event name of the app with any router data. Each attacker here is a raw socket opened
from a page of the app's origin, speaking that protocol: `42["event", {name, payload,
router_data}]` out, `42["event", {delta, events}]` in (see reflex/app.py `EventNamespace`). It
sends the project page's and the report page's `load` events with the victim's project id in the
URL, then the three `listen` handlers (assistant, report cards, report viewer), while the owner
uses the project in a real browser: Editing Mode fills the inputs from a chat message (thread,
streamed reply, auto-fill events) and a Quick Report runs to completion (the progress feed).
The owner's page is the positive control: it must see all of it. The attackers, one signed out
and one signed in as a member of another organisation, must see none of it.
"""

from __future__ import annotations

import json
import uuid

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import DESKTOP, create_project, fill_inputs, new_page, sign_up

pytestmark = pytest.mark.e2e

ROOT = "reflex___state____state"
SESSION = f"{ROOT}.marketnav___state___session____session_state"
PAGE = f"{SESSION}.marketnav___state___session____page_state"
PROJECT = f"{PAGE}.marketnav___state___project____project_state"
ASSISTANT = f"{PAGE}.marketnav___state___assistant____assistant_state"
REPORTS = f"{PAGE}.marketnav___state___reports____reports_state"
VIEWER = (
    f"{PAGE}.marketnav___state___report_content____report_content_state"
    ".marketnav___state___report_viewer____report_viewer_state"
)
FIELD = "_rx_state_"

SECRET_NAME = "Quillfox"
DESCRIPTION = (
    f"We are {SECRET_NAME}, a marketplace for trusted pet sitters. Our customers are urban pet "
    "owners in Western Europe. We take a 15% commission per booking. We are at the MVP stage."
)
PROJECT_NAME = "Confidential kennels"
BUS_SECRET = "Hush-hush herders"
# The report type whose progress the test publishes itself (the owner runs a Quick Report).
BUS_REPORT = "crunchbase"

# A minimal Socket.IO client over the browser's WebSocket: handshake, ping/pong, events.
RAW_CLIENT_JS = """
async (token) => {
  const NS = "/_event";  // Reflex's Socket.IO namespace (config.get_event_namespace())
  const url = location.origin.replace(/^http/, "ws") +
    "/_event/?EIO=4&transport=websocket&token=" + encodeURIComponent(token);
  const client = { frames: [], closed: false };
  const ws = new WebSocket(url);
  client.send = (event) => ws.send("42" + NS + "," + JSON.stringify(["event", event]));
  window.__mnRaw = window.__mnRaw || {};
  window.__mnRaw[token] = client;
  await new Promise((resolve, reject) => {
    ws.onmessage = (message) => {
      const data = String(message.data);
      if (data[0] === "0") ws.send("40" + NS + ",");        // Engine.IO open: join namespace
      else if (data === "2") ws.send("3");                  // Engine.IO ping: pong
      else if (data.startsWith("40" + NS + ",")) resolve(); // namespace joined
      else if (data.startsWith("44" + NS + ",")) reject(new Error(data));
      else if (data.startsWith("42" + NS + ",")) {
        const [name, update] = JSON.parse(data.slice(3 + NS.length));
        if (name === "event") client.frames.push(update);
      }
    };
    ws.onerror = () => reject(new Error("websocket error"));
    ws.onclose = () => { client.closed = true; };
  });
  return true;
}
"""


class RawClient:
    """One Reflex client (its own client token) driven by hand from a page's JS context."""

    def __init__(self, page: Page):
        self.page, self.token = page, str(uuid.uuid4())
        assert page.evaluate(RAW_CLIENT_JS, self.token)

    def send(self, name: str, path: str, **payload) -> None:
        event = {
            "name": name,
            "payload": payload,
            "router_data": {"pathname": path, "asPath": path, "query": {}},
        }
        self.page.evaluate("([t, e]) => window.__mnRaw[t].send(e)", [self.token, event])

    def frames(self) -> list[dict]:
        return self.page.evaluate("(t) => window.__mnRaw[t].frames", self.token)

    def values(self, state: str, var: str) -> list:
        """Every value the server sent this client for `state.var`, in order."""
        return [
            frame["delta"][state][var + FIELD]
            for frame in self.frames()
            if var + FIELD in (frame.get("delta") or {}).get(state, {})
        ]

    def wait_for(self, state: str, var: str, predicate) -> None:
        """Readiness probe: block until a delta for `state.var` satisfies `predicate`."""
        self.page.wait_for_function(
            """([t, s, v]) => window.__mnRaw[t].frames.some(
                 f => f.delta && f.delta[s] && (v in f.delta[s]))""",
            arg=[self.token, state, var + FIELD],
        )
        assert any(predicate(v) for v in self.values(state, var)), self.values(state, var)


def _attach(client: RawClient, project_id: int) -> None:
    """Open the victim's project page and a report page over the raw socket, then subscribe."""
    project_path = f"/projects/{project_id}"
    report_path = f"{project_path}/reports/{BUS_REPORT}"
    for state in (PROJECT, REPORTS, ASSISTANT):
        client.send(f"{state}.load", project_path)
    client.send(f"{ASSISTANT}.listen", project_path)
    client.send(f"{REPORTS}.listen", project_path)
    client.send(f"{VIEWER}.load", report_path)
    client.send(f"{VIEWER}.listen", report_path)
    # Events of one client are handled in order: once this one's delta is back, every load
    # above has run and every listen has been started.
    client.send(f"{ASSISTANT}.toggle_mode", report_path, mode_id="research")
    client.wait_for(ASSISTANT, "active_modes", lambda modes: "research" in modes)


def _publish_on_the_bus(app_var_dir, monkeypatch, project_id: int) -> None:
    """Publish, as a worker would, a thread message, a streamed reply, an auto-fill and a run's
    progress for the project, on the app's own progress bus (its database)."""
    from marketnav.services import assistant, progress
    from marketnav.services.reports.tracker import subject_for_project
    from tests.conftest import clear_caches

    monkeypatch.setenv("VAR_DIR", str(app_var_dir))
    clear_caches()
    message = {
        "id": 10**9, "role": "user", "author": "Olive Owner", "html": f"<p>{BUS_SECRET}</p>",
        "status": "done", "modes": "", "label": "", "offline": False, "error": "", "fills": [],
        "fill_basis": [], "sources": [], "context": "", "time": "12:00",
    }  # fmt: skip
    chat = assistant.subject(project_id)
    progress.publish(chat, {"type": "message", "message": message})
    progress.publish(chat, {"type": "start", "id": 10**9 + 1})
    progress.publish(chat, {"type": "delta", "id": 10**9 + 1, "text": BUS_SECRET})
    fill = {"key": "target_audience", "value": BUS_SECRET, "confidence": 0.9}
    progress.publish(chat, {"type": "auto_fill", "fields": [fill], "completion_status": "partial"})
    progress.publish(
        subject_for_project(project_id),
        {
            "type": "report_progress", "report_type": BUS_REPORT, "run_id": 10**9,
            "version": 1, "status": "running", "progress": 42, "current_step": BUS_SECRET,
            "error": "", "steps": [],
        },
    )  # fmt: skip


def _leaks(client: RawClient) -> list[str]:
    """What of the victim's project reached this client (empty when nothing did)."""
    found = []
    dump = json.dumps(client.frames())
    for secret in (SECRET_NAME, BUS_SECRET, PROJECT_NAME, "Offline analysis", "PawPal"):
        if secret in dump:
            found.append(f"the text {secret!r}")
    checks = {
        "thread messages": (ASSISTANT, "messages"),
        "a streamed reply": (ASSISTANT, "streaming_text"),
        "auto-filled inputs": (PROJECT, "inputs"),
        "auto-fill highlights": (PROJECT, "ai_highlight"),
        "the viewer's run progress": (VIEWER, "active"),
        "the project id (project page)": (PROJECT, "current_id"),
        "the project id (assistant)": (ASSISTANT, "thread_project_id"),
        "the project id (report cards)": (REPORTS, "reports_project_id"),
        "the project id (viewer)": (VIEWER, "rv_project_id"),
    }
    for what, (state, var) in checks.items():
        if any(client.values(state, var)):
            found.append(what)
    for cards in client.values(REPORTS, "cards"):
        for card in cards.values():
            if card.get("run_id") or card.get("progress") or card.get("status") != "not_started":
                found.append(f"report card progress {card['type']}: {card.get('status')}")
    return sorted(set(found))


def test_outsiders_cannot_listen_to_a_project_over_the_socket(
    browser, app_url, app_var_dir, monkeypatch
):
    owner = sign_up(browser, app_url, DESKTOP, "Olive Owner").page
    project_id = int(create_project(owner, PROJECT_NAME).rstrip("/").rsplit("/", 1)[1])

    # (a) signed out: a fresh browser context on the public login page.
    anonymous_page = new_page(browser, DESKTOP)
    anonymous_page.goto(f"{app_url}/login")
    anonymous = RawClient(anonymous_page)

    # (b) signed in, but in another organisation: Eve's page holds her HttpOnly session
    # cookie, which the raw socket opened from it carries; it asks who it is to prove it.
    eve = sign_up(browser, app_url, DESKTOP, "Eve Outsider")
    outsider = RawClient(eve.page)
    outsider.send(f"{SESSION}.require_login", "/dashboard")
    outsider.wait_for(SESSION, "user_email", lambda email: email == eve.email)

    for client in (anonymous, outsider):
        _attach(client, project_id)

    # Events published on the bus for the project: the owner's open page shows each of them.
    _publish_on_the_bus(app_var_dir, monkeypatch, project_id)
    expect(owner.get_by_test_id("user-message")).to_contain_text(BUS_SECRET)
    expect(owner.get_by_test_id("value-target_audience")).to_have_text(BUS_SECRET)
    expect(owner.get_by_test_id(f"report-card-{BUS_REPORT}")).to_have_attribute(
        "data-status", "running"
    )

    # Then the owner really works on the project: a chat message in Editing Mode (thread,
    # streamed reply, auto-fill by the worker) and a Quick Report run to completion.
    owner.get_by_test_id("mode-editing").click()
    owner.get_by_test_id("chat-input").fill(DESCRIPTION)
    owner.get_by_test_id("chat-input").press("Enter")
    expect(owner.get_by_test_id("value-startup_name")).to_have_text(SECRET_NAME, timeout=30_000)
    expect(owner.get_by_test_id("assistant-message")).to_contain_text("Offline analysis")
    fill_inputs(owner)
    owner.get_by_test_id("start-quick_report").click()
    expect(owner.get_by_test_id("report-card-quick_report")).to_have_attribute(
        "data-status", "completed", timeout=60_000
    )

    assert _leaks(anonymous) == [], "the signed-out client heard the project"
    assert _leaks(outsider) == [], "the other organisation's member heard the project"
    # The outsider really was signed in (the check is about the project, not the session).
    assert outsider.values(SESSION, "user_email")[-1] == eve.email
