"""Atomic writes: whole file or old file, never a partial one; fsync before rename; umask kept."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from workbench.fs import AtomicFile, atomic_open, write_bytes_atomic, write_text_atomic


@pytest.fixture
def umask():
    """Set the process umask for one test and restore it."""
    previous = os.umask(0o022)
    yield os.umask
    os.umask(previous)


def test_write_replaces_the_file_and_leaves_no_temporary(tmp_path: Path) -> None:
    path = tmp_path / "table.bin"
    path.write_bytes(b"old")
    assert write_bytes_atomic(path, b"new") == path
    assert path.read_bytes() == b"new"
    assert write_text_atomic(tmp_path / "run.json", "Å\n").read_bytes() == "Å\n".encode()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run.json", "table.bin"]


@pytest.mark.parametrize(("mask", "mode"), [(0o022, 0o644), (0o077, 0o600), (0o002, 0o664)])
def test_new_files_get_the_permissions_the_umask_allows(tmp_path: Path, umask, mask, mode) -> None:
    umask(mask)
    path = write_bytes_atomic(tmp_path / "f", b"x")
    assert stat.S_IMODE(path.stat().st_mode) == mode
    with AtomicFile(tmp_path / "g") as temp:
        assert stat.S_IMODE(temp.path.stat().st_mode) == mode


def test_a_failing_block_keeps_the_old_file(tmp_path: Path) -> None:
    path = tmp_path / "archive.qv"
    path.write_text("old")
    with pytest.raises(RuntimeError), atomic_open(path, "w") as handle:
        handle.write("half of the new")
        raise RuntimeError("crash mid-write")
    assert path.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["archive.qv"]


def test_data_reaches_the_disk_before_the_rename(tmp_path: Path, monkeypatch) -> None:
    calls = []
    fsync, replace = os.fsync, os.replace
    monkeypatch.setattr(os, "fsync", lambda fd: (calls.append("fsync"), fsync(fd))[1])
    monkeypatch.setattr(os, "replace", lambda a, b: (calls.append("replace"), replace(a, b))[1])
    write_bytes_atomic(tmp_path / "entry", b"payload")
    assert calls == ["fsync", "replace"]


def test_writers_that_open_by_name_write_to_the_temporary_path(tmp_path: Path) -> None:
    target = tmp_path / "embeddings.h5"
    temp = AtomicFile(target, suffix=".partial")
    assert temp.path.parent == tmp_path and temp.path.name.startswith(".embeddings.h5.")
    assert temp.path.name.endswith(".partial")
    temp.path.write_bytes(b"written by name")
    assert not target.exists()
    assert temp.commit() == target
    assert target.read_bytes() == b"written by name"
    other = AtomicFile(target)
    other.discard()
    assert [p.name for p in tmp_path.iterdir()] == ["embeddings.h5"]


def test_an_unwritable_folder_fails_before_any_work(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        AtomicFile(tmp_path / "missing" / "index.idx")


def test_a_failed_rename_leaves_no_temporary(tmp_path: Path) -> None:
    target = tmp_path / "occupied"
    (target / "inner").mkdir(parents=True)
    with pytest.raises(OSError), atomic_open(target) as handle:
        handle.write(b"x")
    assert [p.name for p in tmp_path.iterdir()] == ["occupied"]


def test_only_write_modes_are_accepted(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="mode"), atomic_open(tmp_path / "f", "a"):
        pass
    assert list(tmp_path.iterdir()) == []
