"""Live state on the production-like stack (#16): reloads during a run, two tabs, progress order.

The app runs as `make run` runs it, with PostgreSQL, Redis (broker, Reflex state, sessions,
progress bus), S3 on moto and two backend workers (`tests/support/live_stack.py`); report runs
go through the real Celery worker, against the OpenAI-compatible test server (each AI call
takes a moment, so a run lasts long enough to reload during it).

The stalls of #16 were the tab's state lock left held by a listener cancelled mid-acquisition;
the page then loaded only when the lock expired. The stack runs with a lock expiry of 120 s
(`REFLEX_REDIS_LOCK_EXPIRATION`), far beyond the test's patience: a leaked or long-held lock
makes a reload show an empty shell, and the content assertions below fail. No assertion is a
time bound; times are in `bench/bench_live_progress.py`.

    flock /tmp/e2e.lock .venv/bin/python -m pytest tests/e2e/test_live_stack.py -x
"""

from __future__ import annotations

import itertools
import re

import pytest
import redis
from playwright.sync_api import expect

from tests.e2e.conftest import ANSWERS, DESKTOP, create_project, fill_inputs, new_page, sign_up
from tests.support.live_stack import live_stack, record_progress, recorded

# Own stack (own port, own frontend build): `make test` runs these after the other e2e tests.
pytestmark = [pytest.mark.e2e, pytest.mark.own_stack]

REPORT = "crunchbase"
RELOADS = 8


@pytest.fixture(scope="module")
def live(tmp_path_factory):
    extra = {"REPORT_FAN_OUT": "2", "REFLEX_REDIS_LOCK_EXPIRATION": "120000"}
    with live_stack(
        tmp_path_factory.mktemp("live"), web_workers=2, ai_delay=0.5, extra_env=extra
    ) as stack:
        yield stack


def _start(page, report_type: str = REPORT) -> None:
    page.get_by_test_id(f"start-{report_type}").click()
    expect(page.get_by_test_id(f"report-card-{report_type}")).to_have_attribute(
        "data-status", "running"
    )


def _assert_page_content(page, name: str) -> None:
    """What the stalled shell lacked: the project's name, its inputs, the running card."""
    expect(page.get_by_test_id("project-name")).to_have_text(name)
    expect(page.get_by_test_id("value-startup_name")).to_have_text(ANSWERS["startup_name"])
    expect(page.get_by_test_id("value-business_model")).to_have_text(ANSWERS["business_model"])


def _non_decreasing(values: list[float]) -> bool:
    return all(a <= b for a, b in itertools.pairwise(values))


def test_reloads_during_a_run_show_the_project_at_once(browser, live):
    person = sign_up(browser, live.url, DESKTOP, "Rhea Reload")
    page = person.page
    create_project(page, "Reload pets")
    fill_inputs(page)
    _start(page)
    card = page.get_by_test_id(f"report-card-{REPORT}")
    state = redis.Redis.from_url(_state_redis_url(live))
    during = 0
    for _ in range(RELOADS):
        page.reload()
        _assert_page_content(page, "Reload pets")
        # The card shows the run as it is: still going, or just finished during this reload
        # (a run lasts about as long as the reloads; which one it ends in is not the point).
        expect(card).to_have_attribute("data-status", re.compile("^(running|completed)$"))
        if card.get_attribute("data-status") == "completed":
            break
        during += 1
    assert during >= 2, "the run ended before the page was reloaded during it twice"
    # Nothing left a lock behind: every `<token>_lock` key belongs to a section still running
    # or to a worker's lease it gives up when asked (a leaked one would stay for 120 s).
    expect(card).to_have_attribute("data-status", "completed", timeout=120_000)
    _wait_no_locks(state)
    page.reload()
    _assert_page_content(page, "Reload pets")
    expect(card).to_have_attribute("data-status", "completed")
    _assert_no_raw_session_token(state, page)
    state.close()


def _assert_no_raw_session_token(state: redis.Redis, page) -> None:
    """Reflex stores each tab's state, its router headers included, in Redis: the session
    cookie must be there only as its digest (#16), never as the token a browser presents."""
    from marketnav.services.sessions import tagged_digest

    raw = next(c["value"] for c in page.context.cookies() if c["name"] == "mn_session")
    stored = [
        value
        for name in state.scan_iter()
        if state.type(name) == b"string" and (value := state.get(name)) is not None
    ]
    assert stored, "no Reflex state in Redis"
    assert not any(raw.encode() in value for value in stored)
    assert any(tagged_digest(raw).encode() in value for value in stored)


