"""DeepRank-Ab edge energies: equal to their Stage A graphs and to their own compute_nonbonded."""

from __future__ import annotations

import csv
import doctest
import functools
import json
from pathlib import Path

import h5py
import numpy as np
import pytest

from workbench.graph.deeprank import forcefield
from workbench.graph.deeprank.forcefield import (
    AtomParameters,
    atom_parameters,
    c_terminal,
    pair_energies,
)
from workbench.sources import iter_items
from workbench.structure import Complex, merge, parse_chain_spec

DATA = Path(__file__).resolve().parents[1] / "data"
STAGE_A = DATA / "deeprank-ab" / "graphs_stageA.h5"
PAIRS = DATA / "deeprank-ab-forcefield" / "pairs.json"
RTOL, ATOL = 1e-4, 1e-6


def _groups() -> dict[str, dict[str, str]]:
    """HDF5 group -> its groups.tsv row (input file, heavy, light, antigen)."""
    with open(DATA / "deeprank-ab" / "groups.tsv", newline="") as handle:
        return {row["group"]: row for row in csv.DictReader(handle, delimiter="\t")}


@functools.cache
def _complex(name: str) -> Complex:
    """The merged complex of the input PDB a group was made from, with its groups.tsv chains."""
    row = _groups()[name]
    folders = ("complexes", "structures-misc")
    (path,) = [p for p in (DATA / d / row["file"] for d in folders) if p.exists()]
    (item,) = iter_items([path])
    return merge(item, parse_chain_spec(row["heavy"], row["light"], row["antigen"]))


def _node_c_terminal(complex_: Complex, atom_name: np.ndarray, pos: np.ndarray) -> np.ndarray:
    """c_terminal of each node, the node found in the complex by atom name and coordinates."""
    atoms = complex_.atoms
    flags = c_terminal(atoms)
    where = {
        (str(name), tuple(np.round(xyz, 3).tolist())): k
        for k, (name, xyz) in enumerate(zip(atoms.name, atoms.coord, strict=True))
    }
    keys = [(str(n), tuple(np.round(x, 3).tolist())) for n, x in zip(atom_name, pos, strict=True)]
    return flags[[where[key] for key in keys]]


