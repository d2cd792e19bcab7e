"""DeepRank-Ab's edge energies ``vdw`` and ``elec``: their force field, mixing and distance masks.

DeepRank-Ab (``src/tools/contacts_dr2.py`` with ``forcefield_dr2.py``, commit e6fd5c19) gives
every interface edge between two atoms the Lennard-Jones and Coulomb energies of that one pair
(kcal/mol):

- **Parameters** come from HADDOCK's ``protein-allhdg5-5_new.top`` (atom type and charge per
  residue and atom name) and ``protein-allhdg5-4_new.param`` (ε, σ per type; the last
  ``NONBonded`` line of a type wins). ``data/forcefield.tsv`` holds the values they resolve to for
  the 20 amino acids (see its README).
- **Residue classes** (``residue-classes``, first matching rule) patch them (``patch.top``). On
  heavy-atom PDB input only CTER can match: a residue holding an ``OXT`` atom. Its O becomes type
  OC with charge −0.8, C gets 0.7 and CA 0.1; OXT gets charge −0.8 and, having no row in the
  topology, ε = σ = 0, so it never has a Lennard-Jones term. The other classes need hydrogens
  (NTER, PROP, HISE, HISD: HT1–HT3, HE2, HD1) or X-PLOR names (CTN, CYNH, DISU: NT, 1SG), which a
  PDB file of heavy atoms never has.
- **Charges sit partly on hydrogens**, which heavy-atom input lacks: LYS NZ is −0.3 (its HZ carry
  +0.33 each), so lysine–aspartate pairs have a *positive* ``elec``. That is what their files hold.
- **Unknown atoms** (a residue or atom name outside the topology: ASX, GLX, SEC) get charge 0 and
  ε = σ = 0, as theirs do after a logged warning.
- **Energies**: Coulomb 332.0636·qᵢqⱼ/d with ε₀ = 1 and Lennard-Jones 4ε[(σ/d)¹² − (σ/d)⁶] with
  Lorentz-Berthelot mixing (σ the mean, ε the geometric mean). No distance cut-off, no clamp and
  no distance-dependent dielectric: a clash at 1 Å gives the huge value they give (unlike the
  native features' ``workbench.graph.energy``, which clamps at 1 Å).
- **Same-chain rules** decided by distance alone, not by bonds: pairs on one chain closer than
  4.2 Å use the 1-4 parameters, closer than 3.6 Å get vdw = elec = 0. Interface edges join the
  two sides, so the rules never touch them; internal edges (< 3 Å, same side) are always 0.

One quirk is not reproduced, because it never reaches the model (``elec`` is not one of its
features, and O→OC keeps ε and σ): their lookups are memoised per (residue name, atom name) over
one graph, so every residue of a name takes the CTER-or-not charges of the first residue of that
name met in node order; here each atom gets its own residue's. None of the seven reference graphs
meets the difference (1VFB's C-terminal LEU comes first; its other LEU contributes only an N).
"""

from __future__ import annotations

import csv
import functools
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from workbench.graph.vocab import COULOMB_CONSTANT
from workbench.structure.records import AtomTable

__all__ = [
    "CUTOFF_13",
    "CUTOFF_14",
    "AtomParameters",
    "atom_parameters",
    "c_terminal",
    "pair_energies",
]

CUTOFF_13 = 3.6  # Å: same-chain pairs closer than this count as 1-3 pairs, energies zeroed
CUTOFF_14 = 4.2  # Å: same-chain pairs closer than this use the 1-4 Lennard-Jones parameters

_TABLE = Path(__file__).resolve().parent / "data" / "forcefield.tsv"
_FIELDS = ("charge", "epsilon", "sigma", "epsilon_14", "sigma_14")


@dataclass(frozen=True, slots=True)
class AtomParameters:
    """Per-atom force-field values, parallel arrays (n,): charge in e, ε in kcal/mol, σ in Å."""

    charge: np.ndarray
    epsilon: np.ndarray
    sigma: np.ndarray
    epsilon_14: np.ndarray
    sigma_14: np.ndarray

    def __post_init__(self) -> None:
        shapes = {getattr(self, name).shape for name in _FIELDS}
        if len(shapes) != 1 or len(next(iter(shapes))) != 1:
            raise ValueError(
                f"AtomParameters: expected arrays of one shape (n,), got {sorted(shapes)}"
            )


@functools.cache
def _table() -> dict[tuple[str, str, bool], tuple[float, ...]]:
    """(residue, atom, c_terminal) -> (charge, ε, σ, ε 1-4, σ 1-4), read once from the table."""
    with _TABLE.open(newline="") as handle:
        return {
            (row["res_name"], row["atom_name"], row["c_terminal"] == "1"): tuple(
                float(row[f]) for f in _FIELDS
            )
            for row in csv.DictReader(handle, delimiter="\t")
        }


def c_terminal(atoms: AtomTable) -> np.ndarray:
    """Per atom, whether its residue holds an ``OXT`` atom: DeepRank-Ab's test for the CTER patch.

    Their merged chains keep every atom of a residue, so a chain's last residue is patched only
    when the file has its OXT, wherever that residue sits in the merged chain.

    Returns
    -------
    ndarray, dtype=bool, shape (n,)
        For the n atoms of ``atoms``.
    """
    return np.isin(atoms.residue, atoms.residue[atoms.name == "OXT"])


