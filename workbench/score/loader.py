"""The inference data path: graphs read by loader workers and packed by a node and edge budget.

Batches are planned from the graphs' sizes alone (HDF5 shapes, no data read): graphs sorted by
size, largest first, and cut whenever the next one would exceed the node or edge budget, so a
batch holds many small graphs or a few large ones, never a fixed count. Each loader worker opens
each file once and reads only the datasets the checkpoint names.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import h5py
import torch
from torch.utils.data import DataLoader, Dataset

from workbench.score.checkpoint import EDGE_FEATURE_WIDTHS, NODE_FEATURE_WIDTHS
from workbench.score.graphs import ScoringGraph, collate, read_graph
from workbench.score.model import GraphBatch

__all__ = [
    "GraphNotes",
    "GraphRef",
    "GraphSource",
    "LoadedBatch",
    "LoaderSettings",
    "graph_refs",
    "loader_settings",
    "make_loader",
    "pack_batches",
]

CPU_BUDGET = (4_096, 32_768)  # nodes, edges (both edge sets) per batch on a CPU
# DeepRank-Ab's region columns: FR, L1, L2, L3, H1, H2, H3, CONST, AG.
LIGHT_CDR_COLUMNS = slice(1, 4)
# Interface vdw (their unscaled Lennard-Jones sum per atom pair) reaches 25.6 in the reference
# crystal complexes; a model with a pair above four times that has overlapping atoms.
CLASH_VDW = 100.0


def _offset(names: Sequence[str], name: str, widths: dict[str, int]) -> int:
    return sum(widths[other] for other in names[: list(names).index(name)])


@dataclass(frozen=True, slots=True)
class GraphRef:
    """Where one graph lives and how large it is."""

    path: str
    name: str
    nodes: int
    edges: int


@dataclass(frozen=True, slots=True)
class GraphNotes:
    """What a graph's inputs say about how far to trust its score."""

    heavy_only: bool  # no light-chain CDR node: a nanobody, outside DeepRank-Ab's training data
    clash: bool  # an interface Lennard-Jones term far above any in well-packed complexes


@dataclass(frozen=True, slots=True)
class LoadedBatch:
    """A collated batch with its graphs (kept to split the batch after an out-of-memory)."""

    refs: tuple[GraphRef, ...]
    graphs: tuple[ScoringGraph, ...]
    digests: tuple[str, ...]  # content digest of each graph's model inputs
    notes: tuple[GraphNotes, ...]
    batch: GraphBatch


@dataclass(frozen=True, slots=True)
class LoaderSettings:
    """DataLoader settings for this machine and device kind."""

    num_workers: int
    prefetch_factor: int | None
    pin_memory: bool
    persistent_workers: bool


def _edge_rows(group: h5py.Group, name: str) -> int:
    if name not in group or group[name].ndim != 2:
        return 0
    return int(group[name].shape[0])


def graph_refs(path: str | os.PathLike) -> list[GraphRef]:
    """Every graph group of a DeepRank-Ab-layout file with its size, from shapes only."""
    path = os.fspath(path)
    refs = []
    with h5py.File(path, "r") as handle:
        for name, group in handle.items():
            if not isinstance(group, h5py.Group) or "node_data/pos" not in group:
                continue
            refs.append(
                GraphRef(
                    path,
                    name,
                    int(group["node_data/pos"].shape[0]),
                    _edge_rows(group, "edge_index") + _edge_rows(group, "internal_edge_index"),
                )
            )
    return refs


def pack_batches(refs: Sequence[GraphRef], node_budget: int, edge_budget: int) -> list[list[int]]:
    """Indices into ``refs`` in batches within both budgets, largest graphs first.

    A graph larger than a budget on its own makes a batch of one.
    """
    order = sorted(range(len(refs)), key=lambda i: (-refs[i].edges, -refs[i].nodes, i))
    batches: list[list[int]] = []
    nodes = edges = 0
    for index in order:
        ref = refs[index]
        if batches and nodes + ref.nodes <= node_budget and edges + ref.edges <= edge_budget:
            batches[-1].append(index)
            nodes += ref.nodes
            edges += ref.edges
        else:
            batches.append([index])
            nodes, edges = ref.nodes, ref.edges
    return batches


