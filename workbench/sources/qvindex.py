"""The byte-offset index of a quiver archive, kept beside it as ``<archive>.idx`` (JSON lines).

Line 1 is a header with the archive's fingerprint (size, mtime_ns, sha256 of its first and
last 64 KiB); each further line is ``[tag, offset, length, [[key, value], ...]]``. The index
is reused while the fingerprint matches and rebuilt (streaming, atomically) when it does not.
An archive in a folder that cannot be written is scanned on every read instead.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
from collections.abc import Iterator
from pathlib import Path

from workbench.fs import AtomicFile

from .quiver import QuiverEntry, scan_entries
from .refs import SourceError

__all__ = ["entry_count", "index_path", "iter_index", "quiver_index"]

_FORMAT = "workbench-quiver-index"
_VERSION = 1
_EDGE = 64 * 1024  # bytes hashed at each end of the archive
_log = logging.getLogger(__name__)


def index_path(archive: str | Path) -> Path:
    """Where the index of ``archive`` lives: the same path plus ``.idx``."""
    return Path(f"{archive}.idx")


def _fingerprint(archive: Path) -> dict[str, object]:
    """What the index must agree with: size, mtime and hashes of both ends of the archive."""
    with open(archive, "rb") as handle:
        stat = os.fstat(handle.fileno())
        head = hashlib.sha256(handle.read(_EDGE)).hexdigest()
        handle.seek(max(0, stat.st_size - _EDGE))
        tail = hashlib.sha256(handle.read(_EDGE)).hexdigest()
    return {
        "format": _FORMAT,
        "version": _VERSION,
        "size": stat.st_size,
        "mtime_ns": stat.st_mtime_ns,
        "head": head,
        "tail": tail,
    }


def _is_current(index: Path, fingerprint: dict[str, object]) -> bool:
    try:
        with open(index, "rb") as handle:
            return json.loads(handle.readline()) == fingerprint
    except (OSError, ValueError):
        return False


def _build(archive: Path, index: Path, fingerprint: dict[str, object]) -> bool:
    """Scan the archive into a fresh index file; False when its folder cannot be written."""
    try:
        temp = AtomicFile(index)
    except OSError as exc:
        _log.info("quiver index %s not written (%s): scanning the archive instead", index, exc)
        return False
    with temp, open(temp.path, "wb") as handle:
        handle.write(json.dumps(fingerprint).encode() + b"\n")
        with open(archive, "rb") as lines:
            for entry in scan_entries(lines, str(archive)):
                row = [entry.tag, entry.offset, entry.length, [list(p) for p in entry.scores]]
                handle.write(json.dumps(row).encode() + b"\n")
    return True


def _read_index(index: Path, source: str) -> Iterator[QuiverEntry]:
    with open(index, "rb") as handle:
        handle.readline()
        for number, line in enumerate(handle, start=2):
            try:
                tag, offset, length, scores = json.loads(line)
                yield QuiverEntry(tag, offset, length, tuple((k, v) for k, v in scores))
            except (ValueError, TypeError) as exc:
                reason = f"quiver index {index} is corrupt at line {number} ({exc}): delete it"
                raise SourceError(source, reason) from None


def _current(archive: Path) -> Path | None:
    """The archive's index, built or refreshed first; None when it cannot be written."""
    index = index_path(archive)
    fingerprint = _fingerprint(archive)
    return index if _is_current(index, fingerprint) or _build(archive, index, fingerprint) else None


def iter_index(archive: str | Path) -> Iterator[QuiverEntry]:
    """Entries of the archive in file order, streaming; builds or refreshes the index first."""
    archive = Path(archive)
    index = _current(archive)
    if index is not None:
        yield from _read_index(index, str(archive))
        return
    with open(archive, "rb") as lines:
        yield from scan_entries(lines, str(archive))


def quiver_index(archive: str | Path) -> list[QuiverEntry]:
    """All entries of the archive (tag, byte offset, length, scores), from its index."""
    return list(iter_index(archive))


def entry_count(archive: str | Path) -> int | None:
    """How many entries the archive holds, from its index's lines (built first when stale; a
    few ms per 10^5 entries); None when no index can be written, as counting would read it all."""
    index = _current(Path(archive))
    if index is None:
        return None
    with open(index, "rb") as handle:
        lines = sum(block.count(b"\n") for block in iter(lambda: handle.read(1 << 20), b""))
    return lines - 1  # the header