def test_two_tabs_see_every_run_to_the_end_in_order(browser, live):
    first = sign_up(browser, live.url, DESKTOP, "Tess Tabs").page
    url = create_project(first, "Two live tabs")
    fill_inputs(first)
    second = new_page(browser, DESKTOP)
    second.context.add_cookies(first.context.cookies())
    second.goto(url)
    expect(second.get_by_test_id("project-name")).to_have_text("Two live tabs")
    for page in (first, second):
        record_progress(page, REPORT)
    _start(first)
    for page in (first, second):
        expect(page.get_by_test_id(f"report-card-{REPORT}")).to_have_attribute(
            "data-status", "completed", timeout=120_000
        )
    for name, page in (("starting tab", first), ("watching tab", second)):
        seen = recorded(page)
        values = [v for v, _t in seen["progress"]]
        statuses = [s for s, _t in seen["status"]]
        assert len(set(values)) >= 3, f"{name} saw too few progress values: {values}"
        assert _non_decreasing(values), f"{name} went back: {values}"
        assert statuses[-1] == "completed", f"{name}: {statuses}"
        assert "running" in statuses, f"{name} never showed the run running: {statuses}"
        # Once completed, never running again (an older snapshot after the final one).
        assert "running" not in statuses[statuses.index("completed") :], statuses


def _state_redis_url(live) -> str:
    from marketnav.settings import Settings

    return Settings(redis_url=live.env["REDIS_URL"]).reflex_redis_url


def _wait_no_locks(client: redis.Redis) -> None:
    """Every state lock is released once asked for: no event of any tab runs once the runs
    ended, and the lease a worker keeps under Reflex's opportunistic locking (the production
    setting, `settings.state_oplock`) is handed over as soon as another process asks, which
    this does as another backend worker would (its id in `<lock>_waiters`). A leaked lock
    would stay for the 120 s expiry."""
    from tests.support.report_stack import wait_until

    def released() -> bool:
        locks = list(client.scan_iter(match="*_lock"))
        for lock in locks:
            client.sadd(lock + b"_waiters", b"e2e-probe")
            client.pexpire(lock + b"_waiters", 10_000)
        return not locks

    left = wait_until(released, 30)
    assert left, f"state locks left behind: {list(client.scan_iter(match='*_lock'))}"


def test_a_password_protected_share_link_on_the_production_stack(browser, live):
    """Share flow on PostgreSQL, Redis sessions, S3 files and two backend workers."""
    from tests.e2e.test_share import _completed_quick_report, _create_link, _visitor

    owner = sign_up(browser, live.url, DESKTOP, "Sol Share").page
    _completed_quick_report(owner, live.url)
    url = _create_link(owner, password="open sesame 42")
    visitor, _ = _visitor(browser, url.replace(url.split("/share/")[0], live.url))
    expect(visitor.get_by_test_id("report-title")).to_have_count(0)
    visitor.get_by_test_id("share-password").fill("open sesame 42")
    visitor.get_by_test_id("share-unlock").click()
    expect(visitor.get_by_test_id("report-title")).to_have_text("Quick Market Research Report")
    with visitor.expect_download() as download:
        visitor.get_by_test_id("share-download-pdf").click()
    assert download.value.path().read_bytes().startswith(b"%PDF")  # served from S3 (moto)
    visitor.reload()  # the unlocked state survives a reload on either backend worker
    expect(visitor.get_by_test_id("report-title")).to_be_visible()


def test_a_closed_tab_frees_its_live_subscriptions(browser, live):
    """Reflex keeps a background event running after its tab closed: the listeners must end
    (and free their Redis pub/sub connections) at their next check, not after 30 minutes."""
    from tests.support.report_stack import wait_until

    page = sign_up(browser, live.url, DESKTOP, "Cleo Closed").page
    url = create_project(page, "Closed tab")
    project_id = url.rstrip("/").split("/")[-1]
    bus = redis.Redis.from_url(live.env["REDIS_URL"])

    def subscribed() -> list[bytes]:
        return [c for c in bus.pubsub_channels() if f"project:{project_id}:".encode() in c]

    assert wait_until(subscribed, 30), "the project page never subscribed"
    page.context.close()
    left = wait_until(lambda: not subscribed(), 60)
    assert left, f"listeners of a closed tab still subscribed: {subscribed()}"
    bus.close()
