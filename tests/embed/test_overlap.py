"""Two batches in flight on fake CUDA devices (the CPU computes; streams, events, pinned memory
and torch.cuda's memory functions are stand-ins): batch N+1 is launched before batch N's
output is read, the arrays equal the synchronous CPU path's, only real residues come back, and
a batch that runs out of memory while another is in flight leaves that one's results intact."""

from __future__ import annotations

import queue
import random
import threading
from types import SimpleNamespace

import numpy as np
import pytest
import torch

from workbench.embed import device as device_module
from workbench.embed.device import (
    DeviceSpec,
    DeviceWorker,
    Finished,
    OutOfMemory,
    Ready,
)
from workbench.embed.models import load_model
from workbench.embed.scheduler import Batch, Piece
from workbench.embed.transfer import CudaTransfer

AA = "ACDEFGHIKLMNPQRSTVWY"
LAYERS = (1, 2)
CUDA = DeviceSpec("cuda:0", "cuda", "cpu")
CPU = DeviceSpec("cpu", "cpu", "cpu")


@pytest.fixture(scope="module")
def tiny():
    return load_model("random:custom_t2_d32_h4")


def make_batches(sizes: list[list[int]], seed: int = 0) -> tuple[list[Batch], dict[str, str]]:
    """Batches of sequences with the given residue counts, and the sequences by key."""
    rng = random.Random(seed)
    texts, batches = {}, []
    for i, lengths in enumerate(sizes):
        pieces = []
        for j, n in enumerate(lengths):
            texts[f"b{i}s{j}"] = "".join(rng.choices(AA, k=n))
            pieces.append(Piece(f"b{i}s{j}", n + 2))
        batches.append(Batch(i, tuple(pieces)))
    return batches, texts


@pytest.fixture
def fake_cuda(monkeypatch, fake_streams):
    """Memory functions with plenty free, and a launch that logs ("launch", device, n) and
    raises torch.cuda.OutOfMemoryError above ``fake_streams.oom_tokens`` padded tokens."""
    real = device_module.launch
    fake_streams.oom_tokens = None
    launches: dict[str, int] = {}

    def launch(model, tokens, layers, precision):
        name = threading.current_thread().name.removeprefix("embed-")
        number = launches[name] = launches.get(name, -1) + 1
        too_big = fake_streams.oom_tokens is not None and tokens.numel() > fake_streams.oom_tokens
        fake_streams.log.append(("oom" if too_big else "launch", name, number))
        if too_big:
            raise torch.cuda.OutOfMemoryError(f"{name}: {tokens.numel()} tokens")
        return real(model, tokens, layers, precision)

    monkeypatch.setattr(device_module, "launch", launch)
    monkeypatch.setattr(torch.Tensor, "pin_memory", lambda tensor: tensor)
    monkeypatch.setattr(torch.cuda, "empty_cache", lambda: None)
    monkeypatch.setattr(torch.cuda, "reset_peak_memory_stats", lambda device: None)
    monkeypatch.setattr(torch.cuda, "memory_allocated", lambda device: 0)
    monkeypatch.setattr(torch.cuda, "max_memory_allocated", lambda device: 0)
    monkeypatch.setattr(torch.cuda, "mem_get_info", lambda device: (1 << 40, 1 << 40))
    return fake_streams


def run_worker(device, tiny, texts, batches, precision="fp32"):
    """The messages of one worker given ``batches`` up front, until each batch is answered."""
    outbox: queue.Queue = queue.Queue()
    worker = DeviceWorker(
        device, tiny, texts, LAYERS, outbox, precision=precision, budget=100_000, prefetch=2
    )
    for batch in batches:
        worker.submit(batch)
    worker.start()
    assert isinstance(outbox.get(timeout=60), Ready)
    messages = [outbox.get(timeout=60) for _ in batches]
    worker.stop()
    worker.join(timeout=60)
    return worker, messages


def test_batch_n_plus_1_is_launched_before_batch_n_is_read(tiny, fake_cuda):
    fake_cuda.collect_seconds = 0.02  # a slow copy back
    batches, texts = make_batches([[30, 25], [40], [12, 12, 9], [50], [20]])
    worker, messages = run_worker(CUDA, tiny, texts, batches)
    assert worker.depth == 2
    assert [m.batch.batch_id for m in messages] == [0, 1, 2, 3, 4]
    assert all(isinstance(m, Finished) for m in messages)
    steps = [(step, n) for step, _, n in fake_cuda.log]
    assert steps == [
        ("launch", 0),
        ("launch", 1),
        ("collect", 0),
        ("launch", 2),
        ("collect", 1),
        ("launch", 3),
        ("collect", 2),
        ("launch", 4),
        ("collect", 3),
        ("collect", 4),
    ]


