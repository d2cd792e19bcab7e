"""One voronota run serves an item's native and deeprank-ab graphs when they see the same atoms."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from Bio.PDB import PDBParser

from workbench.annotate import AnnotateOptions, number_sequences
from workbench.graph import GraphParams, build_graph
from workbench.graph.deeprank import build_deeprank_graph, merge_for_deeprank
from workbench.graph.deeprank.regions import ANARCI_OPTIONS
from workbench.graph.voronoi import SharedContacts, contact_areas
from workbench.sources import iter_items
from workbench.structure import merge
from workbench.structure.records import ChainSpec

DATA = Path(__file__).parents[1] / "data"
CASES = {  # input, chains, voronota runs with sharing
    "deeprank_ab_example": (DATA / "structures-misc" / "deeprank_ab_example.pdb", "H", "L", 1),
    "1AHW": (DATA / "complexes" / "1AHW.pdb", "B", "A", 1),
    # a PO4 among the heavy chain's atoms: the deeprank-ab graph keeps it, the native one not
    "2DD8": (DATA / "complexes" / "2DD8.pdb", "H", "L", 2),
}


def _antigen(path: Path, heavy: str, light: str) -> tuple[str, ...]:
    chains = [c.id for c in PDBParser(QUIET=True).get_structure("s", str(path))[0]]
    return tuple(c for c in chains if c not in (heavy, light))


@pytest.mark.parametrize("case", sorted(CASES))
def test_both_graphs_get_the_areas_of_their_own_runs(case):
    path, heavy, light, runs = CASES[case]
    spec = ChainSpec(heavy=heavy, light=light, antigen=_antigen(path, heavy, light))
    (item,) = iter_items([path])
    structure = PDBParser(QUIET=True).get_structure(case, str(path))
    complex_ = merge(item, spec, structure=structure)
    merged = merge_for_deeprank(structure, spec, case)
    wanted = merged.variable_sequences()
    numbered = number_sequences(wanted, AnnotateOptions(**ANARCI_OPTIONS))
    numbering = dict(zip(wanted, numbered, strict=True))
    shared = SharedContacts()
    native = build_graph(complex_, GraphParams(voronota=True), shared)
    deeprank = build_deeprank_graph(merged, numbering, shared)
    assert shared.runs == runs
    alone = build_graph(complex_, GraphParams(voronota=True), contact_areas)
    np.testing.assert_array_equal(native.edge_data["voronoi_area"], alone.edge_data["voronoi_area"])
    own = build_deeprank_graph(merged, numbering, contact_areas)
    for part in ("edge_data", "internal_edge_data"):
        ours, theirs = getattr(deeprank, part)["voro_area"], getattr(own, part)["voro_area"]
        np.testing.assert_array_equal(ours, theirs)
        assert np.count_nonzero(ours) > len(ours) // 4


def test_a_focus_beyond_the_first_runs_runs_again(case_complex):
    complex_ = case_complex("1VFB")
    atoms = complex_.atoms
    shared = SharedContacts()
    args = (atoms.coord, atoms.name, complex_.residues.res_name[atoms.residue], atoms.element)
    first = shared(*args, np.arange(10))
    again = shared(*args, np.arange(5))
    assert shared.runs == 1
    for a, b in zip(again, contact_areas(*args, np.arange(5)), strict=True):
        np.testing.assert_array_equal(np.sort(a), np.sort(b))
    shared(*args, np.arange(20))
    assert shared.runs == 2 and len(first[0]) > 0
