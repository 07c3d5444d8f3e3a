"""Calling one function from several threads at once (two beats, two senders by mistake)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def at_once(call: Callable[[], T], times: int = 2) -> list[T]:
    """`call()` in `times` threads started together; their results once all have ended."""
    results: list[T] = []
    lock = threading.Lock()

    def run() -> None:
        result = call()
        with lock:
            results.append(result)

    threads = [threading.Thread(target=run) for _ in range(times)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results