def graph_digest(graph: ScoringGraph) -> str:
    """sha256 over the model inputs of a graph: equal digests give equal scores."""
    digest = hashlib.sha256()
    for field in ScoringGraph.__slots__:
        value = getattr(graph, field)
        if field == "name":
            continue
        digest.update(f"{field}:{value.dtype}:{value.shape}".encode())
        digest.update(value.tobytes())
    return digest.hexdigest()


class GraphSource(Dataset):
    """Batches of graphs as a map-style dataset: item i is planned batch i, read and collated."""

    def __init__(
        self,
        refs: Sequence[GraphRef],
        batches: Sequence[Sequence[int]],
        node_features: Sequence[str],
        edge_features: Sequence[str],
        edge_widths: Sequence[int],
    ) -> None:
        self.refs = list(refs)
        self.batches = [list(batch) for batch in batches]
        self.node_features = tuple(node_features)
        self.edge_features = tuple(edge_features)
        self.edge_widths = tuple(edge_widths)
        self._files: dict[str, h5py.File] = {}

    def __len__(self) -> int:
        return len(self.batches)

    def __getstate__(self) -> dict:
        state = dict(self.__dict__)
        state["_files"] = {}  # each loader worker opens its own handles
        return state

    def _file(self, path: str) -> h5py.File:
        handle = self._files.get(path)
        if handle is None:
            handle = self._files[path] = h5py.File(path, "r")
        return handle

    def read(self, indices: Sequence[int]) -> LoadedBatch:
        refs = tuple(self.refs[i] for i in indices)
        graphs = tuple(
            read_graph(
                self._file(ref.path)[ref.name],
                self.node_features,
                self.edge_features,
                self.edge_widths,
            )
            for ref in refs
        )
        return LoadedBatch(
            refs,
            graphs,
            tuple(map(graph_digest, graphs)),
            tuple(self.notes(graph) for graph in graphs),
            collate(graphs),
        )

    def notes(self, graph: ScoringGraph) -> GraphNotes:
        heavy_only = clash = False
        if "region" in self.node_features:
            start = _offset(self.node_features, "region", NODE_FEATURE_WIDTHS)
            light = graph.node_features[:, start:][:, LIGHT_CDR_COLUMNS]
            heavy_only = not light.any()
        if "vdw" in self.edge_features:
            column = _offset(self.edge_features, "vdw", EDGE_FEATURE_WIDTHS)
            values = graph.edge_features[:, column]
            clash = bool(values.size) and float(values.max()) > CLASH_VDW
        return GraphNotes(heavy_only, clash)

    def __getitem__(self, index: int) -> LoadedBatch:
        return self.read(self.batches[index])

    def close(self) -> None:
        for handle in self._files.values():
            handle.close()
        self._files.clear()


def loader_settings(device_kind: str, devices: int, cpus: int | None = None) -> LoaderSettings:
    """Loader workers from the cores left over: CPU scoring keeps the cores for the model."""
    cpus = cpus or len(os.sched_getaffinity(0))
    if device_kind == "cuda":
        workers = max(1, min(8, cpus // max(1, devices) - 1))
        return LoaderSettings(workers, 4, True, True)
    workers = 1 if cpus > 1 else 0
    return LoaderSettings(workers, 2 if workers else None, False, False)


def _unwrap(items: list[LoadedBatch]) -> LoadedBatch:
    return items[0]


def _pin(loaded: LoadedBatch) -> LoadedBatch:
    batch = loaded.batch
    pinned = {
        name: getattr(batch, name).pin_memory()
        for name in GraphBatch.__slots__
        if name != "num_graphs"
    }
    return LoadedBatch(
        loaded.refs,
        loaded.graphs,
        loaded.digests,
        loaded.notes,
        GraphBatch(num_graphs=batch.num_graphs, **pinned),
    )


def make_loader(source: GraphSource, settings: LoaderSettings) -> Iterator[LoadedBatch]:
    """Batches in plan order, read ahead by ``settings.num_workers`` processes."""
    loader = DataLoader(
        source,
        batch_size=1,
        shuffle=False,
        collate_fn=_unwrap,
        num_workers=settings.num_workers,
        prefetch_factor=settings.prefetch_factor,
        persistent_workers=settings.persistent_workers and settings.num_workers > 0,
    )
    for loaded in loader:
        yield _pin(loaded) if settings.pin_memory and torch.cuda.is_available() else loaded
