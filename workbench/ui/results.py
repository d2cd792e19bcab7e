"""Results of a run: the structures table, one item's chains with CDRs coloured, dataset files.

Reads the run's Parquet tables (any may be absent while the run goes on); every string taken
from them is HTML-escaped before display.
"""

from __future__ import annotations

import html
from pathlib import Path

import pandas as pd
import panel as pn
import param
from panel.viewable import Viewer

from workbench.report.rundir import dataset_paths, read_table

__all__ = ["REGION_COLOURS", "ResultsView", "chains_html"]

REGION_COLOURS = {"CDR1": "#f28e2b", "CDR2": "#59a14f", "CDR3": "#e15759"}
_MAX_ROWS = 500
_COLUMNS = ["item_id", "source", "status", "error", "heavy", "light", "antigen", "n_nodes"]


def _region_kind(region: str) -> str:
    for cdr in REGION_COLOURS:
        if str(region).upper().startswith(cdr):
            return cdr
    return "other"


def chains_html(regions: pd.DataFrame) -> str:
    """Each chain's sequence with CDR residues coloured, from one item's rows of regions.parquet."""
    if regions.empty:
        return "<p>No region annotation for this item.</p>"
    blocks = []
    for chain, rows in regions.groupby("chain", sort=False):
        spans = []
        for aa, region, res_seq in zip(rows["aa"], rows["region"], rows["res_seq"], strict=True):
            kind = _region_kind(region)
            style = f" style='background:{REGION_COLOURS[kind]}'" if kind != "other" else ""
            title = html.escape(f"{res_seq} {region}", quote=True)
            spans.append(
                f"<span class='res {kind}' title='{title}'{style}>{html.escape(aa)}</span>"
            )
        cdrs = ", ".join(
            f"{cdr} {html.escape(''.join(rows['aa'][rows['region'].map(_region_kind) == cdr]))}"
            for cdr in REGION_COLOURS
        )
        blocks.append(
            f"<p><b>Chain {html.escape(str(chain))}</b> ({len(rows)} residues; {cdrs})<br>"
            f"<code style='word-break:break-all'>{''.join(spans)}</code></p>"
        )
    legend = " ".join(
        f"<span style='background:{c};padding:0 4px'>{k}</span>" for k, c in REGION_COLOURS.items()
    )
    return f"<div class='chains'>{legend}{''.join(blocks)}</div>"


class ResultsView(Viewer):
    """Browse a run's dataset: structures by status, one item's chains, the dataset files."""

    run_dir = param.String(default="", doc="Run directory to show.")
    status_filter = param.Selector(default="all", objects=["all", "done", "failed"], doc="Rows.")
    item = param.Selector(default=None, objects=[], doc="Item whose chains are shown.")
    refresh = param.Event(doc="Re-read the tables (they grow while a run goes on).")

    def __init__(self, run_dir: str | Path = "", **params) -> None:
        super().__init__(run_dir=str(run_dir), **params)
        self._table = pn.pane.DataFrame(None, escape=True, index=False, sizing_mode="stretch_width")
        self._chains = pn.pane.HTML("", sizing_mode="stretch_width")
        self._files = pn.pane.HTML("", sizing_mode="stretch_width")
        self._structures: pd.DataFrame | None = None
        self.reload()

    def __panel__(self) -> pn.Column:
        w = pn.widgets
        return pn.Column(
            "### Results",
            pn.Row(
                w.RadioButtonGroup.from_param(self.param.status_filter),
                w.Select.from_param(self.param.item, name="Item"),
                w.Button.from_param(self.param.refresh, name="Refresh"),
            ),
            self._table,
            "#### Chains of the chosen item",
            self._chains,
            "#### Dataset files",
            self._files,
            sizing_mode="stretch_width",
        )

    @property
    def structures(self) -> pd.DataFrame | None:
        return self._structures

    @param.depends("run_dir", "refresh", watch=True)
    def reload(self) -> None:
        """Read the tables again and refresh every part of the view."""
        self._structures = read_table(self.run_dir, "structures") if self.run_dir else None
        items = [] if self._structures is None else list(self._structures["item_id"])
        self.param.item.objects = items
        if self.item not in items:
            self.item = items[0] if items else None
        self._show_table()
        self._show_item()
        files = dataset_paths(self.run_dir) if self.run_dir else {}
        rows = "".join(
            f"<tr><td><code>{html.escape(str(Path(self.run_dir) / name))}</code></td>"
            f"<td>{size:,} bytes</td></tr>"
            for name, size in files.items()
        )
        self._files.object = f"<table>{rows}</table>" if rows else "<p>No dataset files yet.</p>"

    @param.depends("status_filter", watch=True)
    def _show_table(self) -> None:
        df = self._structures
        if df is None:
            self._table.object = pd.DataFrame({"note": ["structures.parquet not written yet"]})
            return
        if self.status_filter != "all":
            df = df[df["status"] == self.status_filter]
        df = df[[c for c in _COLUMNS if c in df.columns]].head(_MAX_ROWS).copy()
        df["source"] = df["source"].map(lambda s: Path(str(s)).name)
        self._table.object = df

    @param.depends("item", watch=True)
    def _show_item(self) -> None:
        if not self.item or self._structures is None:
            self._chains.object = "<p>No item chosen.</p>"
            return
        row = self._structures[self._structures["item_id"] == self.item].iloc[0]
        head = (
            f"<p><b>{html.escape(Path(str(row['source'])).name)}</b> – status "
            f"{html.escape(str(row['status']))}"
        )
        if row["status"] == "failed":
            self._chains.object = f"{head}: {html.escape(str(row['error']))}</p>"
            return
        regions = read_table(self.run_dir, "regions")
        mine = pd.DataFrame() if regions is None else regions[regions["item_id"] == self.item]
        self._chains.object = f"{head}</p>{chains_html(mine)}"
