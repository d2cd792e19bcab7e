"""The served app in Debian's chromium: run the demo campaign, see live charts, rerun, attach,
export, and an all-failed run of the examples.

Needs `chromium` on PATH (`make system-deps`); a missing browser fails the test with that
message. Never `playwright install`.
"""

from __future__ import annotations

import os
import time

import pytest
from playwright.sync_api import Page, expect, sync_playwright
from ui.browser import CHROMIUM_ARGS, REPO, chromium_path, serve_app

pytestmark = [pytest.mark.ui, pytest.mark.timeout(600)]

ARTIFACTS = REPO / "test-artifacts"
SOURCES_WITH_DATA = """([prefix, column]) => {
  const doc = window.Bokeh && Bokeh.documents[0];
  if (!doc) return false;
  const models = doc.all_models ? [...doc.all_models] : [...doc._all_models.values()];
  return models.some(m => m.name && m.name.startsWith(prefix) && m.get_length
    && m.get_length() > 0 && (!column || Math.max(...m.data[column]) > 0));
}"""


@pytest.fixture(scope="module")
def chromium() -> str:
    return chromium_path()


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """`panel serve apps/workbench.py` on a free port; yields (url, runs root)."""
    root = tmp_path_factory.mktemp("served")
    with serve_app(root) as url:
        yield url, root / "runs"


def _field(page: Page, label: str):
    return page.locator(f".bk-input-group:has(label:text-is('{label}')) input").first


def _shot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def _wait_finished(page: Page, form: bool = True) -> None:
    expect(page.locator(".run-status").first).to_have_text("completed", timeout=180_000)
    if form:  # the CLI process has exited too, so the form takes a new run
        expect(page.locator(".form-message")).to_contain_text("finished", timeout=60_000)


def test_run_rerun_attach_export(chromium, served):
    url, runs = served
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        page.goto(url)
        run_button = page.get_by_role("button", name="Run", exact=True)
        expect(run_button).to_be_visible(timeout=60_000)
        # the default is the demo campaign, and the form says what it is
        expect(page.get_by_text("two simulated devices")).to_be_visible(timeout=30_000)
        expect(page.get_by_text("Random weights")).to_be_visible()
        page.get_by_text("Advanced", exact=True).click()  # expert settings are folded away
        expect(_field(page, "Devices")).to_have_value("sim:1.0,sim:0.5")
        started = time.perf_counter()
        run_button.click()
        expect(page.locator(".run-badge").first).to_be_visible(timeout=10_000)
        first_change = time.perf_counter() - started
        expect(run_button).to_be_disabled(timeout=10_000)  # no second run while one goes
        for device in ("sim:1.0", "sim:0.5"):  # both devices draw points as they take work
            page.wait_for_function(
                SOURCES_WITH_DATA, arg=[f"throughput:{device}", None], timeout=240_000
            )
        page.wait_for_function(SOURCES_WITH_DATA, arg=["cache:", None], timeout=180_000)
        # telemetry: the host's utilisation line and the run processes' memory line draw too
        page.wait_for_function(
            SOURCES_WITH_DATA, arg=["telemetry:host cpu", "memory"], timeout=60_000
        )
        _shot(page, "1-running")
        _wait_finished(page)
        expect(page.locator(".untrained-note")).to_contain_text("untrained (random)")
        # the bottleneck hints are drawn (which fire depends on the measured speeds: a shared
        # machine can blur the demo's 2:1 device ratio, so each hint is tested on set data)
        expect(page.locator("ul.hints, p.no-hints").first).to_be_visible()
        _shot(page, "2-finished")
        if os.environ.get("WORKBENCH_UPDATE_SCREENSHOT") == "1":  # the README's picture
            page.screenshot(path=str(REPO / "docs" / "screenshots" / "app.png"))
        first = sorted(d for d in runs.iterdir() if d.is_dir() and d.name.startswith("run-"))[0]

        started = time.perf_counter()
        page.get_by_role("button", name="Run", exact=True).click()
        expect(page.locator(".run-status").first).to_have_text("waiting", timeout=10_000)
        rerun_change = time.perf_counter() - started
        page.wait_for_function(SOURCES_WITH_DATA, arg=["cache:", "hits"], timeout=180_000)
        _wait_finished(page)
        _shot(page, "3-rerun-cache-hits")
        (ARTIFACTS / "first-feedback.txt").write_text(
            f"Run pressed to the monitor's first change: {first_change:.3f} s (cold), "
            f"{rerun_change:.3f} s (rerun)\n"
        )

        page.get_by_text("Results", exact=True).first.click()
        expect(page.locator(".interface-chain").first).to_be_visible(timeout=30_000)
        expect(page.locator(".res.iface").first).to_be_visible()
        _shot(page, "3b-results-interface")

        _field(page, "Run directory").fill(str(first))
        _field(page, "Run directory").press("Enter")
        page.get_by_role("button", name="Attach", exact=True).click()
        expect(page.get_by_text(f"Attached to {first}")).to_be_visible(timeout=30_000)
        _wait_finished(page, form=False)
        _shot(page, "4-attached")

        page.get_by_text("Report", exact=True).first.click()
        page.get_by_role("button", name="Export report").click()
        path_el = page.locator(".report-path")
        expect(path_el).to_have_text(str(first / "report.html"), timeout=60_000)
        offline = browser.new_page()
        requests: list[str] = []
        offline.route(
            "**/*",
            lambda route: (
                (requests.append(route.request.url), route.abort())
                if not route.request.url.startswith("file:")
                else route.continue_()
            ),
        )
        offline.goto((first / "report.html").as_uri())
        offline.wait_for_function("() => window.Bokeh && Bokeh.documents.length > 0")
        offline.wait_for_function(SOURCES_WITH_DATA, arg=["throughput:", None])
        expect(offline.locator("#untrained-banner")).to_be_visible()
        _shot(offline, "5-report-offline")
        assert requests == []

        page.get_by_text("Monitor", exact=True).first.click()
        page.get_by_text("Bundled examples", exact=True).click()
        _field(page, "Heavy").fill("Z")  # no such chain: every item fails
        _field(page, "Heavy").press("Enter")
        _field(page, "Antigen").fill("C")
        _field(page, "Antigen").press("Enter")
        page.get_by_role("button", name="Run", exact=True).click()
        page.get_by_text("Monitor", exact=True).first.click()
        expect(page.locator(".run-status").first).to_have_text("failed", timeout=180_000)
        banner = page.locator(".failure-banner").first
        expect(banner).to_be_visible()
        box = banner.bounding_box()
        assert box is not None and box["y"] + box["height"] <= 900, box  # above the fold
        _shot(page, "6-all-failed")
        browser.close()
