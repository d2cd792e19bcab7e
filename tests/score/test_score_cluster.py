"""Scoring on a Dask cluster: two worker processes with a fake GPU resource, one killed midway."""

from __future__ import annotations

import os
import signal

import pytest
from distributed import Client, LocalCluster

from workbench.score import load_checkpoint, score_files
from workbench.score.distributed import ScoreJob, _worker_scorer

pytestmark = pytest.mark.timeout(300)


@pytest.fixture(scope="module")
def client():
    with (
        LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            processes=True,
            resources={"GPU": 1},
            dashboard_address=":0",
        ) as cluster,
        Client(cluster) as client,
    ):
        yield client


def test_a_worker_killed_mid_scoring_loses_no_graph(client, checkpoints, many_graphs):
    checkpoint = load_checkpoint(checkpoints["plain"])
    pids = client.run(os.getpid)
    killed = []

    def kill_one(report) -> None:
        if not killed:
            victim = next(iter(pids))
            killed.append(victim)
            os.kill(pids[victim], signal.SIGKILL)

    result = score_files(
        [many_graphs], checkpoint, budget=(700, 6_000), client=client, on_batch=kill_one
    )
    assert killed
    table = result.table
    assert len(table) == 28 and table["item_id"].is_unique
    alone = score_files([many_graphs], checkpoint).table.set_index("item_id")["score"]
    for item, score in zip(table["item_id"], table["score"], strict=True):
        assert abs(score - alone[item]) <= 1e-6


def test_a_cluster_without_gpu_workers_is_refused(checkpoints, reference_graphs):
    checkpoint = load_checkpoint(checkpoints["plain"])
    with (
        LocalCluster(n_workers=1, processes=False, dashboard_address=":0") as cluster,
        Client(cluster) as plain_client,
        pytest.raises(ValueError, match="no Dask worker declares the resource GPU"),
    ):
        score_files([reference_graphs], checkpoint, client=plain_client)


def test_a_worker_loads_the_checkpoint_once(checkpoints):
    checkpoint = load_checkpoint(checkpoints["plain"])
    job = ScoreJob(checkpoint.spec, checkpoint.checksum, devices="cpu")
    assert _worker_scorer(job) is _worker_scorer(job)
    with pytest.raises(ValueError, match="differs from the one the run checked"):
        _worker_scorer(ScoreJob(checkpoint.spec, "0" * 64, devices="cpu"))