@pytest.mark.parametrize("precision", ["fp32", "bf16"])
def test_arrays_equal_the_synchronous_cpu_path(tiny, fake_cuda, precision):
    batches, texts = make_batches([[30, 25, 3], [40], [12, 60, 9], [50, 50], [20]], seed=1)
    _, overlapped = run_worker(CUDA, tiny, texts, batches, precision)
    cpu, synchronous = run_worker(CPU, tiny, texts, batches, precision)
    assert cpu.depth == 1
    for got, want in zip(overlapped, synchronous, strict=True):
        assert got.batch == want.batch
        for piece, a, b in zip(got.batch.pieces, got.arrays, want.arrays, strict=True):
            assert a.shape == (piece.tokens - 2, 32 * len(LAYERS)) and a.dtype == np.float16
            assert not np.isnan(a).any()  # the buffers start as NaN: every row was copied
            np.testing.assert_array_equal(a, b)


def test_only_real_rows_come_back_into_reused_grown_buffers(fake_streams):
    transfer = CudaTransfer("cuda:0")
    out = torch.arange(3 * 7 * 2, dtype=torch.float16).reshape(3, 7, 2)  # 3 rows padded to 5+2
    first = transfer.start(out, [5, 2, 4])
    assert (
        first.host.shape == (11, 2) and first.buffer.numel() == 32
    )  # 11 rows x 2, padding dropped
    arrays = transfer.finish(first)
    for i, (array, n) in enumerate(zip(arrays, [5, 2, 4], strict=True)):
        np.testing.assert_array_equal(array, out[i, 1 : n + 1].numpy())
    small = transfer.start(out[:1], [3])
    assert small.buffer is first.buffer  # reused
    large = transfer.start(torch.zeros(4, 12, 2, dtype=torch.float16), [10] * 4)  # while in flight
    assert large.buffer.numel() == 128 and fake_streams.buffers == 2
    transfer.finish(small)
    transfer.finish(large)
    again = transfer.start(torch.zeros(2, 102, 2, dtype=torch.float16), [100, 100])
    assert again.buffer.numel() == 512 and fake_streams.buffers == 3  # the largest free was short
    transfer.finish(again)
    assert sorted(b.numel() for b in transfer._free) == [32, 512]


def test_an_oom_while_another_batch_is_in_flight_keeps_that_batchs_results(tiny, fake_cuda):
    batches, texts = make_batches([[30, 30], [200, 200], [20]])
    fake_cuda.oom_tokens = 300  # batch 1 (2 x 202) does not fit
    worker, messages = run_worker(CUDA, tiny, texts, batches)
    assert [(type(m), m.batch.batch_id) for m in messages] == [
        (OutOfMemory, 1),
        (Finished, 0),
        (Finished, 2),
    ]
    assert [step for step, *_ in fake_cuda.log] == ["launch", "oom", "launch", "collect", "collect"]
    assert worker.budget.ceiling == batches[1].tokens
    _, reference = run_worker(CPU, tiny, texts, [batches[0], batches[2]])
    for got, want in zip(messages[1:], reference, strict=True):
        for a, b in zip(got.arrays, want.arrays, strict=True):
            np.testing.assert_array_equal(a, b)


def test_stopping_collects_the_launched_batches_and_drops_the_rest(tiny, fake_cuda):
    batches, texts = make_batches([[10], [11], [12], [13]])
    outbox: queue.Queue = queue.Queue()
    worker = DeviceWorker(CUDA, tiny, texts, LAYERS, outbox, budget=100_000, prefetch=2)
    fake_cuda.on_collect = worker.stop  # told to stop while batch 1 is in flight
    for batch in batches:
        worker.submit(batch)
    worker.start()
    worker.join(timeout=60)
    assert not worker.is_alive()
    messages = [outbox.get_nowait() for _ in range(outbox.qsize())]
    assert isinstance(messages[0], Ready)
    assert [(type(m), m.batch.batch_id) for m in messages[1:]] == [(Finished, 0), (Finished, 1)]


def test_overlapping_batches_seconds_add_up_to_the_busy_time(tiny, fake_cuda, monkeypatch):
    """Each batch's seconds start at its launch or the previous batch's end, whichever is
    later, so the scheduler's rates do not count the overlap twice (a clock that ticks once
    per reading: launches at 0, 1, 3, 5, ends at 2, 4, 6, 7)."""
    ticks = iter(range(100))
    monkeypatch.setattr(device_module, "time", SimpleNamespace(perf_counter=lambda: next(ticks)))
    batches, texts = make_batches([[10], [11], [12], [13]])
    _, messages = run_worker(CUDA, tiny, texts, batches)
    assert [m.seconds for m in messages] == [2, 2, 2, 1]
