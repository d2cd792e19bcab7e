"""Voronoi contact areas of interface edges equal voronota's on the whole structure."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from workbench.graph import GraphParams, build_graph, voronota_available
from workbench.graph.voronoi import CONTACTS_COMMAND, _run

DATA = Path(__file__).resolve().parents[1] / "data"
REFERENCE = DATA / "voronota_reference.json"


def test_areas_match_whole_structure_voronota(case_complex):
    assert voronota_available(), "the voronota program is not on PATH: `make test` installs it"
    complex_ = case_complex("1VFB")
    graph = build_graph(complex_, GraphParams(voronota=True))
    assert graph.feature_names["edge_data/voronoi_area"] == ("voronoi_area",)
    residues = complex_.residues
    r = graph.node_residue
    keys = list(
        zip(
            residues.chain[r],
            residues.res_seq[r],
            residues.ins_code[r],
            graph.node_atom,
            strict=True,
        )
    )
    reference = {}
    for row in json.loads(REFERENCE.read_text())["1VFB"]:
        a, b = (row[0], row[1], row[2], row[3]), (row[4], row[5], row[6], row[7])
        reference[(a, b)] = reference[(b, a)] = row[8]
    s, t = graph.edge_index
    got = graph.edge_data["voronoi_area"][:, 0]
    expected = np.array([reference.get((keys[i], keys[j]), 0.0) for i, j in zip(s, t, strict=True)])
    np.testing.assert_allclose(got, expected, atol=1e-3)
    assert np.count_nonzero(got) > len(got) // 4
    # every reference contact between interface atoms within the cutoff is an edge
    index = {key: n for n, key in enumerate(keys)}
    edges = set(zip(s.tolist(), t.tolist(), strict=True))
    for a, b in reference:
        if a in index and b in index:
            pair_distance = np.linalg.norm(
                graph.node_data["position"][index[a]] - graph.node_data["position"][index[b]]
            )
            if pair_distance <= 5.0:
                assert (index[a], index[b]) in edges


def test_without_voronota_the_feature_is_absent(case_complex):
    graph = build_graph(case_complex("1VFB"), GraphParams(voronota=False))
    assert "voronoi_area" not in graph.edge_data
    assert "edge_data/voronoi_area" not in graph.feature_names


def test_the_contacts_command_gives_the_default_inter_atom_areas():
    atoms = (DATA / "complexes" / "1VFB.pdb").read_text()
    balls = "".join(
        " ".join(line.split()[:4]) + "\n"
        for line in _run(["get-balls-from-atoms-file"], atoms).splitlines()
    )

    def inter_atom(output: str) -> np.ndarray:
        rows = np.loadtxt(output.splitlines(), ndmin=2)
        return rows[rows[:, 0] != rows[:, 1]]

    ours = inter_atom(_run(CONTACTS_COMMAND, balls))
    default = inter_atom(_run(["calculate-contacts"], balls))
    assert len(ours) > 1000
    np.testing.assert_array_equal(ours, default)
