"""Transparent gzip: stream a maybe-compressed file in blocks of lines; clear error on bad data."""

from __future__ import annotations

import gzip
import zlib
from collections.abc import Iterator
from pathlib import Path

from .refs import SourceError

__all__ = ["BLOCK_BYTES", "is_gzip_name", "iter_blocks"]

BLOCK_BYTES = 1 << 20


def is_gzip_name(path: str | Path) -> bool:
    """Whether the name says the bytes are gzip-compressed (``.gz``, any case)."""
    return str(path).lower().endswith(".gz")


def iter_blocks(path: str | Path, size: int = BLOCK_BYTES) -> Iterator[bytes]:
    """Byte blocks of the file, each about ``size`` bytes of whole lines (the last may end
    without a newline), decompressed on the fly when its name ends in ``.gz``.

    Joining them gives the (decompressed) file bytes. Corrupt or truncated gzip data raises
    SourceError naming the file.
    """
    opener = gzip.open if is_gzip_name(path) else open
    try:
        with opener(path, "rb") as handle:
            while block := handle.read(size):
                yield block if block.endswith(b"\n") else block + handle.readline()
    except (gzip.BadGzipFile, EOFError, zlib.error) as exc:
        raise SourceError(str(path), f"corrupt gzip data: {exc}") from None
