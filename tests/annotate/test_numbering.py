"""Numbering through pyhmmer equals ANARCI's own (hmmscan binary) on real chains and mutants."""

from __future__ import annotations

import re

import pytest

from workbench.annotate import AnnotateOptions, SequenceNumbering, number_sequences

pytestmark = pytest.mark.timeout(120)


def _reference_domains(numbered, details, germline: bool):
    """ANARCI's result in our terms: end exclusive, insertion codes stripped."""
    if numbered is None:
        return []
    out = []
    for (entries, start, last), info in zip(numbered, details, strict=True):
        numbering = tuple((n, ins.strip(), aa) for (n, ins), aa in entries)
        row = (info["chain_type"], info["species"], start, last + 1, numbering)
        if germline:
            (species, v_gene), v_id = info["germlines"]["v_gene"]
            (_, j_gene), j_id = info["germlines"]["j_gene"]
            row += ((species, v_gene, v_id, j_gene, j_id),)
        out.append(row)
    return out


def _our_domains(record: SequenceNumbering, germline: bool):
    out = []
    for d in record.domains:
        row = (d.chain_type, d.species, d.start, d.end, d.numbering)
        if germline:
            g = d.germline
            row += ((g["species"], g["v_gene"], g["v_identity"], g["j_gene"], g["j_identity"]),)
        out.append(row)
    return out


def _assert_same(named, ours, numbered, details, germline=False):
    differ = [
        name
        for (name, _), record, num, det in zip(named, ours, numbered, details, strict=True)
        if record.error or _our_domains(record, germline) != _reference_domains(num, det, germline)
    ]
    assert not differ, f"{len(differ)} of {len(named)} differ from ANARCI: {differ[:5]}"


def test_identical_to_anarci_imgt_on_chains_and_mutants(all_chains, mutants, anarci_reference):
    named = all_chains + mutants
    numbered, details = anarci_reference(named)
    ours = number_sequences([seq for _, seq in named])
    _assert_same(named, ours, numbered, details)
    antibody = sum(n is not None for n in numbered[: len(all_chains)])
    assert antibody >= 25  # the test data's heavy, light and single-domain chains


def test_identical_to_anarci_chothia_with_germlines(all_chains, anarci_reference):
    numbered, details = anarci_reference(all_chains, scheme="chothia", germline=True)
    ours = number_sequences([s for _, s in all_chains], AnnotateOptions("chothia", germline=True))
    _assert_same(all_chains, ours, numbered, details, germline=True)


def test_both_domains_of_merged_chain(structure_chains):
    (record,) = number_sequences([structure_chains["4G6M-matched"]["A"]])
    assert record.chain_types == ("H", "K")
    heavy, light = record.domains
    assert heavy.end <= light.start


def test_imgt_cdr3_lies_between_cys104_and_the_j_motif(all_chains):
    """Independent check: CDR3 is what lies between the conserved Cys and W/F-G-x-G."""
    records = number_sequences([s for _, s in all_chains])
    checked = 0
    for record in records:
        for domain in record.domains:
            motif = "WG.G" if domain.chain_type == "H" else "FG.G"
            seq = record.sequence[domain.start : domain.end]
            found = [m for m in re.finditer(rf"C(.{{3,35}}?){motif}", seq) if m.start() > 80]
            if found:
                assert domain.cdr3 == found[-1].group(1)
                checked += 1
    assert checked >= 25


def test_kabat_h3_is_imgt_cdr3_without_93_94(all_chains):
    seqs = [s for _, s in all_chains]
    imgt = number_sequences(seqs)
    kabat = number_sequences(seqs, AnnotateOptions("kabat"))
    pairs = [
        (a.cdr3, b.cdr3)
        for x, y in zip(imgt, kabat, strict=True)
        for a, b in zip(x.domains, y.domains, strict=True)
        if a.chain_type == "H"
    ]
    assert len(pairs) >= 10
    assert all(kab == img[2:] for img, kab in pairs)


def test_errors_are_records_and_round_trip(structure_chains):
    good = structure_chains["1VFB"]["B"]
    records = number_sequences([good, "EVQL1VESG", ""])
    assert records[0].error is None and records[0].chain_types == ("H",)
    assert "invalid residue letters '1'" in records[1].error
    assert records[2].error == "empty sequence"
    for record in records:
        assert SequenceNumbering.from_dict(record.to_dict()) == record


def test_options_validate_and_round_trip():
    options = AnnotateOptions("aho", germline=True, allowed_species=None)
    assert AnnotateOptions.from_dict(options.to_dict()) == options
    with pytest.raises(ValueError, match="scheme: 'north' is not allowed; expected one of imgt"):
        AnnotateOptions("north")
    with pytest.raises(ValueError, match="expected H, K, L only: kabat numbers antibodies"):
        AnnotateOptions("kabat", chain_types=("H", "A"))
