"""Graph parameters (part of every cache key) and the error for complexes without an interface."""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass

__all__ = ["GraphParams", "NoInterfaceError"]

KINDS = ("atom", "residue")


@dataclass(frozen=True, slots=True)
class GraphParams:
    """How to build an interface graph; distances in Å, inclusive (d ≤ cutoff)."""

    kind: str = "atom"  # "atom": heavy-atom nodes; "residue": residue nodes
    cutoff: float = 5.0  # interface: heavy atoms of opposite sides within this distance
    internal_cutoff: float = 3.0  # internal edges: same-side nodes within this distance
    voronota: bool = False  # add Voronoi contact areas from the voronota program

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"graph kind must be one of {KINDS}, got {self.kind!r}")
        for name in ("cutoff", "internal_cutoff"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise ValueError(f"{name} must be a number of Å, got {value!r}")
            if not math.isfinite(value) or value <= 0:
                raise ValueError(f"{name} must be a positive finite distance in Å, got {value!r}")
        if not isinstance(self.voronota, bool):
            raise ValueError(f"voronota must be True or False, got {self.voronota!r}")

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
