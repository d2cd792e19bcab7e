"""Results of a run: the structures table, one item's chains with CDRs coloured beside its
interface residues and its 3D view, and the dataset files.

Reads the run's tables through ``workbench.record.RunView`` (an absent table reads as empty
while the run goes on) and the item's graph from graphs.h5; every string taken from them is
HTML-escaped before display.
"""

from __future__ import annotations

import html
import tempfile
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import panel as pn
import param
from panel.viewable import Viewer

from workbench.output.shards import copy_graphs
from workbench.record import DATASET_FILES, FILES, RunView
from workbench.report.summary import fmt_size
from workbench.ui.interface import REGION_COLOURS, interface_html, interface_residues, region_kind
from workbench.ui.structure3d import item_structure, viewer_html

__all__ = ["ResultsView", "chains_html", "warnings_html"]

_MAX_ROWS = 500
_COLUMNS = [
    "item_id",
    "source",
    "member",
    "status",
    "heavy",
    "light",
    "antigen",
    "n_nodes",
    "error",
    "warnings",
]
_IFACE_STYLE = "border-bottom:3px solid #1f3b73;font-weight:bold"


def chains_html(regions: pd.DataFrame, interface: pd.DataFrame | None = None) -> str:
    """Each chain's sequence with CDR residues coloured (and interface residues underlined),
    from one item's rows of regions.parquet and, optionally, its ``interface_residues``."""
    if regions.empty:
        return "<p>No region annotation for this item.</p>"
    contact = set()
    if interface is not None:
        contact = set(
            zip(interface["chain"], interface["res_seq"], interface["ins_code"], strict=True)
        )
    blocks = []
    for chain, rows in regions.groupby("chain", sort=False):
        spans = []
        for aa, region, res_seq, ins in zip(
            rows["aa"], rows["region"], rows["res_seq"], rows["ins_code"], strict=True
        ):
            kind = region_kind(region)
            styles = [f"background:{REGION_COLOURS[kind]}"] if kind != "other" else []
            classes = f"res {kind}"
            if (chain, res_seq, ins) in contact:
                styles.append(_IFACE_STYLE)
                classes += " iface"
            style = f" style='{';'.join(styles)}'" if styles else ""
            title = html.escape(f"{res_seq}{ins} {region}", quote=True)
            spans.append(f"<span class='{classes}' title='{title}'{style}>{html.escape(aa)}</span>")
        kinds = rows["region"].map(region_kind)
        cdrs = "".join(
            f"; {cdr} {html.escape(''.join(rows['aa'][kinds == cdr]))}"
            for cdr in REGION_COLOURS
            if (kinds == cdr).any()
        )
        blocks.append(
            f"<p><b>Chain {html.escape(str(chain))}</b> ({len(rows)} residues{cdrs})<br>"
            f"<code style='word-break:break-all'>{''.join(spans)}</code></p>"
        )
    legend = " ".join(
        f"<span style='background:{c};padding:0 4px'>{k}</span>" for k, c in REGION_COLOURS.items()
    )
    legend += f" <span style='{_IFACE_STYLE}'>interface</span>"
    return f"<div class='chains'>{legend}{''.join(blocks)}</div>"


def warnings_html(warnings: object) -> str:
    """An item's "; "-joined warnings as a list (class item-warnings); empty when it has none."""
    if not isinstance(warnings, str) or not warnings.strip():
        return ""
    items = "".join(f"<li>{html.escape(w)}</li>" for w in warnings.split("; ") if w.strip())
    return f"<ul class='item-warnings'>{items}</ul>"


def _one_file(index: Path) -> Callable[[], str]:
    """A standalone copy of a sharded graph file, made when its button is pressed: the index
    alone is useless without its shard folder. One copy per run and file, replaced each time."""

    def make() -> str:
        folder = Path(tempfile.gettempdir(), "workbench-downloads")
        folder.mkdir(exist_ok=True)
        out = folder / f"{index.parent.name}-{index.name}"
        copy_graphs(index, out)
        return str(out)

    return make


def file_downloads(run: RunView) -> list[pn.widgets.FileDownload]:
    """A download button for each dataset file of the run present, and its report; a sharded
    graph file downloads as one file holding all its groups."""
    layout = run.layout
    sizes = layout.file_sizes()
    shards = {"graphs": layout.graph_shards, "deeprank": layout.deeprank_shards}
    buttons = []
    for kind in (*DATASET_FILES, "report"):
        name = FILES[kind]
        if name not in sizes:
            continue
        size = (
            sizes[name] + sizes.get(f"{shards[kind].name}/", 0) if kind in shards else sizes[name]
        )
        source = (
            {"callback": _one_file(layout.path(kind))}
            if kind in shards and shards[kind].is_dir()
            else {"file": str(layout.path(kind))}
        )
        buttons.append(
            pn.widgets.FileDownload(
                filename=name, label=f"{name} ({fmt_size(size)})", embed=False, **source
            )
        )
    return buttons


