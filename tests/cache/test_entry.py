"""Entry format: a payload comes back only from a whole entry written for the same key."""

from __future__ import annotations

import hashlib
import struct

import pytest

from workbench.cache.entry import HEADER_SIZE, MAGIC, EntryError, pack_entry, unpack_entry

DIGEST = hashlib.sha256(b"key").hexdigest()
OTHER = hashlib.sha256(b"other key").hexdigest()
PAYLOAD = bytes(range(256)) * 4


def test_round_trip_and_layout() -> None:
    data = pack_entry(DIGEST, PAYLOAD)
    assert len(data) == HEADER_SIZE + len(PAYLOAD)
    assert data.startswith(MAGIC)
    # the documented fields, read independently of the module's Struct
    assert data[12:44] == bytes.fromhex(DIGEST)
    assert struct.unpack(">Q", data[44:52])[0] == len(PAYLOAD)
    assert data[52:84] == hashlib.sha256(PAYLOAD).digest()
    assert unpack_entry(DIGEST, data) == PAYLOAD
    assert unpack_entry(DIGEST, pack_entry(DIGEST, b"")) == b""


def flip(data: bytes, index: int) -> bytes:
    return data[:index] + bytes([data[index] ^ 0x01]) + data[index + 1 :]


@pytest.mark.parametrize(
    ("damage", "reason"),
    [
        (lambda d: b"", "truncated header"),
        (lambda d: d[: HEADER_SIZE - 1], "truncated header"),
        (lambda d: d[:-1], "header says"),
        (lambda d: d + b"\x00", "header says"),
        (lambda d: flip(d, 0), "wrong magic"),
        (lambda d: d[:8] + struct.pack(">I", 99) + d[12:], "format version 99"),
        (lambda d: flip(d, 20), "belongs to key"),
        (lambda d: flip(d, 60), "checksum mismatch"),
        (lambda d: flip(d, HEADER_SIZE + 500), "checksum mismatch"),
    ],
)
def test_every_damage_is_named(damage, reason: str) -> None:
    with pytest.raises(EntryError, match=reason):
        unpack_entry(DIGEST, damage(pack_entry(DIGEST, PAYLOAD)))


def test_entry_of_another_key_is_refused() -> None:
    with pytest.raises(EntryError, match=f"belongs to key {OTHER}"):
        unpack_entry(DIGEST, pack_entry(OTHER, PAYLOAD))
