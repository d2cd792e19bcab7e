"""Quiver archives: ``QV_TAG <tag>``, optional ``QV_SCORE <tag> k=v|k=v``, then PDB lines."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from workbench.fs import atomic_open

from ._text import decode
from .refs import Item, ItemRef, SourceError, checksum_bytes

__all__ = ["QuiverEntry", "read_entry", "read_quiver_entry", "scan_entries", "write_quiver"]

_ATOMS = ("ATOM  ", "HETATM")
_COORD_END = 54  # a coordinate record shorter than this lost part of x, y or z
_NO_SPACE = re.compile(r"\S+")


@dataclass(frozen=True, slots=True)
class QuiverEntry:
    """Where one entry lies in its archive: bytes ``[offset, offset + length)``."""

    tag: str
    offset: int  # bytes from the start of the archive to the entry's QV_TAG line
    length: int  # bytes up to the next QV_TAG line or the end of the archive
    scores: tuple[tuple[str, str], ...] = ()  # QV_SCORE key/value pairs, in file order


def _parse_scores(line: str) -> list[tuple[str, str]]:
    """Key/value pairs of ``QV_SCORE <tag> k=v|k=v`` (a key without ``=`` gets an empty value)."""
    parts = line.split(None, 2)
    if len(parts) < 3:
        return []
    pairs = (field.partition("=") for field in parts[2].strip().split("|") if field.strip())
    return [(key.strip(), value.strip()) for key, _, value in pairs]


def _tag_of(line: str) -> str | None:
    """The tag of a ``QV_TAG`` line ("" if it has none), None for any other line."""
    parts = line.split(None, 1)
    if not parts or parts[0] != "QV_TAG":
        return None
    return parts[1].strip() if len(parts) > 1 else ""


def scan_entries(lines: Iterable[bytes], source: str) -> Iterator[QuiverEntry]:
    """Entries of an archive read line by line (line endings kept), streaming."""
    offset = 0
    tag, start, scores = None, 0, []
    for line in lines:
        if line.startswith(b"QV_"):
            text = decode(line, source)
            new_tag = _tag_of(text)
            if new_tag is not None:
                if tag is not None:
                    yield QuiverEntry(tag, start, offset - start, tuple(scores))
                if not new_tag:
                    raise SourceError(source, f"QV_TAG line without a tag at byte {offset}")
                tag, start, scores = new_tag, offset, []
            elif text.startswith("QV_SCORE") and tag is not None:
                scores.extend(_parse_scores(text))
        offset += len(line)
    if tag is not None:
        yield QuiverEntry(tag, start, offset - start, tuple(scores))


def _parse_entry(data: bytes, source: str, entry: QuiverEntry) -> Item:
    """The PDB text of one entry's bytes; a SourceError for a stale index or a truncated entry."""
    text = decode(data, source, entry.tag)
    lines = text.splitlines(keepends=True)
    if not lines or _tag_of(lines[0]) != entry.tag:
        reason = f"no 'QV_TAG {entry.tag}' at byte {entry.offset}: archive changed under its index"
        raise SourceError(source, reason, entry.tag)
    body = [line for line in lines if not line.startswith("QV_")]
    if not any(line.startswith(_ATOMS) for line in body):
        raise SourceError(source, "truncated or empty entry: no ATOM/HETATM records", entry.tag)
    last = body[-1]
    if not last.endswith("\n") and last.startswith(_ATOMS) and len(last) < _COORD_END:
        reason = f"truncated entry: last line cut mid-record ({len(last)} characters, end of file)"
        raise SourceError(source, reason, entry.tag)
    pdb_text = "".join(body)
    ref = ItemRef(source, entry.tag, checksum_bytes(pdb_text.encode("utf-8")), "pdb", entry.scores)
    return Item(ref, pdb_text)


def read_entry(handle: BinaryIO, source: str, entry: QuiverEntry) -> Item:
    """Read one entry from an open archive (seek and read only its own bytes)."""
    handle.seek(entry.offset)
    data = handle.read(entry.length)
    if len(data) < entry.length:
        reason = f"archive ends {entry.length - len(data)} bytes early: it changed under its index"
        raise SourceError(source, reason, entry.tag)
    return _parse_entry(data, source, entry)


def read_quiver_entry(path: str | Path, entry: QuiverEntry) -> Item:
    """One entry of the archive at ``path`` as an Item (member = tag, scores from the entry)."""
    with open(path, "rb") as handle:
        return read_entry(handle, str(path), entry)


def _check_word(kind: str, value: str, forbidden: str = "") -> str:
    if _NO_SPACE.fullmatch(value) is None or any(char in value for char in forbidden):
        raise ValueError(f"quiver {kind} {value!r}: need a non-empty word without {forbidden!r}")
    return value


def _entry_bytes(tag: str, pdb_text: str, scores: Mapping[str, object]) -> bytes:
    lines = [f"QV_TAG {_check_word('tag', tag)}\n"]
    if scores:
        pairs = "|".join(
            f"{_check_word('score name', str(k), '|=')}={_check_word('score value', str(v), '|')}"
            for k, v in scores.items()
        )
        lines.append(f"QV_SCORE {tag} {pairs}\n")
    lines.append(pdb_text if pdb_text.endswith("\n") else pdb_text + "\n")
    return "".join(lines).encode("utf-8")


def write_quiver(path: str | Path, entries: Iterable[tuple[str, str, Mapping[str, object]]]) -> int:
    """Write ``(tag, pdb_text, scores)`` entries as a quiver archive, atomically; returns count."""
    count = 0
    with atomic_open(path, "wb") as handle:
        for tag, pdb_text, scores in entries:
            handle.write(_entry_bytes(tag, pdb_text, scores))
            count += 1
    return count
