"""graphs.h5: one group per item holding its interface graph and residue map; readers beside it.

Layout of group ``/<item_id>`` (attributes: ``kind``, ``source``, ``n_nodes``, ``n_edges``,
``node_features``/``edge_features``/``internal_edge_features``: feature names in writing order):

- ``nodes/``: ``chain``, ``res_seq``, ``ins_code``, ``res_name``, ``atom_name`` (k,), and
  ``residue`` (k,) int32, the node's merged residue index;
- ``residues/``: the item's whole residue map, ``chain``, ``res_seq``, ``ins_code``,
  ``res_name``, ``aa``, ``role`` (m,), so later stages can map regions onto residues;
- ``edge_index`` (2, e), ``internal_edge_index`` (2, f) int64;
- ``node_data/<f>``, ``edge_data/<f>``, ``internal_edge_data/<f>``: 2-D arrays, each with a
  ``columns`` attribute naming its columns (for integer codes such as ``region``: the vocabulary).

A run's graphs are sharded (``workbench.output.shards``): the process that prepared a chunk of
items (a loky worker, a Dask worker, or the parent when it runs prep itself; cache hits too)
writes the chunk's groups into one shard ``graphs/part-NNNNN.h5`` beside graphs.h5, under a
temporary name renamed when complete; its ``key`` attribute is the prep cache key. graphs.h5 is
then an index written by the run's parent: one HDF5 external link per item
(``/<item_id>`` → ``graphs/part-NNNNN.h5:/<item_id>``, relative, so HDF5 resolves it against the
index's own folder whatever the reader's working directory). Every reader opens graphs.h5 and
follows the links without knowing of shards; the parent copies no graph's bytes (but for a run's
first few hundred cache hits, before a pool starts: engine.prep_stage). Assemble writes its
node features into the shards, one shard at a time, before the index is committed.
deeprank_ab.h5 is sharded the same way (``deeprank_ab/part-NNNNN.h5``, the same shard numbers).

Reruns: a chunk whose items the replaced index linked to one shard that holds exactly those
items under the same prep keys (the ``key`` attribute; assembled features are compared by value)
reuses that shard, so a rerun of the same command writes no shard and assemble rewrites only
features whose values changed (through a copy renamed over the shard).
Every other chunk gets a new shard, numbered past every shard in the folder. A fresh index is
renamed over the old one at the run's clean end, which then removes the shards referenced by
neither the new index nor the one it replaced (read from their links), and any half-written
shard. So a reader holding the old index (or one of its shards) keeps valid data through the
rerun and until the next one, a killed run leaves the previous index and its shards whole, and
the folder holds at most two runs' shards: it does not grow over reruns.

Atomicity within a file: an item is written under a hidden temporary name (``.tmp-<item_id>``)
and then renamed, so a reader never trusts a half-written group; temporary groups are ignored and
replaced. ``GraphWriter(path, fresh=True)`` writes a new file renamed over ``path`` on a clean
close (how a shard is written); amending a file (``GraphWriter(path)``) goes through a copy
renamed over it, so a reader holding it keeps its own and a writer killed mid-amendment (a run,
a Dask worker) leaves the file whole; an unreadable file is an error. Nothing deletes a file a
reader holds.
"""

from __future__ import annotations

import io
import shutil
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING

import h5py
import numpy as np

from workbench.fs import PARTIAL_SUFFIX, AtomicFile
from workbench.graph import FEATURE_GROUPS, InterfaceGraph
from workbench.graph.assembled import mark_assembled
from workbench.structure import ResidueMap

if TYPE_CHECKING:
    import torch

__all__ = [
    "GraphWriter",
    "graph_image",
    "holds_node_feature",
    "list_items",
    "read_graph",
    "read_graph_tensors",
    "read_residues",
]

_TMP = ".tmp-"
_IMAGE_GROUP = "item"
_STR = h5py.string_dtype("utf-8")


def _strings(values: np.ndarray) -> np.ndarray:
    """Variable-length UTF-8 strings for h5py."""
    return np.asarray(values, dtype=object).astype(_STR)


def _write_feature(group: h5py.Group, name: str, values: np.ndarray, columns) -> None:
    dataset = group.create_dataset(name, data=values)
    dataset.attrs["columns"] = _strings(np.array(columns, dtype=str))


