"""Graphs in DeepRank-Ab's HDF5 layout, read as the scorer consumes them, and packed into batches.

One HDF5 group per graph (``nodes``, ``node_data/*``, ``edge_index``, ``edge_data/*``,
``internal_edge_index``, ``internal_edge_data/*``, ``clustering/mcl/depth_0|depth_1``). Only the
features a checkpoint names are read. As in DeepRank-Ab's loader, features are concatenated in
the checkpoint's order and cast to float32 without normalisation, ``embedding`` is the mean over
its columns, an edge feature missing from the internal edges is zero there, and an (e, 3) array
counts as three scalar columns.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import h5py
import numpy as np
import torch

from workbench.score.model import GraphBatch

__all__ = ["GraphFileError", "ScoringGraph", "collate", "graph_names", "read_graph"]


class GraphFileError(ValueError):
    """A graph group that lacks what the checkpoint reads, named by file and group."""

    def __init__(self, path: str, group: str, reason: str) -> None:
        super().__init__(path, group, reason)
        self.path, self.group, self.reason = path, group, reason

    def __str__(self) -> str:
        return f"{self.path}::{self.group}: {self.reason}"


@dataclass(frozen=True, slots=True)
class ScoringGraph:
    """One graph's model inputs as numpy arrays."""

    name: str
    node_features: np.ndarray  # float32 (n, f)
    pos: np.ndarray  # float32 (n, 3)
    edge_index: np.ndarray  # int64 (2, e)
    edge_features: np.ndarray  # float32 (e, s)
    internal_edge_index: np.ndarray  # int64 (2, i)
    internal_edge_features: np.ndarray  # float32 (i, s)
    cluster0: np.ndarray  # int64 (n,)
    cluster1: np.ndarray  # int64 (k,)

    @property
    def num_nodes(self) -> int:
        return len(self.pos)

    @property
    def num_edges(self) -> int:
        return self.edge_index.shape[1] + self.internal_edge_index.shape[1]


def graph_names(path: str | os.PathLike) -> list[str]:
    """The graph groups of a file, in HDF5 key order (DeepRank-Ab's dataset order)."""
    with h5py.File(path, "r") as handle:
        return [name for name in handle if isinstance(handle[name], h5py.Group)]


def _columns(values: np.ndarray) -> np.ndarray:
    return values.reshape(len(values), -1) if values.ndim != 1 else values.reshape(-1, 1)


def _edge_index(group: h5py.Group, name: str) -> np.ndarray:
    if name not in group:
        return np.zeros((2, 0), dtype=np.int64)
    values = group[name][()]
    if values.ndim != 2:
        return np.zeros((2, 0), dtype=np.int64)
    return np.ascontiguousarray(values.T, dtype=np.int64)


def _edge_features(
    group: h5py.Group, folder: str, names: Sequence[str], widths: Sequence[int], rows: int
) -> np.ndarray:
    parts = []
    for name, width in zip(names, widths, strict=True):
        key = f"{folder}/{name}"
        parts.append(
            _columns(group[key][()]) if key in group else np.zeros((rows, width), np.float32)
        )
    if not parts:
        return np.zeros((rows, 0), dtype=np.float32)
    return np.hstack(parts).astype(np.float32)


def read_graph(
    group: h5py.Group,
    node_features: Sequence[str],
    edge_features: Sequence[str],
    edge_widths: Sequence[int],
) -> ScoringGraph:
    """One group's inputs for a checkpoint reading ``node_features`` and ``edge_features``."""
    path, name = group.file.filename, group.name.lstrip("/")
    for key in (
        "node_data/pos",
        "edge_index",
        *(f"node_data/{feature}" for feature in node_features),
        "clustering/mcl/depth_0",
        "clustering/mcl/depth_1",
    ):
        if key not in group:
            raise GraphFileError(path, name, f"no {key} (the checkpoint reads it)")
    nodes = []
    for feature in node_features:
        values = group[f"node_data/{feature}"][()]
        nodes.append(values.mean(axis=1) if feature == "embedding" else values)
    pos = group["node_data/pos"][()].astype(np.float32)
    edge_index = _edge_index(group, "edge_index")
    internal = _edge_index(group, "internal_edge_index")
    graph = ScoringGraph(
        name=name,
        node_features=np.hstack([_columns(values) for values in nodes]).astype(np.float32),
        pos=pos,
        edge_index=edge_index,
        edge_features=_edge_features(
            group, "edge_data", edge_features, edge_widths, edge_index.shape[1]
        ),
        internal_edge_index=internal,
        internal_edge_features=_edge_features(
            group, "internal_edge_data", edge_features, edge_widths, internal.shape[1]
        ),
        cluster0=group["clustering/mcl/depth_0"][()].astype(np.int64),
        cluster1=group["clustering/mcl/depth_1"][()].astype(np.int64),
    )
    n = graph.num_nodes
    if len(graph.node_features) != n or len(graph.cluster0) != n:
        raise GraphFileError(path, name, "node features, pos and depth_0 differ in length")
    for index in (edge_index, internal):
        if index.size and (index.min() < 0 or index.max() >= n):
            raise GraphFileError(path, name, f"an edge names a node outside 0..{n - 1}")
    return graph


def collate(graphs: Sequence[ScoringGraph]) -> GraphBatch:
    """The disjoint union of ``graphs``, node indices shifted graph by graph."""
    sizes = np.array([graph.num_nodes for graph in graphs])
    starts = np.concatenate([[0], np.cumsum(sizes)[:-1]])

    def cat(name: str) -> torch.Tensor:
        return torch.from_numpy(np.concatenate([getattr(graph, name) for graph in graphs]))

    def shifted(name: str) -> torch.Tensor:
        return torch.from_numpy(
            np.concatenate(
                [getattr(graph, name) + start for graph, start in zip(graphs, starts, strict=True)],
                axis=1,
            )
        )

    return GraphBatch(
        node_features=cat("node_features"),
        pos=cat("pos"),
        edge_index=shifted("edge_index"),
        edge_features=cat("edge_features"),
        internal_edge_index=shifted("internal_edge_index"),
        internal_edge_features=cat("internal_edge_features"),
        cluster0=cat("cluster0"),
        cluster1=cat("cluster1"),
        batch=torch.from_numpy(np.repeat(np.arange(len(graphs)), sizes)),
        num_graphs=len(graphs),
    )


def file_label(path: str | os.PathLike) -> str:
    """The name a graph file goes by in tables: its stem."""
    return Path(path).stem
