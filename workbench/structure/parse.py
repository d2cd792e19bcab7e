"""Parse the text of one structure (PDB or mmCIF) into a Biopython structure, once."""

from __future__ import annotations

import io
import warnings

from Bio.PDB import MMCIFParser, PDBParser
from Bio.PDB.PDBExceptions import PDBConstructionException, PDBConstructionWarning
from Bio.PDB.Structure import Structure

from workbench.sources.refs import Item, describe_source
from workbench.structure.errors import StructureError, StructureWarning
from workbench.structure.sequences import residue_kind

__all__ = ["parse_structure", "parse_warnings"]

_WARNINGS_KEY = "workbench_warnings"
# Biopython messages that say nothing about the structure's atoms: dropped.
_NOISE = ("is discontinuous", "Ignoring unrecognized record")
_DUPLICATE = ("defined twice", "redefined", "already defined", "duplicate")
_INFERRED = "Used element"
_UNKNOWN_ELEMENT = "Could not assign element"


def parse_structure(item: Item) -> Structure:
    """Parse ``item.text`` (fmt "pdb" or "mmcif") and keep the parser's complaints as warnings.

    Raises ``StructureError`` for text that does not parse, has no atoms or no amino acids.

    The complaints (duplicate atoms, redefined residues, elements inferred from atom names)
    are stored on the structure and read back by :func:`parse_warnings`, so that a structure
    parsed once can be merged later without losing them.
    """
    path = describe_source(item.ref.source, item.ref.member)
    if item.ref.fmt == "pdb":
        parser = PDBParser(QUIET=False)
    elif item.ref.fmt == "mmcif":
        parser = MMCIFParser(QUIET=False)
    else:
        raise StructureError(path, f"unknown format {item.ref.fmt!r}; expected 'pdb' or 'mmcif'")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", PDBConstructionWarning)
        try:
            structure = parser.get_structure(item.ref.item_id, io.StringIO(item.text))
        except (PDBConstructionException, ValueError, KeyError, IndexError) as error:
            raise StructureError(path, f"cannot parse as {item.ref.fmt}: {error}") from error
    if next(structure.get_atoms(), None) is None:
        raise StructureError(path, "no atoms")
    if not any(residue_kind(residue) == "protein" for residue in structure.get_residues()):
        raise StructureError(path, "no amino-acid residues")
    structure.xtra[_WARNINGS_KEY] = _summarise(
        str(w.message) for w in caught if issubclass(w.category, PDBConstructionWarning)
    )
    return structure


def parse_warnings(structure: Structure) -> tuple[StructureWarning, ...]:
    """Warnings recorded by :func:`parse_structure` (none for a structure built elsewhere)."""
    return structure.xtra.get(_WARNINGS_KEY, ())


def _summarise(messages) -> tuple[StructureWarning, ...]:
    """Count the per-atom element messages, keep the rest once each, drop the noise."""
    inferred = unknown = 0
    kept: list[StructureWarning] = []
    for message in messages:
        if message.startswith(_INFERRED):
            inferred += 1
        elif message.startswith(_UNKNOWN_ELEMENT):
            unknown += 1
        elif not any(noise in message for noise in _NOISE):
            text = message.removeprefix("PDBConstructionException: ").removeprefix("WARNING: ")
            text = text.split("\n")[0].strip()
            kind = "duplicate" if any(word in text for word in _DUPLICATE) else "parser"
            kept.append(StructureWarning(kind, text))
    if inferred:
        detail = f"{inferred} atoms had no element; inferred from the atom name"
        kept.append(StructureWarning("element", detail))
    if unknown:
        kept.append(StructureWarning("element", f"{unknown} atoms have an unknown element ('X')"))
    return tuple(kept)
