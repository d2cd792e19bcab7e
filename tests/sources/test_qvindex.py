"""The quiver index: written once beside the archive, reused while valid, rebuilt when stale."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from workbench.sources import (
    SourceFailure,
    entry_count,
    index_path,
    iter_items,
    quiver_index,
    qvindex,
    write_quiver,
)


@pytest.fixture
def archive(tmp_path: Path, small_complex: Path, perturb) -> Path:
    """A five-entry archive of jittered copies of a real complex."""
    text = small_complex.read_text()
    path = tmp_path / "designs.qv"
    write_quiver(path, ((f"d{n}", perturb(text, seed=n), {"score": n}) for n in range(5)))
    return path


@pytest.fixture
def builds(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """Archives the index builder ran for, in order."""
    calls: list[Path] = []
    real = qvindex._build

    def spy(archive: Path, index: Path, fingerprint: dict[str, object]) -> bool:
        calls.append(archive)
        return real(archive, index, fingerprint)

    monkeypatch.setattr(qvindex, "_build", spy)
    return calls


def test_index_is_written_beside_the_archive(archive: Path) -> None:
    entries = quiver_index(archive)
    index = index_path(archive)
    assert index == archive.with_name("designs.qv.idx")
    lines = index.read_text().splitlines()
    header = json.loads(lines[0])
    stat = archive.stat()
    assert (header["size"], header["mtime_ns"]) == (stat.st_size, stat.st_mtime_ns)
    assert [json.loads(line)[0] for line in lines[1:]] == [e.tag for e in entries]
    assert [p.name for p in archive.parent.iterdir()] == sorted(["designs.qv", "designs.qv.idx"])


def test_index_is_reused_while_it_matches(archive: Path, builds: list[Path]) -> None:
    first = quiver_index(archive)
    index = index_path(archive)
    written = index.stat().st_mtime_ns, index.read_bytes()
    assert builds == [archive]
    assert quiver_index(archive) == first
    assert list(iter_items([archive]))
    assert builds == [archive]
    assert (index.stat().st_mtime_ns, index.read_bytes()) == written


def test_index_is_rebuilt_after_an_append(
    archive: Path, builds: list[Path], small_complex: Path, tmp_path_factory
) -> None:
    before = quiver_index(archive)
    more = tmp_path_factory.mktemp("more") / "more.qv"
    write_quiver(more, [("late", small_complex.read_text(), {"score": 9})])
    with open(archive, "ab") as handle:
        handle.write(more.read_bytes())
    after = quiver_index(archive)
    assert builds == [archive, archive]
    assert [e.tag for e in after] == [*(e.tag for e in before), "late"]
    assert after[:-1] == before
    assert after[-1].scores == (("score", "9"),)
    assert [i.ref.member for i in iter_items([archive])][-1] == "late"


def test_same_size_same_mtime_edit_is_caught(archive: Path, builds: list[Path]) -> None:
    quiver_index(archive)
    stat = archive.stat()
    data = archive.read_bytes()
    archive.write_bytes(data.replace(b"QV_TAG d0\n", b"QV_TAG e0\n", 1))
    os.utime(archive, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert archive.stat().st_size == stat.st_size
    assert quiver_index(archive)[0].tag == "e0"
    assert len(builds) == 2


def test_unwritable_folder_reads_without_an_index(
    archive: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(qvindex, "AtomicFile", refuse)
    items = list(iter_items([archive]))
    assert [i.ref.member for i in items] == [f"d{n}" for n in range(5)]
    assert [i.ref.scores for i in items] == [(("score", str(n)),) for n in range(5)]
    assert not index_path(archive).exists()
    assert entry_count(archive) is None  # counting would read the whole archive


def test_entries_are_counted_from_the_index(archive: Path, builds: list[Path]) -> None:
    assert entry_count(archive) == 5  # builds the index first
    with open(archive, "a") as handle:
        handle.write("QV_TAG late\n" + archive.read_text().split("QV_TAG d1")[0].split("\n", 2)[2])
    assert entry_count(archive) == 6 and len(builds) == 2  # stale: rebuilt, then counted


def test_tampered_index_is_a_failure_naming_it(archive: Path) -> None:
    quiver_index(archive)
    index = index_path(archive)
    lines = index.read_text().splitlines(keepends=True)
    index.write_text("".join([*lines[:3], "not json\n", *lines[4:]]))
    results = list(iter_items([archive]))
    assert [r.ref.member for r in results[:2]] == ["d0", "d1"]
    assert isinstance(results[2], SourceFailure)
    assert str(index) in results[2].reason and "corrupt at line 4" in results[2].reason
