"""`make run` gives batch work (report worker, market-data services) a lower CPU priority."""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))

import run_stack  # noqa: E402


def test_a_child_started_with_nice_runs_at_that_niceness(tmp_path):
    stack = run_stack.Stack({**os.environ})
    base = os.nice(0)
    for name, nice in (("batch", 7), ("page", 0)):
        out = tmp_path / f"{name}.txt"
        code = f"import os, pathlib; pathlib.Path({str(out)!r}).write_text(str(os.nice(0)))"
        stack.start(name, [sys.executable, "-c", code], nice=nice)
    for _name, proc in stack.procs:
        assert proc.wait(timeout=30) == 0
    assert int((tmp_path / "batch.txt").read_text()) == min(19, base + 7)
    assert int((tmp_path / "page.txt").read_text()) == base
