"""The 3D view drawn in Debian's chromium with every request other than file:// blocked: the
HTML that the Results item view's pane holds, opened as a page, draws a WebGL canvas.

Needs `chromium` on PATH (`make system-deps`); never `playwright install`.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import sync_playwright
from ui.browser import REPO, WEBGL_ARGS, chromium_path

from workbench.ui import ResultsView

ARTIFACTS = REPO / "test-artifacts"
pytestmark = [pytest.mark.ui, pytest.mark.timeout(300)]


# 3Dmol.js renders with WebGL 2 (into an offscreen canvas whose frames the visible canvas shows):
# the page must offer WebGL 2, and the visible canvas must hold drawn, non-white pixels.
DRAWN = """() => {
  const canvas = document.querySelector('#viewer canvas');
  if (!canvas || document.body.dataset.drawn !== 'yes' || !canvas.width) return false;
  if (!new OffscreenCanvas(1, 1).getContext('webgl2')) return false;
  const copy = document.createElement('canvas');
  copy.width = canvas.width; copy.height = canvas.height;
  const ctx = copy.getContext('2d');
  ctx.drawImage(canvas, 0, 0);
  const px = ctx.getImageData(0, 0, copy.width, copy.height).data;
  let drawn = 0;
  for (let i = 0; i < px.length; i += 4) {
    if (px[i + 3] > 0 && (px[i] < 240 || px[i + 1] < 240 || px[i + 2] < 240)) drawn++;
  }
  return drawn > 1000;
}"""


def test_3d_view_draws_a_webgl_canvas_offline(annotated_run, tmp_path):
    chromium = chromium_path()
    view = ResultsView(annotated_run)
    page_file = tmp_path / "item.html"
    page_file.write_text(f"<!DOCTYPE html><html><body>{view._structure.object}</body></html>")
    blocked: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=WEBGL_ARGS)
        page = browser.new_page(viewport={"width": 1000, "height": 700})
        page.route(
            "**/*",
            lambda route: (
                route.continue_()
                if route.request.url.startswith("file:")
                else (blocked.append(route.request.url), route.abort())
            ),
        )
        page.goto(page_file.as_uri())
        page.wait_for_selector("iframe.structure-3d")
        frame = next(f for f in page.frames if f.url == "about:srcdoc")
        frame.wait_for_function(DRAWN, timeout=60_000)
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "7-structure-3d.png"))
        browser.close()
    assert blocked == []
