"""The workbench's MCL against the markov-clustering package DeepRank-Ab calls.

Graphs: the internal edges of DeepRank-Ab's own Stage A graphs (their depth-0 and pooled
depth-1 graphs), and seeded random contact graphs of points in a box, from sparse to dense.
"""

from __future__ import annotations

import contextlib
import io
from pathlib import Path

import h5py
import numpy as np
import pytest
from scipy.spatial import cKDTree

from workbench.graph.deeprank.mcl import get_clusters, mcl_clusters, run_mcl

STAGE_A = Path(__file__).parents[1] / "data" / "deeprank-ab" / "graphs_stageA.h5"


@pytest.fixture(scope="module")
def package():
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        import markov_clustering

    return markov_clustering


def _adjacency(edges: np.ndarray, n: int) -> np.ndarray:
    adjacency = np.zeros((n, n))
    pairs = edges[edges[:, 0] != edges[:, 1]]
    adjacency[pairs[:, 0], pairs[:, 1]] = adjacency[pairs[:, 1], pairs[:, 0]] = 1.0
    return adjacency


def _reference_graphs() -> list[tuple[str, np.ndarray]]:
    graphs = []
    with h5py.File(STAGE_A, "r") as handle:
        for name, group in handle.items():
            edges = group["internal_edge_index"][()].astype(np.int64)
            n = len(group["nodes"])
            graphs.append((f"{name}/depth_0", _adjacency(edges, n)))
            depth_0 = group["clustering/mcl/depth_0"][()]
            _, consecutive = np.unique(depth_0, return_inverse=True)
            graphs.append(
                (f"{name}/depth_1", _adjacency(consecutive[edges], consecutive.max() + 1))
            )
    return graphs


def _random_graph(seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    n = int(rng.integers(2, 400))
    points = rng.uniform(0.0, 10.0 * (n / 100) ** (1 / 3), size=(n, 3))
    radius = rng.uniform(0.8, 3.0)
    edges = np.array(sorted(cKDTree(points).query_pairs(radius)), dtype=np.int64).reshape(-1, 2)
    return _adjacency(edges, n)


GRAPHS = _reference_graphs() + [(f"random-{seed}", _random_graph(seed)) for seed in range(40)]


@pytest.mark.parametrize(("label", "adjacency"), GRAPHS, ids=[label for label, _ in GRAPHS])
def test_same_matrix_and_clusters_as_the_package(package, label, adjacency):
    ours = run_mcl(adjacency)
    theirs = package.run_mcl(adjacency)
    assert np.array_equal(ours, theirs), label
    assert get_clusters(ours) == package.get_clusters(theirs)


def test_reference_labels_at_both_depths():
    with h5py.File(STAGE_A, "r") as handle:
        for name, group in handle.items():
            edges = group["internal_edge_index"][()].astype(np.int64)
            depth_0, depth_1 = mcl_clusters(edges, len(group["nodes"]))
            assert np.array_equal(depth_0, group["clustering/mcl/depth_0"][()]), name
            assert np.array_equal(depth_1, group["clustering/mcl/depth_1"][()]), name


def test_a_graph_with_no_edges_is_one_cluster_per_node():
    depth_0, depth_1 = mcl_clusters(np.empty((0, 2), dtype=np.int64), 4)
    assert depth_0.tolist() == [0, 1, 2, 3]
    assert depth_1.tolist() == [0, 1, 2, 3]
