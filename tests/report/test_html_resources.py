"""The report's Resources section: the telemetry table, device work and bottleneck hints."""

from __future__ import annotations

import html
import re
import shutil

from report.recorded import telemetry_samples  # tests/ is on sys.path (rootdir conftest)

from workbench.record.eventlog import EventLog
from workbench.report import write_report


def test_the_report_shows_the_resource_table_and_the_hints(recorded_run, tmp_path):
    run = tmp_path / "run"
    shutil.copytree(recorded_run, run)
    with EventLog(run / "events.sqlite") as log:
        log.extend(telemetry_samples())
    page = html.unescape(write_report(run, tmp_path / "report.html").read_text())
    section = page[page.index("<h2 id='resources'>Resources</h2>") :]
    assert "<b>storage-bound</b>: iowait p95 30 % (mean 22 %)" in section
    # the recorded embed stage: sim:0 waits between batches, sim:1 is 2.6x slower
    assert "<b>data-starved</b>: sim:0 sat idle 38 %" in section
    assert "<b>slow-device</b>: sim:1 ran embed at 100 tokens/s, 2.6" in section
    assert "slower than sim:0 (260 tokens/s)" in section
    cells = re.sub(r"(\\n|\s)+<", "<", section)  # the table sits in Bokeh's JSON
    for row in (
        "<td>iowait</td><td>run</td><td>4</td><td>22</td><td>30</td><td>75</td>",
        "<td>cuda:0</td><td>run</td><td>4</td><td>55</td>",
        "<td>13.0 GB</td><td>16.0 GB</td>",
        "<td>sim:0</td><td>embed</td><td>3</td><td>2.5</td><td>38</td><td>260</td>",
    ):
        assert row in cells, row
    for name in ("telemetry:host cpu", "telemetry:iowait", "telemetry:cuda:0"):
        assert f'"name":"{name}"' in page


def test_a_run_without_telemetry_says_so(recorded_run, tmp_path):
    page = html.unescape(write_report(recorded_run, tmp_path / "report.html").read_text())
    section = page[page.index("<h2 id='resources'>Resources</h2>") :]
    assert "No telemetry recorded (run with --telemetry on)." in section
    assert "storage-bound" not in section and "data-starved" in section
    assert "utilisation-figure" not in page
