"""Parsing: unusable input raises StructureError with the path; mmCIF gives the same complex."""

from __future__ import annotations

import io
import pickle

import numpy as np
import pytest
from Bio.PDB import MMCIFIO

from workbench.sources.refs import Item, ItemRef
from workbench.structure import (
    ChainSpec,
    StructureError,
    StructureWarning,
    merge,
    parse_structure,
)

WATER = "HETATM    1  O   HOH W   1      10.000  10.000  10.000  1.00 20.00           O\n"


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "cannot parse as pdb"),
        ("REMARK nothing here\nEND\n", "no atoms"),
        (WATER, "no amino-acid residues"),
        (
            "ATOM      1  N   ALA A   1      1.000   abc     3.000  1.00  0.00           N\n",
            "parse",
        ),
    ],
)
def test_unusable_text_raises_with_path(text_item, text, reason):
    item = text_item(text, source="bad/input.pdb")
    with pytest.raises(StructureError) as caught:
        parse_structure(item)
    assert caught.value.path == "bad/input.pdb"
    assert reason in caught.value.reason
    assert str(caught.value).startswith("bad/input.pdb: ")


def test_unknown_format_is_an_error(text_item):
    with pytest.raises(StructureError, match="unknown format 'xyz'"):
        parse_structure(text_item(WATER, fmt="xyz"))


def test_member_is_part_of_the_path():
    item = Item(ItemRef("ens.pdb", "model_2", "0" * 64, "pdb"), "")
    with pytest.raises(StructureError, match=r"^ens\.pdb \[model_2\]: "):
        parse_structure(item)


def test_error_and_warning_survive_pickling():
    error = pickle.loads(pickle.dumps(StructureError("a.pdb", "no atoms")))
    assert (error.path, error.reason, str(error)) == ("a.pdb", "no atoms", "a.pdb: no atoms")
    warning = pickle.loads(pickle.dumps(StructureWarning("altloc", "chain A: 2 atoms")))
    assert str(warning) == "altloc: chain A: 2 atoms"


def test_mmcif_gives_the_same_complex_as_pdb(misc_dir, item_of, text_item):
    pdb_item = item_of(misc_dir / "7DK2_AB_C.pdb")
    writer = MMCIFIO()
    writer.set_structure(parse_structure(pdb_item))
    handle = io.StringIO()
    writer.save(handle)
    cif_item = text_item(handle.getvalue(), source="7DK2.cif", fmt="mmcif")
    spec = ChainSpec("A", "B", ("C",))
    from_pdb, from_cif = merge(pdb_item, spec), merge(cif_item, spec)
    assert np.allclose(from_pdb.atoms.coord, from_cif.atoms.coord, atol=1e-3)
    assert from_pdb.atoms.name.tolist() == from_cif.atoms.name.tolist()
    assert [c.sequence for c in from_pdb.chains] == [c.sequence for c in from_cif.chains]
    for field in ("chain", "res_seq", "ins_code", "res_name"):
        assert (
            getattr(from_pdb.residues, field).tolist() == getattr(from_cif.residues, field).tolist()
        )
    assert len(from_pdb.excluded) == len(from_cif.excluded) > 0
