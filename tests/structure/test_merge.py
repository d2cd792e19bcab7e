"""Merging real complexes: chain order and roles, the residue map, exclusions, bad specs."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from workbench.structure import (
    ChainSpec,
    StructureError,
    load_manifest,
    merge,
    parse_structure,
    select_side,
)


@pytest.fixture(scope="module")
def merged_cases(complexes_dir, item_of):
    """Every case of cases.tsv merged with the spec the manifest reader gives it."""
    manifest = load_manifest(complexes_dir / "cases.tsv")
    merged = {}
    for entry in manifest.entries:
        item = item_of(entry.path)
        merged[entry.path.stem] = (item, entry.spec, merge(item, entry.spec))
    return merged


def test_every_case_merges_with_declared_chains_and_roles(merged_cases, cases):
    assert sorted(merged_cases) == sorted(row["case"] for row in cases)
    for row in cases:
        _, _, complex = merged_cases[row["case"]]
        expected = [(row["heavy"], "heavy")]
        if row["light"] != "-":
            expected.append((row["light"], "light"))
        expected.extend((chain, "antigen") for chain in row["antigen"])
        assert [(c.chain, c.role) for c in complex.chains] == expected, row["case"]
        for record in complex.chains:
            roles = set(complex.residues.role[record.start : record.stop])
            chains = set(complex.residues.chain[record.start : record.stop])
            assert roles == {record.role} and chains == {record.chain}
        assert complex.chains[0].start == 0
        assert complex.chains[-1].stop == len(complex.residues)
        assert all(a.stop == b.start for a, b in itertools.pairwise(complex.chains))


def test_residue_map_equals_raw_atom_lines_in_order(merged_cases, raw_residues_of):
    """Waters, ligands and insertion codes shift nothing: the map is the ATOM residues, in order."""
    for case, (item, _, complex) in merged_cases.items():
        for record in complex.chains:
            raw = raw_residues_of(item.text, record.chain)
            got = list(
                zip(
                    complex.residues.res_seq[record.start : record.stop].tolist(),
                    complex.residues.ins_code[record.start : record.stop].tolist(),
                    complex.residues.res_name[record.start : record.stop].tolist(),
                    strict=True,
                )
            )
            assert got == raw, (case, record.chain)


def test_residue_map_round_trip_on_every_case(merged_cases):
    for case, (_, _, complex) in merged_cases.items():
        residues = complex.residues
        for index in range(len(residues)):
            assert residues.index_of(*residues.key(index)) == index, (case, index)


def test_insertion_codes_are_kept(merged_cases, raw_residues_of):
    found = 0
    for case in ("2DD8", "4FQI", "6EY6"):
        item, _, complex = merged_cases[case]
        codes = set()
        for record in complex.chains:
            raw = raw_residues_of(item.text, record.chain)
            codes |= {(record.chain, s, i) for s, i, _ in raw if i}
        assert codes, case
        got = {
            (c, s, i)
            for c, s, i in zip(
                complex.residues.chain.tolist(),
                complex.residues.res_seq.tolist(),
                complex.residues.ins_code.tolist(),
                strict=True,
            )
            if i
        }
        assert got == codes
        found += len(codes)
    assert found > 10


def test_atoms_are_the_heavy_atoms_of_the_declared_chains(merged_cases):
    """Atom count equals ATOM lines of the chains (these files have no altloc pairs, no H)."""
    for case in ("1AHW", "5HYS", "6EY6"):
        item, _, complex = merged_cases[case]
        atom_lines = [line for line in item.text.splitlines() if line.startswith("ATOM")]
        lines = [
            line for record in complex.chains for line in atom_lines if line[21] == record.chain
        ]
        expected = [[float(line[c : c + 8]) for c in (30, 38, 46)] for line in lines]
        assert complex.atoms.coord.dtype == np.float64
        assert complex.atoms.coord.shape == (len(lines), 3)
        assert np.allclose(complex.atoms.coord, expected, atol=1e-3)
        assert complex.atoms.name.tolist() == [line[12:16].strip() for line in lines]
        assert np.all(np.diff(complex.atoms.residue) >= 0)
        assert set(complex.atoms.element.tolist()) <= {"C", "N", "O", "S"}


def test_waters_and_ligands_of_real_files_are_recorded(merged_cases):
    for case in ("2DD8", "5HYS", "5JMO"):
        item, _, complex = merged_cases[case]
        raw = {
            (line[21], int(line[22:26]), line[17:20].strip())
            for line in item.text.splitlines()
            if line.startswith("HETATM")
        }
        got = {(e.chain, e.res_seq, e.res_name) for e in complex.excluded}
        assert got == raw, case
        for excluded in complex.excluded:
            assert excluded.kind == ("water" if excluded.res_name == "HOH" else "ligand")


def test_water_and_ligand_appended_to_a_chain(misc_dir, item_of, text_item):
    original = item_of(misc_dir / "deeprank_ab_example.pdb")
    spec = ChainSpec("H", "L", ("A",))
    lines = original.text.splitlines()
    last_a = max(i for i, line in enumerate(lines) if line.startswith("ATOM") and line[21] == "A")
    extra = [
        "HETATM 9001  O   HOH A 901      10.000  10.000  10.000  1.00 20.00           O",
        "HETATM 9002  S   SO4 A 902      12.000  10.000  10.000  1.00 20.00           S",
        "HETATM 9003  O1  SO4 A 902      13.400  10.000  10.000  1.00 20.00           O",
    ]
    edited = text_item("\n".join(lines[: last_a + 1] + extra + lines[last_a + 1 :]))
    before, after = merge(original, spec), merge(edited, spec)
    assert len(after.residues) == len(before.residues)
    assert np.array_equal(after.atoms.coord, before.atoms.coord)
    assert [(e.chain, e.res_seq, e.res_name, e.kind) for e in after.excluded] == [
        ("A", 901, "HOH", "water"),
        ("A", 902, "SO4", "ligand"),
    ]


def test_missing_chain_names_file_role_and_chains_present(complexes_dir, item_of):
    item = item_of(complexes_dir / "1AHW.pdb")
    with pytest.raises(StructureError) as caught:
        merge(item, ChainSpec("B", "A", ("X",)))
    present = sorted({line[21] for line in item.text.splitlines() if line.startswith("ATOM")})
    message = str(caught.value)
    assert caught.value.path == str(complexes_dir / "1AHW.pdb")
    assert "chain X (antigen) not found" in message
    assert message.endswith(f"chains present: {', '.join(present)}")


def test_chain_of_only_hetatm_ligands_fails(misc_dir, item_of, text_item):
    text = (misc_dir / "deeprank_ab_example.pdb").read_text().rstrip().removesuffix("END")
    ligand = [
        "HETATM 9002  S   SO4 Z   1      12.000  10.000  10.000  1.00 20.00           S",
        "HETATM 9003  O1  SO4 Z   1      13.400  10.000  10.000  1.00 20.00           O",
    ]
    item = text_item(text + "\n".join(ligand) + "\nEND\n")
    with pytest.raises(StructureError, match=r"chain Z \(antigen\) holds no amino-acid residues"):
        merge(item, ChainSpec("H", "L", ("Z",)))


def test_chain_declared_twice_fails(misc_dir, item_of):
    item = item_of(misc_dir / "deeprank_ab_example.pdb")
    with pytest.raises(StructureError, match="declared more than once: A"):
        merge(item, ChainSpec("H", "L", ("A", "A")))


def _with_altloc(lines: list[str], residue_seq: int, chain: str, occupancy_a: float) -> list[str]:
    """Every atom of one residue becomes altloc A plus a shifted altloc B copy."""
    edited = []
    for line in lines:
        if line.startswith("ATOM") and line[21] == chain and int(line[22:26]) == residue_seq:
            a = f"{line[:16]}A{line[17:54]}{occupancy_a:6.2f}{line[60:]}"
            x = float(line[30:38]) + 1.0
            b = f"{line[:16]}B{line[17:30]}{x:8.3f}{line[38:54]}{1 - occupancy_a:6.2f}{line[60:]}"
            edited.extend([a, b])
        else:
            edited.append(line)
    return edited


@pytest.mark.parametrize("occupancy_a", [0.6, 0.3])
def test_altloc_keeps_the_higher_occupancy_one_and_warns(misc_dir, item_of, text_item, occupancy_a):
    original = item_of(misc_dir / "deeprank_ab_example.pdb")
    spec = ChainSpec("H", "L", ("A",))
    before = merge(original, spec)
    item = text_item("\n".join(_with_altloc(original.text.splitlines(), 10, "L", occupancy_a)))
    after = merge(item, spec)
    index = before.residues.index_of("L", 10)
    atoms = before.atoms.residue == index
    assert len(after.atoms) == len(before.atoms)
    shift = 0.0 if occupancy_a > 0.5 else 1.0
    expected = before.atoms.coord[atoms] + [shift, 0.0, 0.0]
    assert np.allclose(after.atoms.coord[atoms], expected, atol=1e-3)
    assert np.array_equal(after.atoms.coord[~atoms], before.atoms.coord[~atoms])
    altloc = [w for w in after.warnings if w.startswith("altloc:")]
    assert altloc == [
        f"altloc: chain L: {atoms.sum()} atoms with alternate locations; "
        "kept the highest-occupancy (first) one"
    ]


def test_duplicate_atom_warns_and_keeps_one(misc_dir, item_of, text_item):
    original = item_of(misc_dir / "deeprank_ab_example.pdb")
    spec = ChainSpec("H", "L", ("A",))
    lines = original.text.splitlines()
    first_atom = next(i for i, line in enumerate(lines) if line.startswith("ATOM"))
    lines.insert(first_atom + 1, lines[first_atom])
    after = merge(text_item("\n".join(lines)), spec)
    assert len(after.atoms) == len(merge(original, spec).atoms)
    assert any(w.startswith("duplicate:") and "defined twice" in w for w in after.warnings)


def test_hydrogens_are_dropped(misc_dir, item_of, text_item):
    original = item_of(misc_dir / "deeprank_ab_example.pdb")
    spec = ChainSpec("H", "L", ("A",))
    lines = original.text.splitlines()
    first_atom = next(i for i, line in enumerate(lines) if line.startswith("ATOM"))
    ca = lines[first_atom + 1]
    hydrogen = f"{ca[:12]} HA {ca[16:76]} H"
    lines.insert(first_atom + 2, hydrogen)
    after = merge(text_item("\n".join(lines)), spec)
    assert len(after.atoms) == len(merge(original, spec).atoms)
    assert "H" not in set(after.atoms.element.tolist())


def test_chain_break_is_a_warning(misc_dir, item_of, text_item):
    original = item_of(misc_dir / "deeprank_ab_example.pdb")
    spec = ChainSpec("H", "L", ("A",))
    assert not [w for w in merge(original, spec).warnings if w.startswith("chain-break")]
    lines = [
        line
        for line in original.text.splitlines()
        if not (line.startswith("ATOM") and line[21] == "H" and int(line[22:26]) == 50)
    ]
    after = merge(text_item("\n".join(lines)), spec)
    breaks = [w for w in after.warnings if w.startswith("chain-break")]
    assert len(breaks) == 1 and "chain H (heavy): 1 breaks" in breaks[0]
    assert breaks[0].endswith("after residues 49")


def test_haddock_merged_antibody_without_element_column(misc_dir, item_of):
    item = item_of(misc_dir / "4G6M-matched.pdb")
    complex = merge(item, ChainSpec(None, None, ("B",), scfv=("A",)))
    assert [(c.chain, c.role) for c in complex.chains] == [("A", "scfv"), ("B", "antigen")]
    names = [line[12:16].strip() for line in item.text.splitlines() if line.startswith("ATOM")]
    assert complex.atoms.name.tolist() == names
    assert complex.atoms.element.tolist() == [name[0] for name in names]
    assert any(w.startswith("element:") for w in complex.warnings)
    assert select_side(complex, "antibody").sum() == sum(
        line[21] == "A" for line in item.text.splitlines() if line.startswith("ATOM")
    )


def test_pyroglutamate_hetatm_is_an_amino_acid(misc_dir, item_of):
    item = item_of(misc_dir / "3QHF_Fv.pdb")
    complex = merge(item, ChainSpec("H", "L", ()))
    assert [record.chain for record in complex.chains] == ["H", "L"]
    for record in complex.chains:
        assert complex.residues.res_name[record.start] == "PCA", record.chain
        assert record.sequence[0] == "Q"
    assert not complex.excluded


def test_structure_given_is_used_as_is(misc_dir, item_of):
    item = item_of(misc_dir / "7DK2_AB_C.pdb")
    spec = ChainSpec("A", "B", ("C",))
    structure = parse_structure(item)
    once, twice = merge(item, spec, structure), merge(item, spec)
    assert np.array_equal(once.atoms.coord, twice.atoms.coord)
    assert once.warnings == twice.warnings


def test_protein_chain_left_out_of_the_spec_is_named(complexes_dir, item_of):
    item = item_of(complexes_dir / "5HYS.pdb")
    complex = merge(item, ChainSpec("C", "D", ("J",)))
    assert "undeclared: protein chains not in the chain spec left out: K" in complex.warnings
    assert {e.chain for e in complex.excluded} == {
        line[21] for line in item.text.splitlines() if line.startswith("HETATM")
    }
    assert "K" not in set(complex.residues.chain.tolist())
