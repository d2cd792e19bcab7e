"""Edge features: distance, covalent flag, orientation, pair energies and Voronoi contact area."""

from __future__ import annotations

import numpy as np
from scipy.sparse import coo_matrix

from workbench.graph.energy import pair_energies
from workbench.graph.frames import BackboneFrames, orientation
from workbench.graph.vocab import atom_charges, lj_parameters
from workbench.structure.records import Complex

__all__ = [
    "COVALENT_CUTOFF",
    "atom_energies",
    "edge_features",
    "pair_lookup",
    "residue_energies",
]

COVALENT_CUTOFF = 2.1  # Å, as DeepRank2


def _atom_parameters(complex_: Complex, atoms: np.ndarray) -> tuple[np.ndarray, ...]:
    """Charge, σ and ε of the given atom-table indices."""
    table = complex_.atoms
    aa = complex_.residues.aa[table.residue[atoms]]
    sigma, epsilon = lj_parameters(table.element[atoms])
    return atom_charges(aa, table.name[atoms]), sigma, epsilon


def atom_energies(
    complex_: Complex, nodes: np.ndarray, edge_index: np.ndarray, distance: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Coulomb and Lennard-Jones energy of atom-graph edges.

    Parameters
    ----------
    nodes : ndarray, dtype=int, shape (k,)
        Atom-table index of each node.
    edge_index : ndarray, dtype=int, shape (2, e)
        Node positions of each edge's ends.

    Returns
    -------
    coulomb, lennard_jones : ndarray, dtype=float64, shape (e,)
        kcal/mol.
    """
    q, sigma, epsilon = _atom_parameters(complex_, nodes)
    s, t = edge_index
    return pair_energies(distance, (q[s], q[t]), (sigma[s], sigma[t]), (epsilon[s], epsilon[t]))


def residue_energies(
    complex_: Complex, atoms: np.ndarray, source: np.ndarray, target: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Coulomb and Lennard-Jones energy summed over all atom pairs of two residues (DeepRank2).

    Parameters
    ----------
    atoms : ndarray, dtype=int, shape (h,)
        Atom-table indices of the atoms that count (heavy atoms).
    source, target : ndarray, dtype=int, shape (e,)
        Merged residue indices of the edges' ends.

    Returns
    -------
    coulomb, lennard_jones : ndarray, dtype=float64, shape (e,)
        kcal/mol.
    """
    wanted = np.union1d(source, target)
    atoms = atoms[np.isin(complex_.atoms.residue[atoms], wanted)]
    slot = np.searchsorted(wanted, complex_.atoms.residue[atoms])
    order = np.argsort(slot, kind="stable")
    atoms, slot = atoms[order], slot[order]
    counts = np.bincount(slot, minlength=len(wanted))
    rank = np.arange(len(atoms)) - np.repeat(np.cumsum(counts) - counts, counts)
    padded = np.full((len(wanted), max(int(counts.max(initial=0)), 1)), -1, dtype=np.int64)
    padded[slot, rank] = atoms
    a = padded[np.searchsorted(wanted, source)][:, :, None]  # (e, M, 1)
    b = padded[np.searchsorted(wanted, target)][:, None, :]  # (e, 1, M)
    valid = (a >= 0) & (b >= 0)
    q, sigma, epsilon = (np.r_[p, 0.0] for p in _atom_parameters(complex_, atoms))
    lookup = np.full(len(complex_.atoms) + 1, len(atoms), dtype=np.int64)
    lookup[atoms] = np.arange(len(atoms))
    ia, ib = lookup[a], lookup[b]  # -1 pads map to the last slot: the zero-parameter row
    coord = complex_.atoms.coord
    distance = np.linalg.norm(coord[np.maximum(a, 0)] - coord[np.maximum(b, 0)], axis=-1)
    coulomb, lj = pair_energies(
        distance, (q[ia], q[ib]), (sigma[ia], sigma[ib]), (epsilon[ia], epsilon[ib])
    )
    return (
        np.where(valid, coulomb, 0.0).sum(axis=(1, 2)),
        np.where(valid, lj, 0.0).sum(axis=(1, 2)),
    )


def pair_lookup(
    i: np.ndarray,
    j: np.ndarray,
    value: np.ndarray,
    size: int,
    source: np.ndarray,
    target: np.ndarray,
) -> np.ndarray:
    """Sum of ``value`` over the unordered pairs (i, j) that equal each (source, target).

    Returns
    -------
    ndarray, dtype=float64, shape (e,)
        Zero for edges without a listed pair.
    """
    table = coo_matrix(
        (np.r_[value, value], (np.r_[i, j], np.r_[j, i])), shape=(size, size)
    ).tocsr()
    return np.asarray(table[source, target]).reshape(-1)


def edge_features(
    frames: BackboneFrames,
    residue_ends: np.ndarray,
    distance: np.ndarray,
    energies: tuple[np.ndarray, np.ndarray] | None = None,
    voronoi: np.ndarray | None = None,
) -> tuple[dict[str, np.ndarray], dict[str, tuple[str, ...]]]:
    """Feature arrays of e directed edges and the names of their columns.

    Parameters
    ----------
    residue_ends : ndarray, dtype=int, shape (2, e)
        Merged residue index of each edge's source and target.
    distance : ndarray, dtype=float, shape (e,)
        Å (the smallest heavy-atom distance in residue graphs).
    energies : (coulomb, lennard_jones), each ndarray shape (e,), or None
        kcal/mol; None for internal edges, which get distance and covalent flag only.
    voronoi : ndarray, dtype=float, shape (e,), or None
        Contact area, Å²; None when voronota was not run.
    """
    data = {
        "distance": distance.astype(np.float32)[:, None],
        "covalent": (distance < COVALENT_CUTOFF).astype(np.float32)[:, None],
    }
    names = {"distance": ("distance",), "covalent": ("covalent",)}
    if energies is not None:
        data["orientation"] = orientation(frames, residue_ends[0], residue_ends[1])
        names["orientation"] = ("e1", "e2", "e3")
        data["coulomb"] = energies[0].astype(np.float32)[:, None]
        names["coulomb"] = ("coulomb",)
        data["lennard_jones"] = energies[1].astype(np.float32)[:, None]
        names["lennard_jones"] = ("lennard_jones",)
    if voronoi is not None:
        data["voronoi_area"] = voronoi.astype(np.float32)[:, None]
        names["voronoi_area"] = ("voronoi_area",)
    return data, names
