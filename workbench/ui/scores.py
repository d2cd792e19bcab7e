"""The Scores tab: a run's scores.parquet as a ranked, sortable and filterable table, with the
scorer named, "untrained weights" said plainly, and a histogram of predicted DockQ. A clicked
row chooses its item (the app opens it in Results and its 3D view), and an item chosen elsewhere
is marked in the table."""

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
    item = param.String(default="", doc="The chosen item: a clicked row, or one chosen elsewhere.")

    def __init__(self, run_dir: str | Path = "", **params) -> None:
        super().__init__(run_dir=str(run_dir), **params)
        self._note = pn.pane.HTML("", sizing_mode="stretch_width")
        self._table = pn.widgets.Tabulator(
            scores_display(pd.DataFrame()),
            disabled=True,
            show_index=False,
            header_filters=True,
            selectable=1,
            pagination="local",
            page_size=20,
            text_align="left",
            sizing_mode="stretch_width",
            visible=False,
        )
        self._table.param.watch(self._on_select, "selection")
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
        self._mark()

    def _on_select(self, event: param.parameterized.Event) -> None:
        """A clicked row chooses its item."""
        if event.new:
            self.item = str(self._table.value["item_id"].iloc[event.new[0]])

    @param.depends("item", watch=True)
    def _mark(self) -> None:
        """Select the chosen item's row, or none when it is not scored."""
        table = self._table.value
        rows = table.index[table["item_id"] == self.item].tolist()[:1]
        if self._table.selection != rows:
            self._table.selection = rows
