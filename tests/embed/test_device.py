"""Device specs, memory-based budgets and the CUDA budget growth, with fake CUDA memory."""

from __future__ import annotations

import os
import queue
import random
import time

import numpy as np
import pytest
import torch

from workbench.embed import EmbedOptions, embed_unique
from workbench.embed import device as device_module
from workbench.embed.device import (
    MAX_BUDGET,
    DeviceSpec,
    DeviceWorker,
    SimulatedOOM,
    Tuned,
    budget_from_memory,
    check_simulated_memory,
    is_oom,
    pace,
    parse_devices,
    recover_from_oom,
)
from workbench.embed.models import load_model
from workbench.embed.scheduler import Batch, Piece

AA = "ACDEFGHIKLMNPQRSTVWY"


def test_parse_devices():
    if not torch.cuda.is_available():
        assert [d.name for d in parse_devices("auto")] == ["cpu"]
        with pytest.raises(ValueError, match="no CUDA device"):
            parse_devices("cuda:0")
    sims = parse_devices("sim:1.0,sim:0.5:2048,sim:1.0")
    assert [d.name for d in sims] == ["sim:1.0", "sim:0.5:2048", "sim:1.0#1"]
    assert (sims[1].speed, sims[1].oom_tokens, sims[2].speed) == (0.5, 2048, 1.0)
    for bad in ("gpu", "sim:0", "sim:x", "cuda:a"):
        with pytest.raises(ValueError, match="expected"):
            parse_devices(bad)


def test_budget_from_memory():
    assert budget_from_memory(10_000_000, 1000.0) == 7000
    assert budget_from_memory(10, 1000.0) == 64
    assert budget_from_memory(1 << 50, 1.0) == MAX_BUDGET


def test_cuda_oom_class_is_recognised():
    assert is_oom(torch.cuda.OutOfMemoryError("x")) and not is_oom(RuntimeError("x"))


def test_simulated_memory_runs_out_above_its_tokens_and_is_recovered_from():
    small, cpu = parse_devices("sim:1.0:100,cpu")
    check_simulated_memory(small, 100)
    check_simulated_memory(cpu, 10**9)
    with pytest.raises(SimulatedOOM, match="101 tokens do not fit") as caught:
        check_simulated_memory(small, 101)
    assert recover_from_oom(caught.value, small)
    assert not recover_from_oom(RuntimeError("not memory"), small)


def test_pace_holds_a_sim_batch_for_its_simulated_time_only():
    """Both backends wait ``tokens x token_seconds / speed`` less the time already spent."""
    sim, cpu = parse_devices("sim:0.5,cpu")
    waits = []
    started = time.perf_counter()
    pace(sim, 1000, 0.001, started, waits.append)
    assert len(waits) == 1 and 1.9 < waits[0] <= 2.0
    pace(sim, 1000, 0.001, started - 5.0, waits.append)
    pace(cpu, 1000, 0.001, started, waits.append)
    assert waits[1:] == [0.0]


def test_budget_grows_when_a_full_batch_left_memory_free(monkeypatch):
    free = {"bytes": 8_000_000}
    monkeypatch.setattr(torch.cuda, "mem_get_info", lambda device: (free["bytes"], 16_000_000))
    outbox = queue.Queue()
    worker = DeviceWorker(
        DeviceSpec("cuda:0", "cuda", "cuda:0"),
        load_model("random:custom_t2_d32_h4"),
        {},
        (2,),
        outbox,
        budget=1000,
    )
    batch = Batch(1, (Piece("a", 500), Piece("b", 500)))
    worker._grow(batch, peak_bytes=1000 * 1000)
    assert outbox.get_nowait() == Tuned("cuda:0", 5600)
    free["bytes"] = 1_000_000
    worker._grow(Batch(2, (Piece("a", 5600),)), peak_bytes=5600 * 1000)
    assert outbox.empty()


def mixed_lengths(n: int, seed: int) -> dict[str, str]:
    rng = random.Random(seed)
    return {f"h{i}": "".join(rng.choice(AA) for _ in range(rng.randint(8, 200))) for i in range(n)}


def test_concurrent_devices_on_mixed_lengths_match_one_thread():
    """Regression: with fair-esm's forward, device threads sharing one module met each other's
    rotary cos/sin tables ("size of tensor a (243) must match the size of tensor b (131)");
    the encoder keeps no state on the modules."""
    tiny = load_model("random:custom_t2_d32_h4")
    options = EmbedOptions(
        devices="sim:1.0,sim:1.0,sim:0.5",
        token_budget=240,
        prefetch=1,
        sim_token_seconds=0.0,
        cpu_threads=1,
    )
    reference = EmbedOptions(devices="cpu", token_budget=240, cpu_threads=1)
    for seed in range(12):
        sequences = mixed_lengths(30, seed)
        got = dict(embed_unique(sequences, options, model=tiny))
        want = dict(embed_unique(sequences, reference, model=tiny))
        assert set(got) == set(sequences)
        for seq_hash, array in want.items():
            np.testing.assert_allclose(got[seq_hash], array, atol=2e-3, rtol=2e-3)


def test_cpu_backed_devices_split_the_cores_and_restore_the_threads(monkeypatch):
    tiny = load_model("random:custom_t2_d32_h4")
    seen = []
    real = device_module.launch

    def spy(model, tokens, layers, precision):
        seen.append((torch.get_num_threads(), model))
        return real(model, tokens, layers, precision)

    monkeypatch.setattr(device_module, "launch", spy)
    before = torch.get_num_threads()
    options = EmbedOptions(devices="sim:1.0,sim:1.0", token_budget=120, sim_token_seconds=0.0)
    assert len(dict(embed_unique(mixed_lengths(12, 0), options, model=tiny))) == 12
    share = max(1, len(os.sched_getaffinity(0)) // 2)
    assert seen and all(threads in (1, share) for threads, _ in seen)
    assert len({threads for threads, _ in seen}) == 1
    assert all(model is tiny.model for _, model in seen)  # CPU devices share the weights
    assert torch.get_num_threads() == before
    seen.clear()
    list(embed_unique({"a": "ACDEFG"}, EmbedOptions(devices="cpu", cpu_threads=1), model=tiny))
    assert [threads for threads, _ in seen] == [1] and torch.get_num_threads() == before
