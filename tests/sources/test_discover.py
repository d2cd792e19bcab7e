"""Discovery: which files a run reads, in which order, and how missing paths are reported."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from workbench.sources import SourceError, discover, input_kind


def test_input_kind_by_name() -> None:
    assert input_kind("a/b/1ABC.PDB") == "pdb"
    assert input_kind("x.ent.gz") == "pdb"
    assert input_kind("x.cif") == "mmcif"
    assert input_kind("x.mmcif.gz") == "mmcif"
    assert input_kind("designs.qv") == "quiver"
    for name in ("designs.qv.idx", "designs.qv.gz", "cases.tsv", "x.gz", "README"):
        assert input_kind(name) is None, name


def test_folder_is_walked_recursively_sorted_and_filtered(tmp_path: Path, real_pdbs) -> None:
    src = real_pdbs[0]
    wanted = ["a.pdb", "b.cif.gz", "sub/c.ent", "sub/deeper/d.qv", "z.mmcif"]
    skipped = ["notes.txt", "sub/d.qv.idx", ".hidden.pdb", ".cache/e.pdb", "f.qv.gz"]
    for name in wanted + skipped:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(src, tmp_path / name)
    found = [p.relative_to(tmp_path).as_posix() for p in discover([tmp_path])]
    assert found == wanted
    assert list(discover([str(tmp_path)])) == list(discover([tmp_path]))


def test_data_folder_finds_every_pdb(data_dir: Path, real_pdbs) -> None:
    found = list(discover([data_dir]))
    assert sorted(found) == sorted(real_pdbs)
    assert all(p.suffix == ".pdb" for p in found)


def test_explicit_file_is_kept_whatever_its_extension(tmp_path: Path) -> None:
    odd = tmp_path / "cases.tsv"
    odd.write_text("case\theavy\n")
    assert list(discover([odd])) == [odd]


def test_file_named_twice_is_yielded_once(tmp_path: Path, real_pdbs) -> None:
    target = tmp_path / "x.pdb"
    shutil.copy(real_pdbs[0], target)
    assert list(discover([tmp_path, target, tmp_path / "." / "x.pdb"])) == [target]


def test_missing_path_raises_at_once_naming_it(tmp_path: Path) -> None:
    missing = tmp_path / "nope"
    with pytest.raises(SourceError) as info:
        discover([tmp_path, missing])
    assert info.value.path == str(missing)
    assert info.value.reason == "no such file or directory"
    assert str(missing) in str(info.value)


def test_symlinked_folders_are_not_followed(tmp_path: Path, real_pdbs) -> None:
    (tmp_path / "real").mkdir()
    shutil.copy(real_pdbs[0], tmp_path / "real" / "x.pdb")
    os.symlink(tmp_path, tmp_path / "real" / "loop")
    assert [p.name for p in discover([tmp_path])] == ["x.pdb"]
