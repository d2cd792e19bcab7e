"""Streamed reading of every structure of every input; one bad file never stops the others.

Reading is split in two so that paths travel and bytes do not: :func:`iter_parts` names what
there is to read (files, and quiver entries from the archive's index) without reading any
structure, and :func:`read_part` reads one part, in whichever process will use its bytes.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from ._text import decode, decode_blocks
from .discover import discover, input_kind
from .gz import iter_blocks
from .mmcif import split_mmcif
from .pdb import split_pdb
from .quiver import QuiverEntry, read_entry
from .qvindex import iter_index
from .refs import Item, SourceError, SourceFailure

__all__ = ["InputPart", "iter_items", "iter_parts", "iter_quiver", "read_input", "read_part"]

_EXTENSIONS = ".pdb, .ent, .cif, .mmcif (each optionally .gz) or .qv"


@dataclass(frozen=True, slots=True)
class InputPart:
    """What one reader reads: a whole input file (every member of it), or one entry of a quiver
    archive where the archive's index placed it; a few hundred bytes to send to a worker."""

    source: str  # the path as discovered: what records and messages name
    entry: QuiverEntry | None = None
    location: str = ""  # the absolute path to open (a worker may run in another directory)

    @property
    def opened(self) -> str:
        return self.location or self.source


def _archive_parts(path: Path) -> Iterator[InputPart | SourceFailure]:
    """One part per entry of the archive's index (built on first use, which reads it once)."""
    source, location = str(path), os.path.abspath(path)
    count = 0
    try:
        for entry in iter_index(path):
            count += 1
            yield InputPart(source, entry, location)
    except SourceError as exc:
        yield SourceFailure(source, exc.member, exc.reason)
        return
    except OSError as exc:
        yield SourceFailure(source, "", _os_reason(exc))
        return
    if not count:
        yield SourceFailure(source, "", "no QV_TAG entries: empty file or not a quiver archive")


def read_part(part: InputPart) -> Iterator[Item | SourceFailure]:
    """The items of one part; every problem becomes a SourceFailure naming the file (and tag)."""
    if part.entry is None:
        yield from read_input(part.opened, source=part.source)
        return
    tag = part.entry.tag
    try:
        with open(part.opened, "rb") as handle:
            item = read_entry(handle, part.source, part.entry)
    except SourceError as exc:
        yield SourceFailure(part.source, tag, exc.reason)
        return
    except OSError as exc:
        yield SourceFailure(part.source, tag, _os_reason(exc))
        return
    yield item


def iter_quiver(path: str | Path) -> Iterator[Item | SourceFailure]:
    """Entries of a quiver archive one at a time; a bad entry is a failure for its tag only."""
    for part in _archive_parts(Path(path)):
        if isinstance(part, SourceFailure):
            yield part
        else:
            yield from read_part(part)


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


def read_input(path: str | Path, source: str | None = None) -> Iterator[Item | SourceFailure]:
    """All items of one input file, named by ``source`` (default: the path); every problem
    becomes a SourceFailure naming the file."""
    path = Path(path)
    source = str(path) if source is None else source
    kind = input_kind(path)
    try:
        if path.is_dir():
            yield SourceFailure(source, "", _folder_reason(path))
        elif kind == "pdb":
            yield from split_pdb(decode_blocks(iter_blocks(path), source), source)
        elif kind == "mmcif":
            yield from split_mmcif(decode(b"".join(iter_blocks(path)), source), source)
        elif kind == "quiver":
            yield from iter_quiver(path)
        else:
            yield SourceFailure(source, "", _unknown(path))
    except SourceError as exc:
        yield SourceFailure(source, exc.member, exc.reason)
    except OSError as exc:
        yield SourceFailure(source, "", _os_reason(exc))


def _parts(missing: list[Path], present: list[Path]) -> Iterator[InputPart | SourceFailure]:
    for path in missing:
        yield SourceFailure(str(path), "", "no such file or directory")
    for path in discover(present):
        if input_kind(path) == "quiver" and path.is_file():
            yield from _archive_parts(path)
        else:
            yield InputPart(str(path), location=os.path.abspath(path))


def iter_parts(paths: Iterable[str | Path]) -> Iterator[InputPart | SourceFailure]:
    """What there is to read, in discovery order (see :func:`discover`), reading no structure:
    a part per file, and per entry of each quiver archive (from its index). A missing path
    (reported first) or an archive whose index cannot be made is a SourceFailure in the stream.
    """
    roots = [Path(path) for path in paths]
    missing = [root for root in roots if not root.exists()]
    return _parts(missing, [root for root in roots if root.exists()])


def _read_all(parts: Iterator[InputPart | SourceFailure]) -> Iterator[Item | SourceFailure]:
    for part in parts:
        if isinstance(part, SourceFailure):
            yield part
        else:
            yield from read_part(part)


def iter_items(paths: Iterable[str | Path]) -> Iterator[Item | SourceFailure]:
    """Every structure of every input, streamed in discovery order (see :func:`discover`).

    Multi-member inputs are split as they are read (PDB models, mmCIF models, quiver
    entries), so no whole multi-member input is held. Nothing raises for a bad input: a
    missing path (reported first), an unreadable folder or file, or a bad member is a
    SourceFailure in the stream.
    """
    return _read_all(iter_parts(paths))
