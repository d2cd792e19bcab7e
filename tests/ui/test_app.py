"""WorkbenchApp: attaching switches monitor and results; export writes the report; refusals."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
from bokeh.document import Document

from workbench.record import FILES
from workbench.score import write_scores
from workbench.ui import WorkbenchApp


def test_attach_then_export(recorded_run, tmp_path):
    app = WorkbenchApp(runs_root=tmp_path / "runs", allowed_roots=(recorded_run.parent,))
    app.__panel__().get_root(Document())
    app.monitor.live = False
    app.attach.path = str(recorded_run)
    app.attach.param.trigger("attach")
    assert app.monitor.run_dir == app.results.run_dir == str(recorded_run.resolve())
    assert app.monitor.status == "completed_with_failures" and app.results.structures is not None
    app.param.trigger("export")
    assert app.report_path == str(recorded_run.resolve() / "report.html")
    assert "report-path" in app._export_note.object


def test_attach_refuses_outside_and_non_run_dirs(recorded_run, tmp_path):
    app = WorkbenchApp(runs_root=tmp_path / "runs", allowed_roots=(tmp_path,))
    app.attach.path = str(recorded_run)
    app.attach.param.trigger("attach")
    assert "outside the allowed roots" in app.attach.message and app.run_dir == ""
    (tmp_path / "empty").mkdir()
    app.attach.path = str(tmp_path / "empty")
    app.attach.param.trigger("attach")
    assert "not a run directory" in app.attach.message


def test_a_scores_row_opens_its_item_in_results_and_back(scored_run, tmp_path):
    run = tmp_path / "run"
    shutil.copytree(scored_run, run)
    structures = pd.read_parquet(run / FILES["structures"])
    done = list(structures.loc[structures["status"] == "done", "item_id"])
    assert len(done) >= 2
    # the scored test graphs stand in for this run's own: give the first rows the run's item ids
    scores = pd.read_parquet(run / FILES["scores"])
    scores.loc[: len(done) - 1, "item_id"] = done
    write_scores(run / FILES["scores"], scores, {"scorer": "random:deeprank-ab"})
    app = WorkbenchApp(runs_root=tmp_path / "runs", allowed_roots=(tmp_path,))
    app.__panel__().get_root(Document())
    app.monitor.live = False
    app.attach.path = str(run)
    app.attach.param.trigger("attach")
    assert app.results.item == done[0]  # Results opens the first item; Scores marks its row
    rows = app.scores._table.value["item_id"]
    assert app.scores._table.selection == rows.index[rows == done[0]].tolist()

    app._tabs.active = 2  # the Scores tab
    app.scores._table.selection = rows.index[rows == done[1]].tolist()
    assert app.results.item == done[1] and app._tabs.active == 1
    source = structures.set_index("item_id").loc[done[1], "source"]
    assert Path(source).name in app.results._chains.object

    app.scores._table.selection = rows.index[~rows.isin(done)].tolist()[:1]  # not in this run
    assert app.results.item == done[1]
    app.results.item = done[0]
    assert app.scores.item == done[0]
    assert app.scores._table.selection == rows.index[rows == done[0]].tolist()


def test_a_run_press_shows_before_the_slow_part_then_starts(tmp_path, monkeypatch):
    """The press is answered in its own callback (Run disabled, the monitor starting); the
    request and the process come on the server's next tick, here called by hand."""
    import panel as pn

    ticks = []
    monkeypatch.setattr(
        pn.state, "execute", lambda callback, schedule="auto": ticks.append(callback)
    )
    app = WorkbenchApp(runs_root=tmp_path / "runs", allowed_roots=(tmp_path,))
    app.__panel__().get_root(Document())
    app.monitor.live = False
    app.form.source = "examples"
    app.form.settings.stages = ["prep"]
    app.form.param.trigger("run")
    assert app.form.running and app.form.starting and app.form.process is None
    assert "run-badge" in app.monitor._summary.object and app.monitor.run_dir == ""
    assert app.form.message == "Preparing the run…" and len(ticks) == 1
    ticks.pop()()
    try:
        assert not app.form.starting and app.form.process is not None
        assert app.monitor.run_dir == app.form.run_dir != ""
    finally:
        app.form.process.cancel()
        app.form.process.wait(60)


def test_a_refused_press_gives_back_the_run_shown(recorded_run, tmp_path, monkeypatch):
    import panel as pn

    ticks = []
    monkeypatch.setattr(
        pn.state, "execute", lambda callback, schedule="auto": ticks.append(callback)
    )
    app = WorkbenchApp(runs_root=tmp_path / "runs", allowed_roots=(recorded_run.parent,))
    app.__panel__().get_root(Document())
    app.monitor.live = False
    app.attach.path = str(recorded_run)
    app.attach.param.trigger("attach")
    app.form.source = "path"
    app.form.path = "/nowhere"
    app.form.param.trigger("run")
    assert "New run" in app.monitor._summary.object
    ticks.pop()()
    assert app.form.message.startswith("Not started") and not app.form.running
    assert str(recorded_run.resolve()) in app.monitor._summary.object
