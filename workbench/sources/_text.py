"""Strict decoding of input bytes to text, so that a member's text re-encodes to its own bytes."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from .refs import SourceError


def decode(data: bytes, source: str, member: str = "", first_line: int = 1) -> str:
    """UTF-8 text of ``data``, or a SourceError saying where the bytes first stop being text."""
    try:
        text, bad = data.decode("utf-8"), len(data)
    except UnicodeDecodeError as exc:
        text, bad = None, exc.start
    nul = data.find(b"\x00", 0, bad)
    if nul >= 0:
        line = first_line + data.count(b"\n", 0, nul)
        raise SourceError(source, f"binary data (NUL byte on line {line}), not a text file", member)
    if text is None:
        line = first_line + data.count(b"\n", 0, bad)
        reason = f"not UTF-8 text (byte 0x{data[bad]:02x} on line {line}): binary or corrupt"
        raise SourceError(source, reason, member)
    return text


def decode_blocks(blocks: Iterable[bytes], source: str) -> Iterator[str]:
    """Decode a stream of byte blocks of whole lines, naming the first line that is not text."""
    first_line = 1
    for block in blocks:
        yield decode(block, source, first_line=first_line)
        first_line += block.count(b"\n")
