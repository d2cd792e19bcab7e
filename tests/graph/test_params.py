"""Graph parameters validate their values and serialise for cache keys."""

from __future__ import annotations

import json
import pickle

import pytest

from workbench.graph import GraphParams, NoInterfaceError


def test_defaults_and_dict():
    params = GraphParams()
    assert json.loads(json.dumps(params.to_dict())) == {
        "kind": "atom",
        "cutoff": 5.0,
        "internal_cutoff": 3.0,
        "voronota": False,
    }
    assert GraphParams(**params.to_dict()) == params


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"kind": "protein"}, "graph kind"),
        ({"cutoff": 0.0}, "cutoff must be a positive"),
        ({"cutoff": float("nan")}, "cutoff must be a positive"),
        ({"internal_cutoff": "3"}, "internal_cutoff must be a number"),
        ({"voronota": "yes"}, "voronota must be"),
    ],
)
def test_bad_values_are_refused(kwargs, message):
    with pytest.raises(ValueError, match=message):
        GraphParams(**kwargs)


def test_no_interface_error_pickles_with_its_fields():
    error = NoInterfaceError("a.pdb", "sides 40 Å apart")
    again = pickle.loads(pickle.dumps(error))
    assert (again.source, again.reason, str(again)) == ("a.pdb", "sides 40 Å apart", str(error))
