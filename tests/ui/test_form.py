"""RunForm: configurations built from the generated settings, confinement, uploads, the argv."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from workbench.examples import example_manifest, example_paths
from workbench.examples.campaign import CAMPAIGN_SETTINGS
from workbench.record import RunConfig
from workbench.schema import OptionError
from workbench.ui import PathRefused, RunForm, cli_argv
from workbench.ui.form import model_note, save_uploads

XSS = "<img src=x onerror=alert(1)>.pdb"


def test_default_is_the_demo_campaign_on_simulated_devices(tmp_path):
    form = RunForm(allowed_roots=(tmp_path,), runs_root=str(tmp_path / "runs"))
    assert form.settings.devices == CAMPAIGN_SETTINGS["devices"]  # shown in the form, not hidden
    req = form.request()
    assert req.inputs[:-1] == tuple(str(p) for p in example_paths())
    assert req.inputs[-1].endswith(".qv") and Path(req.inputs[-1]).is_file()
    assert req.embed.devices == "sim:1.0,sim:0.5" and req.embed.model.startswith("random:")
    form.source = "examples"  # leaving the campaign gives back the defaults
    assert form.settings.devices == "auto" and form.request().embed.devices == "auto"


def test_bundled_examples(tmp_path):
    form = RunForm(allowed_roots=(tmp_path,), runs_root=str(tmp_path / "runs"), source="examples")
    req = form.request()
    assert req.inputs == tuple(str(p) for p in example_paths())
    assert req.manifest == str(example_manifest())
    assert req.cache_dir == str((tmp_path / "runs" / "cache").resolve())
    argv = cli_argv(req)
    assert argv[:4] == [sys.executable, "-m", "workbench.cli", "run"]
    assert argv[argv.index("--out") + 1] == req.out and "--heavy" not in argv


def test_paths_outside_roots_are_refused(tmp_path, complexes_dir):
    form = RunForm(allowed_roots=(tmp_path,), runs_root=str(tmp_path), source="path")
    form.path = str(complexes_dir)
    with pytest.raises(PathRefused):
        form.request()
    form.param.trigger("run")
    assert form.message.startswith("Not started: refused") and not form.running


def test_chain_spec_goes_to_the_cli(tmp_path, complexes_dir):
    form = RunForm(allowed_roots=(complexes_dir,), runs_root=str(tmp_path), source="path")
    form.path = str(complexes_dir / "4Y7M.pdb")
    form.settings.param.update(heavy="A", antigen="C", stages=["prep"])
    argv = cli_argv(form.request())
    assert argv[argv.index("--heavy") + 1] == "A" and "--light" not in argv
    assert argv[argv.index("--antigen") + 1] == "C"
    assert argv[argv.index("--stages") + 1] == "prep"
    with pytest.raises(OptionError, match="antigen"):
        RunConfig(inputs=("x",), out="o", heavy="H")


def test_settings_text_is_parsed_and_checked_like_the_command_line(tmp_path):
    form = RunForm(allowed_roots=(tmp_path,), runs_root=str(tmp_path / "runs"), source="examples")
    form.settings.param.update(token_budget="2048", layers="-1,-2", precision="bf16")
    config = form.request()
    assert (config.embed.token_budget, config.embed.layers) == (2048, (-1, -2))
    assert config.embed.precision == "bf16"
    form.settings.token_budget = "3"
    with pytest.raises(OptionError, match="token_budget: 3 is not allowed"):
        form.request()
    form.param.trigger("run")
    assert "token_budget: 3 is not allowed" in form.message and not form.running


def test_uploads_keep_their_name_and_refuse_paths(tmp_path, complexes_dir):
    blob = (complexes_dir / "1VFB.pdb").read_bytes()
    (saved,) = save_uploads(tmp_path, [XSS], [blob])
    assert saved.name == XSS and saved.read_bytes() == blob
    with pytest.raises(PathRefused):
        save_uploads(tmp_path, ["../evil.pdb"], [blob])


def test_model_note_flags_random_weights():
    assert "Random weights" in model_note("random:esm2_t6_8M_UR50D")
    assert "Random" not in model_note("esm2_t33_650M_UR50D")
