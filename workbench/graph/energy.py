"""Non-bonded pair energies of edges: Coulomb and Lennard-Jones (kcal/mol), DeepRank2 forms."""

from __future__ import annotations

import numpy as np

from workbench.graph.vocab import COULOMB_CONSTANT

__all__ = ["MIN_DISTANCE", "pair_energies"]

MIN_DISTANCE = 1.0  # Å: distances are clamped here so clashing models give finite energies


def pair_energies(
    distance: np.ndarray,
    charge: tuple[np.ndarray, np.ndarray],
    sigma: tuple[np.ndarray, np.ndarray],
    epsilon: tuple[np.ndarray, np.ndarray],
) -> tuple[np.ndarray, np.ndarray]:
    """Coulomb and Lennard-Jones energies of atom pairs, element-wise over any shape.

    Coulomb: 332.0636·q₁q₂/(ε₀·d), ε₀ = 1. Lennard-Jones: 4ε[(σ/d)¹² − (σ/d)⁶] with σ the mean and ε
    the geometric mean of the two atoms' parameters (Lorentz-Berthelot). Both as in DeepRank2
    ``features/contact.py``; pairs here are always on different chains, so DeepRank2's 1-3 and
    1-4 corrections never apply.

    Parameters
    ----------
    distance : ndarray, dtype=float, shape (...)
        Å.
    charge, sigma, epsilon : pair of ndarray, shape (...)
        Per-atom charge (e), σ (Å) and ε (kcal/mol) of the two ends.

    Returns
    -------
    coulomb, lennard_jones : ndarray, dtype=float64, shape (...)
        kcal/mol.
    """
    d = np.maximum(distance, MIN_DISTANCE)
    coulomb = COULOMB_CONSTANT * charge[0] * charge[1] / d
    s6 = (0.5 * (sigma[0] + sigma[1]) / d) ** 6
    lennard_jones = 4.0 * np.sqrt(epsilon[0] * epsilon[1]) * (s6 * s6 - s6)
    return coulomb, lennard_jones
