"""mmCIF reading: files written by Biopython read whole, or split per model into valid mmCIF."""

from __future__ import annotations

import gzip
import hashlib
import tracemalloc
from pathlib import Path

import numpy as np
import pytest
from Bio.PDB import MMCIFIO, MMCIFParser, PDBParser

from workbench.sources import Item, SourceError, SourceFailure, iter_items
from workbench.sources.mmcif import split_mmcif


def _write_cif(real: Path, out: Path, shifts: tuple[float, ...]) -> np.ndarray:
    """Write ``real`` as mmCIF with one model per shift (x translated); returns its coordinates."""
    structure = PDBParser(QUIET=True).get_structure("x", real)
    model = structure[0]
    original = np.array([atom.coord for atom in model.get_atoms()])
    for index, shift in enumerate(shifts[1:], start=1):
        copy = model.copy()
        copy.id, copy.serial_num = index, index + 1
        for atom in copy.get_atoms():
            atom.coord = atom.coord + np.array([shift, 0.0, 0.0], dtype=np.float32)
        structure.add(copy)
    writer = MMCIFIO()
    writer.set_structure(structure)
    writer.save(str(out))
    return original


def _models(text: str, path: Path) -> list[np.ndarray]:
    path.write_text(text)
    structure = MMCIFParser(QUIET=True).get_structure("x", str(path))
    return [np.array([a.coord for a in model.get_atoms()]) for model in structure]


def test_single_model_cif_is_one_item(tmp_path: Path, real_pdbs) -> None:
    path = tmp_path / "x.cif"
    _write_cif(real_pdbs[3], path, shifts=(0.0,))
    packed = tmp_path / "x.cif.gz"
    packed.write_bytes(gzip.compress(path.read_bytes()))
    plain, unpacked = iter_items([path, packed])
    assert isinstance(plain, Item)
    assert plain.ref.fmt == "mmcif" and plain.ref.member == ""
    assert plain.ref.checksum == hashlib.sha256(path.read_bytes()).hexdigest()
    assert unpacked.ref.checksum == plain.ref.checksum


def test_multi_model_cif_splits_by_model_number(tmp_path: Path, real_pdbs) -> None:
    path = tmp_path / "ensemble.cif"
    original = _write_cif(real_pdbs[3], path, shifts=(0.0, 30.0, -12.5))
    items = list(iter_items([path]))
    assert [i.ref.member for i in items] == ["model_1", "model_2", "model_3"]
    assert len({i.ref.checksum for i in items}) == 3
    for item, shift in zip(items, (0.0, 30.0, -12.5), strict=True):
        assert item.ref.fmt == "mmcif"
        (coords,) = _models(item.text, tmp_path / f"{item.ref.member}.cif")
        np.testing.assert_allclose(coords, original + np.array([shift, 0.0, 0.0]), atol=1e-3)


def test_cif_without_atoms_is_a_failure() -> None:
    text = "data_x\n_cell.length_a 10.0\nloop_\n_entity.id\n_entity.type\n1 polymer\n"
    (result,) = split_mmcif(text, "x.cif")
    assert result == SourceFailure("x.cif", "", "no _atom_site loop: not an mmCIF structure")
    header = "data_x\nloop_\n_atom_site.group_PDB\n_atom_site.id\n"
    (empty,) = split_mmcif(header + "#\n", "x.cif")
    assert empty.reason == "_atom_site loop has no rows"
    with pytest.raises(SourceError, match="cut short: 3 values for 2 fields"):
        list(split_mmcif(header + "ATOM 1\nATOM\n", "x.cif"))


def test_quoted_values_and_comments_do_not_confuse_rows() -> None:
    text = (
        "data_x\nloop_\n_atom_site.group_PDB\n_atom_site.label_atom_id\n"
        "_atom_site.pdbx_PDB_model_num\n"
        "ATOM \"O5'\" 1\nATOM 'C 1' 1 # a comment\nATOM CA 2\n#\n_other.item 1\n"
    )
    one, two = split_mmcif(text, "x.cif")
    assert one.ref.member == "model_1" and two.ref.member == "model_2"
    assert "ATOM \"O5'\" 1\nATOM 'C 1' 1\n#" in one.text and "CA" not in one.text
    assert two.text.endswith("ATOM CA 2\n#\n_other.item 1\n")


class _CountedRows(tuple):
    """A tuple that counts the elements handed out by iteration (the splitter's row visits)."""

    visits = 0

    def __iter__(self):
        for element in tuple.__iter__(self):
            type(self).visits += 1
            yield element


def _ensemble_text(n_models: int, atoms: int) -> str:
    fields = ["group_PDB", "id", "type_symbol", "label_atom_id", "label_comp_id"]
    fields += ["label_asym_id", "label_seq_id", "Cartn_x", "Cartn_y", "Cartn_z"]
    fields += ["pdbx_PDB_model_num"]
    lines = ["data_ensemble", "#", "loop_", *(f"_atom_site.{f}" for f in fields)]
    serial = 0
    for model in range(1, n_models + 1):
        for atom in range(atoms):
            serial += 1
            lines.append(f"ATOM {serial} C CA ALA A {atom + 1} {model}.0 {atom}.0 0.0 {model}")
    return "\n".join([*lines, "#", ""])


def test_800_models_split_in_one_pass_over_the_rows(monkeypatch) -> None:
    import workbench.sources.mmcif as mmcif

    read = mmcif._atom_site_loop

    def counted(text: str, source: str):
        loop = read(text, source)
        return mmcif._Loop(_CountedRows(loop.rows), _CountedRows(loop.models))

    monkeypatch.setattr(mmcif, "_atom_site_loop", counted)
    n_models, atoms = 800, 3
    items = list(split_mmcif(_ensemble_text(n_models, atoms), "ensemble.cif"))
    assert [i.ref.member for i in items] == [f"model_{n}" for n in range(1, n_models + 1)]
    for number, item in enumerate(items, start=1):
        rows = [line for line in item.text.splitlines() if line.startswith("ATOM")]
        assert len(rows) == atoms and all(line.endswith(f" {number}") for line in rows)
    assert _CountedRows.visits <= 2 * n_models * atoms  # rows and model numbers, once each


def test_splitting_holds_row_spans_not_every_value(tmp_path: Path, data_dir: Path) -> None:
    path = tmp_path / "ensemble.cif"
    shifts = tuple(float(n) for n in range(10))
    _write_cif(data_dir / "structures-misc" / "4I1B-matched.pdb", path, shifts)
    text = path.read_text()
    tracemalloc.start()
    try:
        count = sum(isinstance(item, Item) for item in split_mmcif(text, "ensemble.cif"))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert count == len(shifts)
    assert peak < 4 * len(text), f"peak {peak} bytes for {len(text)} characters of text"
