"""DeepRank-Ab region labels: equal to the `region` one-hots of their own Stage A graphs."""

from __future__ import annotations

import csv
from pathlib import Path

import h5py
import numpy as np
import pytest
from Bio.PDB import PDBParser
from Bio.PDB.Polypeptide import PPBuilder

from workbench.annotate import AnnotateOptions, number_sequences
from workbench.graph.deeprank import regions
from workbench.graph.deeprank.regions import (
    ANARCI_OPTIONS,
    REGION_LABELS,
    merged_letters,
    region_labels,
    variable_sequences,
)

DATA = Path(__file__).resolve().parents[1] / "data"
REFERENCE = DATA / "deeprank-ab"
with open(REFERENCE / "groups.tsv", newline="") as _handle:
    GROUPS = list(csv.DictReader(_handle, delimiter="\t"))  # group -> input file and chains


def _labels(chain_a: str, heavy: str, light: str | None) -> list[str]:
    """region_labels with the numbering the annotate stage makes (in process, pyhmmer)."""
    wanted = variable_sequences(heavy, light)
    numbered = number_sequences(wanted, AnnotateOptions(**ANARCI_OPTIONS))
    return region_labels(chain_a, heavy, light, dict(zip(wanted, numbered, strict=True)))


def _input_path(name: str) -> Path:
    """groups.tsv names the file; it lies in complexes/ or structures-misc/."""
    path = DATA / "complexes" / name
    return path if path.exists() else DATA / "structures-misc" / name


def _chains(name: str, heavy: str, light: str | None) -> tuple[str, str, str | None]:
    """chain_a, heavy and light as DeepRank-Ab's merge makes them from the input PDB."""
    model = PDBParser(QUIET=True).get_structure(name, _input_path(name))[0]
    ids = [heavy] if light is None else [heavy, light]
    chain_a = merged_letters(res.get_resname() for cid in ids for res in model[cid])

    def peptides(cid: str) -> str:
        return "".join(str(pp.get_sequence()) for pp in PPBuilder().build_peptides(model[cid]))

    return chain_a, peptides(heavy), None if light is None else peptides(light)


def _group_chains(group: dict[str, str]) -> tuple[str, str, str | None]:
    light = None if group["light"] == "-" else group["light"]
    return _chains(group["file"], group["heavy"], light)


@pytest.mark.parametrize("group", GROUPS, ids=[g["group"] for g in GROUPS])
def test_labels_equal_their_region_one_hots(group):
    chain_a, heavy, light = _group_chains(group)
    assert len(chain_a) == int(group["n_res_A"])  # every residue kept, hetero ones too
    labels = _labels(chain_a, heavy, light)
    assert len(labels) == len(chain_a)
    assert set(labels) <= set(REGION_LABELS) - {"FR", "AG"}
    with h5py.File(REFERENCE / "graphs_stageA.h5", "r") as handle:
        nodes = handle[group["group"]]["nodes"][:]
        one_hot = handle[group["group"]]["node_data/region"][:]
    on_a = nodes[:, 0] == b"A"
    assert on_a.sum() > 50
    expected = np.zeros((on_a.sum(), len(REGION_LABELS)), dtype=np.float32)
    for row, resnum in enumerate(nodes[on_a, 1].astype(int)):
        expected[row, REGION_LABELS.index(labels[resnum - 1])] = 1.0
    np.testing.assert_array_equal(one_hot[on_a], expected)
    if light is None:  # the nanobody: heavy CDRs only
        assert not any(label.startswith("L") for label in labels)
        assert "H3" in labels


def test_the_exact_start_shortcut_equals_pairwise2():
    for group in GROUPS:
        chain_a, heavy, light = _group_chains(group)
        for sequence in filter(None, (heavy, light)):
            assert regions._start(chain_a, sequence) == regions._aligned_start(chain_a, sequence)


def test_a_hetero_residue_inside_the_heavy_chain_is_const_and_shifts_the_rest():
    chain_a, heavy, light = _chains("deeprank_ab_example.pdb", "H", "L")
    before = _labels(chain_a, heavy, light)
    cut = before.index("H3")  # inside a CDR, so a shift would change labels
    with_x = chain_a[:cut] + "X" + chain_a[cut:]
    assert heavy not in with_x  # placed through pairwise2, not the exact shortcut
    assert _labels(with_x, heavy, light) == [*before[:cut], "CONST", *before[cut:]]


def test_a_missing_heavy_head_gives_their_gapped_start():
    chain_a, heavy, light = _chains("deeprank_ab_example.pdb", "H", "L")
    head = 3
    merged = chain_a[head:]
    # pairwise2 pads the merged sequence with `head` leading gaps and reports start = head
    # in the gapped string; DeepRank-Ab steps back from there to the heavy chain's first letter
    stepped = max(merged.rfind(heavy[0], 0, head + 1), 0)
    assert regions._start(merged, heavy) == stepped
    assert len(_labels(merged, heavy, light)) == len(merged)


def test_light_cdrs_overwrite_heavy_labels_only_where_they_are_cdrs():
    chain_a, heavy, light = _chains("deeprank_ab_example.pdb", "H", "L")
    heavy_only = _labels(chain_a, heavy, None)
    both = _labels(chain_a, heavy, light)
    light_at = chain_a.index(light)
    assert both[:light_at] == heavy_only[:light_at]
    assert {"L1", "L2", "L3"} <= set(both[light_at:])
    assert all(b == h for b, h in zip(both, heavy_only, strict=True) if not b.startswith("L"))


def test_a_chain_with_no_antibody_domain_is_all_const():
    model = PDBParser(QUIET=True).get_structure("1VFB", DATA / "complexes" / "1VFB.pdb")[0]
    lysozyme = "".join(str(pp.get_sequence()) for pp in PPBuilder().build_peptides(model["C"]))
    chain_a = merged_letters(res.get_resname() for res in model["C"])
    assert _labels(chain_a, lysozyme, None) == ["CONST"] * len(chain_a)
    assert _labels(chain_a + chain_a, lysozyme, lysozyme) == ["CONST"] * 2 * len(chain_a)


def test_an_empty_heavy_sequence_is_all_const():
    chain_a, _, light = _chains("deeprank_ab_example.pdb", "H", "L")
    assert _labels(chain_a, "", light) == ["CONST"] * len(chain_a)


def test_a_missing_numbering_is_refused_by_name():
    chain_a, heavy, light = _chains("deeprank_ab_example.pdb", "H", "L")
    with pytest.raises(KeyError, match=light[:20]):
        region_labels(chain_a, heavy, light, {heavy[:130]: number_sequences([heavy[:130]])[0]})


def test_merged_letters_read_like_theirs():
    assert merged_letters(["ALA", "MSE", "HOH", "PO4", "SEP", "TRP"]) == "AMXXXW"
