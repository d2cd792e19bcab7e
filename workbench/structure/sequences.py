"""Which residues are amino acids, their one-letter codes, and each protein chain's sequence."""

from __future__ import annotations

from typing import TYPE_CHECKING

from Bio.Data.PDBData import protein_letters_3to1_extended

from workbench.sources.refs import checksum_bytes

if TYPE_CHECKING:
    from Bio.PDB.Residue import Residue
    from Bio.PDB.Structure import Structure

__all__ = ["WATER_NAMES", "chain_sequences", "one_letter", "residue_kind", "sequence_hash"]

WATER_NAMES = frozenset({"HOH", "WAT", "DOD", "H2O", "TIP", "TIP3", "SOL"})
_BACKBONE = ("N", "CA", "C")


def one_letter(res_name: str) -> str:
    """Parent amino acid of a (possibly modified) residue name, "X" when unknown (MSE→M, PCA→Q)."""
    return protein_letters_3to1_extended.get(res_name.strip().upper(), "X")


def residue_kind(residue: Residue) -> str:
    """ "protein", "water" or "ligand": amino acids are known names or carry backbone N, CA, C."""
    hetflag = residue.id[0]
    name = residue.get_resname().strip().upper()
    if hetflag == "W" or name in WATER_NAMES:
        return "water"
    if name in protein_letters_3to1_extended:
        return "protein"
    if all(atom in residue for atom in _BACKBONE):
        return "protein"
    return "ligand"


def sequence_hash(sequence: str) -> str:
    """Content address of a sequence (sha256 hex of its UTF-8): one spelling for every stage."""
    return checksum_bytes(sequence.encode())


def chain_sequences(structure: Structure) -> dict[str, str]:
    """One-letter sequence of every protein chain of the first model, in file order.

    Modified residues map to their parent amino acid, unknown residues with a backbone to
    "X"; waters and ligands are left out, and chains without amino acids are not listed.
    """
    model = next(iter(structure))
    sequences = {}
    for chain in model:
        letters = [
            one_letter(residue.get_resname())
            for residue in chain
            if residue_kind(residue) == "protein"
        ]
        if letters:
            sequences[chain.id] = "".join(letters)
    return sequences
