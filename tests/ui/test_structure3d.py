"""The 3D view's page: the item's own structure, CDR and interface keys that match its atoms,
3Dmol.js inlined (no script loaded by address)."""

from __future__ import annotations

import html
import json
import re
import shutil
from pathlib import Path

from workbench.record import open_run
from workbench.ui import ResultsView
from workbench.ui.interface import interface_residues
from workbench.ui.structure3d import item_structure, residue_key, viewer_html


def _page(iframe: str) -> str:
    return html.unescape(re.search(r'srcdoc="([^"]*)"', iframe).group(1))


def _data(iframe: str) -> dict:
    page = _page(iframe)
    payload = re.search(r"<script type='application/json' id='wb-data'>(.*?)</script>", page, re.S)
    return json.loads(payload.group(1))


def _atom_keys(pdb_text: str) -> set[str]:
    return {
        residue_key(line[21], int(line[22:26]), line[26])
        for line in pdb_text.splitlines()
        if line.startswith(("ATOM", "HETATM"))
    }


def test_view_colours_cdrs_and_sticks_the_interface_of_the_item(annotated_run):
    run = open_run(annotated_run)
    row = run.structures.iloc[0]
    structure = item_structure(annotated_run, row)
    assert structure is not None and structure.fmt == "pdb"
    assert structure.text == Path(row["source"]).read_text()
    regions = run.regions[run.regions["item_id"] == row["item_id"]]
    interface = interface_residues(run.layout.graphs, row["item_id"])
    data = _data(viewer_html(structure, regions, interface, row["antigen"]))
    atoms = _atom_keys(structure.text)
    cdr3 = regions[regions["region"].str.upper().str.startswith("CDR3")]
    assert len(cdr3) and set(data["regions"].values()) == {"CDR1", "CDR2", "CDR3"}
    assert set(data["regions"]) <= atoms and set(data["iface"]) <= atoms
    assert len(data["iface"]) == len(interface) and data["antigen"] == row["antigen"].split(",")
    assert sum(v == "CDR3" for v in data["regions"].values()) == len(cdr3)


def test_3dmol_is_inlined_and_nothing_is_loaded_by_address(annotated_run):
    run = open_run(annotated_run)
    row = run.structures.iloc[0]
    iframe = viewer_html(item_structure(annotated_run, row), run.regions.iloc[0:0], None)
    page = _page(iframe)
    assert "$3Dmol" in page and len(page) > 500_000
    assert not re.findall(r"<script[^>]*\bsrc=", page) and "<link" not in page
    assert _data(iframe)["iface"] == {}


def test_merged_pdb_first_and_a_changed_source_refused(annotated_run, tmp_path):
    run_dir = tmp_path / "run"
    shutil.copytree(annotated_run, run_dir)
    run = open_run(run_dir)
    row = run.structures.iloc[0].copy()
    merged = run.layout.merged_pdb(row["item_id"])
    merged.parent.mkdir()
    merged.write_text("ATOM      1  CA  GLY H   1       0.000   0.000   0.000  1.00  0.00\n")
    assert item_structure(run_dir, row).text.startswith("ATOM      1  CA  GLY H")
    merged.unlink()
    row["checksum"] = "0" * 64
    assert item_structure(run_dir, row) is None


def test_results_item_view_holds_the_3d_view(annotated_run, recorded_run):
    view = ResultsView(annotated_run)
    assert "class='structure-3d'" in view._structure.object
    failed = ResultsView(recorded_run)
    failed.item = "x:0"
    assert failed._structure.object == ""
