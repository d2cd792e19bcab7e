"""Transparent gzip: stream the lines of a maybe-compressed file; clear error on bad data."""

from __future__ import annotations

import gzip
import zlib
from collections.abc import Iterator
from pathlib import Path

from .refs import SourceError

__all__ = ["is_gzip_name", "iter_lines"]


def is_gzip_name(path: str | Path) -> bool:
    """Whether the name says the bytes are gzip-compressed (``.gz``, any case)."""
    return str(path).lower().endswith(".gz")


def iter_lines(path: str | Path) -> Iterator[bytes]:
    """Byte lines of the file, decompressed on the fly when its name ends in ``.gz``.

    Lines keep their line endings, so joining them gives the (decompressed) file bytes.
    Corrupt or truncated gzip data raises SourceError naming the file.
    """
    if not is_gzip_name(path):
        with open(path, "rb") as handle:
            yield from handle
        return
    try:
        with gzip.open(path, "rb") as handle:
            yield from handle
    except (gzip.BadGzipFile, EOFError, zlib.error) as exc:
        raise SourceError(str(path), f"corrupt gzip data: {exc}") from None
