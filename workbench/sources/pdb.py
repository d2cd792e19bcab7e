"""PDB text reader: split a file into its models, streaming, and check each holds atoms."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from .refs import Item, ItemRef, SourceFailure, checksum_bytes

__all__ = ["split_pdb"]

_ATOMS = ("ATOM  ", "HETATM")
_KEPT = (*_ATOMS, "TER")
_ATOM_LINE = re.compile("^(?:" + "|".join(_ATOMS) + ")", re.MULTILINE)
_MODEL_LINE = re.compile(r"^(?:MODEL|ENDMDL)", re.MULTILINE)  # every line the splitter acts on


def _has_atoms(pieces: Iterable[str]) -> bool:
    """Whether any line of these whole-line pieces is an ATOM/HETATM record."""
    return any(_ATOM_LINE.search(piece) for piece in pieces)


def _lines(block: str) -> list[str]:
    """The block's lines, each with its newline (split on "\\n" alone, as the bytes were)."""
    parts = block.split("\n")
    lines = [part + "\n" for part in parts[:-1]]
    if parts[-1]:
        lines.append(parts[-1])
    return lines


def _member_item(source: str, member: str, text: str) -> Item:
    ref = ItemRef(source, member, checksum_bytes(text.encode("utf-8")), "pdb")
    return Item(ref, text)


def _model_result(source: str, member: str, lines: list[str]) -> Item | SourceFailure:
    """One MODEL block as a standalone PDB text (atoms, TER, END), or why it has none."""
    if not _has_atoms(lines):
        return SourceFailure(source, member, f"{member} has no ATOM/HETATM records")
    body = "".join(line if line.endswith("\n") else line + "\n" for line in lines)
    return _member_item(source, member, body + "END\n")


def _model_name(line: str, ordinal: int) -> str:
    """``model_<serial>`` from the MODEL record, or its 1-based position when it has none."""
    serial = line[6:].strip()
    return f"model_{int(serial)}" if serial.isascii() and serial.isdigit() else f"model_{ordinal}"


def split_pdb(blocks: Iterable[str], source: str) -> Iterator[Item | SourceFailure]:
    """Items of one PDB text given in pieces of whole lines (line endings kept).

    A file with zero or one MODEL block is one item, member ``""``, whose text is the whole
    file. With two or more, each MODEL..ENDMDL block is an item ``model_<n>`` whose text
    holds its ATOM/HETATM/TER lines plus END. Models are yielded as soon as they close, so
    only the current model (and, until a second one appears, the whole text) is held. A piece
    outside any model with no MODEL or ENDMDL line is kept whole, not looked at line by line.
    """
    whole: list[str] | None = []
    model: list[str] | None = None
    name = ""
    first: tuple[str, list[str]] | None = None
    closed = 0

    def close() -> Iterator[Item | SourceFailure]:
        nonlocal whole, model, first, closed
        closed += 1
        finished, model = model or [], None
        if closed == 1:
            first = (name, finished)
            return
        if first is not None:
            yield _model_result(source, *first)
            first, whole = None, None
        yield _model_result(source, name, finished)

    for block in blocks:
        if whole is not None:
            whole.append(block)
        if model is None and not _MODEL_LINE.search(block):
            continue
        for line in _lines(block):
            if line[:6].rstrip() == "MODEL":
                if model is not None:
                    yield from close()
                model, name = [], _model_name(line, closed + 1)
            elif line.startswith("ENDMDL"):
                if model is not None:
                    yield from close()
            elif model is not None and line.startswith(_KEPT):
                model.append(line)
    if model is not None:
        yield from close()
    if whole is None:
        return
    if not whole:
        yield SourceFailure(source, "", "empty file")
    elif not _has_atoms(whole):
        yield SourceFailure(source, "", "no ATOM/HETATM records: not a PDB structure")
    else:
        yield _member_item(source, "", "".join(whole))
