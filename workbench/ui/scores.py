"""The Scores tab: a run's scores.parquet as a ranked, sortable and filterable table, with the
scorer named, "untrained weights" said plainly, and a histogram of predicted DockQ."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import panel as pn
import param
from panel.viewable import Viewer

from workbench.record import RunView
from workbench.report.scores import dockq_histogram, scores_display, scores_note

__all__ = ["ScoresView"]


class ScoresView(Viewer):
    """Ranked scores of the shown run, read from its scores.parquet when there is one."""

    run_dir = param.String(default="", doc="Run directory to show.")
    refresh = param.Event(doc="Read scores.parquet again (it is written after the run).")

    def __init__(self, run_dir: str | Path = "", **params) -> None:
        super().__init__(run_dir=str(run_dir), **params)
        self._note = pn.pane.HTML("", sizing_mode="stretch_width")
        self._table = pn.widgets.Tabulator(
            scores_display(pd.DataFrame()),
            disabled=True,
            show_index=False,
            header_filters=True,
            pagination="local",
            page_size=20,
            text_align="left",
            sizing_mode="stretch_width",
            visible=False,
        )
        self._histogram = pn.pane.Bokeh(None, visible=False)
        self.reload()

    def __panel__(self) -> pn.Column:
        return pn.Column(
            pn.Row("### Scores", pn.widgets.Button.from_param(self.param.refresh, name="Refresh")),
            self._note,
            self._table,
            self._histogram,
            sizing_mode="stretch_width",
        )

    @param.depends("run_dir", "refresh", watch=True)
    def reload(self) -> None:
        """Read scores.parquet again and show its ranking, or how to make one."""
        scores = RunView(Path(self.run_dir)).scores if self.run_dir else pd.DataFrame()
        self._note.object = scores_note(scores)
        self._table.value = scores_display(scores)
        self._table.visible = self._histogram.visible = not scores.empty
        self._histogram.object = dockq_histogram(scores) if not scores.empty else None
