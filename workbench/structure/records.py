"""Records of a merged antibody-antigen complex: chain spec, atoms, residue map, chains.

Coordinates are in Å. Residues of the merged complex are counted from 0 in merged order
(antibody chains first: scfv, heavy, light; then antigen chains in the order declared).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = [
    "ANTIBODY_ROLES",
    "REGIONS",
    "ROLES",
    "AtomTable",
    "ChainRecord",
    "ChainSpec",
    "Complex",
    "ExcludedResidue",
    "ResidueMap",
]

ROLES = ("heavy", "light", "scfv", "antigen")
# What a residue is in the antibody-antigen complex, once annotated: the regions of the
# annotation stage and the codes of the graph's ``region`` node feature (index = code).
REGIONS = (
    "unknown",
    "FR1",
    "CDR1",
    "FR2",
    "CDR2",
    "FR3",
    "CDR3",
    "FR4",
    "constant",
    "other",
    "antigen",
)
ANTIBODY_ROLES = ("heavy", "light", "scfv")


@dataclass(frozen=True, slots=True)
class ChainSpec:
    """Which chains of a file play which role; ``light`` is None for a nanobody.

    ``scfv`` names chains that hold both variable domains (scFv, or heavy and light merged
    into one chain as HADDOCK does); they come first in the merged order.
    """

    heavy: str | None
    light: str | None
    antigen: tuple[str, ...]
    detected: bool = False  # True when roles came from numbering, not from the user
    scfv: tuple[str, ...] = ()

    def roles(self) -> list[tuple[str, str]]:
        """(chain, role) pairs in merged order: scfv, heavy, light, then antigen chains."""
        pairs = [(chain, "scfv") for chain in self.scfv]
        if self.heavy:
            pairs.append((self.heavy, "heavy"))
        if self.light:
            pairs.append((self.light, "light"))
        pairs.extend((chain, "antigen") for chain in self.antigen)
        return pairs

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON values (chain tuples as lists), for cache keys and cached metadata."""
        return {
            "heavy": self.heavy,
            "light": self.light,
            "antigen": list(self.antigen),
            "scfv": list(self.scfv),
            "detected": self.detected,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ChainSpec:
        """The spec that :meth:`to_dict` wrote."""
        return cls(
            heavy=data["heavy"],
            light=data["light"],
            antigen=tuple(data["antigen"]),
            detected=data["detected"],
            scfv=tuple(data["scfv"]),
        )


@dataclass(frozen=True, slots=True, eq=False)
class AtomTable:
    """Struct-of-arrays over the n atoms of standard and modified amino-acid residues."""

    coord: np.ndarray  # float64, shape (n, 3), Å
    name: np.ndarray  # str, shape (n,), PDB atom name, e.g. "CA"
    element: np.ndarray  # str, shape (n,), upper-case element symbol, e.g. "C"
    residue: np.ndarray  # int32, shape (n,), merged residue index of the atom

    def __len__(self) -> int:
        return len(self.name)


@dataclass(frozen=True, slots=True, eq=False)
class ResidueMap:
    """Per merged residue (index i, from 0): where it came from and what it is.

    Index i ⇄ (chain[i], res_seq[i], ins_code[i]) of the original file, exactly; waters and
    ligands are not in the map (see ``Complex.excluded``) so they never shift an index.
    """

    chain: np.ndarray  # str, shape (m,), original chain id
    res_seq: np.ndarray  # int32, shape (m,), original residue number
    ins_code: np.ndarray  # str, shape (m,), insertion code, "" when none
    res_name: np.ndarray  # str, shape (m,), residue name as in the file ("MSE", "ALA", ...)
    aa: np.ndarray  # str, shape (m,), one-letter parent amino acid, "X" when unknown
    role: np.ndarray  # str, shape (m,), one of ROLES

    def __len__(self) -> int:
        return len(self.chain)

    def index_of(self, chain: str, res_seq: int, ins_code: str = "") -> int:
        """Merged index of an original residue; KeyError when it is not in the map."""
        hits = np.flatnonzero(
            (self.chain == chain) & (self.res_seq == res_seq) & (self.ins_code == ins_code)
        )
        if len(hits) == 0:
            raise KeyError((chain, res_seq, ins_code))
        return int(hits[0])

    def key(self, index: int) -> tuple[str, int, str]:
        """Original (chain, residue number, insertion code) of a merged index."""
        return str(self.chain[index]), int(self.res_seq[index]), str(self.ins_code[index])


@dataclass(frozen=True, slots=True)
class ChainRecord:
    """One chain of the merged complex: its residues are ``start:stop`` of the residue map."""

    chain: str  # original chain id
    role: str  # one of ROLES
    sequence: str  # one letter per residue of the chain, "X" for unknown
    start: int  # first merged residue index
    stop: int  # one past the last merged residue index


@dataclass(frozen=True, slots=True)
class ExcludedResidue:
    """A water or ligand left out of sequences and graphs, recorded so nothing is silent."""

    chain: str
    res_seq: int
    ins_code: str
    res_name: str
    kind: str  # "water" or "ligand"


@dataclass(frozen=True, slots=True, eq=False)
class Complex:
    """Canonical merged complex: antibody chains first, then antigen chains."""

    source: str  # file the structure came from, for messages
    atoms: AtomTable
    residues: ResidueMap
    chains: tuple[ChainRecord, ...]
    excluded: tuple[ExcludedResidue, ...] = ()
    warnings: tuple[str, ...] = ()  # altlocs dropped, duplicate atoms, gaps ...
