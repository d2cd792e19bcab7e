"""Records that name one structure of the input and say why one could not be read."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

__all__ = [
    "Item",
    "ItemRef",
    "SourceError",
    "SourceFailure",
    "checksum_bytes",
    "describe_source",
    "make_item_id",
]

_UNSAFE = re.compile(r"[^A-Za-z0-9_.-]+")


def checksum_bytes(data: bytes) -> str:
    """Content address of raw bytes (sha256, hex)."""
    return hashlib.sha256(data).hexdigest()


def describe_source(source: str, member: str = "") -> str:
    """Where a structure came from, for messages: the file, plus ``[member]`` when there is one."""
    return f"{source} [{member}]" if member else source


def _stem(source: str) -> str:
    name = Path(source).name
    for suffix in (".gz", ".pdb", ".ent", ".cif", ".mmcif", ".qv"):
        if name.lower().endswith(suffix):
            name = name[: -len(suffix)]
    return name


def make_item_id(source: str, member: str, checksum: str) -> str:
    """Readable, collision-free id: file stem, member, and the content checksum."""
    parts = [_stem(source)] + ([member] if member else []) + [checksum[:12]]
    return _UNSAFE.sub("_", "-".join(parts))


@dataclass(frozen=True, slots=True)
class ItemRef:
    """One structure of the input: a file, or one member (model / quiver tag) of it.

    Identity is ``checksum`` (sha256 of the member's own bytes) plus ``member``; the
    path only makes the id readable.
    """

    source: str  # path of the input file, as discovered
    member: str  # "" for a single-structure file, "model_2" for MODEL 2, or the quiver tag
    checksum: str  # sha256 hex of the member's bytes (decompressed)
    fmt: str  # "pdb" or "mmcif": the format of ``Item.text``
    scores: tuple[tuple[str, str], ...] = ()  # quiver QV_SCORE key/value pairs

    @property
    def item_id(self) -> str:
        return make_item_id(self.source, self.member, self.checksum)


@dataclass(frozen=True, slots=True)
class Item:
    """A reference plus the standalone text of that one structure."""

    ref: ItemRef
    text: str


@dataclass(frozen=True, slots=True)
class SourceFailure:
    """An input (or a member of one) that could not be read; the run records it and goes on."""

    source: str
    member: str
    reason: str

    @property
    def item_id(self) -> str:
        return make_item_id(self.source, self.member, checksum_bytes(self.source.encode()))


class SourceError(Exception):
    """Unreadable input; carries the path and the reason so the message names both."""

    def __init__(self, path: str, reason: str, member: str = "") -> None:
        super().__init__(path, reason, member)
        self.path = path
        self.reason = reason
        self.member = member

    def __str__(self) -> str:
        return f"{describe_source(self.path, self.member)}: {self.reason}"
