"""Open redirects after login: only same-origin paths survive `?next=`."""

from __future__ import annotations

import pytest

from marketnav.services.redirects import safe_next_path
from marketnav.state.session import SessionState
from tests.unit.test_state_handlers import make_state

HOME = "/dashboard"


@pytest.mark.parametrize(
    "target",
    ["/projects/3", "/projects/3/reports/verdict?version=2#sec-verdict_decision", "/a%20b"],
)
def test_same_origin_paths_are_kept(target):
    assert safe_next_path(target, HOME) == target


@pytest.mark.parametrize(
    "target",
    [
        "",
        "https://evil.example",
        "//evil.example",
        "/\\evil.example",
        "\\/evil.example",
        "/\t/evil.example",
        "/\n/evil.example",
        "%2F%2Fevil.example",
        "/%2F/evil.example",
        "/%5Cevil.example",
        "/%252F/evil.example",
        "/%09/evil.example",
        "javascript:alert(1)",
        "evil.example",
    ],
)
def test_bypass_forms_fall_back_home(target):
    assert safe_next_path(target, HOME) == HOME


def test_the_login_handler_uses_it(db):
    state = make_state(SessionState, "/login?next=/%5Cevil.example")
    assert state._next_path() == HOME
    state = make_state(SessionState, "/login?next=/projects/7")
    assert state._next_path() == "/projects/7"
