"""The workbench app: run form, live monitor, results, attach-to-run and report export.

A run started from the form and a run attached by path are shown by the same RunMonitor and
ResultsView; only the run directory differs.
"""

from __future__ import annotations

import html
from pathlib import Path

import panel as pn
import param
from panel.viewable import Viewer

from workbench.record import RunLayout
from workbench.report import write_report
from workbench.ui.form import RunForm
from workbench.ui.monitor import RunMonitor
from workbench.ui.paths import PathRefused, confine, default_roots
from workbench.ui.results import ResultsView
from workbench.ui.scores import ScoresView

__all__ = ["AttachView", "WorkbenchApp"]

_MONITOR_TAB, _RESULTS_TAB, _SCORES_TAB = 0, 1, 2


class AttachView(Viewer):
    """Point the app at an existing run directory (CLI or cluster run) to watch or review it."""

    path = param.String(default="", doc="Run directory, under the allowed roots.")
    attach = param.Event(doc="Watch the run directory given in path.")
    run_dir = param.String(default="", constant=True, doc="The run directory attached.")
    message = param.String(default="", constant=True, doc="Why an attach was refused.")

    def __init__(self, allowed_roots: tuple[Path, ...] | None = None, **params) -> None:
        super().__init__(**params)
        self.allowed_roots = allowed_roots or default_roots()

    def __panel__(self) -> pn.Column:
        return pn.Column(
            "### Attach to a run",
            pn.Row(
                pn.widgets.TextInput.from_param(
                    self.param.path, name="Run directory", placeholder="runs/run-…"
                ),
                pn.widgets.Button.from_param(self.param.attach, name="Attach", align="end"),
            ),
            pn.pane.HTML(self.param.message.rx().rx.pipe(lambda m: f"<p>{html.escape(m)}</p>")),
        )

    @param.depends("attach", watch=True)
    def _on_attach(self) -> None:
        try:
            run_dir = confine(self.path, self.allowed_roots)
        except PathRefused as exc:
            return self._say(str(exc))
        if not RunLayout(run_dir).is_run():
            return self._say(f"{run_dir} is not a run directory (no run.json or events.sqlite)")
        with param.edit_constant(self):
            self.run_dir = str(run_dir)
        self._say(f"Attached to {run_dir}")

    def _say(self, text: str) -> None:
        with param.edit_constant(self):
            self.message = text


class WorkbenchApp(Viewer):
    """The whole app; ``WorkbenchApp().servable()`` in apps/workbench.py."""

    run_dir = param.String(default="", doc="The run shown by the monitor and results.")
    export = param.Event(doc="Write the shown run's report to <run dir>/report.html.")
    report_path = param.String(default="", constant=True, doc="Last exported report.")

    def __init__(
        self,
        runs_root: str | Path = "runs",
        allowed_roots: tuple[Path, ...] | None = None,
        **params,
    ) -> None:
        super().__init__(**params)
        runs_root = Path(runs_root).resolve()
        roots = (*(allowed_roots or default_roots()), runs_root)
        self.form = RunForm(allowed_roots=roots, runs_root=str(runs_root))
        self.attach = AttachView(allowed_roots=roots)
        self.monitor = RunMonitor()
        self.results = ResultsView()
        self.scores = ScoresView()
        self._export_note = pn.pane.HTML("", name="export-note")
        self._download = pn.widgets.FileDownload(
            label="Download report", color="success", visible=False, embed=False
        )
        self._tabs = pn.Tabs(
            ("Monitor", self.monitor),
            ("Results", self.results),
            ("Scores", self.scores),
            ("Report", self._report_tab()),
            dynamic=False,
            sizing_mode="stretch_width",
        )
        self.form.param.watch(lambda e: self._show(e.new), "run_dir")
        self.form.param.watch(self._on_starting, "starting")
        self.attach.param.watch(lambda e: self._show(e.new), "run_dir")
        self.monitor.param.watch(self._on_status, "status")
        self.scores.param.watch(self._open_scored, "item")
        self.results.param.watch(lambda e: setattr(self.scores, "item", e.new or ""), "item")

    def _show(self, run_dir: str) -> None:
        self.run_dir = run_dir
        self._tabs.active = _MONITOR_TAB

    def _on_starting(self, event: param.parameterized.Event) -> None:
        """A Run press shows in the monitor at once; a refused one gives back the run shown."""
        if event.new:
            self.monitor.show_starting()
            self._tabs.active = _MONITOR_TAB
        elif self.form.run_dir != self.monitor.run_dir:
            self.monitor.param.trigger("run_dir")

    @param.depends("run_dir", watch=True)
    def _switch(self) -> None:
        self.monitor.run_dir = self.run_dir
        self.results.run_dir = self.run_dir
        self.scores.run_dir = self.run_dir
        self._download.visible = False
        self._export_note.object = ""

    def _on_status(self, event: param.parameterized.Event) -> None:
        """Reload the results when the watched run ends (its tables are complete then)."""
        if event.new not in ("", "waiting", "running"):
            self.results.reload()
            self.scores.reload()
            if event.old in ("waiting", "running") and event.new == "completed":
                # failures stay on the monitor, under their banner
                self._tabs.active = _RESULTS_TAB

    def _open_scored(self, event: param.parameterized.Event) -> None:
        """A row chosen in the Scores tab opens its item in Results: chains, interface, 3D view."""
        if event.new not in self.results.param.item.objects:
            return
        self.results.item = event.new
        if self._tabs.active == _SCORES_TAB:
            self._tabs.active = _RESULTS_TAB

    @param.depends("export", watch=True)
    def _on_export(self) -> None:
        if not self.run_dir:
            self._export_note.object = "<p>No run to export.</p>"
            return
        try:
            out = write_report(self.run_dir, RunLayout(self.run_dir).report)
        except (OSError, ValueError) as exc:
            self._export_note.object = f"<p>Export failed: {html.escape(str(exc))}</p>"
            return
        with param.edit_constant(self):
            self.report_path = str(out)
        self._download.file = str(out)
        self._download.filename = f"{Path(self.run_dir).name}-report.html"
        self._download.visible = True
        self._export_note.object = (
            f"<p>Report written to <code class='report-path'>{html.escape(str(out))}</code></p>"
        )

    def _report_tab(self) -> pn.Column:
        return pn.Column(
            "Export a standalone HTML report of the shown run (it opens offline).",
            pn.widgets.Button.from_param(
                self.param.export,
                name="Export report",
                disabled=self.param.run_dir.rx() == "",
            ),
            self._export_note,
            self._download,
            sizing_mode="stretch_width",
        )

    def sidebar(self) -> list:
        """What the template's sidebar holds: the run form and attach-to-run."""
        return [self.form, self.attach]

    def main(self) -> pn.Tabs:
        """The main area: Monitor | Results | Scores | Report."""
        return self._tabs

    def template(self) -> pn.template.FastListTemplate:
        """The served page: settings in the sidebar, the run's views in the main area."""
        return pn.template.FastListTemplate(
            title="Antibody–antigen workbench",
            sidebar=self.sidebar(),
            main=[self.main()],
            sidebar_width=380,
            accent="#0d6efd",
        )

    def __panel__(self) -> pn.Row:
        return pn.Row(
            pn.Column(*self.sidebar(), width=380),
            self.main(),
            sizing_mode="stretch_width",
        )
