"""Growing delays after failed logins, instead of a hard lock.

A hard lock after five failures lets anyone lock the real owner out by typing wrong passwords
for their e-mail. Instead each scope gets a few free failures, then must wait a delay that
doubles with every further failure (counted from the latest one, capped):

- the account from one client (the usual brute force): 5 free, then 1 s, 2 s, 4 s ... 15 min;
- one client over all accounts (credential stuffing): 20 free, same growth and cap;
- the account from every client (a distributed attack): 20 free, capped at 30 s, so the owner
  signing in from their own machine is slowed by seconds, never locked out.

Pure functions over the failure times; `accounts.login` reads them from `login_attempts`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

BASE_DELAY_SECONDS = 1.0
# A client may try several accounts, and an account be tried from several clients: both get
# this many times the free failures of one account from one client.
WIDE_FACTOR = 4


@dataclass(frozen=True)
class Scope:
    """One throttled scope: failures it forgives, and the longest wait it imposes."""

    name: str
    free: int
    cap_seconds: float


def delay_after(failures: int, scope: Scope) -> float:
    """The wait imposed after `failures` recent failures in `scope` (0 while some are free)."""
    if failures < scope.free:
        return 0.0
    return min(scope.cap_seconds, BASE_DELAY_SECONDS * 2 ** (failures - scope.free))


def wait_seconds(failure_times: Sequence[datetime], scope: Scope, now: datetime) -> float:
    """How long this scope must still wait before the next try (0 = it may try now)."""
    if not failure_times:
        return 0.0
    ready_at = max(failure_times).timestamp() + delay_after(len(failure_times), scope)
    return max(0.0, ready_at - now.timestamp())


def scopes(free_per_account: int, window_seconds: float) -> dict[str, Scope]:
    """The three scopes from the settings (the pair's cap is the counting window)."""
    wide = free_per_account * WIDE_FACTOR
    return {
        "pair": Scope("account from this client", free_per_account, window_seconds),
        "client": Scope("this client", wide, window_seconds),
        "account": Scope("account from any client", wide, 30.0),
    }
