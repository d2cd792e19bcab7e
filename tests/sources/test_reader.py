"""Reading many inputs: bad files become failures with reasons, and big archives stream."""

from __future__ import annotations

import gzip
import os
import random
import shutil
import tracemalloc
from pathlib import Path

from workbench.sources import (
    Item,
    SourceFailure,
    discover,
    iter_items,
    iter_parts,
    read_part,
    write_quiver,
)
from workbench.sources.reader import read_input


def _bad_inputs(folder: Path, real: Path) -> dict[str, str]:
    """Bad files in ``folder``, each with the words its failure reason must contain."""
    text = real.read_bytes()
    files = {
        "empty.pdb": (b"", "empty file"),
        "garbage.pdb": (random.Random(0).randbytes(4096), "not UTF-8 text"),
        "nul.pdb": (b"ATOM  \x00\x01\x02\n" * 4, "binary data (NUL byte on line 1)"),
        "header_only.pdb": (b"HEADER    TEST\nREMARK   1 nothing\nEND\n", "no ATOM/HETATM"),
        "empty.cif": (b"data_x\n_cell.length_a 1\n", "no _atom_site loop"),
        "corrupt.pdb.gz": (gzip.compress(text)[:500], "corrupt gzip data"),
        "notes.txt": (b"hello\n", "unknown extension '.txt'"),
        "designs.qv.gz": (gzip.compress(b"QV_TAG a\n"), "gzipped quiver archives"),
    }
    for name, (data, _) in files.items():
        (folder / name).write_bytes(data)
    return {name: words for name, (_, words) in files.items()}


def test_each_bad_input_is_a_failure_with_its_reason(tmp_path: Path, real_pdbs) -> None:
    expected = _bad_inputs(tmp_path, real_pdbs[0])
    good = tmp_path / "zz_good.pdb"
    shutil.copy(real_pdbs[0], good)
    paths = [*(tmp_path / name for name in expected), good]
    results = list(iter_items(paths))
    assert len(results) == len(paths)
    for path, result in zip(paths[:-1], results, strict=False):
        assert isinstance(result, SourceFailure), path
        assert result.source == str(path)
        assert expected[path.name] in result.reason, (path.name, result.reason)
    assert isinstance(results[-1], Item) and results[-1].ref.source == str(good)


def test_folder_of_bad_files_goes_on_to_the_good_one(tmp_path: Path, real_pdbs) -> None:
    _bad_inputs(tmp_path, real_pdbs[0])
    shutil.copy(real_pdbs[0], tmp_path / "zz_good.pdb")
    results = list(iter_items([tmp_path]))
    kinds = [type(r).__name__ for r in results]
    assert kinds == ["SourceFailure"] * 6 + ["Item"]
    assert len({r.source for r in results[:-1]}) == 6


def test_file_gone_after_discovery_is_a_failure(tmp_path: Path, real_pdbs) -> None:
    for name in ("a.pdb", "b.pdb"):
        shutil.copy(real_pdbs[0], tmp_path / name)
    files = list(discover([tmp_path]))
    (tmp_path / "a.pdb").unlink()
    gone, kept = (result for path in files for result in read_input(path))
    assert gone == SourceFailure(
        str(tmp_path / "a.pdb"), "", "file disappeared after discovery: no such file or directory"
    )
    assert isinstance(kept, Item)


def test_unreadable_file_is_a_failure(tmp_path: Path, real_pdbs, monkeypatch) -> None:
    path = tmp_path / "locked.pdb"
    shutil.copy(real_pdbs[0], path)
    real_open = open

    def deny(file, *args, **kwargs):
        if str(file) == str(path):
            raise PermissionError(13, "Permission denied", str(file))
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr("builtins.open", deny)
    (result,) = iter_items([path])
    assert result == SourceFailure(str(path), "", "cannot read: Permission denied")


def _archive(path: Path, real: Path, perturb, count: int) -> Path:
    text = perturb(real.read_text(), seed=0, max_atoms=30)
    write_quiver(path, ((f"t{n}", text, {"n": n}) for n in range(count)))
    return path


def _peak_while_reading(archive: Path) -> tuple[int, int]:
    tracemalloc.start()
    try:
        count = sum(isinstance(r, Item) for r in iter_items([archive]))
        return count, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_quiver_reading_streams(tmp_path: Path, small_complex: Path, perturb) -> None:
    small = _archive(tmp_path / "small.qv", small_complex, perturb, 200)
    large = _archive(tmp_path / "large.qv", small_complex, perturb, 2000)
    items = iter_items([large])
    assert isinstance(next(items), Item)
    items.close()
    large.with_name("large.qv.idx").unlink()
    # First read builds the index, second reuses it: both must stay flat in the entry count.
    for _ in ("build", "reuse"):
        small_count, small_peak = _peak_while_reading(small)
        large_count, large_peak = _peak_while_reading(large)
        assert (small_count, large_count) == (200, 2000)
        # Holding the entries would cost ~10x (2,000 vs 200 entries): streaming stays flat.
        assert large_peak < 2 * small_peak, (small_peak, large_peak)


def test_missing_path_is_reported_first_and_reading_goes_on(tmp_path: Path, real_pdbs) -> None:
    missing = tmp_path / "nope.pdb"
    results = list(iter_items([real_pdbs[0], missing]))
    assert results[0] == SourceFailure(str(missing), "", "no such file or directory")
    assert isinstance(results[1], Item)


def test_unlistable_folder_is_a_failure_and_the_walk_goes_on(
    tmp_path: Path, real_pdbs, monkeypatch
) -> None:
    for name in ("a/x.pdb", "b/y.pdb", "c/z.pdb"):
        (tmp_path / name).parent.mkdir()
        shutil.copy(real_pdbs[0], tmp_path / name)
    real_scandir = os.scandir

    def deny(path):
        if Path(path) == tmp_path / "b":
            raise PermissionError(13, "Permission denied", str(path))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", deny)
    results = list(iter_items([tmp_path]))
    assert [type(r).__name__ for r in results] == ["Item", "SourceFailure", "Item"]
    reason = "cannot list folder: Permission denied"
    assert results[1] == SourceFailure(str(tmp_path / "b"), "", reason)


def test_parts_read_from_another_directory_keep_their_given_names(real_pdbs, tmp_path, monkeypatch):
    """A worker may run elsewhere: parts open absolute paths, and name the path as given."""
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(real_pdbs[0], folder / "a.pdb")
    write_quiver(folder / "b.qv", [("t1", real_pdbs[0].read_text(), {})])
    monkeypatch.chdir(tmp_path)
    parts = list(iter_parts(["in"]))
    monkeypatch.chdir(tmp_path.parent)  # "in" is not here
    items = [item for part in parts for item in read_part(part)]
    assert [type(item) for item in items] == [Item, Item]
    assert [item.ref.source for item in items] == [str(Path("in/a.pdb")), str(Path("in/b.qv"))]
