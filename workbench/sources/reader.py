"""Streamed reading of every structure of every input; one bad file never stops the others."""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from pathlib import Path

from ._text import decode, decode_lines
from .discover import discover, input_kind
from .gz import iter_lines
from .mmcif import split_mmcif
from .pdb import split_pdb
from .quiver import read_entry
from .qvindex import iter_index
from .refs import Item, SourceError, SourceFailure

__all__ = ["iter_items", "iter_quiver", "read_input"]

_EXTENSIONS = ".pdb, .ent, .cif, .mmcif (each optionally .gz) or .qv"


def iter_quiver(path: str | Path) -> Iterator[Item | SourceFailure]:
    """Entries of a quiver archive one at a time; a bad entry is a failure for its tag only."""
    source = str(path)
    count = 0
    with open(path, "rb") as handle:
        for entry in iter_index(path):
            count += 1
            try:
                yield read_entry(handle, source, entry)
            except SourceError as exc:
                yield SourceFailure(source, entry.tag, exc.reason)
    if not count:
        yield SourceFailure(source, "", "no QV_TAG entries: empty file or not a quiver archive")


def _unknown(path: Path) -> str:
    if path.name.lower().endswith(".qv.gz"):
        return "gzipped quiver archives are not supported: gunzip it (entries need random access)"
    return f"unknown extension {''.join(path.suffixes) or '(none)'!r}: expected {_EXTENSIONS}"


def _os_reason(exc: OSError) -> str:
    if isinstance(exc, FileNotFoundError):
        return "file disappeared after discovery: no such file or directory"
    return f"cannot read: {exc.strerror or exc}"


def _folder_reason(folder: Path) -> str:
    try:
        with os.scandir(folder):
            return "cannot list folder: it could not be read during discovery"
    except OSError as exc:
        return f"cannot list folder: {exc.strerror or exc}"


def read_input(path: str | Path) -> Iterator[Item | SourceFailure]:
    """All items of one input file; every problem becomes a SourceFailure naming the file."""
    path = Path(path)
    source = str(path)
    kind = input_kind(path)
    try:
        if path.is_dir():
            yield SourceFailure(source, "", _folder_reason(path))
        elif kind == "pdb":
            yield from split_pdb(decode_lines(iter_lines(path), source), source)
        elif kind == "mmcif":
            yield from split_mmcif(decode(b"".join(iter_lines(path)), source), source)
        elif kind == "quiver":
            yield from iter_quiver(path)
        else:
            yield SourceFailure(source, "", _unknown(path))
    except SourceError as exc:
        yield SourceFailure(source, exc.member, exc.reason)
    except OSError as exc:
        yield SourceFailure(source, "", _os_reason(exc))


def _read_all(missing: list[Path], present: list[Path]) -> Iterator[Item | SourceFailure]:
    for path in missing:
        yield SourceFailure(str(path), "", "no such file or directory")
    for path in discover(present):
        yield from read_input(path)


def iter_items(paths: Iterable[str | Path]) -> Iterator[Item | SourceFailure]:
    """Every structure of every input, streamed in discovery order (see :func:`discover`).

    Multi-member inputs are split as they are read (PDB models, mmCIF models, quiver
    entries), so no whole multi-member input is held. Nothing raises for a bad input: a
    missing path (reported first), an unreadable folder or file, or a bad member is a
    SourceFailure in the stream.
    """
    roots = [Path(path) for path in paths]
    missing = [root for root in roots if not root.exists()]
    return _read_all(missing, [root for root in roots if root.exists()])
