"""Checkpoints that cannot be scored with are refused, naming the file and the first problem."""

from __future__ import annotations

import argparse
import subprocess
import sys

import pytest
import torch

from workbench.score import CheckpointError, load_checkpoint, resolve_scorer


@pytest.fixture(scope="module")
def plain_state(checkpoints):
    return torch.load(checkpoints["plain"], map_location="cpu", weights_only=True)


def _saved(tmp_path, state, name="edited.pth.tar"):
    path = tmp_path / name
    torch.save(state, path)
    return path


def test_both_reference_checkpoints_load_weights_only(checkpoints):
    plain, ema = load_checkpoint(checkpoints["plain"]), load_checkpoint(checkpoints["ema"])
    assert not plain.ema and ema.ema
    assert plain.node_features == ("atom_type", "polarity", "bsa", "region", "embedding")
    assert plain.edge_features == ("voro_area", "covalent", "vdw", "orientation")
    assert plain.batch_size == 128 and len(plain.checksum) == 64


def test_corrupt_file_is_refused(tmp_path):
    path = tmp_path / "corrupt.pth.tar"
    path.write_bytes(b"\x00not a checkpoint" * 100)
    with pytest.raises(CheckpointError, match=r"corrupt.pth.tar: unreadable checkpoint"):
        load_checkpoint(path)


def test_truncated_file_is_refused(tmp_path, checkpoints):
    data = checkpoints["plain"].read_bytes()
    path = tmp_path / "truncated.pth.tar"
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(CheckpointError, match=r"truncated.pth.tar: unreadable checkpoint"):
        load_checkpoint(path)


def test_foreign_checkpoint_is_refused_without_running_its_pickle(tmp_path):
    """An ESM-2 hub file holds an argparse.Namespace: weights_only refuses it, we say why."""
    esm_like = {"model": {"w": torch.zeros(2)}, "cfg": {"model": argparse.Namespace(layers=2)}}
    path = _saved(tmp_path, esm_like, "esm2_t6_8M_UR50D.pt")
    with pytest.raises(CheckpointError, match=r"not a DeepRank-Ab checkpoint.*Namespace"):
        load_checkpoint(path)


def test_checkpoint_without_deeprank_entries_is_refused(tmp_path):
    path = _saved(tmp_path, {"model": {}, "epoch": 3})
    with pytest.raises(CheckpointError, match=r"no 'node', 'edge', 'task' entry"):
        load_checkpoint(path)


def test_wrong_shape_names_the_first_mismatch(tmp_path, plain_state):
    state = dict(plain_state, model=dict(plain_state["model"]))
    state["model"]["fc2.weight"] = torch.zeros(64, 100)
    with pytest.raises(CheckpointError, match=r"model\['fc2.weight'\] has shape \(64, 100\)"):
        load_checkpoint(_saved(tmp_path, state))


def test_missing_and_extra_keys_are_named(tmp_path, plain_state):
    missing = dict(plain_state, model=dict(plain_state["model"]))
    del missing["model"]["blocks_int.3.phi_x.2.bias"]
    with pytest.raises(CheckpointError, match=r"lacks 'blocks_int.3.phi_x.2.bias'"):
        load_checkpoint(_saved(tmp_path, missing, "missing.pth.tar"))
    extra = dict(plain_state, model=dict(plain_state["model"], **{"fc4.weight": torch.zeros(1)}))
    with pytest.raises(CheckpointError, match=r"has 'fc4.weight'"):
        load_checkpoint(_saved(tmp_path, extra, "extra.pth.tar"))


def test_feature_list_that_does_not_fit_the_weights_is_refused(tmp_path, plain_state):
    state = dict(plain_state, node=["atom_type", "polarity", "bsa", "region"])
    with pytest.raises(CheckpointError, match=r"s_in.0.weight'\] has shape \(51,\)"):
        load_checkpoint(_saved(tmp_path, state))
    state = dict(plain_state, edge=["voro_area", "hbond"])
    with pytest.raises(CheckpointError, match=r"edge feature 'hbond' is not one"):
        load_checkpoint(_saved(tmp_path, state, "hbond.pth.tar"))


def test_ema_flag_without_ema_weights_is_refused(tmp_path, plain_state):
    state = dict(plain_state, ema_active=True)
    with pytest.raises(CheckpointError, match=r"ema_active is set but ema_state holds no"):
        load_checkpoint(_saved(tmp_path, state))


def test_scorer_grammar():
    assert resolve_scorer("random:deeprank-ab:7").checksum == "random:7"
    with pytest.raises(CheckpointError, match=r"expected deeprank-ab:PATH"):
        resolve_scorer("deeprank:x")


def test_cli_refuses_a_bad_checkpoint_before_any_work(tmp_path, reference_graphs):
    bad = tmp_path / "bad.pth.tar"
    bad.write_bytes(b"garbage")
    out = tmp_path / "out"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "workbench.cli",
            "score",
            str(reference_graphs),
            "--scorer",
            f"deeprank-ab:{bad}",
            "--out",
            str(out),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2, done.stderr
    assert "bad.pth.tar: unreadable checkpoint" in done.stderr
    assert not out.exists()