def _fill_group(
    group: h5py.Group, graph: InterfaceGraph, residues: ResidueMap, source: str
) -> None:
    r = graph.node_residue
    nodes = group.create_group("nodes")
    nodes["chain"] = _strings(residues.chain[r])
    nodes["res_seq"] = residues.res_seq[r].astype(np.int32)
    nodes["ins_code"] = _strings(residues.ins_code[r])
    nodes["res_name"] = _strings(residues.res_name[r])
    nodes["atom_name"] = _strings(graph.node_atom)
    nodes["residue"] = r.astype(np.int32)
    table = group.create_group("residues")
    for name in ("chain", "ins_code", "res_name", "aa", "role"):
        table[name] = _strings(getattr(residues, name))
    table["res_seq"] = residues.res_seq.astype(np.int32)
    group["edge_index"] = graph.edge_index.astype(np.int64)
    group["internal_edge_index"] = graph.internal_edge_index.astype(np.int64)
    for name in FEATURE_GROUPS:
        sub = group.create_group(name)
        features = getattr(graph, name)
        for feature, values in features.items():
            columns = graph.feature_names.get(f"{name}/{feature}", (feature,))
            _write_feature(sub, feature, values, columns)
        key = name.replace("_data", "_features")
        group.attrs[key] = _strings(np.array(list(features), dtype=str))
    group.attrs["kind"] = graph.kind
    group.attrs["source"] = source
    group.attrs["n_nodes"] = graph.n_nodes
    group.attrs["n_edges"] = graph.edge_index.shape[1]


def graph_image(graph: InterfaceGraph, residues: ResidueMap, source: str = "") -> bytes:
    """One item's group as a standalone in-memory HDF5 file, for :meth:`GraphWriter.write_image`.

    Prep workers build it in parallel, so the single writer only copies groups.
    """
    buffer = io.BytesIO()
    with h5py.File(buffer, "w") as f:
        _fill_group(f.create_group(_IMAGE_GROUP), graph, residues, source)
    return buffer.getvalue()


class GraphWriter:
    """Writes a graph file (a shard); use as a context manager. ``fresh``: a new file replacing
    the old one on a clean close; otherwise the file (made when absent) amended through a copy
    that replaces it on a clean close (a reader keeps the old one; a kill leaves it whole)."""

    def __init__(self, path: str | Path, *, fresh: bool = False) -> None:
        self.path = Path(path)
        self.fresh = fresh
        self._file: h5py.File | None = None
        self._temp: AtomicFile | None = None

    def open(self) -> GraphWriter:
        """Open for writing (idempotent); OSError when an existing file cannot be read as HDF5."""
        if self._file is not None:
            return self
        self._temp = AtomicFile(self.path, suffix=PARTIAL_SUFFIX)
        try:
            if not self.fresh and self.path.exists():
                shutil.copyfile(self.path, self._temp.path)
            self._file = h5py.File(self._temp.path, "w" if self.fresh else "a")
        except OSError:
            self._temp.discard()
            self._temp = None
            raise
        return self

    def __enter__(self) -> GraphWriter:
        return self.open()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close(commit=exc_type is None)

    def close(self, commit: bool = True) -> None:
        """Close the file; it replaces the old one (``commit``) or goes."""
        if self._file is None:
            return
        self._file.close()
        self._file = None
        if self._temp is not None:
            temp, self._temp = self._temp, None
            if commit:
                temp.commit()
            else:
                temp.discard()

    @property
    def file(self) -> h5py.File:
        if self._file is None:
            raise RuntimeError(f"{self.path}: GraphWriter used outside its with-block")
        return self._file

    def write_image(self, item_id: str, image: bytes, key: str = "") -> None:
        """Write (or replace) an item's group, copied from a :func:`graph_image` (one HDF5 copy,
        done in C) under a temporary name and renamed."""
        f = self.file
        tmp = _TMP + item_id
        if tmp in f:
            del f[tmp]
        with h5py.File(io.BytesIO(image), "r") as source:
            f.copy(source[_IMAGE_GROUP], tmp)
        f[tmp].attrs["key"] = key
        self._publish(tmp, item_id)

    def _publish(self, tmp: str, item_id: str) -> None:
        f = self.file
        if item_id in f:
            del f[item_id]
        f.move(tmp, item_id)

    def set_node_feature(
        self,
        item_id: str,
        name: str,
        values: np.ndarray,
        columns: tuple[str, ...] | None = None,
    ) -> None:
        """Add or replace node feature ``name`` (shape (k, d)) of an item (regions, embeddings)."""
        group = self.file[item_id]
        values = np.asarray(values)
        values = values[:, None] if values.ndim == 1 else values
        k = int(group.attrs["n_nodes"])
        if values.ndim != 2 or values.shape[0] != k:
            raise ValueError(
                f"{self.path}[{item_id}]: node feature {name} needs shape ({k}, d), "
                f"got {values.shape}"
            )
        data = group["node_data"]
        old = data.get(name)
        if columns is None:
            columns = _default_columns(name, values.shape[1], old)
        tmp = _TMP + name
        if tmp in data:
            del data[tmp]
        _write_feature(data, tmp, values, columns)
        if old is not None:
            del data[name]
        data.move(tmp, name)
        order = [str(n) for n in group.attrs["node_features"]]
        if name not in order:
            group.attrs["node_features"] = _strings(np.array([*order, name], dtype=str))
        mark_assembled(group, name)


