"""report.html in a real headless browser: a reader clicks from a cause to a run's explanation
and back, sorts and filters a table of runs, and the page's CSP lets our script (and only it) run.

Uses the `playwright` Python package (a test extra) driving Debian's chromium: Playwright's own
browser download is not needed. Skipped when either is missing.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from faultlens.report.build import build

ROOT = Path(__file__).resolve().parents[2]
NIGHT = ROOT / "samples" / "floor-night"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
sync_api = pytest.importorskip("playwright.sync_api", reason="the playwright package (test extra) is not installed")
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed")


@pytest.fixture(scope="module")
def page(tmp_path_factory):
    out = tmp_path_factory.mktemp("report")
    build(str(NIGHT), str(out), progress=False)
    messages: list[str] = []
    # chromium's singleton socket and profile go under TMPDIR: a long one (a CI workspace) is too
    # long for a Unix socket path, so the browser gets /tmp
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"],
                                     env={**os.environ, "TMPDIR": "/tmp"})
        try:
            tab = browser.new_page()
            tab.on("console", lambda m: messages.append(f"{m.type}: {m.text}"))
            tab.goto((out / "report.html").as_uri())
            yield tab, messages
        finally:
            browser.close()


def hash_of(tab) -> str:
    return tab.evaluate("location.hash")


def test_from_a_cause_to_a_run_and_back(page):
    tab, messages = page
    tab.click("#cause-table a[href='#cause-disk-full']")  # the cause in the table of causes
    assert hash_of(tab) == "#cause-disk-full"
    tab.click("#cause-disk-full table.runs a[href='#run-run-station-03-00018']")
    assert hash_of(tab) == "#run-run-station-03-00018"
    run = tab.locator("#run-run-station-03-00018")
    assert run.is_visible() and "station.log:62  2026-11-25T00:03:16Z ts-host-03 executive[1689]: ERROR cannot write results" in run.inner_text()
    assert tab.evaluate("document.querySelector(':target').id") == "run-run-station-03-00018"
    tab.click("#run-run-station-03-00018 a.back")
    assert hash_of(tab) == "#cause-disk-full"
    tab.go_back()
    assert hash_of(tab) == "#run-run-station-03-00018"
    tab.go_back()
    assert hash_of(tab) == "#cause-disk-full"
    assert [m for m in messages if m.startswith("error")] == []  # a CSP refusal would be logged here


def runs_in(tab, cause: str) -> list[str]:
    return tab.eval_on_selector_all(f"#cause-{cause} table.runs tbody tr:not([hidden]) td:first-child",
                                    "cells => cells.map(c => c.textContent)")


def test_sort_and_filter_a_table_of_runs(page):
    tab, _ = page
    umask = "umask-restrictive-package"
    assert runs_in(tab, umask)[0] == "run-station-01-00032"  # oldest first
    tab.click(f"#cause-{umask} table.runs th:has-text('host')")
    tab.click(f"#cause-{umask} table.runs th:has-text('host')")  # twice: descending
    assert runs_in(tab, umask)[0] == "run-station-08-00039"
    tab.fill(f"#cause-{umask} input.filter", "(no release)")
    assert runs_in(tab, umask) == ["run-station-07-00038"]
    tab.fill(f"#cause-{umask} input.filter", "")
    assert len(runs_in(tab, umask)) == 8
