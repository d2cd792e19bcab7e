"""DeepRank-Ab's HDF5 graph layout: one group per item, with their dataset names, dtypes, shapes.

Their training and evaluation code (``HDF5DataSet``) reads these groups as they are, and
``workbench score`` reads theirs. ``nodes`` rows are (merged chain, residue number, residue
name, atom serial, atom name) as bytes; the serial counts atoms of the merged PDB as Biopython
writes it (from 1, TER records not counted), without hydrogens or extra alternate locations.
"""

from __future__ import annotations

import io

import h5py
import numpy as np

from workbench.graph.assembled import mark_assembled
from workbench.graph.deeprank.build import DeepRankGraph
from workbench.graph.deeprank.merged import SIDE_CHAINS
from workbench.structure.sequences import sequence_hash

__all__ = [
    "EDGE_FEATURES",
    "IMAGE_GROUP",
    "NODE_FEATURES",
    "deeprank_image",
    "embedding_values",
    "esm_sequences",
    "node_rows",
    "set_embedding",
    "write_embedding",
    "write_group",
]

IMAGE_GROUP = "item"  # the group name inside an image, as workbench.output.graphs writes them

NODE_FEATURES = (
    "atom_type", "bsa", "chain", "charge", "embedding", "polarity", "pos", "region", "res_type",
)  # fmt: skip
EDGE_FEATURES = ("covalent", "dist", "elec", "orientation", "type", "vdw", "voro_area")
_EDGE_TYPES = {"edge_data": b"interface", "internal_edge_data": b"internal"}


def node_rows(graph: DeepRankGraph) -> np.ndarray:
    """str (N, 5): chain, residue number, residue name, serial, atom name of every node."""
    merged, atoms = graph.merged, graph.node_atom
    residue = merged.residue[atoms]
    side = merged.res_side[residue]
    return np.stack(
        [
            np.asarray(SIDE_CHAINS)[side],
            merged.res_number[residue].astype(str),
            merged.res_name[residue],
            (atoms + 1).astype(str),
            merged.name[atoms],
        ],
        axis=1,
    )


def write_group(parent: h5py.Group, name: str, graph: DeepRankGraph, embedding: np.ndarray) -> None:
    """Write one graph as group ``name``; ``embedding`` is float32 (N,), one scalar per node."""
    group = parent.create_group(name)
    rows = node_rows(graph)
    group.create_dataset("nodes", data=rows.astype("S"))
    nodes = group.create_group("node_data")
    for feature, values in graph.node_data.items():
        nodes.create_dataset(feature, data=values)
    nodes.create_dataset("embedding", data=np.asarray(embedding, np.float32).reshape(-1, 1))
    for prefix, edges, data in (
        ("", graph.edge_index, graph.edge_data),
        ("internal_", graph.internal_edge_index, graph.internal_edge_data),
    ):
        group.create_dataset(f"{prefix}edges", data=rows[edges].astype("S").reshape(-1, 2, 5))
        group.create_dataset(f"{prefix}edge_index", data=edges.astype(np.int32).reshape(-1, 2))
        features = group.create_group(f"{prefix}edge_data")
        for feature, values in data.items():
            features.create_dataset(feature, data=values)
        kind = _EDGE_TYPES[f"{prefix}edge_data"]
        features.create_dataset("type", data=np.full(len(edges), kind, dtype=f"S{len(kind)}"))
    group.create_group("score")
    mcl = group.create_group("clustering/mcl")
    for depth, labels in graph.clusters.items():
        mcl.create_dataset(depth, data=labels.astype(np.int64))


def deeprank_image(graph: DeepRankGraph) -> bytes:
    """One graph as a standalone in-memory HDF5 file (group ``IMAGE_GROUP``), embedding 0.

    Attributes the run uses to fill the embedding later (their readers ignore attributes):
    ``esm_hashes``, the sequence hash of each side's ESM input ("" when the side has none), and
    ``esm_index``, each node's position in its side's sequence (-1: not in it).
    """
    buffer = io.BytesIO()
    with h5py.File(buffer, "w") as handle:
        write_group(handle, IMAGE_GROUP, graph, np.zeros(len(graph.node_atom), np.float32))
        group = handle[IMAGE_GROUP]
        merged = graph.merged
        group.attrs["esm_hashes"] = [sequence_hash(s) if s else "" for s in merged.sequences]
        group.attrs["esm_index"] = merged.esm_index[graph.node_residue].astype(np.int32)
    return buffer.getvalue()


def esm_sequences(graph: DeepRankGraph) -> dict[str, str]:
    """Hash → sequence of the graph's ESM inputs: heavy+light as one sequence, the antigen."""
    return {sequence_hash(s): s for s in graph.merged.sequences if s}


def embedding_values(group: h5py.Group, per_side: tuple[np.ndarray, np.ndarray]) -> np.ndarray:
    """Each node's ESM scalar from its side's per-residue scalars (see ``esm_index``), (k, 1)."""
    side = group["node_data/chain"][()]
    where = group.attrs["esm_index"]
    values = np.zeros(len(side), dtype=np.float32)
    for s, scalars in enumerate(per_side):
        pick = (side == s) & (where >= 0) & (where < len(scalars))
        values[pick] = scalars[where[pick]]
    return values.reshape(-1, 1)


def set_embedding(group: h5py.Group, per_side: tuple[np.ndarray, np.ndarray]) -> None:
    """Write each node's ESM scalar from its side's per-residue scalars (see ``esm_index``)."""
    write_embedding(group, embedding_values(group, per_side))


def write_embedding(group: h5py.Group, values: np.ndarray) -> None:
    """Write the nodes' ESM scalars, (k, 1) from :func:`embedding_values`."""
    del group["node_data/embedding"]
    group["node_data"].create_dataset("embedding", data=values)
    mark_assembled(group, "embedding")
