"""ResultsView: status filter, CDRs coloured beside interface residues, escaped failures."""

from __future__ import annotations

import shutil
from pathlib import Path

import h5py
import pandas as pd

from workbench.record import DATASET_FILES, FILES, open_run
from workbench.ui import ResultsView
from workbench.ui.interface import interface_residues
from workbench.ui.results import chains_html, warnings_html


def test_filter_by_status(recorded_run):
    view = ResultsView(recorded_run)
    table = pd.read_parquet(recorded_run / "structures.parquet")
    assert len(view._table.value) == len(table)
    view.status_filter = "failed"
    assert list(view._table.value["item_id"]) == list(table[table.status == "failed"].item_id)


def test_cdrs_are_coloured_from_the_regions(recorded_run):
    regions = pd.read_parquet(recorded_run / "regions.parquet")
    view = ResultsView(recorded_run)
    view.item = "a:0"
    page = view._chains.object
    mine = regions[regions.item_id == "a:0"]
    for region, kind in (("CDR1", "CDR1"), ("CDR3", "CDR3")):
        assert page.count(f"class='res {kind}'") == int((mine.region == region).sum())
    cdr3 = "".join(mine[(mine.chain == "H") & (mine.region == "CDR3")].aa)
    assert f"CDR3 {cdr3}" in page
    assert chains_html(mine.iloc[0:0]).startswith("<p>No region")


def test_failed_item_shows_escaped_reason(recorded_run):
    view = ResultsView(recorded_run)
    view.item = "x:0"
    assert "<img" not in view._chains.object
    assert "&lt;img src=x onerror=alert(1)&gt;.pdb: no ATOM records" in view._chains.object


def test_interface_residues_beside_the_chains(annotated_run):
    run = open_run(annotated_run)
    item = run.structures["item_id"].iloc[0]
    residues = interface_residues(run.layout.graphs, item)
    view = ResultsView(annotated_run)
    view.item = item
    page = view._interface.object
    for chain, rows in residues.groupby("chain"):
        assert f"<b>Chain {chain}</b> ({rows.role.iloc[0]}): {len(rows)} residues" in page
    assert page.count("class='iface-res'") == len(residues)
    # every interface residue is underlined in its chain's sequence (regions cover all chains)
    assert view._chains.object.count(" iface'") == len(residues)
    assert view._chains.object.count("class='res CDR3") > 0


def test_interface_absent_or_unreadable(recorded_run, tmp_path):
    run_dir = tmp_path / "run"
    shutil.copytree(recorded_run, run_dir)
    view = ResultsView(run_dir)
    view.item = "a:0"
    assert f"No {FILES['graphs']} yet" in view._interface.object
    (run_dir / FILES["graphs"]).write_bytes(b"half-written")
    view.refresh = True
    assert "cannot be read yet" in view._interface.object
    assert "CDR3 AKDRGYFDY" in view._chains.object  # the chains still show


def test_clicking_a_row_opens_its_item_and_blank_cells_stay_blank(recorded_run):
    view = ResultsView(recorded_run)
    table = view._table.value
    failed_row = int(table.index[table["item_id"] == "x:0"][0])
    view._table.selection = [failed_row]
    assert view.item == "x:0" and "no ATOM records" in view._chains.object
    assert not table.isna().any().any()


def test_item_warnings_in_the_table_and_the_item_view(annotated_run):
    structures = open_run(annotated_run).structures
    row = structures.iloc[0]
    assert row["warnings"], "1VFB is expected to carry prep warnings (guessed elements)"
    view = ResultsView(annotated_run)
    assert list(view._table.value["warnings"]) == list(structures["warnings"].fillna(""))
    view.item = row["item_id"]
    for warning in row["warnings"].split("; "):
        assert f"<li>{warning}</li>" in view._chains.object
    assert warnings_html(None) == warnings_html("") == ""
    assert (
        warnings_html("a <b>; c") == "<ul class='item-warnings'><li>a &lt;b&gt;</li><li>c</li></ul>"
    )


def test_a_download_button_per_dataset_file_and_the_report(annotated_run, tmp_path):
    run_dir = tmp_path / "run"
    shutil.copytree(annotated_run, run_dir)
    (run_dir / FILES["report"]).write_text("<html></html>")
    view = ResultsView(run_dir)
    buttons = {b.filename: b for b in view._files.objects}
    present = {FILES[k] for k in (*DATASET_FILES, "report") if (run_dir / FILES[k]).exists()}
    assert set(buttons) == present and FILES["graphs"] in present
    assert FILES["events"] not in buttons and FILES["run"] not in buttons
    assert buttons[FILES["report"]].label == "report.html (13 bytes)"
    assert buttons[FILES["structures"]].file == str(run_dir / FILES["structures"])
    # graphs.h5 is an index of links into graphs/: it downloads as one standalone file
    standalone = Path(buttons[FILES["graphs"]].callback())
    shutil.rmtree(run_dir / "graphs")  # the copy needs no shard
    with h5py.File(standalone, "r") as copy:
        items = sorted(copy)
        assert items and all(isinstance(copy.get(i, getlink=True), h5py.HardLink) for i in items)
        assert items == sorted(
            open_run(annotated_run).structures.query("status == 'done'")["item_id"]
        )
    assert "No dataset files yet" in ResultsView(tmp_path / "absent")._files.objects[0].object
