"""The Dask path: a LocalCluster whose two worker processes declare a fake GPU resource."""

from __future__ import annotations

import os
import random
import signal
import threading

import numpy as np
import pytest
import torch
from distributed import Client, LocalCluster

from workbench.embed import Compute, EmbedOptions, embed_on_cluster, load_model
from workbench.embed.device import CPU_BUDGET
from workbench.embed.distributed import (
    BatchJob,
    _worker_model,
    cluster_budget,
    cluster_compute,
)

AA = "ACDEFGHIKLMNPQRSTVWY"
pytestmark = pytest.mark.timeout(180)


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


def test_batches_survive_a_killed_worker(client, tiny_esm, tiny_checkpoint, store):
    rng = random.Random(7)
    sequences = {
        f"h{i}": "".join(rng.choice(AA) for _ in range(rng.randint(20, 40))) for i in range(40)
    }
    options = EmbedOptions(
        model=str(tiny_checkpoint), devices="sim:1.0", token_budget=120, sim_token_seconds=2e-3
    )
    killed = []

    def kill_one(report):
        if killed:
            return
        busy = {w: keys for w, keys in client.processing().items() if keys}
        pids = client.run(os.getpid)
        victim = next(iter(busy))
        killed.append((victim, len(busy[victim])))
        os.kill(pids[victim], signal.SIGKILL)

    got = dict(embed_on_cluster(sequences, options, client, store, kill_one))
    assert killed and killed[0][1] >= 1
    assert set(got) == set(sequences) and store.puts == 40
    converter = tiny_esm.alphabet.get_batch_converter()
    for seq_hash, sequence in sequences.items():
        tokens = converter([("x", sequence)])[2]
        with torch.no_grad():
            want = tiny_esm(tokens, repr_layers=[2])["representations"][2][0, 1:-1].numpy()
        np.testing.assert_allclose(got[seq_hash], want, atol=1e-2, rtol=1e-2)


def test_out_of_memory_on_a_worker_splits_and_fails_alone(client):
    tiny = load_model("random:custom_t2_d32_h4")
    sequences = {"a": "ACDEFGHIK" * 3, "b": "KLMNPQ" * 4, "c": "W" * 200}
    options = EmbedOptions(
        model="random:custom_t2_d32_h4", devices="sim:1.0:100", token_budget=2000
    )
    failures = []
    got = dict(embed_on_cluster(sequences, options, client, model=tiny, on_failure=failures.append))
    assert sorted(got) == ["a", "b"]
    assert [f.seq_hash for f in failures] == ["c"] and "202 tokens" in failures[0].reason


def test_a_worker_process_loads_the_model_once_for_all_its_threads():
    tiny = load_model("random:custom_t2_d32_h4")
    job = BatchJob("random:custom_t2_d32_h4", 0, tiny.weights_checksum, (2,), "fp32", "cpu", 0.0)
    got = {}

    def take(name):
        got[name] = _worker_model(job)[0].model
        got[f"{name} again"] = _worker_model(job)[0].model

    threads = [threading.Thread(target=take, args=(n,)) for n in "ab"]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert len(got) == 4
    assert got["a"] is got["a again"] is got["b"] is got["b again"]


def test_gpu_workers_report_their_device_and_budget_before_the_batches_are_cut(client):
    tiny = load_model("random:custom_t2_d32_h4")
    options = EmbedOptions(model="random:custom_t2_d32_h4", devices="sim:1.0")
    assert cluster_compute(client, options, tiny) == Compute("cpu", "fp32")  # "auto" off CUDA
    job = BatchJob("random:custom_t2_d32_h4", 0, tiny.weights_checksum, (2,), "fp32", "sim:1.0", 0)
    assert cluster_budget(client, job, None) == CPU_BUDGET  # no CUDA worker to probe
    assert cluster_budget(client, job, 500) == 500
