"""Option fields: declarations check values, say what they allow, and turn text into values."""

from __future__ import annotations

import argparse
from dataclasses import dataclass, field
from typing import Literal

import pytest

from workbench.schema import (
    OptionError,
    add_arguments,
    build,
    check,
    flatten,
    option,
    option_table,
    parse_text,
    to_argv,
    values_from_args,
)


@dataclass(frozen=True, slots=True)
class Inner:
    mode: Literal["fast", "exact"] = option("fast", help="how")
    limit: float | None = option(None, minimum=0.0, exclusive_minimum=True, unit="Å", help="cap")

    def __post_init__(self) -> None:
        check(self)


@dataclass(frozen=True, slots=True)
class Outer:
    names: tuple[str, ...] = option(positional=True, help="inputs")
    count: int = option(3, minimum=1, maximum=9, help="how many")
    tags: tuple[Literal["a", "b"], ...] = option(("a",), help="tags")
    loud: bool = option(True, help="speak up")
    inner: Inner = field(default_factory=Inner)

    def __post_init__(self) -> None:
        check(self)


TABLE = option_table(Outer)


def test_messages_say_what_is_allowed():
    cases = {
        "count": (0, "an integer ≥ 1 and ≤ 9"),
        "tags": (("c",), "a comma-separated list of a, b"),
        "mode": ("slow", "one of fast, exact"),
        "limit": (0.0, "a number > 0 Å, or None"),
        "loud": ("yes", "true or false"),
    }
    for name, (value, expected) in cases.items():
        with pytest.raises(OptionError) as caught:
            build(Outer, {"names": ("x",), name: value})
        assert str(caught.value) == f"{name}: {value!r} is not allowed; expected {expected}"


def test_values_are_normalised():
    record = build(Outer, {"names": ["x", "y"], "tags": ["b", "a"], "limit": 2})
    assert record.names == ("x", "y") and record.tags == ("b", "a")
    assert isinstance(record.inner.limit, float)
    assert flatten(record)["limit"] == 2.0


def test_text_becomes_typed_values():
    by_name = {f.name: f for f in TABLE}
    assert parse_text(by_name["count"], " 4 ") == 4
    assert parse_text(by_name["tags"], "a, b") == ("a", "b")
    assert parse_text(by_name["limit"], "") is None
    assert parse_text(by_name["loud"], "off") is False
    with pytest.raises(OptionError, match="count: 'four' is not allowed"):
        parse_text(by_name["count"], "four")


def test_argv_round_trips_through_argparse():
    record = build(Outer, {"names": ("-odd.pdb",), "count": 5, "loud": False, "mode": "exact"})
    argv = to_argv(flatten(record), TABLE)
    assert argv == ["--count", "5", "--no-loud", "--mode", "exact", "--", "-odd.pdb"]
    parser = argparse.ArgumentParser()
    add_arguments(parser, TABLE)
    assert build(Outer, values_from_args(parser.parse_args(argv), TABLE)) == record


def test_a_name_declared_twice_is_a_type_error():
    @dataclass(frozen=True)
    class Twice:
        a: int = option(1, help="a")
        b: int = option(2, name="a", help="b")

    with pytest.raises(TypeError, match="twice"):
        option_table(Twice)
