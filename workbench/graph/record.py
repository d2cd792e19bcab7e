"""The interface graph record and its flat array form (for the cache codec; no pickle)."""

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

    def to_arrays(self) -> dict[str, np.ndarray]:
        """Flat name -> array mapping (strings as 'U' arrays) that ``from_arrays`` inverts."""
        arrays = {
            "kind": np.array(self.kind),
            "node_residue": self.node_residue,
            "node_atom": self.node_atom.astype(str),
            "edge_index": self.edge_index,
            "internal_edge_index": self.internal_edge_index,
        }
        for group in FEATURE_GROUPS:
            for name, values in getattr(self, group).items():
                arrays[f"{group}/{name}"] = values
        for key, columns in self.feature_names.items():
            arrays[f"feature_names/{key}"] = np.array(columns, dtype=str)
        return arrays

    @classmethod
    def from_arrays(cls, arrays: dict[str, np.ndarray]) -> InterfaceGraph:
        """Rebuild a graph from the mapping ``to_arrays`` made."""
        groups: dict[str, dict[str, np.ndarray]] = {group: {} for group in FEATURE_GROUPS}
        names: dict[str, tuple[str, ...]] = {}
        for key, values in arrays.items():
            head, _, rest = key.partition("/")
            if head in groups:
                groups[head][rest] = np.asarray(values)
            elif head == "feature_names":
                names[rest] = tuple(str(v) for v in np.asarray(values).reshape(-1))
        return cls(
            kind=str(arrays["kind"]),
            node_residue=np.asarray(arrays["node_residue"], dtype=np.int32),
            node_atom=np.asarray(arrays["node_atom"]).astype(str),
            edge_index=np.asarray(arrays["edge_index"], dtype=np.int64).reshape(2, -1),
            internal_edge_index=np.asarray(arrays["internal_edge_index"], dtype=np.int64).reshape(
                2, -1
            ),
            feature_names=names,
            **groups,
        )
