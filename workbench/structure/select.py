"""Boolean masks over a merged complex, and per-chain reduce / broadcast of residue values."""

from __future__ import annotations

from collections.abc import Callable, Iterable

import numpy as np

from workbench.structure.records import ANTIBODY_ROLES, Complex

__all__ = [
    "HYDROGEN_ELEMENTS",
    "apply_chain_wise",
    "select_chains",
    "select_heavy_atoms",
    "select_side",
    "spread_chain_wise",
]

HYDROGEN_ELEMENTS = ("H", "D")  # element symbols that are not heavy atoms (deuterium included)

_SIDES = ("antibody", "antigen")
_LEVELS = ("atom", "residue")


def _per_level(complex: Complex, per_residue: np.ndarray, level: str) -> np.ndarray:
    """A residue mask as is, or spread to the atoms."""
    if level not in _LEVELS:
        raise ValueError(f"level must be one of {_LEVELS}, got {level!r}")
    return per_residue if level == "residue" else per_residue[complex.atoms.residue]


def select_side(complex: Complex, side: str, level: str = "atom") -> np.ndarray:
    """Mask of the antibody side (heavy, light, scfv) or the antigen side.

    Parameters
    ----------
    complex : Complex
    side : {"antibody", "antigen"}
    level : {"atom", "residue"}

    Returns
    -------
    mask : ndarray, dtype=bool, shape=(n,) for atoms or (m,) for residues
    """
    if side not in _SIDES:
        raise ValueError(f"side must be one of {_SIDES}, got {side!r}")
    antibody = np.isin(complex.residues.role, ANTIBODY_ROLES)
    return _per_level(complex, antibody if side == "antibody" else ~antibody, level)


def select_chains(complex: Complex, chains: Iterable[str], level: str = "atom") -> np.ndarray:
    """Mask of the given original chain ids.

    Returns
    -------
    mask : ndarray, dtype=bool, shape=(n,) for atoms or (m,) for residues
    """
    return _per_level(complex, np.isin(complex.residues.chain, list(chains)), level)


def select_heavy_atoms(complex: Complex) -> np.ndarray:
    """Mask of the heavy atoms: every element but those in ``HYDROGEN_ELEMENTS``.

    Returns
    -------
    mask : ndarray, dtype=bool, shape=(n,)
    """
    return ~np.isin(complex.atoms.element, HYDROGEN_ELEMENTS)


def apply_chain_wise(
    complex: Complex, values: np.ndarray, function: Callable[[np.ndarray], object]
) -> np.ndarray:
    """Reduce per-residue ``values`` (shape (m, ...)) to one value per chain.

    Returns
    -------
    reduced : ndarray, shape=(k, ...) for the k chains in merged order
    """
    if len(values) != len(complex.residues):
        raise ValueError(f"expected {len(complex.residues)} residue values, got {len(values)}")
    return np.asarray([function(values[chain.start : chain.stop]) for chain in complex.chains])


def spread_chain_wise(complex: Complex, values: np.ndarray) -> np.ndarray:
    """Broadcast one value per chain (shape (k, ...)) to every residue of that chain.

    Returns
    -------
    spread : ndarray, shape=(m, ...) in merged residue order
    """
    if len(values) != len(complex.chains):
        raise ValueError(f"expected {len(complex.chains)} chain values, got {len(values)}")
    lengths = [chain.stop - chain.start for chain in complex.chains]
    return np.repeat(np.asarray(values), lengths, axis=0)
