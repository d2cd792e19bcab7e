"""Manifests (TSV / CSV, path or case column) and chain specs from command-line text."""

from __future__ import annotations

import pytest

from workbench.structure import ChainSpec, load_manifest, parse_chain_spec, split_chain_ids


def test_cases_tsv(complexes_dir, cases):
    manifest = load_manifest(complexes_dir / "cases.tsv")
    assert len(manifest) == len(cases)
    for row in cases:
        spec = manifest.spec_for(complexes_dir / f"{row['case']}.pdb")
        assert spec.heavy == row["heavy"]
        assert spec.light == (None if row["light"] == "-" else row["light"])
        assert spec.antigen == tuple(row["antigen"])
    assert all(entry.path.is_file() for entry in manifest.entries)


def test_lookup_by_path_folder_name_and_stem(complexes_dir, tmp_path):
    manifest = load_manifest(complexes_dir / "cases.tsv")
    expected = ChainSpec("B", "A", ("C",))
    assert manifest.spec_for(complexes_dir / "1AHW.pdb") == expected
    assert manifest.spec_for(tmp_path / "elsewhere" / "1AHW.pdb") == expected
    assert manifest.spec_for(tmp_path / "1AHW.pdb.gz") == expected
    assert manifest.spec_for(tmp_path / "decoys" / "1AHW") == expected
    assert manifest.spec_for(tmp_path / "9XYZ.pdb") is None


def test_csv_with_path_column_folders_and_separated_antigen(tmp_path):
    (tmp_path / "m.csv").write_text(
        'Path,Heavy,Light,Antigen\ndecoys/target1,H,L,"A,B"\nsingle/nb.pdb,A,-,C\nauto/x.pdb,,,\n'
    )
    manifest = load_manifest(tmp_path / "m.csv")
    assert manifest.spec_for(tmp_path / "decoys" / "target1" / "model_7.pdb") == ChainSpec(
        "H", "L", ("A", "B")
    )
    assert manifest.spec_for(tmp_path / "single" / "nb.pdb") == ChainSpec("A", None, ("C",))
    assert manifest.spec_for(tmp_path / "auto" / "x.pdb") is None
    assert manifest.entries[2].spec is None


def test_missing_columns_name_file_and_columns_found(tmp_path):
    path = tmp_path / "bad.tsv"
    path.write_text("file\theavy\tantigen\nx.pdb\tH\tA\n")
    with pytest.raises(ValueError) as caught:
        load_manifest(path)
    message = str(caught.value)
    assert message.startswith(f"{path}: ")
    assert "found: file, heavy, antigen" in message


def test_bad_row_names_the_line(tmp_path):
    path = tmp_path / "m.tsv"
    path.write_text("path\theavy\tlight\tantigen\na.pdb\tH\tL\tA\nb.pdb\tH\tH\tA\n")
    with pytest.raises(ValueError, match=r"m\.tsv: line 3: chain declared more than once: H"):
        load_manifest(path)


def test_same_name_with_different_specs_is_ambiguous(tmp_path):
    path = tmp_path / "m.tsv"
    path.write_text("path\theavy\tlight\tantigen\none/x.pdb\tH\tL\tA\ntwo/x.pdb\tA\tB\tC\n")
    manifest = load_manifest(path)
    assert manifest.spec_for(tmp_path / "one" / "x.pdb") == ChainSpec("H", "L", ("A",))
    with pytest.raises(ValueError, match=r"x\.pdb matches rows with different chains"):
        manifest.spec_for(tmp_path / "three" / "x.pdb")


@pytest.mark.parametrize(
    ("heavy", "light", "antigen", "expected"),
    [
        ("H", "L", "ABC", ChainSpec("H", "L", ("A", "B", "C"))),
        ("H", "L", "A,B,C", ChainSpec("H", "L", ("A", "B", "C"))),
        ("H", "-", "AA, BB", ChainSpec("H", None, ("AA", "BB"))),
        ("H", "", None, ChainSpec("H", None, ())),
        (None, "L", "A", None),
        ("-", None, None, None),
    ],
)
def test_parse_chain_spec(heavy, light, antigen, expected):
    assert parse_chain_spec(heavy, light, antigen) == expected


def test_parse_chain_spec_rejects_a_chain_given_twice():
    with pytest.raises(ValueError, match="declared more than once: A"):
        parse_chain_spec("H", "L", "A,A")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ABEFCD", tuple("ABEFCD")),
        ("A, B", ("A", "B")),
        ("-", ()),
        (None, ()),
        ("AA;B", ("AA", "B")),
    ],
)
def test_split_chain_ids(text, expected):
    assert split_chain_ids(text) == expected
