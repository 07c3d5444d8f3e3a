"""A steady load of report runs for benchmarks: `target` runs kept queued or running.

Used by `bench_assistant` (assistant latency while 10 reports run) and `bench_live_progress`
(progress latency in the tab that started a run while 10 others run). Runs are started through
`runs.start` as the user, and enqueued to the real reports worker; quick_report and crunchbase
alternate.
"""

from __future__ import annotations

import threading

REPORT_TYPES = ("quick_report", "crunchbase")


def make_projects(user_id: int, count: int, inputs: dict[str, str]) -> list[int]:
    """`count` projects of the user's personal organisation, each with `inputs` saved."""
    from marketnav.db import session_scope
    from marketnav.models import User
    from marketnav.services import organizations, projects

    ids = []
    with session_scope() as session:
        user = session.get(User, user_id)
        org_id = organizations.list_for_user(session, user)[0][0].id
        for number in range(count):
            project = projects.create(session, user, org_id, f"Load {number + 1}")
            projects.save_inputs(session, user, project.id, inputs)
            ids.append(project.id)
    return ids


class ReportLoad:
    """Keeps `target` report runs queued or running, starting new ones as runs finish.

    New runs go to the report type with the fewest active runs (quick_report and crunchbase
    alternate), on a project where that type is not already active.
    """

    def __init__(self, user_id: int, project_ids: list[int], target: int) -> None:
        self.user_id, self.project_ids, self.target = user_id, project_ids, target
        self.started = 0
        self.finished: dict[tuple[str, str], int] = {}
        self.errors: list[str] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)
        self._seen: set[int] = set()

    def _active(self, session) -> list:
        from sqlmodel import select

        from marketnav.models import Report, ReportRun

        rows = session.exec(
            select(ReportRun, Report).join(Report, Report.id == ReportRun.report_id)
        ).all()
        for run, report in rows:
            if run.status in ("completed", "failed", "cancelled") and run.id not in self._seen:
                self._seen.add(run.id)
                key = (report.report_type, run.status)
                self.finished[key] = self.finished.get(key, 0) + 1
                if run.status != "completed":
                    self.errors.append(f"{report.report_type} {run.status}: {run.error_message}")
        return [(run, report) for run, report in rows if run.status in ("queued", "running")]

    def top_up(self) -> None:
        from marketnav.db import session_scope
        from marketnav.models import User
        from marketnav.services.reports import runs
        from tasks import reports as report_tasks

        new = []
        with session_scope() as session:
            active = self._active(session)
            busy = {(report.project_id, report.report_type) for _, report in active}
            user = session.get(User, self.user_id)
            while len(busy) < self.target:
                counts = {t: sum(1 for _, r in busy if r == t) for t in REPORT_TYPES}
                free = [
                    (counts[t], t, p) for t in REPORT_TYPES for p in self.project_ids
                    if (p, t) not in busy
                ]  # fmt: skip
                if not free:
                    break
                _, report_type, project_id = min(free)
                new.append(runs.start(session, user, project_id, report_type).id)
                busy.add((project_id, report_type))
        for run_id in new:
            report_tasks.enqueue(run_id)
            self.started += 1

    def running(self) -> int:
        from sqlmodel import func, select

        from marketnav.db import session_scope
        from marketnav.models import ReportRun

        with session_scope() as session:
            return session.exec(
                select(func.count()).select_from(ReportRun).where(ReportRun.status == "running")
            ).one()

    def _loop(self) -> None:
        while not self._stop.wait(0.25):
            try:
                self.top_up()
            except Exception as err:  # keep the load going; report at the end
                self.errors.append(f"top-up: {err}")

    def __enter__(self) -> ReportLoad:
        self.top_up()
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=10)
