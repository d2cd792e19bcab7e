"""Graph parameters (part of every cache key) and the error for complexes without an interface."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Literal

from workbench.schema import check, option

__all__ = ["FeatureProfile", "GraphKind", "GraphParams", "NoInterfaceError"]

GraphKind = Literal["atom", "residue"]
FeatureProfile = Literal["native", "deeprank-ab"]


@dataclass(frozen=True, slots=True)
class GraphParams:
    """How to build an interface graph; distances in Å, inclusive (d ≤ cutoff)."""

    kind: GraphKind = option(
        "atom", name="graph", help="interface graph nodes: heavy atoms or residues", expert=True
    )
    cutoff: float = option(
        5.0,
        minimum=0.0,
        exclusive_minimum=True,
        unit="Å",
        expert=True,
        help="interface: heavy atoms of opposite sides within this distance",
    )
    internal_cutoff: float = option(
        3.0,
        minimum=0.0,
        exclusive_minimum=True,
        unit="Å",
        expert=True,
        help="internal edges: same-side nodes within this distance",
    )
    voronota: bool = option(
        False,
        expert=True,
        help="Voronoi contact areas with voronota when it is on PATH (~1 s each)",
    )

    features: FeatureProfile = option(
        "native",
        help="graph features: the workbench's own (native), or also DeepRank-Ab's atom graphs "
        "in their layout (deeprank-ab, deeprank_ab.h5; chosen automatically with --scorer)",
    )

    def __post_init__(self) -> None:
        check(self)

    def to_dict(self) -> dict[str, object]:
        """Plain JSON-able form, for cache keys and run.json."""
        return dataclasses.asdict(self)


class NoInterfaceError(Exception):
    """The sides of a complex do not touch within the cutoff: the item fails, the run goes on."""

    def __init__(self, source: str, reason: str) -> None:
        super().__init__(source, reason)
        self.source = source
        self.reason = reason

    def __str__(self) -> str:
        return f"{self.source}: no interface: {self.reason}"
