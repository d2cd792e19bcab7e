"""WorkbenchApp: attaching switches monitor and results; export writes the report; refusals."""

from __future__ import annotations

from bokeh.document import Document

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
