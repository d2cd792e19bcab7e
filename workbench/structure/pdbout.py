"""Write a merged complex as PDB text with canonical chain ids and residues numbered from 1."""

from __future__ import annotations

import string

from Bio.Data.PDBData import protein_letters_3to1

from workbench.structure.records import Complex

__all__ = ["output_chain_ids", "to_pdb"]

_PREFERRED = {"heavy": "H", "light": "L", "scfv": "S"}
_POOL = string.ascii_uppercase + string.ascii_lowercase + string.digits
_STANDARD = frozenset(protein_letters_3to1)


def output_chain_ids(complex: Complex) -> list[str]:
    """One-character id per chain of ``complex``, in merged order.

    Antibody chains become H (heavy), L (light), S (scfv); antigen chains keep their
    original ids when those are single characters that clash with nothing, otherwise they
    take A, B, C ... in order, skipping ids already used.
    """
    ids: list[str | None] = [None] * len(complex.chains)
    used: set[str] = set()
    for i, record in enumerate(complex.chains):
        wanted = _PREFERRED.get(record.role)
        if wanted and wanted not in used:
            ids[i] = wanted
            used.add(wanted)
    antigen = [i for i, record in enumerate(complex.chains) if record.role == "antigen"]
    originals = [complex.chains[i].chain for i in antigen]
    keep = (
        all(len(chain) == 1 for chain in originals)
        and len(set(originals)) == len(originals)
        and not used.intersection(originals)
    )
    if keep:
        for i, chain in zip(antigen, originals, strict=True):
            ids[i] = chain
        used.update(originals)
    free = iter(chain for chain in _POOL if chain not in used)
    for i, chain in enumerate(ids):
        if chain is None:
            picked = next(free, None)
            if picked is None:
                raise ValueError(f"{complex.source}: over {len(_POOL)} chains for one PDB file")
            ids[i] = picked
    return ids


def to_pdb(complex: Complex) -> str:
    """PDB text of the complex: one REMARK per chain naming its role and original id."""
    ids = output_chain_ids(complex)
    lines = [f"REMARK  99 MERGED FROM {complex.source}"]
    lines.extend(
        f"REMARK  99 CHAIN {new} ROLE {record.role} ORIGINAL CHAIN {record.chain}"
        for new, record in zip(ids, complex.chains, strict=True)
    )
    atoms, residues = complex.atoms, complex.residues
    chain_of_residue = [""] * len(residues)
    number = [0] * len(residues)
    for new, record in zip(ids, complex.chains, strict=True):
        for offset, index in enumerate(range(record.start, record.stop)):
            chain_of_residue[index] = new
            number[index] = offset + 1
    res_names = residues.res_name.tolist()
    previous_chain = None
    rows = zip(
        atoms.name.tolist(),
        atoms.element.tolist(),
        atoms.coord.tolist(),
        atoms.residue.tolist(),
        strict=True,
    )
    for serial, (name, element, (x, y, z), index) in enumerate(rows, start=1):
        chain = chain_of_residue[index]
        if previous_chain is not None and chain != previous_chain:
            lines.append("TER")
        previous_chain = chain
        res_name = res_names[index]
        record = "ATOM  " if res_name in _STANDARD else "HETATM"
        lines.append(
            f"{record}{serial % 100000:>5} {_atom_name(name, element)} {res_name:>3} "
            f"{chain}{number[index]:>4}    {x:>8.3f}{y:>8.3f}{z:>8.3f}{1.0:>6.2f}{0.0:>6.2f}"
            f"          {element:>2}"
        )
    lines.extend(["TER", "END", ""])
    return "\n".join(lines)


def _atom_name(name: str, element: str) -> str:
    """Columns 13-16: one-letter elements start in column 14 unless the name has 4 characters."""
    if len(name) >= 4 or len(element) == 2:
        return f"{name:<4}"
    return f" {name:<3}"
