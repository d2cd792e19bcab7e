"""Quiver archives: written entries read back with their scores; bad entries fail alone."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from workbench.sources import (
    Item,
    SourceFailure,
    iter_items,
    quiver_index,
    read_quiver_entry,
    write_quiver,
)


@pytest.fixture
def designs(small_complex: Path, perturb) -> list[tuple[str, str, dict[str, object]]]:
    """Six jittered copies of a real complex, each with two scores."""
    text = small_complex.read_text()
    return [
        (f"design_{n:03d}", perturb(text, seed=n), {"plddt": 80 + n / 4, "rmsd": f"{n * 0.3:.2f}"})
        for n in range(6)
    ]


def test_entries_read_back_with_scores(tmp_path: Path, designs) -> None:
    archive = tmp_path / "designs.qv"
    assert write_quiver(archive, designs) == len(designs)
    items = list(iter_items([archive]))
    assert all(isinstance(i, Item) for i in items)
    assert [i.ref.member for i in items] == [tag for tag, _, _ in designs]
    for item, (_, text, scores) in zip(items, designs, strict=True):
        assert item.text == text
        assert item.ref.fmt == "pdb"
        assert item.ref.scores == tuple((k, str(v)) for k, v in scores.items())
        assert item.ref.checksum == hashlib.sha256(text.encode()).hexdigest()
    assert len({i.ref.item_id for i in items}) == len(items)


def test_random_access_matches_the_stream(tmp_path: Path, designs) -> None:
    archive = tmp_path / "designs.qv"
    write_quiver(archive, designs)
    entries = quiver_index(archive)
    assert [e.tag for e in entries] == [tag for tag, _, _ in designs]
    assert entries[0].offset == 0
    assert sum(e.length for e in entries) == archive.stat().st_size
    assert read_quiver_entry(archive, entries[3]) == list(iter_items([archive]))[3]


def _last_atom_offset(data: bytes) -> int:
    return data.rindex(b"\nATOM  ") + 1


def test_entry_cut_mid_record_fails_alone(tmp_path: Path, designs) -> None:
    archive = tmp_path / "cut.qv"
    write_quiver(archive, designs[:3])
    data = archive.read_bytes()
    archive.write_bytes(data[: _last_atom_offset(data) + 40])
    first, second, third = iter_items([archive])
    assert isinstance(first, Item) and isinstance(second, Item)
    assert isinstance(third, SourceFailure)
    assert (third.source, third.member) == (str(archive), "design_002")
    assert third.reason.startswith("truncated entry: last line cut mid-record")


def test_entry_cut_before_its_atoms_fails_alone(tmp_path: Path, designs) -> None:
    archive = tmp_path / "cut.qv"
    write_quiver(archive, designs[:3])
    data = archive.read_bytes()
    tag_line = data.rindex(b"QV_TAG design_002")
    archive.write_bytes(data[: data.index(b"\nATOM", tag_line) + 1])
    results = list(iter_items([archive]))
    assert [type(r) for r in results] == [Item, Item, SourceFailure]
    assert results[2].member == "design_002"
    assert results[2].reason == "truncated or empty entry: no ATOM/HETATM records"


def test_complete_last_line_without_newline_is_kept(tmp_path: Path, designs) -> None:
    archive = tmp_path / "no_newline.qv"
    tag, text, scores = designs[0]
    body = text.removesuffix("END\n").rstrip("\n")
    write_quiver(archive, [(tag, body, scores)])
    archive.write_bytes(archive.read_bytes().rstrip(b"\n"))
    (item,) = iter_items([archive])
    assert isinstance(item, Item)
    assert item.text == body


def test_empty_archive_is_a_failure(tmp_path: Path) -> None:
    archive = tmp_path / "empty.qv"
    archive.write_bytes(b"")
    (result,) = iter_items([archive])
    assert result == SourceFailure(
        str(archive), "", "no QV_TAG entries: empty file or not a quiver archive"
    )


@pytest.mark.parametrize(
    ("tag", "scores"), [("two words", {}), ("", {}), ("ok", {"a|b": 1}), ("ok", {"a": "x y"})]
)
def test_writer_refuses_what_it_could_not_read_back(tmp_path: Path, tag, scores) -> None:
    archive = tmp_path / "bad.qv"
    with pytest.raises(ValueError, match="quiver"):
        write_quiver(archive, [(tag, "ATOM\n", scores)])
    assert not archive.exists()
    assert list(tmp_path.iterdir()) == []
