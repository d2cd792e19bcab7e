"""Graph parameters validate their values and serialise for cache keys."""

from __future__ import annotations

import json
import pickle
import re

import pytest

from workbench.graph import GraphParams, NoInterfaceError


def test_defaults_and_dict():
    params = GraphParams()
    assert json.loads(json.dumps(params.to_dict())) == {
        "kind": "atom",
        "cutoff": 5.0,
        "internal_cutoff": 3.0,
        "voronota": False,
        "features": "native",
    }
    assert GraphParams(**params.to_dict()) == params


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"kind": "protein"}, "graph: 'protein' is not allowed; expected one of atom, residue"),
        ({"cutoff": 0.0}, "cutoff: 0.0 is not allowed; expected a number > 0 Å"),
        ({"cutoff": float("nan")}, "cutoff: nan is not allowed"),
        ({"internal_cutoff": "3"}, "internal_cutoff: '3' is not allowed; expected a number"),
        ({"voronota": "yes"}, "voronota: 'yes' is not allowed; expected true or false"),
        ({"features": "dr2"}, "features: 'dr2' is not allowed; expected one of native, deeprank"),
    ],
)
def test_bad_values_are_refused(kwargs, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        GraphParams(**kwargs)


def test_no_interface_error_pickles_with_its_fields():
    error = NoInterfaceError("a.pdb", "sides 40 Å apart")
    again = pickle.loads(pickle.dumps(error))
    assert (again.source, again.reason, str(again)) == ("a.pdb", "sides 40 Å apart", str(error))
