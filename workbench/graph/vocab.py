"""Vocabularies and physico-chemical tables shared by the graph features.

Charges are formal charges at pH 7 spread evenly over the charged group's heavy atoms; histidine
and chain termini are neutral. Lennard-Jones parameters are AMBER parm99 values per element
(Cornell et al. 1995, J. Am. Chem. Soc. 117:5179; Wang et al. 2000, J. Comput. Chem. 21:1049):
Rmin/2 in Å and well depth ε in kcal/mol, turned into σ = 2·(Rmin/2)·2^(−1/6). The energy forms,
Coulomb constant and Lorentz-Berthelot combination follow DeepRank2
(``deeprank2/features/contact.py``, Réau et al. 2023, J. Open Source Softw. 8:5983).
"""

from __future__ import annotations

import numpy as np

__all__ = [
    "AMINO_ACIDS",
    "ATOM_NAMES",
    "COULOMB_CONSTANT",
    "POLARITY_CLASSES",
    "REGIONS",
    "ROLES",
    "atom_charges",
    "lj_parameters",
    "polarity_codes",
    "residue_charges",
]

from workbench.structure.records import REGIONS, ROLES

AMINO_ACIDS = tuple("ACDEFGHIKLMNPQRSTVWY")

# Heavy-atom names of the 20 amino acids (PDB v3 names), the C-terminal OXT, then "other".
ATOM_NAMES = (
    "N", "CA", "C", "O", "OXT", "CB", "CG", "CG1", "CG2", "CD", "CD1", "CD2", "CE", "CE1",
    "CE2", "CE3", "CZ", "CZ2", "CZ3", "CH2", "ND1", "ND2", "NE", "NE1", "NE2", "NH1", "NH2",
    "NZ", "OD1", "OD2", "OE1", "OE2", "OG", "OG1", "OH", "SD", "SG", "other",
)  # fmt: skip

POLARITY_CLASSES = ("apolar", "polar", "negative", "positive")
_POLARITY = {
    **dict.fromkeys("ACFGILMPVW", 0),
    **dict.fromkeys("NQSTY", 1),
    **dict.fromkeys("DE", 2),
    **dict.fromkeys("HKR", 3),
}
_RESIDUE_CHARGE = {"D": -1.0, "E": -1.0, "K": 1.0, "R": 1.0}
_ATOM_CHARGE = {
    ("D", "OD1"): -0.5,
    ("D", "OD2"): -0.5,
    ("E", "OE1"): -0.5,
    ("E", "OE2"): -0.5,
    ("K", "NZ"): 1.0,
    ("R", "NE"): 1.0 / 3.0,
    ("R", "NH1"): 1.0 / 3.0,
    ("R", "NH2"): 1.0 / 3.0,
}

COULOMB_CONSTANT = 332.0636  # kcal·Å/(mol·e²), vacuum permittivity as in DeepRank2
# element: (Rmin/2 Å, ε kcal/mol), AMBER parm99 types CT, N, O, S; other elements use CT.
_LJ = {"C": (1.9080, 0.1094), "N": (1.8240, 0.1700), "O": (1.6612, 0.2100), "S": (2.0000, 0.2500)}


def polarity_codes(aa: np.ndarray) -> np.ndarray:
    """Polarity class index per one-letter code; -1 for unknown ("X").

    Returns
    -------
    ndarray, dtype=int64, shape (n,)
    """
    return np.array([_POLARITY.get(a, -1) for a in aa], dtype=np.int64)


def residue_charges(aa: np.ndarray) -> np.ndarray:
    """Formal residue charge at pH 7 (e) per one-letter code.

    Returns
    -------
    ndarray, dtype=float32, shape (n,)
    """
    return np.array([_RESIDUE_CHARGE.get(a, 0.0) for a in aa], dtype=np.float32)


def atom_charges(aa: np.ndarray, name: np.ndarray) -> np.ndarray:
    """Partial charge (e) per atom from its residue's one-letter code and its atom name.

    Returns
    -------
    ndarray, dtype=float64, shape (n,)
    """
    return np.array(
        [_ATOM_CHARGE.get((a, n), 0.0) for a, n in zip(aa, name, strict=True)], dtype=np.float64
    )


def lj_parameters(element: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Lennard-Jones σ (Å) and ε (kcal/mol) per atom from its element.

    Returns
    -------
    sigma, epsilon : ndarray, dtype=float64, shape (n,)
    """
    table = np.array([_LJ.get(e, _LJ["C"]) for e in element], dtype=np.float64).reshape(-1, 2)
    return 2.0 * table[:, 0] * 2.0 ** (-1.0 / 6.0), table[:, 1]
