"""Records of a merged complex: the chain spec's plain form, from which prep cache keys are made."""

from __future__ import annotations

import json

import pytest

from workbench.structure import ChainSpec

SPECS = [
    ChainSpec("H", "L", ("A", "B")),
    ChainSpec("H", None, ("C",)),
    ChainSpec(None, None, ("B",), detected=True, scfv=("A",)),
]


@pytest.mark.parametrize("spec", SPECS, ids=str)
def test_chain_spec_round_trips_through_json(spec):
    assert ChainSpec.from_dict(json.loads(json.dumps(spec.to_dict()))) == spec


def test_chain_spec_dict_keeps_its_spelling():
    """Prep cache keys hash this dict: a new spelling would make every cached item a miss."""
    assert SPECS[0].to_dict() == {
        "heavy": "H",
        "light": "L",
        "antigen": ["A", "B"],
        "scfv": [],
        "detected": False,
    }
