"""PDB output: canonical chain ids, residues from 1, and a round trip that loses nothing."""

from __future__ import annotations

import numpy as np
import pytest

from workbench.structure import ChainSpec, merge, output_chain_ids, to_pdb


@pytest.mark.parametrize(
    ("folder", "name", "spec"),
    [
        ("complexes", "1AHW.pdb", ChainSpec("B", "A", ("C",))),
        ("complexes", "6EY6.pdb", ChainSpec("I", None, ("A", "B"))),
        ("complexes", "5HYS.pdb", ChainSpec("C", "D", ("J", "K"))),
        ("structures-misc", "3QHF_Fv.pdb", ChainSpec("H", "L", ())),
        ("structures-misc", "4G6M-matched.pdb", ChainSpec(None, None, ("B",), scfv=("A",))),
    ],
)
def test_round_trip_keeps_atoms_and_sequences(data_dir, item_of, text_item, folder, name, spec):
    original = merge(item_of(data_dir / folder / name), spec)
    ids = output_chain_ids(original)
    text = to_pdb(original)
    roles = dict(zip(ids, (c.role for c in original.chains), strict=True))
    back_spec = ChainSpec(
        heavy=next((i for i, r in roles.items() if r == "heavy"), None),
        light=next((i for i, r in roles.items() if r == "light"), None),
        antigen=tuple(i for i, r in roles.items() if r == "antigen"),
        scfv=tuple(i for i, r in roles.items() if r == "scfv"),
    )
    back = merge(text_item(text, source="merged.pdb"), back_spec)
    assert np.allclose(back.atoms.coord, original.atoms.coord, atol=1e-3)
    assert back.atoms.name.tolist() == original.atoms.name.tolist()
    assert back.atoms.element.tolist() == original.atoms.element.tolist()
    assert back.residues.res_name.tolist() == original.residues.res_name.tolist()
    assert back.residues.role.tolist() == original.residues.role.tolist()
    assert [c.sequence for c in back.chains] == [c.sequence for c in original.chains]
    for record in back.chains:
        numbers = back.residues.res_seq[record.start : record.stop]
        assert numbers.tolist() == list(range(1, record.stop - record.start + 1))
    assert not set(back.residues.ins_code.tolist()) - {""}
    assert not back.excluded
    for new, record in zip(ids, original.chains, strict=True):
        assert f"REMARK  99 CHAIN {new} ROLE {record.role} ORIGINAL CHAIN {record.chain}" in text


def test_chain_ids(complexes_dir, misc_dir, item_of):
    def ids(path, spec):
        return output_chain_ids(merge(item_of(path), spec))

    assert ids(complexes_dir / "1AHW.pdb", ChainSpec("B", "A", ("C",))) == ["H", "L", "C"]
    assert ids(complexes_dir / "5HYS.pdb", ChainSpec("C", "D", ("J", "K"))) == list("HLJK")
    # the antigen chains H and L clash with the heavy chain's new id: they are renamed A, B
    deeprank = misc_dir / "deeprank_ab_example.pdb"
    assert ids(deeprank, ChainSpec("A", None, ("H", "L"))) == ["H", "A", "B"]
    # without the clash the antigen ids stay
    assert ids(deeprank, ChainSpec("H", None, ("L", "A"))) == ["H", "L", "A"]
    scfv = ids(misc_dir / "4G6M-matched.pdb", ChainSpec(None, None, ("B",), scfv=("A",)))
    assert scfv == ["S", "B"]


def test_hetatm_records_for_modified_residues(misc_dir, item_of):
    text = to_pdb(merge(item_of(misc_dir / "3QHF_Fv.pdb"), ChainSpec("H", "L", ())))
    het = {line[17:20] for line in text.splitlines() if line.startswith("HETATM")}
    assert het == {"PCA"}