def atom_parameters(
    res_name: np.ndarray, atom_name: np.ndarray, c_terminal: np.ndarray
) -> AtomParameters:
    """DeepRank-Ab's charge and Lennard-Jones parameters of each atom.

    Parameters
    ----------
    res_name, atom_name : ndarray, dtype=str, shape (n,)
        Three-letter residue name and PDB atom name (``"LYS"``, ``"NZ"``).
    c_terminal : ndarray, dtype=bool, shape (n,)
        Whether the atom's residue holds an ``OXT`` atom (DeepRank-Ab's CTER class), as
        :func:`c_terminal` gives it.

    Returns
    -------
    AtomParameters
        Arrays of shape (n,), float64. Atoms outside the topology get zeros.

    Examples
    --------
    >>> names = np.array(["O", "OXT"])
    >>> p = atom_parameters(np.array(["LYS", "LYS"]), names, np.array([True, True]))
    >>> p.charge.tolist(), p.epsilon.tolist()
    ([-0.8, -0.8], [0.21, 0.0])
    """
    res_name, atom_name = np.asarray(res_name, dtype=str), np.asarray(atom_name, dtype=str)
    c_terminal = np.asarray(c_terminal, dtype=bool)
    if not res_name.shape == atom_name.shape == c_terminal.shape or res_name.ndim != 1:
        raise ValueError(
            f"atom_parameters: expected three arrays of one shape (n,), got "
            f"{res_name.shape}, {atom_name.shape}, {c_terminal.shape}"
        )
    keys = np.char.add(
        np.char.add(np.char.add(res_name, " "), atom_name), np.where(c_terminal, " 1", " 0")
    )
    unique, inverse = np.unique(keys, return_inverse=True)
    table, zero = _table(), (0.0,) * len(_FIELDS)
    values = np.array(
        [table.get((r, a, c == "1"), zero) for r, a, c in np.char.split(unique).tolist()]
    )
    values = values.reshape(len(unique), len(_FIELDS))[inverse.reshape(-1)]
    return AtomParameters(*(np.ascontiguousarray(values[:, k]) for k in range(len(_FIELDS))))


def pair_energies(
    p: AtomParameters,
    i: np.ndarray,
    j: np.ndarray,
    distance: np.ndarray,
    same_chain: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """DeepRank-Ab's ``vdw`` and ``elec`` of atom pairs (i, j), as their edge features hold them.

    Parameters
    ----------
    p : AtomParameters
        From :func:`atom_parameters`, indexed by ``i`` and ``j``.
    i, j : ndarray, dtype=int, shape (e,)
        The two atoms of each pair.
    distance : ndarray, dtype=float, shape (e,)
        Å, unclamped.
    same_chain : ndarray, dtype=bool, shape (e,), optional
        Pairs on one chain get the 1-4 and 1-3 rules; None means every pair joins two chains.

    Returns
    -------
    vdw, elec : ndarray, dtype=float64, shape (e,)
        Lennard-Jones and Coulomb energies, kcal/mol.

    Examples
    --------
    >>> names = np.array(["NZ", "OD1"])
    >>> p = atom_parameters(np.array(["LYS", "ASP"]), names, np.array([False, False]))
    >>> vdw, elec = pair_energies(p, np.array([0]), np.array([1]), np.array([3.0]))
    >>> round(float(vdw[0]), 4), round(float(elec[0]), 4)
    (0.213, 26.5651)
    """
    i, j = np.asarray(i, dtype=np.intp), np.asarray(j, dtype=np.intp)
    d = np.asarray(distance, dtype=np.float64)
    if not i.shape == j.shape == d.shape:
        raise ValueError(
            "pair_energies: expected i, j and distance of one shape, got "
            f"{i.shape}, {j.shape}, {d.shape}"
        )
    elec = COULOMB_CONSTANT * p.charge[i] * p.charge[j] / d
    vdw = _lennard_jones(p.epsilon, p.sigma, i, j, d)
    if same_chain is not None:
        same_chain = np.asarray(same_chain, dtype=bool)
        pair_14 = same_chain & (d < CUTOFF_14)
        vdw = np.where(pair_14, _lennard_jones(p.epsilon_14, p.sigma_14, i, j, d), vdw)
        pair_13 = same_chain & (d < CUTOFF_13)
        vdw, elec = np.where(pair_13, 0.0, vdw), np.where(pair_13, 0.0, elec)
    return vdw, elec


def _lennard_jones(
    epsilon: np.ndarray, sigma: np.ndarray, i: np.ndarray, j: np.ndarray, d: np.ndarray
) -> np.ndarray:
    """4ε[(σ/d)¹² − (σ/d)⁶] with Lorentz-Berthelot mixing: one form for main and 1-4 parameters."""
    s6 = (0.5 * (sigma[i] + sigma[j]) / d) ** 6
    return 4.0 * np.sqrt(epsilon[i] * epsilon[j]) * (s6 * s6 - s6)
