"""The entry file format: a fixed header that lets a reader prove an entry whole and its own.

Layout (big-endian), then the payload bytes::

    magic        8 bytes   b"WBCACHE\\n"
    version      uint32    FORMAT_VERSION
    key digest   32 bytes  sha256 of the CacheKey (the entry answers this key, not another)
    length       uint64    payload length in bytes
    checksum     32 bytes  sha256 of the payload
"""

from __future__ import annotations

import hashlib
import struct

__all__ = ["FORMAT_VERSION", "HEADER_SIZE", "MAGIC", "EntryError", "pack_entry", "unpack_entry"]

MAGIC = b"WBCACHE\n"
FORMAT_VERSION = 1
_HEADER = struct.Struct(">8sI32sQ32s")
HEADER_SIZE = _HEADER.size


class EntryError(ValueError):
    """An entry file that must not be trusted; ``reason`` says which check failed."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def pack_entry(digest: str, payload: bytes) -> bytes:
    """Header plus payload, ready to be written in one go."""
    payload = bytes(payload)
    header = _HEADER.pack(
        MAGIC,
        FORMAT_VERSION,
        bytes.fromhex(digest),
        len(payload),
        hashlib.sha256(payload).digest(),
    )
    return header + payload


def unpack_entry(digest: str, data: bytes) -> bytes:
    """The payload of a whole, verified entry for ``digest``; EntryError otherwise."""
    if len(data) < HEADER_SIZE:
        raise EntryError(f"truncated header: {len(data)} of {HEADER_SIZE} bytes")
    magic, version, key, length, checksum = _HEADER.unpack_from(data)
    if magic != MAGIC:
        raise EntryError(f"wrong magic {magic!r}, expected {MAGIC!r}")
    if version != FORMAT_VERSION:
        raise EntryError(f"format version {version}, this code reads {FORMAT_VERSION}")
    if key != bytes.fromhex(digest):
        raise EntryError(f"entry belongs to key {key.hex()}, not {digest}")
    payload = data[HEADER_SIZE:]
    if len(payload) != length:
        raise EntryError(f"payload is {len(payload)} bytes, header says {length}")
    if hashlib.sha256(payload).digest() != checksum:
        raise EntryError("payload checksum mismatch")
    return payload
