"""Buried surface area per residue (Å²) with freesasa, computed on the interface neighbourhood only.

An atom's solvent-accessible surface depends only on atoms closer than r_i + r_j + 2·probe. Let
R = 2·(r_max + probe). Atoms farther than R from the other side bury nothing (BSA exactly 0); the
SASA of the atoms within R of the other side (set A) depends only on atoms within R of A (set B).
So freesasa runs on B three times (complex, antibody alone, antigen alone) and the result equals
the whole-structure computation. Shrake-Rupley with 100 points per atom and a 1.4 Å probe (freesasa
defaults for that algorithm), ProtOr radii (freesasa's default classifier; Tsai et al. 1999):
the same test points in complex and alone make every atom's BSA ≥ 0. Shrake-Rupley test points
are fixed in the lab frame, so ``residue_bsa`` first moves the atoms into their own principal
axes (``canonical_coords``): rigidly moved copies of a complex then get the same BSA.
"""

from __future__ import annotations

from functools import cache

import freesasa
import numpy as np
from scipy.spatial import cKDTree

__all__ = ["PROBE", "atom_radii", "buried_area", "canonical_coords", "sasa"]

PROBE = 1.4  # Å
N_POINTS = 100
_ELEMENT_RADIUS = {"C": 1.88, "N": 1.64, "O": 1.46, "S": 1.77, "SE": 1.9}
_FALLBACK_RADIUS = 1.8


@cache
def _classifier() -> freesasa.Classifier:
    return freesasa.Classifier()


@cache
def _radius(res_name: str, atom_name: str, element: str) -> float:
    """ProtOr radius of one atom kind, by element when the classifier does not know it."""
    radius = _classifier().radius(res_name, atom_name)
    return radius if radius > 0 else _ELEMENT_RADIUS.get(element, _FALLBACK_RADIUS)


def atom_radii(res_name: np.ndarray, atom_name: np.ndarray, element: np.ndarray) -> np.ndarray:
    """Van der Waals radius (Å) per atom, ProtOr set.

    Returns
    -------
    ndarray, dtype=float64, shape (n,)
    """
    return np.array(
        [_radius(r, a, e) for r, a, e in zip(res_name, atom_name, element, strict=True)],
        dtype=np.float64,
    )


def canonical_coords(coord: np.ndarray) -> np.ndarray:
    """Coordinates in the atoms' own frame: centred, principal axes, signs fixed by skewness.

    Returns
    -------
    ndarray, dtype=float64, shape (n, 3)
        Å; the same for any rigid motion of the input (up to rounding).
    """
    centred = coord - coord.mean(axis=0)
    _, vectors = np.linalg.eigh(centred.T @ centred)
    axes = vectors[:, ::-1].T  # rows: largest variance first
    skew = np.sum((centred @ axes[:2].T) ** 3, axis=0)
    axes[:2] *= np.where(skew < 0, -1.0, 1.0)[:, None]
    axes[2] = np.cross(axes[0], axes[1])
    return centred @ axes.T


def sasa(coord: np.ndarray, radii: np.ndarray) -> np.ndarray:
    """Solvent-accessible surface area per atom (Å²), freesasa Shrake-Rupley.

    Returns
    -------
    ndarray, dtype=float64, shape (n,)
    """
    if len(coord) == 0:
        return np.empty(0)
    params = freesasa.Parameters(
        {"algorithm": freesasa.ShrakeRupley, "n-points": N_POINTS, "probe-radius": PROBE}
    )
    result = freesasa.calcCoord(np.ascontiguousarray(coord).ravel(), radii, params)
    return np.array([result.atomArea(i) for i in range(len(coord))])


def buried_area(coord: np.ndarray, radii: np.ndarray, antibody: np.ndarray) -> np.ndarray:
    """Area each atom loses on binding: SASA of its side alone minus SASA in the complex.

    Parameters
    ----------
    coord : ndarray, dtype=float, shape (n, 3)
    radii : ndarray, dtype=float, shape (n,)
    antibody : ndarray, dtype=bool, shape (n,)
        Side of each atom; the other atoms form the antigen side.

    Returns
    -------
    ndarray, dtype=float64, shape (n,)
        Å², ≥ 0, exactly 0 for atoms farther than 2·(r_max + probe) from the other side.
    """
    reach = 2.0 * (float(radii.max(initial=0.0)) + PROBE)
    ab, ag = np.flatnonzero(antibody), np.flatnonzero(~antibody)
    out = np.zeros(len(coord))
    if len(ab) == 0 or len(ag) == 0:
        return out
    touches = np.zeros(len(coord), dtype=bool)
    touches[ab] = cKDTree(coord[ag]).query_ball_point(coord[ab], reach, return_length=True) > 0
    touches[ag] = cKDTree(coord[ab]).query_ball_point(coord[ag], reach, return_length=True) > 0
    if not touches.any():
        return out
    near = cKDTree(coord[touches]).query_ball_point(coord, reach, return_length=True) > 0
    hood = np.flatnonzero(near)
    in_complex = sasa(coord[hood], radii[hood])
    alone = np.empty(len(hood))
    for side in (antibody[hood], ~antibody[hood]):
        alone[side] = sasa(coord[hood[side]], radii[hood[side]])
    buried = np.where(touches[hood], alone - in_complex, 0.0)
    out[hood] = buried
    return out
