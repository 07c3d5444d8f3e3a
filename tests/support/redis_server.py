"""A redis-server of the test's own, on its own port, that a test can stop and start again.

`redis-server --port N --save '' --appendonly no` (nothing persists, as after a crash of an
unpersisted instance); readiness is a PING that answers, never a sleep.
"""

from __future__ import annotations

import contextlib
import shutil
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import redis

from tests.conftest import IN_CI, free_port

READY_TIMEOUT = 20.0


def wait_for(predicate: Callable[[], bool], timeout: float, what: str) -> None:
    """Poll a readiness probe until it holds (a probe, not a fixed sleep)."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out waiting for {what}")
        time.sleep(0.01)


class RedisServer:
    def __init__(self, workdir: Path):
        self.port = free_port()
        self.workdir = workdir
        self.proc: subprocess.Popen | None = None
        self.starts = 0

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def client(self, **options) -> redis.Redis:
        return redis.Redis(port=self.port, socket_connect_timeout=1, **options)

    def subscribers(self, channel: str) -> int:
        """How many connections are subscribed to `channel` (PUBSUB NUMSUB)."""
        with self.client() as client:
            return dict(client.pubsub_numsub(channel)).get(channel.encode(), 0)

    def _pings(self) -> bool:
        with contextlib.suppress(redis.exceptions.RedisError), self.client() as client:
            return bool(client.ping())
        return False

    def start(self) -> None:
        assert self.proc is None, "already running"
        self.starts += 1
        log = (self.workdir / f"redis-{self.starts}.log").open("wb")
        self.proc = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.workdir),
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            wait_for(self._pings, READY_TIMEOUT, f"redis-server on port {self.port}")
        except TimeoutError:
            self.stop()
            raise

    def stop(self) -> None:
        """Stop the server and wait until it is gone (connections dropped, port closed)."""
        if self.proc is None:
            return
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.proc = None
        wait_for(lambda: not self._pings(), READY_TIMEOUT, "redis-server to stop")

    def restart(self) -> None:
        self.stop()
        self.start()


@contextlib.contextmanager
def own_redis(workdir: Path) -> Iterator[RedisServer]:
    import pytest

    if shutil.which("redis-server") is None:
        message = "redis-server is not installed"
        if IN_CI:
            pytest.fail(message + " (CI=true)")
        pytest.skip(message)
    workdir.mkdir(parents=True, exist_ok=True)
    server = RedisServer(workdir)
    server.start()
    try:
        yield server
    finally:
        server.stop()
