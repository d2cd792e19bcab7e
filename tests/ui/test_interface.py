"""interface_residues against a brute-force contact search with Biopython, regions and BSA."""

from __future__ import annotations

import numpy as np
import pandas as pd
from Bio.PDB import NeighborSearch, PDBParser
from Bio.PDB.Polypeptide import is_aa

from workbench.record import FILES, open_run
from workbench.ui.interface import interface_html, interface_residues

CUTOFF = 5.0  # Å, the graph's default interface cutoff


def _brute_force(pdb, antibody: set[str], antigen: set[str]) -> set[tuple[str, int, str]]:
    """Residues with a heavy atom within CUTOFF of a heavy atom of the other side."""
    model = PDBParser(QUIET=True).get_structure("x", pdb)[0]
    atoms = [
        a
        for chain in model
        if chain.id in antibody | antigen
        for res in chain
        if is_aa(res, standard=True)
        for a in res
        if a.element not in ("H", "D")
    ]
    side = {id(a): a.get_parent().get_parent().id in antibody for a in atoms}
    found = set()
    for a, b in NeighborSearch(atoms).search_all(CUTOFF + 1e-6):
        if side[id(a)] != side[id(b)]:
            for atom in (a, b):
                res = atom.get_parent()
                found.add((res.get_parent().id, res.id[1], res.id[2].strip()))
    return found


def _item(run_dir) -> str:
    return open_run(run_dir).structures["item_id"].iloc[0]


def test_interface_matches_brute_force(annotated_run, complexes_dir, annotated_case):
    got = interface_residues(annotated_run / FILES["graphs"], _item(annotated_run))
    antibody = {annotated_case["heavy"], annotated_case["light"]} - {"-"}
    expected = _brute_force(
        complexes_dir / f"{annotated_case['case']}.pdb", antibody, set(annotated_case["antigen"])
    )
    keys = set(got[["chain", "res_seq", "ins_code"]].itertuples(index=False, name=None))
    assert keys == expected
    assert len(got) == len(keys)  # one row per residue, though nodes are atoms
    assert set(got.loc[got.chain.isin(antibody), "role"]) <= {"heavy", "light"}
    assert (got.loc[got.chain.isin(set(annotated_case["antigen"])), "role"] == "antigen").all()


def test_regions_and_bsa(annotated_run):
    view = open_run(annotated_run)
    item = _item(annotated_run)
    got = interface_residues(view.layout.graphs, item)
    regions = view.regions[view.regions.item_id == item]
    merged = got.merge(regions, on=["chain", "res_seq", "ins_code"], suffixes=("", "_table"))
    assert len(merged) == len(got)  # every interface residue has a row in regions.parquet
    assert (merged.region == merged.region_table).all()
    assert merged.region.str.startswith("CDR").any()
    assert (got.loc[got.role == "antigen", "region"] == "antigen").all()
    assert (got.bsa >= 0).all() and got.bsa.sum() > 0


def test_html_per_chain_escaped():
    rows = pd.DataFrame(
        {
            "chain": ["<b>", "<b>", "A"],
            "res_seq": [1, 2, 7],
            "ins_code": ["", "A", ""],
            "res_name": ["GLY", "TYR", "LYS"],
            "aa": ["G", "Y", "K"],
            "role": ["heavy", "heavy", "antigen"],
            "region": ["CDR3", "FR4", "antigen"],
            "bsa": np.array([10.0, 2.5, 30.0]),
        }
    )
    page = interface_html(rows)
    assert "<b>" not in page.replace("<b>Chain", "")
    assert "Chain &lt;b&gt;</b> (heavy): 2 residues, BSA 12 Å²" in page
    assert page.count("class='iface-res'") == 3
    assert "<td>Y2A</td>" in page
    assert interface_html(rows.iloc[0:0]).startswith("<p>No interface")
