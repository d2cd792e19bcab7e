"""Path confinement: traversal and symlinks out of the allowed roots are refused."""

from __future__ import annotations

import os

import pytest

from workbench.ui.paths import ENV_ROOTS, PathRefused, confine, default_roots


def test_paths_under_a_root_resolve(complexes_dir):
    target = complexes_dir / "1AHW.pdb"
    assert confine(str(target), [complexes_dir.parent]) == target.resolve()


def test_traversal_is_refused_even_when_it_lands_inside(complexes_dir):
    sneaky = f"{complexes_dir}/../complexes/1AHW.pdb"
    with pytest.raises(PathRefused, match=r"'\.\.' is not allowed"):
        confine(sneaky, [complexes_dir.parent])


def test_outside_roots_is_refused(tmp_path, complexes_dir):
    with pytest.raises(PathRefused, match="outside the allowed roots"):
        confine(str(complexes_dir / "1AHW.pdb"), [tmp_path])


def test_symlink_out_of_a_root_is_refused(tmp_path, complexes_dir):
    root = tmp_path / "root"
    root.mkdir()
    link = root / "escape.pdb"
    link.symlink_to(complexes_dir / "1AHW.pdb")
    with pytest.raises(PathRefused, match="resolves to"):
        confine(str(link), [root])
    inner = root / "inner.pdb"
    inner.write_text("x")
    (root / "ok.pdb").symlink_to(inner)
    assert confine(str(root / "ok.pdb"), [root]) == inner.resolve()


def test_default_roots_read_the_environment(tmp_path):
    roots = default_roots({ENV_ROOTS: f"{tmp_path}{os.pathsep}"})
    assert tmp_path.resolve() in roots and os.getcwd() in map(str, roots)
