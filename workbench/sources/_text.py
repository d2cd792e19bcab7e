"""Strict decoding of input bytes to text, so that a member's text re-encodes to its own bytes."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from .refs import SourceError


def decode(data: bytes, source: str, member: str = "", first_line: int = 1) -> str:
    """UTF-8 text of ``data``, or a SourceError saying where the bytes stop being text."""
    if b"\x00" in data:
        line = first_line + data.count(b"\n", 0, data.index(b"\x00"))
        raise SourceError(source, f"binary data (NUL byte on line {line}), not a text file", member)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = first_line + data.count(b"\n", 0, exc.start)
        reason = f"not UTF-8 text (byte 0x{data[exc.start]:02x} on line {line}): binary or corrupt"
        raise SourceError(source, reason, member) from None


def decode_lines(lines: Iterable[bytes], source: str) -> Iterator[str]:
    """Decode a stream of byte lines one by one, naming the first line that is not text."""
    for number, line in enumerate(lines, start=1):
        yield decode(line, source, first_line=number)
