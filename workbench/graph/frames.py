"""Backbone frames of residues and edge orientation vectors expressed in them."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from workbench.structure.records import Complex

__all__ = ["BackboneFrames", "backbone_frames", "orientation"]

_EPS = 1e-6


@dataclass(frozen=True, slots=True, eq=False)
class BackboneFrames:
    """Per merged residue: its Cα and the local frame of its N, Cα, C atoms."""

    ca: np.ndarray  # float64, shape (m, 3), Å; NaN where the residue has no CA
    axes: np.ndarray  # float64, shape (m, 3, 3), rows e1, e2, e3; NaN where N, CA or C is missing


def _named(complex_: Complex, name: str) -> np.ndarray:
    """Coordinates of atom ``name`` per residue (NaN when absent)."""
    out = np.full((len(complex_.residues), 3), np.nan)
    hit = complex_.atoms.name == name
    out[complex_.atoms.residue[hit]] = complex_.atoms.coord[hit]
    return out


def _unit(v: np.ndarray) -> np.ndarray:
    """Rows scaled to length 1; NaN for (near-)zero rows."""
    norm = np.linalg.norm(v, axis=-1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(norm > _EPS, v / norm, np.nan)


def backbone_frames(complex_: Complex) -> BackboneFrames:
    """Right-handed frame per residue: e1 along Cα→C, e2 toward N in the N-Cα-C plane."""
    n, ca, c = (_named(complex_, name) for name in ("N", "CA", "C"))
    e1 = _unit(c - ca)
    v = n - ca
    e2 = _unit(v - np.sum(v * e1, axis=1, keepdims=True) * e1)
    e3 = np.cross(e1, e2)
    return BackboneFrames(ca=ca, axes=np.stack([e1, e2, e3], axis=1))


def orientation(frames: BackboneFrames, source: np.ndarray, target: np.ndarray) -> np.ndarray:
    """Unit direction from the source residue's Cα to the target residue's Cα, in the source frame.

    Invariant under rigid motions of the complex; zero when a backbone atom is missing or both
    residues are the same.

    Parameters
    ----------
    source, target : ndarray, dtype=int, shape (e,)
        Merged residue indices of the edge's two ends.

    Returns
    -------
    ndarray, dtype=float32, shape (e, 3)
        Components along e1 (Cα→C), e2 (toward N) and e3 (e1 × e2).
    """
    u = _unit(frames.ca[target] - frames.ca[source])
    local = np.einsum("eij,ej->ei", frames.axes[source], u)
    complete = np.isfinite(local).all(axis=1, keepdims=True)
    return np.where(complete, local, 0.0).astype(np.float32)
