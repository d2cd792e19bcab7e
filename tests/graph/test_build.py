"""Interface graphs of real complexes: checked against brute force, symmetry and rigid motions."""

from __future__ import annotations

import dataclasses
import pickle

import numpy as np
import pytest
from scipy.spatial.transform import Rotation

from workbench.graph import GraphParams, InterfaceGraph, NoInterfaceError, build_graph, residue_bsa
from workbench.structure import ANTIBODY_ROLES, AtomTable, Complex


def _moved(complex_: Complex, rotation: np.ndarray, shift: np.ndarray, mask=None) -> Complex:
    """Copy of the complex with (some of) its atoms rigidly moved."""
    atoms = complex_.atoms
    mask = np.ones(len(atoms), dtype=bool) if mask is None else mask
    coord = atoms.coord.copy()
    coord[mask] = coord[mask] @ rotation.T + shift
    table = AtomTable(coord, atoms.name, atoms.element, atoms.residue)
    return dataclasses.replace(complex_, atoms=table)


def _check_graph(graph: InterfaceGraph, complex_: Complex, params: GraphParams) -> None:
    """Invariants every graph must hold."""
    antibody = np.isin(complex_.residues.role[graph.node_residue], ANTIBODY_ROLES)
    assert antibody.any() and (~antibody).any()
    for index in (graph.edge_index, graph.internal_edge_index):
        forward = set(zip(*index.tolist(), strict=True))
        assert forward == {(t, s) for s, t in forward}, "edges must be stored both ways"
        assert len(forward) == index.shape[1], "no duplicate edges"
    s, t = graph.edge_index
    assert np.all(antibody[s] != antibody[t]), "interface edges join opposite sides"
    s, t = graph.internal_edge_index
    assert np.all(antibody[s] == antibody[t]), "internal edges stay on one side"
    assert np.all(graph.edge_data["distance"] <= params.cutoff + 1e-5)
    assert np.all(graph.internal_edge_data["distance"] <= params.internal_cutoff + 1e-5)
    for group in (graph.node_data, graph.edge_data, graph.internal_edge_data):
        for name, values in group.items():
            assert np.all(np.isfinite(values)), name
    assert np.all(graph.node_data["bsa"] >= 0)
    assert np.all(graph.node_data["region"] == 0)
    for key, columns in graph.feature_names.items():
        group, name = key.split("/")
        values = getattr(graph, group)[name]
        assert values.shape[1] == (1 if name == "region" else len(columns)), key


@pytest.mark.parametrize("kind", ["atom", "residue"])
def test_every_case_gives_a_valid_graph(cases, case_complex, kind):
    params = GraphParams(kind=kind)
    for row in cases:
        complex_ = case_complex(row["case"])
        graph = build_graph(complex_, params)
        assert graph.kind == kind
        _check_graph(graph, complex_, params)
        # a residue on the interface buries some surface
        assert graph.node_data["bsa"].max() > 10.0, row["case"]


def _brute_force(complex_: Complex, cutoff: float, internal: float):
    """Atom and residue graph sizes from plain all-pairs distances."""
    atoms, residues = complex_.atoms, complex_.residues
    heavy = np.flatnonzero(
        (atoms.element != "H") & np.isin(residues.aa[atoms.residue], list("ACDEFGHIKLMNPQRSTVWY"))
    )
    side = np.isin(residues.role[atoms.residue[heavy]], ANTIBODY_ROLES)
    ab, ag = heavy[side], heavy[~side]
    d = np.linalg.norm(atoms.coord[ab][:, None] - atoms.coord[ag][None], axis=-1)
    hit = d <= cutoff
    nodes = np.r_[ab[hit.any(axis=1)], ag[hit.any(axis=0)]]
    node_side = np.r_[np.ones(hit.any(axis=1).sum(), bool), np.zeros(hit.any(axis=0).sum(), bool)]
    dn = np.linalg.norm(atoms.coord[nodes][:, None] - atoms.coord[nodes][None], axis=-1)
    same = node_side[:, None] == node_side[None]
    internal_atoms = int(((dn <= internal) & same).sum() - len(nodes))
    ri, rj = np.nonzero(hit)
    res_pairs = {(atoms.residue[ab[a]], atoms.residue[ag[b]]) for a, b in zip(ri, rj, strict=True)}
    node_res = np.unique(atoms.residue[nodes])
    members = np.flatnonzero(np.isin(atoms.residue[heavy], node_res))
    dm = np.linalg.norm(
        atoms.coord[heavy[members]][:, None] - atoms.coord[heavy[members]][None], axis=-1
    )
    close_a, close_b = np.nonzero(
        (dm <= internal) & (side[members][:, None] == side[members][None])
    )
    res_a, res_b = atoms.residue[heavy[members][close_a]], atoms.residue[heavy[members][close_b]]
    internal_res = {(a, b) for a, b in zip(res_a, res_b, strict=True) if a != b}
    return {
        "atom_nodes": len(nodes),
        "atom_edges": 2 * int(hit.sum()),
        "atom_internal": internal_atoms,
        "residue_nodes": len(node_res),
        "residue_edges": 2 * len(res_pairs),
        "residue_internal": len(internal_res),
    }


