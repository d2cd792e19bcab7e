"""Regions on every residue of real chains: FR/CDR inside domains, constant, other, unknown."""

from __future__ import annotations

import numpy as np
import pytest

from workbench.annotate import REGIONS, AnnotateOptions, number_sequences, regions_for_sequence

pytestmark = pytest.mark.timeout(60)

_ORDER = ("FR1", "CDR1", "FR2", "CDR2", "FR3", "CDR3", "FR4")


def test_fab_heavy_chain_has_ordered_regions_then_constant(structure_chains):
    (record,) = number_sequences([structure_chains["1AHW"]["B"]])  # Fab heavy chain, 214 aa
    regions = regions_for_sequence(record)
    assert regions.shape == (len(record.sequence),) and regions.dtype.kind == "U"
    domain = record.domains[0]
    inside = regions[domain.start : domain.end]
    runs = [r for i, r in enumerate(inside) if i == 0 or inside[i - 1] != r]
    assert runs == list(_ORDER)
    assert set(regions[domain.end :]) == {"constant"}
    assert "".join(np.asarray(list(record.sequence))[regions == "CDR3"]) == domain.cdr3


def test_merged_chain_has_two_domains_and_a_linker(structure_chains):
    (record,) = number_sequences([structure_chains["4G6M-matched"]["A"]])
    regions = regions_for_sequence(record)
    heavy, light = record.domains
    assert list(regions).count("CDR3") == len(heavy.cdr3) + len(light.cdr3)
    assert set(regions[heavy.end : light.start]) <= {"other"}
    assert set(regions) <= set(REGIONS)


def test_vnar_numbers_as_nothing_and_stays_unknown(structure_chains):
    (record,) = number_sequences([structure_chains["2I25"]["N"]])
    assert record.domains == () and record.error is None
    assert set(regions_for_sequence(record)) == {"unknown"}


def test_short_tail_is_other_not_constant(structure_chains):
    (record,) = number_sequences([structure_chains["1VFB"]["B"] + "GSHHHHHH"])
    regions = regions_for_sequence(record)
    assert set(regions[record.domains[0].end :]) == {"other"}


@pytest.mark.parametrize("scheme", ["kabat", "chothia", "martin", "aho"])
def test_every_scheme_gives_seven_ordered_regions(structure_chains, scheme):
    (record,) = number_sequences([structure_chains["3EOA"]["L"]], AnnotateOptions(scheme))
    domain = record.domains[0]
    runs = [r for i, r in enumerate(domain.regions) if i == 0 or domain.regions[i - 1] != r]
    assert runs == list(_ORDER)
    assert domain.cdr1 and domain.cdr2 and domain.cdr3
