"""Item references: one spelling of "source [member]" in every message."""

from __future__ import annotations

import pickle

from workbench.sources import SourceError, describe_source


def test_member_is_named_only_when_there_is_one() -> None:
    assert describe_source("ens.pdb", "model_2") == "ens.pdb [model_2]"
    assert describe_source("one.pdb", "") == describe_source("one.pdb") == "one.pdb"


def test_source_error_names_where_and_why_and_pickles() -> None:
    error = pickle.loads(pickle.dumps(SourceError("designs.qv", "truncated entry", "d3")))
    assert (error.path, error.reason, error.member) == ("designs.qv", "truncated entry", "d3")
    assert str(error) == "designs.qv [d3]: truncated entry"
