"""Chain sequences against a one-letter translation of the raw ATOM lines."""

from __future__ import annotations

import hashlib

import pytest

from workbench.structure import (
    ChainSpec,
    chain_sequences,
    merge,
    one_letter,
    parse_structure,
    sequence_hash,
)

# Written out here so that the check does not lean on Biopython's table.
STANDARD = dict(
    zip(
        [
            "ALA",
            "ARG",
            "ASN",
            "ASP",
            "CYS",
            "GLN",
            "GLU",
            "GLY",
            "HIS",
            "ILE",
            "LEU",
            "LYS",
            "MET",
            "PHE",
            "PRO",
            "SER",
            "THR",
            "TRP",
            "TYR",
            "VAL",
        ],
        "ARNDCQEGHILKMFPSTWYV",
        strict=True,
    )
)


def _raw_sequence(text: str, chain: str, raw_residues_of) -> str:
    return "".join(STANDARD.get(name, "X") for _, _, name in raw_residues_of(text, chain))


def test_sequences_of_every_case_equal_raw_translation(
    cases, complexes_dir, item_of, raw_residues_of
):
    for row in cases:
        item = item_of(complexes_dir / f"{row['case']}.pdb")
        sequences = chain_sequences(parse_structure(item))
        chains = sorted({line[21] for line in item.text.splitlines() if line.startswith("ATOM")})
        assert sorted(sequences) == chains, row["case"]
        for chain, sequence in sequences.items():
            assert sequence == _raw_sequence(item.text, chain, raw_residues_of), (
                row["case"],
                chain,
            )


def test_chain_records_carry_the_same_sequences(case_specs, complexes_dir, item_of):
    for case in ("1AHW", "5KOV", "6EY6"):
        item = item_of(complexes_dir / f"{case}.pdb")
        structure = parse_structure(item)
        sequences = chain_sequences(structure)
        for record in merge(item, case_specs[case], structure).chains:
            assert record.sequence == sequences[record.chain]


def test_pyroglutamate_maps_to_its_parent(misc_dir, item_of, raw_residues_of):
    item = item_of(misc_dir / "3QHF_Fv.pdb")
    sequences = chain_sequences(parse_structure(item))
    for chain in ("H", "L"):
        assert sequences[chain] == "Q" + _raw_sequence(item.text, chain, raw_residues_of)


def test_unknown_residue_with_backbone_is_x_and_water_chain_is_not_protein(
    misc_dir, text_item, raw_residues_of
):
    text = (misc_dir / "deeprank_ab_example.pdb").read_text()
    lines = text.splitlines()
    renamed = [
        f"HETATM{line[6:17]}XYZ{line[20:]}"
        if line.startswith("ATOM") and line[21] == "A" and int(line[22:26]) == 5
        else line
        for line in lines
        if line.strip() != "END"
    ]
    renamed.append("HETATM 9001  O   HOH W   1      10.000  10.000  10.000  1.00 20.00           O")
    sequences = chain_sequences(parse_structure(text_item("\n".join(renamed))))
    raw = _raw_sequence(text, "A", raw_residues_of)
    index = [seq for seq, _, _ in raw_residues_of(text, "A")].index(5)
    assert sequences["A"] == raw[:index] + "X" + raw[index + 1 :]
    assert "W" not in sequences
    complex = merge(text_item("\n".join(renamed)), ChainSpec("H", "L", ("A",)))
    assert [(e.chain, e.kind) for e in complex.excluded] == [("W", "water")]


@pytest.mark.parametrize(
    ("name", "letter"), [("MSE", "M"), ("ALA", "A"), ("UNK", "X"), ("HOH", "X")]
)
def test_one_letter(name, letter):
    assert one_letter(name) == letter


def test_sequence_hash_is_the_sha256_of_the_sequence_text():
    """The one content address of a sequence: chains.parquet, annotation and embedding keys."""
    digest = hashlib.sha256(b"EVQLVESGG").hexdigest()
    assert sequence_hash("EVQLVESGG") == digest
    assert sequence_hash("EVQLVESGA") != digest
