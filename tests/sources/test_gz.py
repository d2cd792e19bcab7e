"""Gzip: a compressed copy reads as the plain file; damaged gzip data is a clear failure."""

from __future__ import annotations

import gzip
import shutil
from pathlib import Path

from workbench.sources import Item, SourceFailure, iter_items


def test_gz_copy_has_the_plain_checksum(tmp_path: Path, real_pdbs) -> None:
    plain = tmp_path / "x.pdb"
    shutil.copy(real_pdbs[2], plain)
    packed = tmp_path / "x.pdb.gz"
    packed.write_bytes(gzip.compress(plain.read_bytes()))
    a, b = iter_items([plain, packed])
    assert isinstance(b, Item)
    assert (a.ref.checksum, a.ref.member, a.text) == (b.ref.checksum, b.ref.member, b.text)
    assert a.ref.item_id == b.ref.item_id


def _failure(path: Path) -> SourceFailure:
    (result,) = iter_items([path])
    assert isinstance(result, SourceFailure), result
    assert result.source == str(path)
    return result


def test_damaged_gzip_is_a_failure(tmp_path: Path, real_pdbs) -> None:
    packed = gzip.compress(real_pdbs[0].read_bytes())
    truncated = tmp_path / "truncated.pdb.gz"
    truncated.write_bytes(packed[: len(packed) // 2])
    flipped = bytearray(packed)
    flipped[len(flipped) // 2 : len(flipped) // 2 + 64] = bytes(64)
    corrupt = tmp_path / "corrupt.pdb.gz"
    corrupt.write_bytes(bytes(flipped))
    not_gzip = tmp_path / "plain.pdb.gz"
    shutil.copy(real_pdbs[0], not_gzip)
    for path in (truncated, corrupt, not_gzip):
        assert _failure(path).reason.startswith("corrupt gzip data:"), path
    assert "ended before" in _failure(truncated).reason
    assert "Not a gzipped file" in _failure(not_gzip).reason
