"""Chain roles detected by numbering agree with complexes/cases.tsv."""

from __future__ import annotations

import pytest

from workbench.annotate import check_declared_roles, detect_roles
from workbench.structure.records import ChainSpec

pytestmark = pytest.mark.timeout(60)


def test_roles_of_every_case_match_the_table(cases, structure_chains):
    for case in cases:
        chains = structure_chains[case["case"]]
        spec, warnings = detect_roles(chains, source=case["case"])
        assert spec.detected
        light = None if case["light"] == "-" else case["light"]
        if case["case"] == "2I25":  # the shark VNAR numbers as nothing: all chains antigen
            assert (spec.heavy, spec.light, spec.scfv) == (None, None, ())
            assert set(spec.antigen) == set(chains)
            assert any("no chain numbers as an antibody" in w for w in warnings)
            continue
        assert (spec.heavy, spec.light, spec.scfv) == (case["heavy"], light, ()), case["case"]
        assert set(spec.antigen) == set(case["antigen"]), case["case"]
        assert warnings == []


def test_merged_heavy_light_chain_is_scfv(structure_chains):
    spec, warnings = detect_roles(structure_chains["4G6M-matched"])
    assert spec.scfv == ("A",) and spec.heavy is None and spec.light is None
    assert spec.antigen == ("B",) and warnings == []


def test_second_fab_is_left_out_with_a_warning(structure_chains):
    fab = structure_chains["3EOA"]
    chains = {**fab, "X": fab["H"] + "S", "Y": fab["L"] + "S"}
    spec, warnings = detect_roles(chains, source="two-fabs.pdb")
    assert (spec.heavy, spec.light) == ("H", "L") and spec.antigen == ("I",)
    assert len(warnings) == 2 and all(w.startswith("two-fabs.pdb: chain ") for w in warnings)


def test_declared_roles_are_checked(structure_chains):
    vnar = structure_chains["2I25"]
    warnings = check_declared_roles(ChainSpec("N", None, ("L",)), vnar)
    assert warnings == ["declared heavy chain N does not number as an antibody"]
    fab = structure_chains["1AHW"]
    swapped = check_declared_roles(ChainSpec("A", "B", ("C",)), fab)
    assert swapped == [
        "declared heavy chain A numbers as a light chain",
        "declared light chain B numbers as a heavy chain",
    ]
    assert check_declared_roles(ChainSpec("B", "A", ("C",)), fab) == []
    assert check_declared_roles(ChainSpec("B", "A", ("Z",)), fab) == [
        "declared chain Z has no protein residues"
    ]