class ResultsView(Viewer):
    """Browse a run's dataset: structures by status, one item's chains, the dataset files."""

    run_dir = param.String(default="", doc="Run directory to show.")
    status_filter = param.Selector(default="all", objects=["all", "done", "failed"], doc="Rows.")
    item = param.Selector(default=None, objects=[], doc="Item whose chains are shown.")
    refresh = param.Event(doc="Re-read the tables (they grow while a run goes on).")

    def __init__(self, run_dir: str | Path = "", **params) -> None:
        super().__init__(run_dir=str(run_dir), **params)
        self._table = pn.widgets.Tabulator(
            pd.DataFrame(),
            disabled=True,
            show_index=False,
            header_filters=True,
            selectable=1,
            pagination="local",
            page_size=20,
            text_align="left",
            sizing_mode="stretch_width",
        )
        self._table.param.watch(self._on_select, "selection")
        self._chains = pn.pane.HTML("", sizing_mode="stretch_width")
        self._interface = pn.pane.HTML("", sizing_mode="stretch_width")
        self._structure = pn.pane.HTML("", sizing_mode="stretch_width")
        self._files = pn.Row(sizing_mode="stretch_width", styles={"flex-wrap": "wrap"})
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
            pn.Row(
                pn.Column("#### Chains of the chosen item", self._chains),
                pn.Column("#### Interface residues", self._interface),
                sizing_mode="stretch_width",
            ),
            "#### 3D view (CDRs coloured, interface residues as sticks)",
            self._structure,
            "#### Dataset files",
            self._files,
            sizing_mode="stretch_width",
        )

    @property
    def structures(self) -> pd.DataFrame | None:
        return self._structures

    @property
    def _run(self) -> RunView:
        return RunView(Path(self.run_dir))

    @param.depends("run_dir", "refresh", watch=True)
    def reload(self) -> None:
        """Read the tables again and refresh every part of the view."""
        structures = self._run.structures if self.run_dir else pd.DataFrame()
        self._structures = None if structures.empty else structures
        items = [] if self._structures is None else list(self._structures["item_id"])
        self.param.item.objects = items
        if self.item not in items:
            self.item = items[0] if items else None
        self._show_table()
        self._show_item()
        downloads = file_downloads(self._run) if self.run_dir else []
        self._files.objects = downloads or [pn.pane.HTML("<p>No dataset files yet.</p>")]

    @param.depends("status_filter", watch=True)
    def _show_table(self) -> None:
        df = self._structures
        if df is None:
            self._table.value = pd.DataFrame({"note": [f"{FILES['structures']} not written yet"]})
            return
        if self.status_filter != "all":
            df = df[df["status"] == self.status_filter]
        df = df[[c for c in _COLUMNS if c in df.columns]].head(_MAX_ROWS).copy()
        df["source"] = df["source"].map(lambda s: Path(str(s)).name)
        self._table.value = df.astype(object).where(df.notna(), "").reset_index(drop=True)

    def _on_select(self, event: param.parameterized.Event) -> None:
        """A clicked row opens its item."""
        table = self._table.value
        if event.new and "item_id" in table:
            self.item = table["item_id"].iloc[event.new[0]]

    @param.depends("item", watch=True)
    def _show_item(self) -> None:
        self._interface.object = self._structure.object = ""
        if not self.item or self._structures is None:
            self._chains.object = "<p>No item chosen.</p>"
            return
        row = self._structures[self._structures["item_id"] == self.item].iloc[0]
        head = (
            f"<p><b>{html.escape(Path(str(row['source'])).name)}</b> – status "
            f"{html.escape(str(row['status']))}"
        )
        notes = warnings_html(row.get("warnings"))
        if row["status"] == "failed":
            self._chains.object = f"{head}: {html.escape(str(row['error']))}</p>{notes}"
            return
        regions = self._run.regions
        mine = regions[regions["item_id"] == self.item] if not regions.empty else regions
        interface, note = self._interface_of(self.item)
        self._chains.object = f"{head}</p>{notes}{chains_html(mine, interface)}"
        self._interface.object = note if interface is None else interface_html(interface)
        structure = item_structure(self.run_dir, row)
        self._structure.object = (
            f"<p>{html.escape(str(row['source']))} no longer holds this item.</p>"
            if structure is None
            else viewer_html(structure, mine, interface, row.get("antigen") or "")
        )

    def _interface_of(self, item_id: str) -> tuple[pd.DataFrame | None, str]:
        """The item's interface residues, or None and why they cannot be shown yet."""
        path = self._run.layout.graphs
        if not path.exists():
            return None, f"<p>No {FILES['graphs']} yet.</p>"
        try:
            return interface_residues(path, item_id), ""
        except KeyError:
            return None, "<p>No interface graph for this item.</p>"
        except OSError as exc:  # HDF5 locks the file while the prep stage writes it
            return None, (
                f"<p>{FILES['graphs']} cannot be read yet (a stage is writing it; press "
                f"Refresh when it ends): {html.escape(str(exc))}</p>"
            )
