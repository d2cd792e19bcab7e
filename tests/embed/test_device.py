"""Device specs, memory-based budgets and the CUDA budget growth, with fake CUDA memory."""

from __future__ import annotations

import queue

import pytest
import torch

from workbench.embed.device import (
    MAX_BUDGET,
    DeviceSpec,
    DeviceWorker,
    Tuned,
    budget_from_memory,
    is_oom,
    parse_devices,
)
from workbench.embed.models import load_model
from workbench.embed.scheduler import Batch, Piece


def test_parse_devices():
    if not torch.cuda.is_available():
        assert [d.name for d in parse_devices("auto")] == ["cpu"]
        with pytest.raises(ValueError, match="CUDA is not available"):
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