def _energies(group: h5py.Group, prefix: str, cterm: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Our vdw and elec of one of the group's edge sets, from its node names and positions."""
    nodes, pos = group["nodes"][:].astype(str), group["node_data/pos"][:]
    index = group[f"{prefix}edge_index"][:]
    i, j = index[:, 0], index[:, 1]
    params = atom_parameters(nodes[:, 2], nodes[:, 4], cterm)
    same_chain = nodes[i, 0] == nodes[j, 0]
    return pair_energies(params, i, j, np.linalg.norm(pos[i] - pos[j], axis=1), same_chain)


@pytest.mark.parametrize("name", sorted(_groups()))
def test_edges_equal_their_stage_a_graphs(name):
    with h5py.File(STAGE_A, "r") as h5:
        group = h5[name]
        nodes = group["nodes"][:].astype(str)
        cterm = _node_c_terminal(_complex(name), nodes[:, 4], group["node_data/pos"][:])
        vdw, elec = _energies(group, "", cterm)
        np.testing.assert_allclose(vdw, group["edge_data/vdw"][:], rtol=RTOL, atol=ATOL)
        np.testing.assert_allclose(elec, group["edge_data/elec"][:], rtol=RTOL, atol=ATOL)
        internal_vdw, internal_elec = _energies(group, "internal_", cterm)
        assert len(internal_vdw) > 0
        assert not internal_vdw.any() and not internal_elec.any()
        assert (
            not group["internal_edge_data/vdw"][:].any()
            and not group["internal_edge_data/elec"][:].any()
        )
    assert np.count_nonzero(vdw) == len(vdw)


def test_c_terminal_charges_are_what_their_1vfb_graph_holds():
    with h5py.File(STAGE_A, "r") as h5:
        group = h5["1VFB"]
        nodes = group["nodes"][:].astype(str)
        cterm = _node_c_terminal(_complex("1VFB"), nodes[:, 4], group["node_data/pos"][:])
        assert sorted(nodes[cterm, 4].tolist()) == ["C", "O"]  # antigen LEU 129, the chain's end
        _, elec = _energies(group, "", cterm)
        _, elec_plain = _energies(group, "", np.zeros_like(cterm))
        reference = group["edge_data/elec"][:]
    np.testing.assert_allclose(elec, reference, rtol=RTOL, atol=ATOL)
    assert not np.allclose(elec_plain, reference, rtol=RTOL, atol=ATOL)


def test_same_chain_rules_equal_their_compute_nonbonded():
    ref = json.loads(PAIRS.read_text())
    atoms, pairs = ref["atoms"], ref["pairs"]
    params = atom_parameters(
        np.array([a["res_name"] for a in atoms]),
        np.array([a["atom_name"] for a in atoms]),
        np.array([a["c_terminal"] for a in atoms]),
    )
    chain = np.array([a["chain"] for a in atoms])
    i, j, d = np.array(pairs["i"]), np.array(pairs["j"]), np.array(pairs["distance"])
    same_chain = chain[i] == chain[j]
    vdw, elec = pair_energies(params, i, j, d, same_chain)
    np.testing.assert_allclose(vdw, pairs["vdw"], rtol=RTOL, atol=ATOL)
    np.testing.assert_allclose(elec, pairs["elec"], rtol=RTOL, atol=ATOL)
    # the reference covers all three same-chain regimes and cross-chain pairs
    assert (same_chain & (d < forcefield.CUTOFF_13)).any()
    band_14 = same_chain & (d >= forcefield.CUTOFF_13) & (d < forcefield.CUTOFF_14)
    assert (
        band_14.any() and (same_chain & (d >= forcefield.CUTOFF_14)).any() and (~same_chain).any()
    )
    main_only, _ = pair_energies(params, i, j, d)
    assert not np.allclose(main_only[band_14], np.array(pairs["vdw"])[band_14], rtol=RTOL)


def test_c_terminal_patch_touches_only_the_carboxyl():
    res = np.array(["ALA", "ARG", "GLY", "LEU", "TRP"]).repeat(6)
    atom = np.tile(["N", "CA", "C", "O", "CB", "OXT"], 5)
    plain = atom_parameters(res, atom, np.zeros(len(res), bool))
    cter = atom_parameters(res, atom, np.ones(len(res), bool))
    changed = np.isin(atom, ["CA", "C", "O", "OXT"])
    for field in ("charge", "epsilon", "sigma"):
        a, b = getattr(plain, field), getattr(cter, field)
        np.testing.assert_array_equal(a[~changed], b[~changed])
    assert (plain.charge[changed] != cter.charge[changed]).all()
    oxt = atom == "OXT"
    assert (
        not cter.epsilon[oxt].any() and not plain.epsilon[oxt].any()
    )  # OXT never has Lennard-Jones terms
    np.testing.assert_array_equal(
        cter.sigma[atom == "O"], plain.sigma[atom == "O"]
    )  # type OC keeps O's σ


def test_each_atom_takes_its_own_residue_class():
    # their per-graph memo would give both LEU O the class of the first LEU met; ours does not
    p = atom_parameters(np.array(["LEU", "LEU"]), np.array(["O", "O"]), np.array([True, False]))
    assert p.charge[0] != p.charge[1]


def test_unknown_atoms_get_zero_parameters():
    p = atom_parameters(
        np.array(["ASX", "HOH", "LYS"]), np.array(["CB", "O", "XX"]), np.zeros(3, bool)
    )
    for field in ("charge", "epsilon", "sigma", "epsilon_14", "sigma_14"):
        assert not getattr(p, field).any()


def test_mismatched_shapes_are_refused():
    with pytest.raises(ValueError, match="one shape"):
        atom_parameters(np.array(["ALA"]), np.array(["CA", "CB"]), np.array([False]))
    p = atom_parameters(np.array(["ALA"]), np.array(["CA"]), np.array([False]))
    with pytest.raises(ValueError, match="one shape"):
        pair_energies(p, np.array([0]), np.array([0, 0]), np.array([3.0]))
    with pytest.raises(ValueError, match="one shape"):
        AtomParameters(*(np.zeros(k) for k in (1, 1, 1, 1, 2)))


def test_docstring_examples():
    assert doctest.testmod(forcefield).failed == 0
