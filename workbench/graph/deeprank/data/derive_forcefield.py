"""Writes forcefield.tsv from DeepRank-Ab's force-field folder, so the shipped table re-derives.

Usage: ``python derive_forcefield.py DEEPRANK_AB/src/tools/forcefield > forcefield.tsv``. Each row
is what DeepRank-Ab's ``AtomicForcefield`` returns for one (residue, atom) of the 20 amino acids,
once in a plain residue and once in a residue of class CTER (one holding OXT); see README.md.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

AMINO_ACIDS = (
    "ALA", "ARG", "ASN", "ASP", "CYS", "GLN", "GLU", "GLY", "HIS", "ILE",
    "LEU", "LYS", "MET", "PHE", "PRO", "SER", "THR", "TRP", "TYR", "VAL",
)  # fmt: skip
COLUMNS = (
    "res_name",
    "atom_name",
    "c_terminal",
    "charge",
    "epsilon",
    "sigma",
    "epsilon_14",
    "sigma_14",
)
ZERO_VDW = (0.0, 0.0, 0.0, 0.0)

_TOP_LINE = re.compile(r"^([A-Z0-9]{3})\s+atom\s+([A-Z0-9]{1,4})\s+(.+?)\s+end")
_TOP_VALUE = re.compile(r"(\S+?)\s*=\s*([^\s()]+)")
_PATCH_LINE = re.compile(r"^([A-Z]{3,4})\s+(MODIFY|ADD)\s+ATOM\s+([A-Z0-9]{1,3})\s+(.*)$")


def topology(path: Path) -> dict[tuple[str, str], dict[str, str]]:
    """(residue, atom) -> {"type", "charge"} from the .top file; a later line for a key wins."""
    rows: dict[tuple[str, str], dict[str, str]] = {}
    for line in path.read_text().splitlines():
        match = _TOP_LINE.match(line.strip())
        if match:
            values = {k.lower(): v for k, v in _TOP_VALUE.findall(match.group(3))}
            rows[(match.group(1), match.group(2))] = values
    return rows


def nonbonded(path: Path) -> dict[str, tuple[float, float, float, float]]:
    """Atom type -> (ε, σ, ε 1-4, σ 1-4) from the .param file; a type's last NONBonded line wins."""
    params: dict[str, tuple[float, float, float, float]] = {}
    for line in path.read_text().splitlines():
        fields = line.split()
        if fields and fields[0] == "NONBonded":
            eps, sigma, eps14, sigma14 = (float(x) for x in fields[2:6])
            params[fields[1]] = (eps, sigma, eps14, sigma14)
    return params


def cter_patch(path: Path) -> dict[str, dict[str, str]]:
    """Atom -> {"TYPE"?, "CHARGE"?} of the CTER patch (MODIFY and ADD alike, as they read it)."""
    actions: dict[str, dict[str, str]] = {}
    for line in path.read_text().splitlines():
        match = _PATCH_LINE.match(line.strip())
        if match and match.group(1) == "CTER":
            values = dict(re.findall(r"([A-Z]+)=(-?[0-9.]+|[A-Z0-9]+)", match.group(4)))
            actions.setdefault(match.group(3), {}).update(values)
    return actions


def rows(folder: Path) -> list[tuple[object, ...]]:
    """Every (residue, atom, c_terminal) row with the charge and Lennard-Jones values they use."""
    top = topology(folder / "protein-allhdg5-5_new.top")
    param = nonbonded(folder / "protein-allhdg5-4_new.param")
    cter = cter_patch(folder / "patch.top")
    out: list[tuple[object, ...]] = []
    for res in AMINO_ACIDS:
        atoms = [atom for (r, atom) in top if r == res]
        for c_terminal in (0, 1):
            names = atoms + [a for a in cter if a not in atoms] if c_terminal else atoms
            for atom in names:
                row = top.get((res, atom))
                patch = cter.get(atom, {}) if c_terminal else {}
                charge = float(patch.get("CHARGE", row["charge"] if row else 0.0))
                # no topology row: DeepRank-Ab returns zero Lennard-Jones terms before any patch
                vdw = param.get(patch.get("TYPE", row["type"]), ZERO_VDW) if row else ZERO_VDW
                out.append((res, atom, c_terminal, charge, *vdw))
    return out


def main(folder: str) -> None:
    """Print the table as TSV."""
    print("\t".join(COLUMNS))
    for row in rows(Path(folder)):
        print("\t".join(str(v) for v in row))


if __name__ == "__main__":
    main(sys.argv[1])
