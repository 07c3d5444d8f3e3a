"""What a report card says beside its progress (#16: a queued step is "Queued")."""

from __future__ import annotations

from marketnav.services.reports import views
from marketnav.state.reports import present

STEPS = [
    {"key": "init", "name": "Initialise", "status": "completed", "details": []},
    {"key": "api_search", "name": "Search companies", "status": "pending", "details": []},
]


def test_a_queued_run_says_queued_even_before_any_snapshot():
    card = {**views.empty_card("quick_report"), "status": "queued", "snapshot": {}}
    shown = present(card)
    assert shown["stage_text"] == "Queued"
    assert "Waiting for a worker" not in str(shown)


def test_between_two_steps_the_next_step_is_queued_not_waiting_for_a_worker():
    snapshot = {"status": "running", "current_step": "", "steps": STEPS, "progress": 40}
    assert views.present_snapshot(snapshot)["stage_text"] == "Queued: Search companies"
    card = {**views.empty_card("quick_report"), "status": "running", "snapshot": snapshot}
    assert present(card)["stage_text"] == "Queued: Search companies"


def test_a_running_step_is_named_and_a_run_past_its_last_step_is_finishing():
    assert views.stage_text("running", "Searching 3 keywords", STEPS) == "Searching 3 keywords"
    done = [{**s, "status": "completed"} for s in STEPS]
    assert views.stage_text("running", "", done) == "Finishing"
