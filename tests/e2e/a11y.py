"""axe-core in the browser tests: a pinned copy from the npm registry, injected by Playwright.

`python -m tests.e2e.a11y` installs it (the Makefile's test target does); `axe_violations(page)`
injects it into the open page and returns what it finds at the impacts asked for.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

from playwright.sync_api import Page

from tests.processes import ROOT

AXE_VERSION = "4.14.1"
AXE_PREFIX = ROOT / ".tools" / "test"  # a test-only npm folder (.tools/ is not in git)
AXE_PACKAGE = AXE_PREFIX / "node_modules" / "axe-core"
AXE_JS = AXE_PACKAGE / "axe.min.js"
BLOCKING = ("serious", "critical")

# Radix animates dialogs and menus in; colours read mid-fade are wrong, so wait for every
# finite animation to end (spinners run forever and are left out).
_SETTLED = """() => document.getAnimations().every(a => {
  const t = a.effect && a.effect.getComputedTiming ? a.effect.getComputedTiming() : null;
  return a.playState !== 'running' || (t && t.iterations === Infinity);
})"""

_RUN = """async (impacts) => {
  const result = await window.axe.run(document, {resultTypes: ['violations']});
  if (!result.passes.length) throw new Error('axe-core checked nothing on ' + location.href);
  return result.violations
    .filter(v => impacts.includes(v.impact))
    .map(v => ({
      id: v.id, impact: v.impact, help: v.help,
      nodes: v.nodes.slice(0, 6).map(n => ({
        target: n.target.join(' '), summary: (n.failureSummary || '').slice(0, 300),
        html: n.html.slice(0, 200),
      })),
      count: v.nodes.length,
    }));
}"""


def installed_version() -> str:
    try:
        return json.loads((AXE_PACKAGE / "package.json").read_text())["version"]
    except (OSError, ValueError, KeyError):
        return ""


def ensure_axe() -> Path:
    """The pinned axe.min.js, installed from the npm registry into .tools/test when missing."""
    if installed_version() != AXE_VERSION or not AXE_JS.is_file():
        npm = shutil.which("npm")
        if npm is None:
            raise RuntimeError("npm is needed to install axe-core for the accessibility tests")
        AXE_PREFIX.mkdir(parents=True, exist_ok=True)
        manifest = AXE_PREFIX / "package.json"
        if not manifest.exists():
            manifest.write_text('{"name": "test-tools", "private": true}\n')
        subprocess.run(
            [
                npm,
                "install",
                "--prefix",
                str(AXE_PREFIX),
                "--no-audit",
                "--no-fund",
                "--save-exact",
                f"axe-core@{AXE_VERSION}",
            ],
            check=True,
        )
    found = installed_version()
    if found != AXE_VERSION:
        raise RuntimeError(f"axe-core {AXE_VERSION} expected in {AXE_PACKAGE}, found {found!r}")
    return AXE_JS


def axe_violations(page: Page, impacts: tuple[str, ...] = BLOCKING) -> list[dict]:
    """Run axe-core on the page as it is now; the violations of the given impacts."""
    page.wait_for_function(_SETTLED)
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.add_script_tag(path=str(ensure_axe()))
    return page.evaluate(_RUN, list(impacts))


def describe(where: str, violations: list[dict]) -> str:
    """A readable list of violations, for an assertion message."""
    lines = []
    for v in violations:
        lines.append(f"{where}: [{v['impact']}] {v['id']}: {v['help']} ({v['count']} nodes)")
        for node in v["nodes"]:
            lines.append(f"    {node['target']}  {node['html']}")
            lines.append(f"      {node['summary']}".replace("\n", " | "))
    return "\n".join(lines)


if __name__ == "__main__":
    print(ensure_axe())
    sys.exit(0)
