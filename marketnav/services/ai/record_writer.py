"""Writing AI call records off the caller's path, in batches, on a thread of their own.

A call used to write its record (a transaction of its own) before its answer went back: with
the twelve calls of a report stage answering together, twelve transactions stood between the
stage and the next one (two thirds of a call thread's own work in the report benchmark).
Records are now queued and one writer thread stores what is queued in one transaction.

Nothing is lost on the way: readers of the records (`records.calls_for_subject` and the
others) and a finishing report run call `flush()` first, so a process reads its own calls;
the process flushes at exit. A record keeps the engine current when it was queued (tests
swap databases between cases). A write that fails is logged and dropped, as a failed
synchronous write was: accounting never breaks a call.
"""

from __future__ import annotations

import atexit
import logging
import os
import threading
from collections.abc import Callable
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session

logger = logging.getLogger(__name__)

MAX_BATCH = 200
FLUSH_TIMEOUT_SECONDS = 10.0


class CallRecordWriter:
    """A queue of rows to add, and the daemon thread that commits them in batches."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._queue: list[tuple[Engine, Callable[[], Any]]] = []
        self._writing = 0  # rows taken from the queue and not committed yet
        self._thread: threading.Thread | None = None
        self._pid = 0

    def put(self, engine: Engine, make_row: Callable[[], Any]) -> None:
        """Queue `make_row()` (a table instance) to be added on `engine`."""
        with self._cond:
            self._queue.append((engine, make_row))
            self._ensure_thread()
            self._cond.notify_all()

    def flush(self, timeout: float = FLUSH_TIMEOUT_SECONDS) -> bool:
        """Wait until every row queued so far is written (or dropped on an error); False
        when `timeout` passed first."""
        with self._cond:
            if self._pid != os.getpid():  # a forked child: its parent's queue is not its own
                self._queue.clear()
                self._writing = 0
            return self._cond.wait_for(lambda: not self._queue and not self._writing, timeout)

    def _ensure_thread(self) -> None:
        if self._pid != os.getpid() or self._thread is None or not self._thread.is_alive():
            self._pid = os.getpid()
            self._writing = 0
            self._thread = threading.Thread(target=self._run, name="ai-call-records", daemon=True)
            self._thread.start()

    def _run(self) -> None:
        while True:
            with self._cond:
                self._cond.wait_for(lambda: bool(self._queue))
                batch, self._queue = self._queue[:MAX_BATCH], self._queue[MAX_BATCH:]
                self._writing = len(batch)
            try:
                self._write(batch)
            finally:
                with self._cond:
                    self._writing = 0
                    self._cond.notify_all()

    @staticmethod
    def _write(batch: list[tuple[Engine, Callable[[], Any]]]) -> None:
        by_engine: dict[Engine, list[Callable[[], Any]]] = {}
        for engine, make_row in batch:
            by_engine.setdefault(engine, []).append(make_row)
        for engine, rows in by_engine.items():
            try:
                with Session(engine) as session:
                    session.add_all([make_row() for make_row in rows])
                    session.commit()
            except Exception:
                logger.exception("could not record %s AI call(s)", len(rows))


writer = CallRecordWriter()
atexit.register(writer.flush)
