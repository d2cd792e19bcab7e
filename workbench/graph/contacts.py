"""Neighbour search: which heavy atoms touch the other side, and the pairs that become edges."""

from __future__ import annotations

import numpy as np
from scipy.spatial import cKDTree

from workbench.graph.vocab import AMINO_ACIDS
from workbench.structure.records import ANTIBODY_ROLES, Complex
from workbench.structure.select import select_heavy_atoms

__all__ = ["heavy_atoms", "interface_pairs", "reduce_pairs", "same_side_pairs", "symmetric"]


def heavy_atoms(complex_: Complex) -> tuple[np.ndarray, np.ndarray]:
    """Heavy atoms of amino-acid residues (parent one of the 20) and their side.

    Returns
    -------
    index : ndarray, dtype=int64, shape (h,)
        Atom-table indices, increasing.
    antibody : ndarray, dtype=bool, shape (h,)
        True for antibody atoms (roles heavy, light, scfv), False for antigen atoms.
    """
    atoms, residues = complex_.atoms, complex_.residues
    standard = np.isin(residues.aa, AMINO_ACIDS)[atoms.residue]
    index = np.flatnonzero(standard & select_heavy_atoms(complex_))
    role = residues.role[atoms.residue[index]]
    return index, np.isin(role, ANTIBODY_ROLES)


def interface_pairs(
    coord: np.ndarray, first: np.ndarray, second: np.ndarray, cutoff: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """All (first, second) atom pairs with distance ≤ cutoff, by two k-d trees.

    Returns
    -------
    i, j : ndarray, dtype=int64, shape (p,)
        Indices into ``coord``, ``i`` from ``first`` and ``j`` from ``second``.
    distance : ndarray, dtype=float64, shape (p,)
        Å.
    """
    if len(first) == 0 or len(second) == 0:
        empty = np.empty(0, dtype=np.int64)
        return empty, empty, np.empty(0)
    found = cKDTree(coord[first]).sparse_distance_matrix(
        cKDTree(coord[second]), cutoff, output_type="ndarray"
    )
    return first[found["i"]], second[found["j"]], found["v"]


def same_side_pairs(
    coord: np.ndarray, index: np.ndarray, antibody: np.ndarray, cutoff: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Pairs of ``index`` atoms on the same side with distance ≤ cutoff, each pair once.

    Returns
    -------
    i, j : ndarray, dtype=int64, shape (p,)
        Positions into ``index`` (not atom indices), ``i < j``.
    distance : ndarray, dtype=float64, shape (p,)
        Å.
    """
    pairs = cKDTree(coord[index]).query_pairs(cutoff, output_type="ndarray")
    i, j = pairs[:, 0].astype(np.int64), pairs[:, 1].astype(np.int64)
    keep = antibody[i] == antibody[j]
    i, j = i[keep], j[keep]
    return i, j, np.linalg.norm(coord[index[i]] - coord[index[j]], axis=1)


def reduce_pairs(
    a: np.ndarray, b: np.ndarray, distance: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Unique (a, b) pairs with the smallest distance of each (atom pairs → residue pairs).

    Returns
    -------
    a, b : ndarray, dtype=int64, shape (u,)
        Sorted by (a, b).
    distance : ndarray, dtype=float64, shape (u,)
    """
    order = np.lexsort((b, a))
    a, b, distance = a[order], b[order], distance[order]
    start = np.flatnonzero(np.r_[True, (a[1:] != a[:-1]) | (b[1:] != b[:-1])])
    if len(a) == 0:
        return a, b, distance
    return a[start], b[start], np.minimum.reduceat(distance, start)


def symmetric(
    src: np.ndarray, dst: np.ndarray, distance: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Both directions of undirected pairs, sorted by (source, target).

    Returns
    -------
    edge_index : ndarray, dtype=int64, shape (2, 2p)
    distance : ndarray, dtype=float64, shape (2p,)
    """
    s, t = np.r_[src, dst], np.r_[dst, src]
    d = np.r_[distance, distance]
    order = np.lexsort((t, s))
    return np.stack([s[order], t[order]]).astype(np.int64), d[order]
