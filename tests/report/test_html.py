"""The report: standalone (no network scripts), escaped, with every section fed from the run."""

from __future__ import annotations

import html
import re
import shutil
import sqlite3
import subprocess
import sys

import pandas as pd
import pytest

from workbench.record import RunView
from workbench.record.eventlog import read_events
from workbench.record.events import ItemFailed
from workbench.report import write_report

XSS = "<img src=x onerror=alert(1)>"


@pytest.fixture(scope="module")
def report(recorded_run, tmp_path_factory):
    out = write_report(recorded_run, tmp_path_factory.mktemp("report") / "report.html")
    return out.read_text()


def test_report_is_standalone(report):
    scripts = re.findall(r"<script[^>]*\bsrc=['\"]([^'\"]+)", report)
    assert not [s for s in scripts if s.startswith(("http:", "https:", "//"))]
    assert "Bokeh" in report and len(report) > 500_000  # bokeh.min.js is inlined


def test_names_from_inputs_are_escaped(report):
    # Bokeh stores the document as HTML-escaped JSON: undo that layer, our own escaping must remain
    page = html.unescape(report)
    assert XSS not in page
    assert html.escape(XSS) in page


def test_sections_science_first_settings_last(recorded_run, report):
    page = html.unescape(report)
    order = [
        "<h1>Workbench run on inputs, ",
        "class='cards'",
        "class='failure-banner'",
        "<h2 id='items'>Items</h2>",
        "<h2>Dataset</h2>",
        "<h2 id='failures'>Failures (1)</h2>",
        "<h2 id='warnings'>Warnings (0)</h2>",
        "<h2>Compute</h2>",
        "<h2>Stages</h2>",
        "<h3>Throughput per device</h3>",
        "<h2>Cache</h2>",
        "<summary><b>Configuration</b></summary>",
        "<summary><b>Package versions</b></summary>",
    ]
    at = [page.find(text) for text in order]
    assert -1 not in at, [t for t, i in zip(order, at, strict=True) if i < 0]
    assert at == sorted(at)
    assert "completed with failures" in page and ">NaN<" not in page
    failed = [
        e for _, e in read_events(recorded_run / "events.sqlite") if isinstance(e, ItemFailed)
    ]
    for f in failed:
        assert html.escape(f.reason) in page
    assert "untrained-banner" in page
    for name in (
        "throughput:sim:0",
        "throughput:sim:1",
        "device-tokens",
        "cache:embed",
        "cdr3-lengths",
        "stage-timeline",
    ):
        assert f'"name":"{name}"' in page


def test_missing_run_dir_names_it(tmp_path):
    with pytest.raises(FileNotFoundError, match=str(tmp_path)):
        write_report(tmp_path, tmp_path / "r.html")


def test_cli_report_in_a_fresh_interpreter(recorded_run, tmp_path):
    """`workbench report` imports the report room first (no ui imported before it)."""
    out = tmp_path / "cli.html"
    cmd = [sys.executable, "-m", "workbench.cli", "report", str(recorded_run), "-o", str(out)]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "untrained-banner" in out.read_text()


def test_report_while_the_log_is_being_created(recorded_run, tmp_path):
    """An event log whose writer has not created its table yet reads as no events."""
    run_dir = tmp_path / "run"
    run_dir.mkdir()
    sqlite3.connect(run_dir / "events.sqlite").close()  # the file exists, the table not yet
    assert RunView(run_dir).events() == []
    page = write_report(run_dir, tmp_path / "r.html").read_text()
    assert "No stage ran." in page


def test_report_links_nothing_external_after_panel_widgets_loaded(recorded_run, tmp_path):
    """A process that drew Panel widgets (the app, a notebook) still writes a standalone report."""
    import pandas as pd
    import panel as pn
    from bokeh.document import Document

    pn.widgets.Tabulator(pd.DataFrame({"a": [1]})).get_root(Document())
    page = write_report(recorded_run, tmp_path / "r.html").read_text()
    links = re.findall(r"<link[^>]*href=['\"]([^'\"]+)", page)
    assert not [u for u in links if u.startswith(("http:", "https:", "//"))]


def test_item_warnings_in_the_items_table(recorded_run, tmp_path):
    run_dir = tmp_path / "run"
    shutil.copytree(recorded_run, run_dir)
    structures = pd.read_parquet(run_dir / "structures.parquet")
    structures["warnings"] = ["12 atoms with guessed elements; chain break in H", None, None]
    structures.to_parquet(run_dir / "structures.parquet")
    page = html.unescape(write_report(run_dir, tmp_path / "r.html").read_text())
    items = page[page.find("<h2 id='items'>") : page.find("<h2>Dataset</h2>")]
    assert "<th>warnings</th>" in items
    assert "<td>12 atoms with guessed elements; chain break in H</td>" in items


def test_scores_top_table_and_histogram_when_scored(scored_run, report, tmp_path):
    scores = pd.read_parquet(scored_run / "scores.parquet")
    page = html.unescape(write_report(scored_run, tmp_path / "r.html").read_text())
    at = [page.find(t) for t in ("<h2 id='items'>", "<h2 id='scores'>", "<h2>Dataset</h2>")]
    assert -1 not in at and at == sorted(at)
    section = page[at[1] : at[2]]
    assert f"Scores (top 7 of {len(scores)})" in section
    assert "class='banner untrained-scores'" in section
    best = scores.sort_values("rank").iloc[0]
    assert f"<td>{best['item_id']}</td>" in section and "<th>capri</th>" in section
    assert '"name":"dockq-histogram"' in page
    assert "id='scores'" not in html.unescape(report)  # an unscored run has no such section
