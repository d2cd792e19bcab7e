"""A run with --scorer: deeprank-ab graphs with ESM scalars, a score stage, ranks, export."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import h5py
import numpy as np
import pandas as pd
import pytest

from workbench.output.embeddings import read_embedding
from workbench.record.config import RunConfig
from workbench.record.eventlog import read_events
from workbench.record.events import BatchDone
from workbench.schema import OptionError
from workbench.structure.sequences import sequence_hash

EXAMPLES = Path(__file__).parents[2] / "workbench" / "examples"
SCORER = "random:deeprank-ab:3"


def _cli(*args: str, timeout: float = 600) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "workbench.cli", *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=timeout)


@pytest.fixture(scope="module")
def scored_run(tmp_path_factory) -> tuple[Path, subprocess.CompletedProcess]:
    """`workbench run` on two examples (one nanobody) with a seeded untrained scorer."""
    root = tmp_path_factory.mktemp("deeprank")
    out = root / "run"
    done = _cli(
        "run",
        str(EXAMPLES / "1VFB.pdb"),
        str(EXAMPLES / "4Y7M.pdb"),
        "--out",
        str(out),
        "--model",
        "random:esm2_t6_8M_UR50D",
        "--scorer",
        SCORER,
        "--workers",
        "1",
        "--cache-dir",
        str(root / "cache"),
        "--quiet",
    )
    assert done.returncode == 0, done.stderr
    return out, done


def test_every_item_is_scored_and_ranked(scored_run):
    out, done = scored_run
    structures = pd.read_parquet(out / "structures.parquet")
    scores = pd.read_parquet(out / "scores.parquet")
    assert sorted(scores["item_id"]) == sorted(structures["item_id"])
    assert list(scores["rank"]) == [1, 2]
    assert scores["score"].is_monotonic_decreasing
    assert set(scores["source"]) == set(structures["source"])
    assert (scores["rank_in_group"] == 1).all()  # one model per source file
    assert scores["untrained"].all()
    nanobody = scores[scores["source"].str.endswith("4Y7M.pdb")]
    assert nanobody["outside_training"].all()  # heavy only: no light-chain regions
    assert not scores.drop(nanobody.index)["outside_training"].any()
    assert json.loads((out / "run.json").read_text())["scores_untrained"] is True
    # the CLI summary: the ranking, with the untrained weights said plainly
    assert "UNTRAINED" in done.stdout
    assert scores["item_id"].iat[0] in done.stdout


def test_score_batches_are_events_per_device(scored_run):
    out, _ = scored_run
    events = read_events(out / "events.sqlite")
    batches = [e for _, e in events if isinstance(e, BatchDone)]
    scored = [b for b in batches if b.stage == "score"]
    assert scored and sum(b.items for b in scored) == 2
    assert all(b.device and b.tokens > 0 for b in scored)  # tokens: nodes in the batch


def test_nodes_carry_the_esm_scalar_of_heavy_and_light_as_one_sequence(scored_run):
    out, _ = scored_run
    with h5py.File(out / "deeprank_ab.h5", "r") as graphs:
        assert len(graphs) == 2
        for item_id, group in graphs.items():
            link = graphs.get(item_id, getlink=True)  # an index into the workers' shards
            assert link.filename.startswith("deeprank_ab/part-"), link.filename
            side = group["node_data/chain"][()]
            where = group.attrs["esm_index"]
            values = group["node_data/embedding"][()].reshape(-1)
            hashes = list(group.attrs["esm_hashes"])
            for s in (0, 1):
                per_residue = read_embedding(out / "embeddings.h5", hashes[s])
                expected = per_residue.astype(np.float32).mean(axis=1)[where[side == s]]
                np.testing.assert_array_equal(values[side == s], expected, err_msg=item_id)
    # the antibody's ESM input is ONE sequence, heavy then light, as DeepRank-Ab embeds it
    chains = pd.read_parquet(out / "chains.parquet")
    text = pd.read_parquet(out / "sequences.parquet").set_index("seq_hash")["sequence"]
    vfb = chains[chains["item_id"].str.startswith("1VFB")].set_index("role")["seq_hash"]
    joined = sequence_hash(text[vfb["heavy"]] + text[vfb["light"]])
    with h5py.File(out / "deeprank_ab.h5", "r") as graphs:
        item = next(name for name in graphs if name.startswith("1VFB"))
        assert graphs[item].attrs["esm_hashes"][0] == joined
    with h5py.File(out / "embeddings.h5", "r") as embeddings:
        assert joined in embeddings["per_residue"]


def test_export_is_their_layout_and_workbench_score_reads_it(scored_run, tmp_path):
    out, _ = scored_run
    exported = tmp_path / "export.h5"
    done = _cli("export", str(out), "--format", "deeprank-ab", "-o", str(exported))
    assert done.returncode == 0, done.stderr
    with h5py.File(exported, "r") as handle:
        assert sorted(handle) == sorted(pd.read_parquet(out / "structures.parquet")["item_id"])
        assert all(isinstance(handle.get(n, getlink=True), h5py.HardLink) for n in handle)
        group = handle[next(iter(handle))]
        for name in ("nodes", "edge_index", "internal_edge_index", "clustering/mcl/depth_1"):
            assert name in group
    rescored = _cli("score", str(exported), "--scorer", SCORER, "--out", str(tmp_path / "s"))
    assert rescored.returncode == 0, rescored.stderr
    again = pd.read_parquet(tmp_path / "s" / "scores.parquet").set_index("item_id")["score"]
    first = pd.read_parquet(out / "scores.parquet").set_index("item_id")["score"]
    pd.testing.assert_series_equal(again.sort_index(), first.sort_index())


def test_export_of_a_run_without_the_profile_is_refused(tmp_path):
    (tmp_path / "run.json").write_text("{}")
    done = _cli("export", str(tmp_path), "--format", "deeprank-ab", "-o", str(tmp_path / "x.h5"))
    assert done.returncode == 2
    assert "--features deeprank-ab" in done.stderr
    assert not (tmp_path / "x.h5").exists()


def test_a_scorer_implies_the_profile_and_needs_the_embed_stage():
    config = RunConfig.build(inputs=("x.pdb",), out="o", scorer=SCORER)
    assert config.graph.features == "deeprank-ab"
    with pytest.raises(OptionError, match="embed stage"):
        RunConfig.build(inputs=("x.pdb",), out="o", scorer=SCORER, stages=("prep",))


def test_a_scorer_that_does_not_load_is_a_usage_error_before_any_output(tmp_path):
    bad = tmp_path / "broken.pth.tar"
    bad.write_bytes(b"not a checkpoint")
    out = tmp_path / "run"
    done = _cli("run", str(EXAMPLES / "1VFB.pdb"), "-o", str(out), "--scorer", f"deeprank-ab:{bad}")
    assert done.returncode == 2
    assert "--scorer" in done.stderr and "broken.pth.tar" in done.stderr
    assert not out.exists()
