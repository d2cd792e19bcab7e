"""Masks over a merged complex and chain-wise reduce / spread."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from workbench.structure import (
    apply_chain_wise,
    merge,
    select_chains,
    select_heavy_atoms,
    select_side,
    spread_chain_wise,
)


@pytest.fixture(scope="module")
def hmx(complexes_dir, item_of, case_specs):
    item = item_of(complexes_dir / "3HMX.pdb")
    return item, merge(item, case_specs["3HMX"])


def _atom_lines(text, chains):
    return sum(line.startswith("ATOM") and line[21] in chains for line in text.splitlines())


def test_sides_count_the_atom_lines_of_their_chains(hmx):
    item, complex = hmx
    antibody = select_side(complex, "antibody")
    antigen = select_side(complex, "antigen")
    assert antibody.dtype == bool and antibody.shape == (len(complex.atoms),)
    assert antibody.sum() == _atom_lines(item.text, "HL")
    assert antigen.sum() == _atom_lines(item.text, "AB")
    assert not (antibody & antigen).any() and (antibody | antigen).all()
    residues = select_side(complex, "antigen", level="residue")
    assert residues.shape == (len(complex.residues),)
    assert residues.sum() == sum(c.stop - c.start for c in complex.chains if c.role == "antigen")


def test_select_chains(hmx):
    item, complex = hmx
    assert select_chains(complex, ["B", "L"]).sum() == _atom_lines(item.text, "BL")
    assert not select_chains(complex, ["Z"], level="residue").any()


def test_heavy_atoms_leave_out_hydrogen_and_deuterium(hmx):
    _, complex = hmx
    assert select_heavy_atoms(complex).all()  # merge drops hydrogens
    element = complex.atoms.element.copy()
    element[:3] = ["H", "D", "C"]
    mask = select_heavy_atoms(replace(complex, atoms=replace(complex.atoms, element=element)))
    assert mask.dtype == bool and mask.shape == (len(complex.atoms),)
    assert mask[:3].tolist() == [False, False, True] and mask[3:].all()


def test_chain_wise_reduce_and_spread(hmx):
    _, complex = hmx
    lengths = apply_chain_wise(complex, np.ones(len(complex.residues)), np.sum)
    assert lengths.tolist() == [len(c.sequence) for c in complex.chains]
    spread = spread_chain_wise(complex, np.arange(len(complex.chains)))
    for number, record in enumerate(complex.chains):
        assert set(spread[record.start : record.stop].tolist()) == {number}
    assert len(spread) == len(complex.residues)


def test_bad_arguments(hmx):
    _, complex = hmx
    with pytest.raises(ValueError, match="side must be one of"):
        select_side(complex, "heavy")
    with pytest.raises(ValueError, match="level must be one of"):
        select_side(complex, "antigen", level="chain")
    with pytest.raises(ValueError, match="expected 4 chain values, got 2"):
        spread_chain_wise(complex, np.arange(2))
    with pytest.raises(ValueError, match="residue values"):
        apply_chain_wise(complex, np.ones(3), np.sum)
