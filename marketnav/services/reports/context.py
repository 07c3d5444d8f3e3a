"""RunContext: what a report pipeline works with, and the idempotent step runner.

`await ctx.step(key, fn)` runs a step once: a step that already completed (a resumed run)
returns its checkpointed result instead of running again, so a resumed run never repeats work,
duplicates sections or bumps the version. Big step results live in the object store under the
version's prefix; small ones in the step row. `ctx.fan_out` runs independent work concurrently
with a bound, so a run takes about its critical path rather than the sum of its calls.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from sqlmodel import Session, select

from marketnav.db import session_scope
from marketnav.models import ReportSection
from marketnav.services.ai import CallContext, ProjectInputsData
from marketnav.services.errors import DomainError
from marketnav.services.reports import citations, evidence
from marketnav.services.reports.catalog import spec_for
from marketnav.services.reports.evidence import EvidenceItem
from marketnav.services.reports.runs import StaleAttempt, fenced_run, latest_completed
from marketnav.services.reports.tracker import ReportProgressTracker
from marketnav.services.storage import Storage, project_prefix

logger = logging.getLogger(__name__)
FENCE_FRESH_SECONDS = 0.5  # a fenced write this recent still holds (see check_cancelled)

T = TypeVar("T")
R = TypeVar("R")


class RunCancelled(Exception):
    """The user cancelled the run (or it passed its deadline)."""


class StepFailed(DomainError):
    """A step could not finish; the message is shown under the step."""


def version_prefix(organization_id: int, project_id: int, report_type: str, version: int) -> str:
    return f"{project_prefix(organization_id, project_id)}reports/{report_type}/v{version}/"


@dataclass
class RunInfo:
    run_id: int
    report_id: int
    report_type: str
    version: int
    project_id: int
    project_name: str
    organization_id: int
    inputs: ProjectInputsData
    inputs_hash: str
    partial_data_confirmed: bool = False
    worker: str = ""  # the attempt holding the run (every write is fenced on it)


@dataclass
class RunContext:
    info: RunInfo
    tracker: ReportProgressTracker
    storage: Storage
    fan_out_limit: int = 4
    summary: dict[str, Any] = field(default_factory=dict)
    changes_summary: str = ""
    # The evidence figures are cited against: this run's records, then its source reports'.
    _evidence: dict[str, EvidenceItem] | None = None
    _own_refs: set[str] = field(default_factory=set)
    _source_data_used: list[dict[str, Any]] = field(default_factory=list)
    # Model-written section texts -> what the model was given (the fact check's reference).
    model_texts: dict[str, str] = field(default_factory=dict)
    # Sections added and not yet written (written together when their step ends).
    _pending_sections: dict[str, dict[str, Any]] = field(default_factory=dict)

    @property
    def prefix(self) -> str:
        i = self.info
        return version_prefix(i.organization_id, i.project_id, i.report_type, i.version)

    @property
    def ai_context(self) -> CallContext:
        """AI calls of this run are accounted to the report (cost per report)."""
        return CallContext(
            subject_type="report_run",
            subject_id=self.info.run_id,
            organization_id=self.info.organization_id,
        )

    # -- steps ---------------------------------------------------------------------------

    async def step(
        self,
        key: str,
        fn: Callable[[], Awaitable[T]],
        *,
        stored_as: str | None = None,
        metadata: Callable[[T], dict[str, Any]] | None = None,
    ) -> T:
        """Run step `key` once; return its result (JSON-able) or the checkpointed one.

        `stored_as` names a file under the version prefix for results too big for the step row.
        """
        if self.tracker.status_of(key) in ("completed", "skipped"):
            if stored_as:
                return self.load_json(stored_as)
            return self.tracker.checkpoint(key).get("result")
        self.check_cancelled()
        self.tracker.start_step(key)
        try:
            # One turn of the loop: the start is published (with those of steps starting
            # with this one) before a step that never awaits does its work.
            await asyncio.sleep(0)
            result = await fn()
        except StaleAttempt:
            raise  # another attempt holds the run now: write nothing, not even the failure
        except (RunCancelled, asyncio.CancelledError):
            self.tracker.fail_step(key, "Cancelled.")
            raise
        except DomainError as err:
            self.tracker.fail_step(key, str(err))
            raise
        except Exception as err:
            logger.exception("report run %s: step %s failed", self.info.run_id, key)
            self.tracker.fail_step(key, f"Unexpected error ({type(err).__name__}).")
            raise StepFailed(
                f"The step '{self.tracker.step_name(key)}' failed unexpectedly "
                f"({type(err).__name__})."
            ) from err
        if stored_as:
            self.save_json(stored_as, result)
            checkpoint: dict[str, Any] = {"stored_as": stored_as}
        else:
            checkpoint = {"result": result}
        # The step's sections are written with its end (and those of steps ending with it).
        await self.tracker.end_step(
            key,
            metadata=metadata(result) if metadata else None,
            checkpoint=checkpoint,
            write_also=self._write_pending_sections,
        )
        return result

    def detail(self, key: str, detail_type: str, message: str, **data: Any) -> None:
        self.tracker.add_step_detail(key, detail_type, message, data or None)

    def message(self, key: str, message: str, percent: int | None = None) -> None:
        self.tracker.update_step_message(key, message, percent)

    async def fan_out(
        self,
        items: Iterable[T],
        fn: Callable[[T], Awaitable[R]],
        *,
        limit: int | None = None,
        on_done: Callable[[int, int], None] | None = None,
    ) -> list[R]:
        """`fn` over `items` concurrently (at most `limit` at once), results in input order."""
        items = list(items)
        semaphore = asyncio.Semaphore(limit or self.fan_out_limit)
        done = 0

        async def one(item: T) -> R:
            nonlocal done
            async with semaphore:
                self.check_cancelled()
                result = await fn(item)
            done += 1
            if on_done:
                on_done(done, len(items))
            return result

        return list(await asyncio.gather(*(one(i) for i in items)))

    # -- data ----------------------------------------------------------------------------

    def save_json(self, name: str, data: Any) -> str:
        self.check_cancelled()  # also the fence: a stale attempt stores nothing
        key = self.prefix + name
        body = json.dumps(data, ensure_ascii=False, default=str).encode()
        self.storage.put(key, body, "application/json")
        return key

    def load_json(self, name: str) -> Any:
        return json.loads(self.storage.get(self.prefix + name))

    # -- evidence ------------------------------------------------------------------------

    def evidence(self) -> list[EvidenceItem]:
        """This run's evidence (a resumed run reloads it) and its source reports' evidence."""
        if self._evidence is None:
            self._evidence = {}
            with session_scope() as session:
                spec = spec_for(self.info.report_type)
                for source_type in dict.fromkeys((*spec.needs_all, *spec.needs_any)):
                    run = latest_completed(session, self.info.project_id, source_type)
                    if run is None:
                        continue
                    for item in evidence.for_run(session, run.id):
                        self._evidence.setdefault(item.ref, item)
                    label = f"{spec_for(source_type).label} v{run.version}"
                    self._source_data_used += [
                        {**line, "report": line.get("report") or label}
                        for line in (run.data or {}).get("data_used") or []
                    ]
                for item in evidence.for_run(session, self.info.run_id):
                    self._evidence[item.ref] = item
                    self._own_refs.add(item.ref)
        return list(self._evidence.values())

    def register_evidence(self, items: Iterable[EvidenceItem]) -> None:
        """Keep records and aggregates of this run as its evidence (stored with the run)."""
        self.evidence()
        known = self._evidence or {}
        # A resumed run keeps the time its records were first fetched.
        items = [
            i.model_copy(update={"fetched_at": known[i.ref].fetched_at})
            if i.ref in self._own_refs and known[i.ref].fetched_at
            else i
            for i in items
        ]
        with session_scope() as session:
            fenced_run(session, self.info.run_id, self.info.worker)
            evidence.record(session, self.info.run_id, items)
        for item in items:
            self._evidence[item.ref] = item
            self._own_refs.add(item.ref)

    def data_used(self, extra_sources: Iterable[dict[str, Any]] = ()) -> list[dict[str, Any]]:
        """The "Data used" lines: this run's own sources, lines a step added (a source searched
        with nothing found, the web search), then those of its source reports."""
        own = [i for i in self.evidence() if i.ref in self._own_refs]
        return [*evidence.data_used(own), *extra_sources, *self._source_data_used]

    def add_section(
        self,
        key: str,
        title: str,
        markdown: str,
        *,
        position: int,
        kind: str = "markdown",
        company_name: str = "",
        data: dict[str, Any] | None = None,
    ) -> None:
        """Add (or replace) one section of this version: re-running a step never duplicates.

        The text is cited against the run's evidence; a model-written text is also checked
        (what nothing supports is marked in the text and listed in the section's data). The
        section is written with the others of its step when the step ends (`write_sections`):
        a memo fan-out ending at once wrote its ten sections one transaction after another.
        """
        known = self.model_texts.get(markdown)
        cited = citations.cite(
            markdown, self.evidence(), check=known is not None, known_text=known or ""
        )
        data = dict(data or {})
        if cited.sources:
            data["sources"] = cited.sources
        if cited.unsupported:
            data["unsupported"] = cited.unsupported
        self._pending_sections[key] = {
            "title": title[:255],
            "kind": kind,
            "company_name": company_name[:255],
            "position": position,
            "markdown": cited.markdown,
            "section_data": data,
        }

    def write_sections(self) -> None:
        """Write the sections added since the last write, in one transaction."""
        if not self._pending_sections:
            return
        with session_scope() as session:
            fenced_run(session, self.info.run_id, self.info.worker)
            self._write_pending_sections(session)

    def _write_pending_sections(self, session: Session) -> None:
        """The sections added since the last write, in `session` (the run row is fenced)."""
        if self._pending_sections:
            rows = session.exec(
                select(ReportSection).where(
                    ReportSection.run_id == self.info.run_id,
                    ReportSection.section_key.in_(list(self._pending_sections)),
                )
            ).all()
            existing = {row.section_key: row for row in rows}
            for key, values in self._pending_sections.items():
                row = existing.get(key) or ReportSection(
                    run_id=self.info.run_id, section_key=key, title=values["title"]
                )
                for name, value in values.items():
                    setattr(row, name, value)
                session.add(row)
            self._pending_sections.clear()

    def check_cancelled(self) -> None:
        """RunCancelled when the run was cancelled; StaleAttempt when this attempt lost it.

        The tracker's last write went through the same fence: within FENCE_FRESH_SECONDS
        of it no query is made (a fan-out asked before every call, ~4 ms each).
        """
        seen = self.tracker.fenced_at
        # A takeover needs the heartbeat that write renewed to go stale (5 s at the least).
        if seen is not None and time.monotonic() - seen < FENCE_FRESH_SECONDS:
            if self.tracker.cancel_requested:
                raise RunCancelled()
            return
        with session_scope() as session:
            run = fenced_run(session, self.info.run_id, self.info.worker)
            if run.cancel_requested:
                raise RunCancelled()
