"""PDB reading: real files are one item each; multi-model files split into standalone models."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

import numpy as np
from Bio.PDB import PDBIO, PDBParser

from workbench.sources import Item, SourceFailure, iter_items
from workbench.sources._text import decode_blocks
from workbench.sources.gz import BLOCK_BYTES, iter_blocks
from workbench.sources.pdb import split_pdb
from workbench.sources.refs import SourceError


def _coords(text: str) -> np.ndarray:
    structure = PDBParser(QUIET=True).get_structure("x", io.StringIO(text))
    return np.array([atom.coord for atom in structure.get_atoms()])


def test_every_real_file_is_one_pdb_item(real_pdbs: list[Path]) -> None:
    for path in real_pdbs:
        items = list(iter_items([path]))
        assert len(items) == 1, path
        (item,) = items
        assert isinstance(item, Item), item
        data = path.read_bytes()
        assert item.ref.fmt == "pdb"
        assert item.ref.member == ""
        assert item.ref.source == str(path)
        assert item.ref.checksum == hashlib.sha256(data).hexdigest()
        assert item.text.encode() == data


def test_real_folder_gives_one_item_per_file(complexes_dir: Path) -> None:
    items = list(iter_items([complexes_dir]))
    assert [Path(i.ref.source).name for i in items] == sorted(
        p.name for p in complexes_dir.glob("*.pdb")
    )
    assert len({i.ref.item_id for i in items}) == len(items)


def _two_model_file(real: Path, tmp_path: Path, shift: float) -> Path:
    """A MODEL 1 / MODEL 2 file written by Biopython, the second model translated."""
    structure = PDBParser(QUIET=True).get_structure("x", real)
    structure[0].serial_num = 1
    second = structure[0].copy()
    second.id, second.serial_num = 1, 2
    for atom in second.get_atoms():
        atom.coord = atom.coord + np.array([shift, 0.0, 0.0], dtype=np.float32)
    structure.add(second)
    out = tmp_path / "ensemble.pdb"
    writer = PDBIO()
    writer.set_structure(structure)
    writer.save(str(out))
    return out


def test_multi_model_file_splits_into_standalone_models(tmp_path: Path, real_pdbs) -> None:
    real = real_pdbs[1]
    path = _two_model_file(real, tmp_path, shift=25.0)
    items = list(iter_items([path]))
    assert [i.ref.member for i in items] == ["model_1", "model_2"]
    assert items[0].ref.checksum != items[1].ref.checksum
    assert items[0].ref.item_id != items[1].ref.item_id
    original = _coords(real.read_text())
    first, second = (_coords(i.text) for i in items)
    np.testing.assert_allclose(first, original, atol=1e-3)
    np.testing.assert_allclose(second, original + np.array([25.0, 0.0, 0.0]), atol=1e-3)
    for item in items:
        assert "MODEL" not in item.text and item.text.endswith("END\n")
        assert item.ref.checksum == hashlib.sha256(item.text.encode()).hexdigest()


def test_single_model_block_is_the_whole_file(tmp_path: Path, real_pdbs) -> None:
    text = real_pdbs[0].read_text()
    wrapped = "MODEL        1\n" + text.replace("END\n", "") + "ENDMDL\nEND\n"
    (item,) = split_pdb(io.StringIO(wrapped), "one.pdb")
    assert item.ref.member == ""
    assert item.text == wrapped


def test_model_without_atoms_fails_alone() -> None:
    atom = "ATOM      1  N   GLY A   1      11.104   6.134  -6.504  1.00  0.00           N\n"
    text = f"MODEL 1\n{atom}ENDMDL\nMODEL 2\nENDMDL\nMODEL 3\n{atom}"
    results = list(split_pdb(io.StringIO(text), "e.pdb"))
    assert [type(r).__name__ for r in results] == ["Item", "SourceFailure", "Item"]
    assert [r.ref.member if isinstance(r, Item) else r.member for r in results] == [
        "model_1",
        "model_2",
        "model_3",
    ]
    assert results[1] == SourceFailure("e.pdb", "model_2", "model_2 has no ATOM/HETATM records")


def test_file_cut_mid_line_still_has_atoms(tmp_path: Path, real_pdbs) -> None:
    data = real_pdbs[0].read_bytes()
    cut = data[: len(data) // 2]
    assert not cut.endswith(b"\n")
    path = tmp_path / "cut.pdb"
    path.write_bytes(cut)
    (item,) = iter_items([path])
    assert isinstance(item, Item)
    assert item.text.encode() == cut


def test_files_with_same_name_differ_by_content(tmp_path: Path, real_pdbs, perturb) -> None:
    text = real_pdbs[0].read_text()
    for folder, content in (("a", text), ("b", perturb(text, seed=1)), ("c", text)):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "model.pdb").write_text(content)
    a, b, c = iter_items([tmp_path])
    assert a.ref.item_id != b.ref.item_id
    assert a.ref.checksum == c.ref.checksum


def test_blocks_of_any_size_split_as_lines_do(tmp_path: Path, real_pdbs) -> None:
    three = "".join(
        f"MODEL {n}\n" + real_pdbs[0].read_text().replace("END\n", "") + "ENDMDL\n"
        for n in (1, 2, 3)
    )
    (tmp_path / "three.pdb").write_text("REMARK   1 three models\n" + three + "END\n")
    for path in (real_pdbs[0], tmp_path / "three.pdb"):
        by_line = list(split_pdb(io.StringIO(path.read_text()), str(path)))
        assert len(by_line) == (3 if path.name == "three.pdb" else 1)
        for size in (1, 80, 4096, BLOCK_BYTES):
            blocks = list(iter_blocks(path, size))
            assert b"".join(blocks) == path.read_bytes()
            assert all(block.endswith(b"\n") for block in blocks[:-1])
            assert list(split_pdb(decode_blocks(blocks, str(path)), str(path))) == by_line


def test_a_bad_byte_past_the_first_block_names_its_line(tmp_path: Path, real_pdbs) -> None:
    lines = real_pdbs[0].read_bytes().splitlines(keepends=True)
    lines[99] = b"REMARK \xff\n"
    path = tmp_path / "bad.pdb"
    path.write_bytes(b"".join(lines))
    for size in (500, BLOCK_BYTES):
        (failure,) = _split_items(path, size)
        assert "byte 0xff on line 100" in failure.reason


def _split_items(path: Path, size: int) -> list:
    try:
        return list(split_pdb(decode_blocks(iter_blocks(path, size), str(path)), str(path)))
    except SourceError as exc:
        return [SourceFailure(str(path), exc.member, exc.reason)]
