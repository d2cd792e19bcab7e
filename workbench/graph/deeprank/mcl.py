"""DeepRank-Ab's two levels of Markov clusters over a graph's internal edges.

As their ``PreCluster``: depth 0 runs ``markov_clustering.run_mcl`` with its defaults on the
0/1 adjacency of the internal edges (all nodes, in node order); a node's label is the index of
the last cluster that holds it. Depth 1 pools the internal edges onto the depth-0 clusters
(renumbered consecutively in label order, self-loops dropped) and clusters that graph again;
``depth_1`` is indexed by the consecutive depth-0 cluster number.

The adjacency goes to ``run_mcl`` dense (its numpy path: the same steps, and the same labels on
every reference graph, as the scipy.sparse path they use), with BLAS on one thread: graphs of a
few hundred nodes, one per prep worker, where a thread pool per product only adds contention
(0.19 s per graph sparse, 0.025 s dense on one thread, on the reference inputs).
"""

from __future__ import annotations

import contextlib
import functools
import io

import numpy as np
from threadpoolctl import ThreadpoolController

__all__ = ["mcl_clusters"]


def _markov():
    """The markov_clustering module, without the notices it writes when matplotlib is absent."""
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        import markov_clustering

    return markov_clustering


@functools.cache
def _blas() -> ThreadpoolController:
    """The process's thread pools, inspected once (inspection walks the loaded libraries)."""
    return ThreadpoolController()


def _labels(edges: np.ndarray, n: int) -> np.ndarray:
    """MCL label per node of an undirected 0/1 graph given as directed pairs."""
    mc = _markov()
    pairs = edges[edges[:, 0] != edges[:, 1]]
    adjacency = np.zeros((n, n))
    adjacency[pairs[:, 0], pairs[:, 1]] = 1.0
    adjacency[pairs[:, 1], pairs[:, 0]] = 1.0
    with _blas().limit(limits=1, user_api="blas"):
        result = mc.run_mcl(adjacency)
    labels = np.zeros(n, dtype=np.int64)
    for cluster, members in enumerate(mc.get_clusters(result)):
        labels[list(members)] = cluster
    return labels


def mcl_clusters(internal_edges: np.ndarray, n_nodes: int) -> tuple[np.ndarray, np.ndarray]:
    """(depth_0 label per node, depth_1 label per depth-0 cluster), int64."""
    depth_0 = _labels(internal_edges, n_nodes)
    clusters, consecutive = np.unique(depth_0, return_inverse=True)
    pooled = consecutive[internal_edges] if len(internal_edges) else internal_edges
    depth_1 = _labels(pooled.reshape(-1, 2), len(clusters))
    return depth_0, depth_1
