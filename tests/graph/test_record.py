"""The graph record round-trips through flat arrays and an .npz file without pickle."""

from __future__ import annotations

import numpy as np
import pytest

from workbench.graph import GraphParams, InterfaceGraph, build_graph


@pytest.mark.parametrize("kind", ["atom", "residue"])
def test_arrays_round_trip_through_npz(case_complex, tmp_path, kind):
    graph = build_graph(case_complex("2I25"), GraphParams(kind=kind))
    path = tmp_path / "graph.npz"
    np.savez(path, **graph.to_arrays())
    with np.load(path, allow_pickle=False) as stored:
        again = InterfaceGraph.from_arrays(dict(stored))
    assert again.kind == graph.kind
    assert again.feature_names == graph.feature_names
    for name in ("node_residue", "node_atom", "edge_index", "internal_edge_index"):
        np.testing.assert_array_equal(getattr(again, name), getattr(graph, name))
    for group in ("node_data", "edge_data", "internal_edge_data"):
        assert getattr(again, group).keys() == getattr(graph, group).keys()
        for key, values in getattr(graph, group).items():
            np.testing.assert_array_equal(getattr(again, group)[key], values)
            assert getattr(again, group)[key].dtype == values.dtype


def test_shape_mismatch_is_refused():
    with pytest.raises(ValueError, match=r"node_data/bsa: expected shape \(2, d\)"):
        InterfaceGraph(
            kind="atom",
            node_residue=np.zeros(2, dtype=np.int32),
            node_atom=np.array(["CA", "CB"]),
            edge_index=np.zeros((2, 0), dtype=np.int64),
            internal_edge_index=np.zeros((2, 0), dtype=np.int64),
            node_data={"bsa": np.zeros((3, 1), dtype=np.float32)},
        )
