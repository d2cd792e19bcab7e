"""DeepRank-Ab's two levels of Markov clusters over a graph's internal edges.

As their ``PreCluster``: depth 0 runs ``markov_clustering.run_mcl`` with its defaults on the
0/1 adjacency of the internal edges (all nodes, in node order); a node's label is the index of
the last cluster that holds it. Depth 1 pools the internal edges onto the depth-0 clusters
(renumbered consecutively in label order, self-loops dropped) and clusters that graph again;
``depth_1`` is indexed by the consecutive depth-0 cluster number.

``run_mcl`` here is the markov-clustering package's (0.0.6) dense path step for step, in numpy
alone: self-loops set to 1, columns normalised to sum 1 (as ``sklearn.preprocessing.normalize``
with ``norm="l1", axis=0``, near-zero sums left as they are), then up to 100 rounds of squaring,
elementwise squaring and normalising, pruning below 0.001 (each column's largest entry kept),
until ``np.allclose`` with the round before. The package imports scikit-learn, pandas and
scipy.stats for its normalising (1.4 s in every prep worker) and validates arguments on each
call; the tests check that this gives the package's matrices bit for bit, and the reference
clusters. Dense with BLAS on one thread: graphs of a few hundred nodes, one per prep worker,
where a thread pool per product only adds contention.
"""

from __future__ import annotations

import functools

import numpy as np
from threadpoolctl import ThreadpoolController

__all__ = ["get_clusters", "mcl_clusters", "run_mcl"]

ITERATIONS = 100
PRUNE_BELOW = 0.001


@functools.cache
def _blas() -> ThreadpoolController:
    """The process's thread pools, inspected once (inspection walks the loaded libraries)."""
    return ThreadpoolController()


def _normalize(matrix: np.ndarray) -> np.ndarray:
    """Columns scaled to sum to 1; a column summing to under 10 ε is left as it is."""
    sums = np.abs(matrix).sum(axis=0)
    sums[sums < 10 * np.finfo(sums.dtype).eps] = 1.0
    return matrix / sums


def _prune(matrix: np.ndarray) -> np.ndarray:
    """Entries under ``PRUNE_BELOW`` set to 0, except each column's largest."""
    pruned = np.where(matrix < PRUNE_BELOW, 0.0, matrix)
    top, columns = matrix.argmax(axis=0), np.arange(matrix.shape[1])
    pruned[top, columns] = matrix[top, columns]
    return pruned


def run_mcl(adjacency: np.ndarray) -> np.ndarray:
    """The converged MCL matrix of a square float64 adjacency, markov-clustering's defaults."""
    matrix = adjacency.astype(np.float64, copy=True)
    np.fill_diagonal(matrix, 1.0)
    matrix = _normalize(matrix)
    for _ in range(ITERATIONS):
        last = matrix
        matrix = _prune(_normalize(np.power(matrix @ matrix, 2)))
        if np.allclose(matrix, last):
            break
    return matrix


def get_clusters(matrix: np.ndarray) -> list[tuple[int, ...]]:
    """The clusters of an MCL matrix: each attractor's row support, sorted, duplicates once."""
    attractors = np.flatnonzero(np.diagonal(matrix))
    return sorted({tuple(np.flatnonzero(matrix[a]).tolist()) for a in attractors})


def _labels(edges: np.ndarray, n: int) -> np.ndarray:
    """MCL label per node of an undirected 0/1 graph given as directed pairs."""
    labels = np.zeros(n, dtype=np.int64)
    if n == 0:
        return labels
    pairs = edges[edges[:, 0] != edges[:, 1]]
    adjacency = np.zeros((n, n))
    adjacency[pairs[:, 0], pairs[:, 1]] = 1.0
    adjacency[pairs[:, 1], pairs[:, 0]] = 1.0
    with _blas().limit(limits=1, user_api="blas"):
        result = run_mcl(adjacency)
    for cluster, members in enumerate(get_clusters(result)):
        labels[list(members)] = cluster
    return labels


def mcl_clusters(internal_edges: np.ndarray, n_nodes: int) -> tuple[np.ndarray, np.ndarray]:
    """(depth_0 label per node, depth_1 label per depth-0 cluster), int64."""
    depth_0 = _labels(internal_edges, n_nodes)
    clusters, consecutive = np.unique(depth_0, return_inverse=True)
    pooled = consecutive[internal_edges] if len(internal_edges) else internal_edges
    depth_1 = _labels(pooled.reshape(-1, 2), len(clusters))
    return depth_0, depth_1
