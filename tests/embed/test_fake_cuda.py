"""The CUDA path of the device workers on fake CUDA devices: the CPU computes, torch.cuda's
memory functions are stand-ins, and a device raises torch.cuda.OutOfMemoryError above a set
number of padded tokens while reporting plenty of free memory (so its tuner keeps asking for
more)."""

from __future__ import annotations

import random
import threading

import pytest
import torch

from workbench.embed import EmbedOptions, embed_unique, load_model
from workbench.embed import device as device_module
from workbench.embed.device import DeviceSpec, DeviceWorker

AA = "ACDEFGHIKLMNPQRSTVWY"


class FakeCuda:
    """Two CUDA devices computing on the CPU; ``limits``: padded tokens that fit on each."""

    def __init__(self, monkeypatch, limits: dict[str, int], probe: dict[str, int]) -> None:
        self.limits = limits
        self.log: list[tuple[str, int, int, bool]] = []  # device, padded tokens, pieces, OOM
        self.peak: dict[str, int] = {}
        self.precisions: set[str] = set()
        self.lone_failed = threading.Event()
        real_launch = device_module.launch
        specs = [DeviceSpec(name, "cuda", "cpu") for name in limits]

        def launch(model, tokens, layers, precision):
            name = threading.current_thread().name.removeprefix("embed-")
            oom = tokens.numel() > self.limits[name]
            self.log.append((name, tokens.numel(), tokens.shape[0], oom))
            self.precisions.add(precision)
            if oom:
                if tokens.shape[0] == 1:
                    self.lone_failed.set()
                raise torch.cuda.OutOfMemoryError(f"{name}: {tokens.numel()} tokens")
            self.peak[name] = tokens.numel() * 1000
            return real_launch(model, tokens, layers, precision)

        def probe_budget(worker):
            if worker.device.name != specs[0].name:  # the others start once the first failed
                assert self.lone_failed.wait(timeout=60)
            return probe[worker.device.name]

        def peak(device):
            return self.peak.get(threading.current_thread().name.removeprefix("embed-"), 0)

        monkeypatch.setattr(device_module, "parse_devices", lambda spec: specs)
        monkeypatch.setattr(device_module, "launch", launch)
        monkeypatch.setattr(DeviceWorker, "_probe_budget", probe_budget)
        monkeypatch.setattr(torch.Tensor, "pin_memory", lambda tensor: tensor)
        monkeypatch.setattr(torch.cuda, "empty_cache", lambda: None)
        monkeypatch.setattr(torch.cuda, "get_device_capability", lambda device: (9, 0))
        monkeypatch.setattr(torch.cuda, "reset_peak_memory_stats", lambda device: None)
        monkeypatch.setattr(torch.cuda, "memory_allocated", lambda device: 0)
        monkeypatch.setattr(torch.cuda, "max_memory_allocated", peak)
        monkeypatch.setattr(torch.cuda, "mem_get_info", lambda device: (1 << 40, 1 << 40))


@pytest.fixture(scope="module")
def tiny():
    return load_model("random:custom_t2_d32_h4")


def test_budget_stays_below_a_failed_size_and_a_lone_piece_moves_to_a_larger_device(
    tiny, monkeypatch, fake_streams
):
    fake = FakeCuda(monkeypatch, {"cuda:0": 700, "cuda:1": 5000}, {"cuda:0": 8000, "cuda:1": 8000})
    rng = random.Random(0)
    sequences = {f"s{i}": "".join(rng.choices(AA, k=rng.randint(40, 60))) for i in range(300)}
    sequences["huge"] = (AA * 50)[:1000]
    options = EmbedOptions(devices="cuda:0", prefetch=1)  # parse_devices is the fake's
    got = dict(embed_unique(sequences, options, model=tiny))  # failures would raise
    assert set(got) == set(sequences) and got["huge"].shape == (1000, 32)
    assert fake.precisions == {"bf16"}  # "auto" on CUDA devices with bf16
    for name in fake.limits:
        smallest_failed = None
        for device, tokens, pieces, oom in fake.log:
            if device != name:
                continue
            if pieces > 1 and smallest_failed is not None:
                assert tokens < smallest_failed, (name, tokens, smallest_failed)
            if oom:
                smallest_failed = min(tokens, smallest_failed or tokens)
    lone = [(d, oom) for d, tokens, pieces, oom in fake.log if (tokens, pieces) == (1002, 1)]
    assert lone == [("cuda:0", True), ("cuda:1", False)]
    assert sum(oom for d, *_, oom in fake.log if d == "cuda:0") >= 3  # it kept being tuned up