def test_counts_match_brute_force(case_complex):
    complex_ = case_complex("1VFB")
    expected = _brute_force(complex_, 5.0, 3.0)
    for kind in ("atom", "residue"):
        graph = build_graph(complex_, GraphParams(kind=kind))
        assert graph.n_nodes == expected[f"{kind}_nodes"]
        assert graph.edge_index.shape[1] == expected[f"{kind}_edges"]
        assert graph.internal_edge_index.shape[1] == expected[f"{kind}_internal"]


@pytest.mark.parametrize("kind", ["atom", "residue"])
def test_rigid_motion_keeps_graph_and_features(case_complex, kind):
    complex_ = case_complex("1VFB")
    rotation = Rotation.random(random_state=7).as_matrix()
    moved = _moved(complex_, rotation, np.array([31.0, -12.5, 7.25]))
    params = GraphParams(kind=kind)
    first, second = build_graph(complex_, params), build_graph(moved, params)
    np.testing.assert_array_equal(first.node_residue, second.node_residue)
    np.testing.assert_array_equal(first.node_atom, second.node_atom)
    np.testing.assert_array_equal(first.edge_index, second.edge_index)
    np.testing.assert_array_equal(first.internal_edge_index, second.internal_edge_index)
    for group in ("node_data", "edge_data", "internal_edge_data"):
        for name, values in getattr(first, group).items():
            if name != "position":
                np.testing.assert_allclose(
                    getattr(second, group)[name], values, atol=1e-3, err_msg=name
                )
    np.testing.assert_allclose(
        second.node_data["position"],
        first.node_data["position"] @ rotation.T + [31, -12.5, 7.25],
        atol=1e-3,
    )


def test_missing_backbone_gives_zero_orientation(case_complex):
    complex_ = case_complex("1VFB")
    graph = build_graph(complex_, GraphParams())
    target = int(graph.node_residue[0])  # an antibody residue on the interface
    atoms = complex_.atoms
    keep = ~((atoms.residue == target) & (atoms.name == "N"))
    table = AtomTable(atoms.coord[keep], atoms.name[keep], atoms.element[keep], atoms.residue[keep])
    damaged = dataclasses.replace(complex_, atoms=table)
    graph = build_graph(damaged, GraphParams())
    source = graph.node_residue[graph.edge_index[0]]
    orientation = graph.edge_data["orientation"]
    assert np.all(orientation[source == target] == 0.0)
    others = orientation[source != target]
    np.testing.assert_allclose(np.linalg.norm(others, axis=1), 1.0, atol=1e-5)


def test_sides_apart_raise_no_interface(case_complex):
    complex_ = case_complex("1VFB")
    antigen = complex_.residues.role[complex_.atoms.residue] == "antigen"
    apart = _moved(complex_, np.eye(3), np.array([100.0, 0.0, 0.0]), antigen)
    with pytest.raises(NoInterfaceError) as raised:
        build_graph(apart, GraphParams())
    assert "1VFB" in str(raised.value) and "5.0 Å" in str(raised.value)
    again = pickle.loads(pickle.dumps(raised.value))
    assert (again.source, again.reason) == (raised.value.source, raised.value.reason)


def test_far_residues_bury_nothing(case_complex):
    complex_ = case_complex("1VFB")
    graph = build_graph(complex_, GraphParams(kind="residue"))
    bsa = residue_bsa(complex_)
    atoms = complex_.atoms
    antibody = np.isin(complex_.residues.role[atoms.residue], ANTIBODY_ROLES)
    d = np.linalg.norm(atoms.coord[antibody][:, None] - atoms.coord[~antibody][None], axis=-1)
    nearest = np.full(len(atoms), np.inf)
    nearest[antibody], nearest[~antibody] = d.min(axis=1), d.min(axis=0)
    residue_nearest = np.full(len(complex_.residues), np.inf)
    np.minimum.at(residue_nearest, atoms.residue, nearest)
    assert np.all(bsa[residue_nearest > 2 * (1.9 + 1.4)] == 0.0)
    assert np.all(bsa >= 0.0)
    assert set(np.flatnonzero(bsa > 1.0)) - set(graph.node_residue.tolist()) <= set(
        np.flatnonzero(residue_nearest > 5.0)
    )
