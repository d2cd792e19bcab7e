"""RunConfig: every option is declared once, checked when built, and drives the CLI and the form."""

from __future__ import annotations

import dataclasses
import math
import subprocess
import sys
import time
from pathlib import Path

import pytest

from workbench.annotate import AnnotateOptions
from workbench.cli import build_parser, config_from_args
from workbench.embed import EmbedOptions
from workbench.graph import GraphParams
from workbench.record import RUN_OPTIONS, RunConfig
from workbench.schema import REQUIRED, Option, OptionError, OptionField, to_argv, values_from_args
from workbench.schema.fields import _base, _is_tuple, _optional
from workbench.ui import RunForm, settings_class

BASE = {"inputs": ("in.pdb",), "out": "run"}


def _invalid(field: OptionField) -> list[object]:
    """Values the field's declaration refuses: wrong type, outside the choices or bounds, None."""
    opt, base = field.option, _base(field.hint)
    bad: list[object] = [object()]
    if not _optional(field.hint):
        bad.append(None)
    if field.choices() is not None:
        bad.append(("bogus",) if _is_tuple(base) else "bogus")
    if _is_tuple(base):
        bad.append("not a list")
    elif base is bool:
        bad.append("yes")
    elif base in (int, float):
        bad += ["3", True] + ([1.5] if base is int else [math.nan, math.inf])
        if opt.minimum is not None:
            bad.append(opt.minimum if opt.exclusive_minimum else opt.minimum - 1)
        if opt.maximum is not None:
            bad.append(opt.maximum + 1)
    elif base is str:
        bad.append(5)
    return bad


CASES = [(f.name, value) for f in RUN_OPTIONS for value in _invalid(f)]


@pytest.mark.parametrize(("name", "value"), CASES, ids=[f"{n}={v!r}" for n, v in CASES])
def test_every_invalid_value_raises_at_construction(name, value):
    with pytest.raises(OptionError) as caught:
        RunConfig.build(**{**BASE, name: value})
    assert caught.value.name == name
    assert str(caught.value).startswith(f"{name}: {value!r} is not allowed; expected ")


def test_the_records_check_themselves_without_the_run():
    for record, values in [
        (EmbedOptions, {"precision": "fp8"}),
        (EmbedOptions, {"graph_embedding": "weird"}),
        (EmbedOptions, {"token_budget": 3}),
        (EmbedOptions, {"devices": "gpu:0"}),
        (AnnotateOptions, {"scheme": "bogus"}),
        (GraphParams, {"cutoff": -1.0}),
    ]:
        with pytest.raises(OptionError, match=f"{next(iter(values))}: "):
            record(**values)


def test_nested_records_round_trip_through_flat_names_and_dicts():
    config = RunConfig.build(
        **BASE, graph="residue", cutoff=4.5, scheme="kabat", model="random:esm2_t6_8M_UR50D"
    )
    assert (config.graph.kind, config.graph.cutoff, config.annotate.scheme) == (
        "residue",
        4.5,
        "kabat",
    )
    assert RunConfig.build(**config.flat()) == config
    assert RunConfig.from_dict(config.to_dict()) == config
    args = build_parser().parse_args(["run", *config.argv()])
    assert config_from_args(args) == config


def test_unknown_names_are_refused_with_the_known_ones():
    with pytest.raises(OptionError, match="cutof: 4 is not allowed; expected a known option"):
        RunConfig.build(**BASE, cutof=4)


def test_cli_exits_2_with_the_api_message_before_reading_inputs(tmp_path):
    folder = tmp_path / "inputs"
    folder.mkdir()
    pdb = Path(__file__).parents[1] / "data" / "complexes" / "1VFB.pdb"
    for i in range(1000):
        (folder / f"model_{i:04d}.pdb").symlink_to(pdb)
    with pytest.raises(OptionError) as api:
        RunConfig.build(inputs=(str(folder),), out=str(tmp_path / "run"), token_budget=3)
    start = time.perf_counter()
    cmd = [sys.executable, "-m", "workbench.cli", "run", str(folder), "-o", str(tmp_path / "run")]
    done = subprocess.run([*cmd, "--token-budget", "3"], capture_output=True, text=True)
    seconds = time.perf_counter() - start
    assert done.returncode == 2, done.stderr
    assert done.stderr.strip() == f"workbench run: {api.value}"
    assert not (tmp_path / "run").exists()
    # loosely (a shared machine): the refusal comes before any of the 1,000 inputs is read
    assert seconds < 10, f"the CLI took {seconds:.1f} s to refuse a bad option"


def _with_extra(table: tuple[OptionField, ...]) -> tuple[OptionField, ...]:
    extra = OptionField(
        "polish_rounds",
        ("polish_rounds",),
        int,
        2,
        Option(help="rounds of side-chain polishing", minimum=0, unit="rounds"),
    )
    return (*table, extra)


def test_a_field_added_to_the_table_appears_in_cli_form_and_launch_args(tmp_path):
    table = _with_extra(RUN_OPTIONS)
    parser = build_parser(table)
    run = parser._subparsers._group_actions[0].choices["run"]
    assert "--polish-rounds" in run.format_help()
    args = parser.parse_args(["run", "x.pdb", "-o", "out", "--polish-rounds", "5"])
    assert values_from_args(args, table)["polish_rounds"] == 5
    assert to_argv({"polish_rounds": 5}, table) == ["--polish-rounds", "5"]
    assert to_argv({"polish_rounds": 2}, table) == []  # the default is left out
    settings = settings_class(table)()
    assert settings.polish_rounds == 2 and settings.param.polish_rounds.bounds == (0, None)
    form = RunForm(allowed_roots=(tmp_path,), runs_root=str(tmp_path), table=table)
    labels = [getattr(w, "name", "") for w in form.__panel__().select()]
    assert "Polish rounds" in labels


def test_every_cli_option_is_a_field_and_every_field_with_cli_an_option():
    run = build_parser()._subparsers._group_actions[0].choices["run"]
    dests = {a.dest for a in run._actions} - {"help", "demo", "quiet"}
    assert dests == {f.name for f in RUN_OPTIONS if f.option.cli}


def test_required_fields_and_defaults_come_from_the_records():
    by_name = {f.name: f for f in RUN_OPTIONS}
    assert by_name["out"].default is REQUIRED and by_name["inputs"].option.positional
    assert by_name["voronota"].default is True  # the run's graph default, not GraphParams'
    assert by_name["cutoff"].path == ("graph", "cutoff")
    fields = {f.name for f in dataclasses.fields(EmbedOptions)}
    assert fields <= set(by_name)
