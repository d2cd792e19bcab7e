"""Scoring files on the device pool: batches, out-of-memory back-off, sharing, cache, the CLI."""

from __future__ import annotations

import subprocess
import sys

import pandas as pd
import pytest

from workbench.cache import CacheStore
from workbench.score import capri_class, load_checkpoint, score_files
from workbench.score.loader import GraphRef, graph_refs, loader_settings, pack_batches


@pytest.fixture(scope="module")
def plain(checkpoints):
    return load_checkpoint(checkpoints["plain"])


@pytest.fixture(scope="module")
def check_reference(reference_predictions):
    """Assert every score equals their plain-checkpoint prediction for its group."""
    expected = reference_predictions("plain")

    def check(table: pd.DataFrame) -> None:
        for item, score in zip(table["item_id"], table["score"], strict=True):
            assert score == pytest.approx(expected[item.split("_c")[0]], abs=1e-5)

    return check


def test_batches_respect_the_node_and_edge_budgets():
    refs = [
        GraphRef("f", str(i), nodes, edges)
        for i, (nodes, edges) in enumerate(
            [(100, 900), (300, 2000), (50, 100), (250, 1500), (80, 400)]
        )
    ]
    batches = pack_batches(refs, node_budget=400, edge_budget=3000)
    assert sorted(i for batch in batches for i in batch) == list(range(5))
    for batch in batches:
        assert len(batch) == 1 or (
            sum(refs[i].nodes for i in batch) <= 400 and sum(refs[i].edges for i in batch) <= 3000
        )
    assert batches[0][0] == 1  # largest first
    assert pack_batches(refs[:1], 10, 10) == [[0]]  # too large alone: a batch of one


def test_graph_sizes_come_from_shapes(reference_graphs):
    refs = graph_refs(reference_graphs)
    assert {ref.name: ref.nodes for ref in refs}["1VFB"] == 192
    assert {ref.name: ref.edges for ref in refs}["1VFB"] == 830 + 816


def test_loader_settings_follow_the_machine():
    assert loader_settings("cuda", 2, cpus=16).pin_memory
    assert loader_settings("cuda", 2, cpus=16).num_workers == 7
    assert loader_settings("cpu", 1, cpus=1).num_workers == 0


def test_scores_and_ranks_match_the_reference(plain, reference_graphs, check_reference):
    result = score_files([reference_graphs], plain)
    table = result.table
    check_reference(table)
    assert list(table["rank"]) == list(range(1, 8))
    assert table["score"].is_monotonic_decreasing
    assert set(table["capri"]) == {"incorrect"}
    assert table.set_index("item_id").loc["4Y7M", "outside_training"]  # the nanobody
    assert not table["outside_training"].drop(table.index[table.item_id == "4Y7M"]).any()
    assert not table["untrained"].any() and not table["clash"].any()


def test_out_of_memory_splits_the_batch_and_a_lone_graph_falls_back_to_cpu(
    plain, reference_graphs, check_reference
):
    # 1,411 nodes in all; a simulated device that holds 600 nodes must split down to pairs
    split = score_files([reference_graphs], plain, devices="sim:1:600")
    check_reference(split.table)
    assert sum(batch.splits for batch in split.batches) >= 2
    # one that holds 150 nodes fits no graph (192-253 nodes): each is scored on the CPU
    tiny = score_files([reference_graphs], plain, devices="sim:1:150")
    check_reference(tiny.table)
    assert len(tiny.table) == 7


def test_two_devices_share_the_work_and_every_graph_is_scored_once(
    plain, many_graphs, check_reference
):
    result = score_files([many_graphs], plain, devices="sim:1,sim:0.5", budget=(600, 5_000))
    assert len(result.table) == 28 and result.table["item_id"].is_unique
    check_reference(result.table)
    devices = {batch.device for batch in result.batches}
    assert devices == {"sim:1", "sim:0.5"}
    assert sum(batch.graphs for batch in result.batches) == 28


def test_cached_scores_are_reused(plain, reference_graphs, tmp_path):
    store = CacheStore(tmp_path / "cache")
    first = score_files([reference_graphs], plain, cache=store)
    again = score_files([reference_graphs], plain, cache=store)
    assert sum(batch.cached for batch in first.batches) == 0
    assert sum(batch.cached for batch in again.batches) == 7
    pd.testing.assert_frame_equal(first.table, again.table)


def test_capri_classes():
    assert [capri_class(v) for v in (0.1, 0.23, 0.48, 0.49, 0.79, 0.8)] == [
        "incorrect",
        "acceptable",
        "acceptable",
        "medium",
        "medium",
        "high",
    ]


def test_cli_writes_ranked_scores(tmp_path, reference_graphs, checkpoints, reference_predictions):
    out = tmp_path / "scored"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "workbench.cli",
            "score",
            str(reference_graphs),
            "--scorer",
            f"deeprank-ab:{checkpoints['ema']}",
            "--out",
            str(out),
            "--no-cache",
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert "scored 7 graphs" in done.stdout and "5GRJ" in done.stdout
    table = pd.read_parquet(out / "scores.parquet")
    expected = reference_predictions("ema")
    assert table["item_id"].iloc[0] == max(expected, key=expected.get)
    for item, score in zip(table["item_id"], table["score"], strict=True):
        assert score == pytest.approx(expected[item], abs=1e-5)


def test_cli_names_a_missing_graph_file(tmp_path):
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "workbench.cli",
            "score",
            str(tmp_path / "nope.h5"),
            "--scorer",
            "random:deeprank-ab",
            "--out",
            str(tmp_path / "o"),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2 and "nope.h5: no such file" in done.stderr
