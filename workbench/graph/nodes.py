"""Node features: what each node is (atom, residue, side, polarity, charge), where, how buried."""

from __future__ import annotations

import numpy as np

from workbench.graph.vocab import (
    AMINO_ACIDS,
    ATOM_NAMES,
    POLARITY_CLASSES,
    REGIONS,
    ROLES,
    polarity_codes,
    residue_charges,
)
from workbench.structure.records import Complex

__all__ = ["node_features", "one_hot", "residue_positions"]


def one_hot(codes: np.ndarray, size: int) -> np.ndarray:
    """One-hot rows of integer codes; a negative code gives a zero row.

    Returns
    -------
    ndarray, dtype=float32, shape (k, size)
    """
    out = np.zeros((len(codes), size), dtype=np.float32)
    known = codes >= 0
    out[np.flatnonzero(known), codes[known]] = 1.0
    return out


def _codes(values: np.ndarray, vocabulary: tuple[str, ...], default: int = -1) -> np.ndarray:
    """Position of each value in ``vocabulary``, ``default`` when absent."""
    lookup = {v: i for i, v in enumerate(vocabulary)}
    return np.array([lookup.get(v, default) for v in values], dtype=np.int64)


def residue_positions(complex_: Complex, residues: np.ndarray) -> np.ndarray:
    """Cα of each residue, or the mean of its atoms when it has no Cα.

    Returns
    -------
    ndarray, dtype=float64, shape (k, 3)
        Å.
    """
    atoms, m = complex_.atoms, len(complex_.residues)
    counts = np.bincount(atoms.residue, minlength=m)
    sums = np.stack([np.bincount(atoms.residue, atoms.coord[:, a], minlength=m) for a in range(3)])
    out = (sums.T / np.maximum(counts, 1)[:, None])[residues]
    is_ca = atoms.name == "CA"
    ca = np.full((m, 3), np.nan)
    ca[atoms.residue[is_ca]] = atoms.coord[is_ca]
    has_ca = ~np.isnan(ca[residues, 0])
    out[has_ca] = ca[residues[has_ca]]
    return out


def node_features(
    complex_: Complex,
    node_residue: np.ndarray,
    node_atom: np.ndarray | None,
    position: np.ndarray,
    bsa: np.ndarray,
) -> tuple[dict[str, np.ndarray], dict[str, tuple[str, ...]]]:
    """Feature arrays of k nodes and the names of their columns (see ``workbench.graph``).

    Parameters
    ----------
    node_residue : ndarray, dtype=int, shape (k,)
        Merged residue index per node.
    node_atom : ndarray, dtype=str, shape (k,), or None
        Atom name per node in atom graphs; None in residue graphs (no ``atom_type``).
    position : ndarray, dtype=float, shape (k, 3)
        Å.
    bsa : ndarray, dtype=float, shape (m,)
        Buried surface area per merged residue, Å².
    """
    residues = complex_.residues
    aa = residues.aa[node_residue]
    data: dict[str, np.ndarray] = {}
    names: dict[str, tuple[str, ...]] = {}
    if node_atom is not None:
        data["atom_type"] = one_hot(
            _codes(node_atom, ATOM_NAMES, len(ATOM_NAMES) - 1), len(ATOM_NAMES)
        )
        names["atom_type"] = ATOM_NAMES
    data["residue_type"] = one_hot(_codes(aa, AMINO_ACIDS), len(AMINO_ACIDS))
    names["residue_type"] = AMINO_ACIDS
    data["role"] = one_hot(_codes(residues.role[node_residue], ROLES), len(ROLES))
    names["role"] = ROLES
    data["polarity"] = one_hot(polarity_codes(aa), len(POLARITY_CLASSES))
    names["polarity"] = POLARITY_CLASSES
    data["charge"] = residue_charges(aa)[:, None]
    names["charge"] = ("charge",)
    data["position"] = position.astype(np.float32)
    names["position"] = ("x", "y", "z")
    data["bsa"] = bsa[node_residue].astype(np.float32)[:, None]
    names["bsa"] = ("bsa",)
    data["region"] = np.zeros((len(node_residue), 1), dtype=np.int32)
    names["region"] = REGIONS
    return data, names