def holds_node_feature(group: h5py.Group, name: str, values: np.ndarray) -> bool:
    """Whether the group already holds node feature ``name`` with exactly these values (NaN
    equal to NaN): a rerun's stage then writes nothing."""
    data = group["node_data"].get(name)
    values = values[:, None] if values.ndim == 1 else values
    return (
        data is not None
        and data.shape == values.shape
        and data.dtype == values.dtype
        and np.array_equal(data[()], values, equal_nan=True)
    )


def _default_columns(name: str, width: int, old: h5py.Dataset | None) -> tuple[str, ...]:
    """Keep the replaced feature's column names when the width matches, else number them."""
    if old is not None and old.shape[1] == width:
        return _columns(old)
    return (name,) if width == 1 else tuple(f"{name}_{i}" for i in range(width))


def list_items(path: str | Path) -> list[str]:
    """Item ids with a complete group in the file, in name order."""
    with h5py.File(path, "r") as f:
        return sorted(name for name in f if not name.startswith(_TMP))


def _text(dataset: h5py.Dataset) -> np.ndarray:
    return dataset.asstr()[()].astype(str)


def _columns(dataset: h5py.Dataset) -> tuple[str, ...]:
    return tuple(str(c) for c in dataset.attrs["columns"])


def _group(f: h5py.File, path: str | Path, item_id: str) -> h5py.Group:
    if item_id.startswith(_TMP) or item_id not in f:
        raise KeyError(f"{path}: no item {item_id!r}")
    return f[item_id]


def read_residues(f: h5py.File, item_id: str) -> ResidueMap:
    """The residue map stored with an item's graph (an open file: callers read many items)."""
    table = _group(f, f.filename, item_id)["residues"]
    return ResidueMap(
        chain=_text(table["chain"]),
        res_seq=table["res_seq"][()],
        ins_code=_text(table["ins_code"]),
        res_name=_text(table["res_name"]),
        aa=_text(table["aa"]),
        role=_text(table["role"]),
    )


def read_graph(path: str | Path, item_id: str) -> InterfaceGraph:
    """The interface graph of one item, as numpy arrays."""
    with h5py.File(path, "r") as f:
        group = _group(f, path, item_id)
        features: dict[str, dict[str, np.ndarray]] = {}
        names: dict[str, tuple[str, ...]] = {}
        for name in FEATURE_GROUPS:
            order = [str(n) for n in group.attrs[name.replace("_data", "_features")]]
            features[name] = {feature: group[name][feature][()] for feature in order}
            for feature in order:
                names[f"{name}/{feature}"] = _columns(group[name][feature])
        return InterfaceGraph(
            kind=str(group.attrs["kind"]),
            node_residue=group["nodes/residue"][()].astype(np.int32),
            node_atom=_text(group["nodes/atom_name"]),
            edge_index=group["edge_index"][()],
            internal_edge_index=group["internal_edge_index"][()],
            feature_names=names,
            **features,
        )


def _stack(data: dict[str, np.ndarray], names: dict[str, tuple[str, ...]], prefix: str, rows: int):
    """Columns of all features side by side; integer codes become one-hot over their vocabulary."""
    blocks = [np.zeros((rows, 0), dtype=np.float32)]
    for feature, values in data.items():
        if np.issubdtype(values.dtype, np.integer):
            size = len(names[f"{prefix}/{feature}"])
            blocks.append(np.eye(size, dtype=np.float32)[values[:, 0]])
        else:
            blocks.append(values.astype(np.float32))
    return np.concatenate(blocks, axis=1)


def read_graph_tensors(
    path: str | Path, item_id: str
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
    """PyTorch Geometric-style ``(x, edge_index, edge_attr, pos)`` of one item's interface graph.

    ``x`` (k, D) float32 concatenates the node features in the group's ``node_features`` order
    without ``position`` (for the writer's features: atom_type, residue_type, role, polarity,
    charge, bsa, region, then features added later), integer-coded ones (``region``) one-hot
    over their vocabulary. ``edge_index`` (2, e) int64 holds the interface edges, both ways;
    ``edge_attr`` (e, E) float32 their features in ``edge_features`` order (distance, covalent,
    orientation, coulomb, lennard_jones[, voronoi_area]); ``pos`` (k, 3) float32 is xyz in Å.
    """
    import torch  # here, not at module level: prep workers write graphs without loading torch

    graph = read_graph(path, item_id)
    nodes = {k: v for k, v in graph.node_data.items() if k != "position"}
    x = _stack(nodes, graph.feature_names, "node_data", graph.n_nodes)
    edge_attr = _stack(graph.edge_data, graph.feature_names, "edge_data", graph.edge_index.shape[1])
    return (
        torch.from_numpy(x),
        torch.from_numpy(graph.edge_index.astype(np.int64)),
        torch.from_numpy(edge_attr),
        torch.from_numpy(graph.node_data["position"].astype(np.float32)),
    )
