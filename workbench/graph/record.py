"""The interface graph record: nodes, both edge sets and their features, with shape checks."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

__all__ = ["FEATURE_GROUPS", "InterfaceGraph"]

FEATURE_GROUPS = ("node_data", "edge_data", "internal_edge_data")


@dataclass(frozen=True, slots=True, eq=False)
class InterfaceGraph:
    """An interface graph: k nodes, e interface edges, f internal edges (both directions stored).

    Feature arrays are 2-D, one row per node or edge; ``feature_names["<group>/<name>"]`` names
    their columns (for integer-coded features such as ``region``: the vocabulary of the codes).
    See ``workbench.graph`` for the features, their units and their column order.
    """

    kind: str  # "atom" or "residue"
    node_residue: np.ndarray  # int32, shape (k,), merged residue index of each node
    node_atom: np.ndarray  # str, shape (k,), atom name ("" in residue graphs)
    edge_index: np.ndarray  # int64, shape (2, e), interface edges (opposite sides), symmetric
    internal_edge_index: np.ndarray  # int64, shape (2, f), same-side edges, symmetric
    node_data: dict[str, np.ndarray] = field(default_factory=dict)  # name -> (k, d)
    edge_data: dict[str, np.ndarray] = field(default_factory=dict)  # name -> (e, d)
    internal_edge_data: dict[str, np.ndarray] = field(default_factory=dict)  # name -> (f, d)
    feature_names: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        k, e, f = (
            len(self.node_residue),
            self.edge_index.shape[1],
            self.internal_edge_index.shape[1],
        )
        for group, rows in zip(FEATURE_GROUPS, (k, e, f), strict=True):
            for name, values in getattr(self, group).items():
                if values.ndim != 2 or values.shape[0] != rows:
                    raise ValueError(
                        f"{group}/{name}: expected shape ({rows}, d), got {values.shape}"
                    )

    @property
    def n_nodes(self) -> int:
        return len(self.node_residue)
