"""What embeddings depend on: the precision 'auto' resolves to, the device kind, the library
versions in the cache key, and the padded batch the memory probe runs."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import esm
import pytest
import torch

from workbench.embed import EmbedOptions, embed_unique, load_model
from workbench.embed import device as device_module
from workbench.embed import distributed as distributed_module
from workbench.embed import runner as runner_module
from workbench.embed.compute import Compute, compute_for, library_versions, resolve_precision
from workbench.embed.device import (
    DeviceSpec,
    budget_from_memory,
    parse_devices,
    probe_budget,
    probe_tokens,
)
from workbench.embed.devices import cuda_present, device_specs, local_devices
from workbench.embed.distributed import BatchJob, worker_budget
from workbench.embed.runner import embedding_key, local_compute

CUDA = [DeviceSpec("cuda:0", "cuda", "cuda:0"), DeviceSpec("cuda:1", "cuda", "cuda:1")]


@pytest.fixture(scope="module")
def tiny():
    return load_model("random:custom_t2_d32_h4")


def test_auto_precision_is_bf16_only_when_every_device_is_cuda_with_bf16(monkeypatch):
    assert resolve_precision("auto", []) == "fp32"
    assert resolve_precision("auto", [True, True]) == "bf16"
    assert resolve_precision("auto", [True, False]) == "fp32"
    assert resolve_precision("fp16", [False]) == "fp16"
    assert resolve_precision("fp32", [True]) == "fp32"
    sims = device_specs("sim:1.0,sim:0.5,cpu", 0)
    assert compute_for(sims, "auto") == Compute("cpu", "fp32")
    capability = {"cuda:0": (9, 0), "cuda:1": (8, 0)}
    monkeypatch.setattr(torch.cuda, "get_device_capability", lambda device: capability[device])
    assert compute_for(CUDA, "auto") == Compute("cuda", "bf16")
    capability["cuda:1"] = (7, 5)  # a V100/T4-class card: no native bf16
    assert compute_for(CUDA, "auto") == Compute("cuda", "fp32")
    assert compute_for([CUDA[0], sims[2]], "auto") == Compute("cpu+cuda", "fp32")
    assert compute_for(CUDA, "bf16") == Compute("cuda", "bf16")
    if not torch.cuda.is_available():
        assert local_compute(EmbedOptions()) == Compute("cpu", "fp32")


def _installed(monkeypatch, **versions: str) -> None:
    """Pretend other torch / fair-esm versions are installed (the key reads them once)."""
    changed = {**library_versions(), **versions}
    monkeypatch.setattr(runner_module, "library_versions", lambda: changed)


def test_the_versions_in_the_key_are_the_imported_modules_own():
    assert dict(library_versions()) == {
        "torch": str(torch.__version__),
        "fair_esm": str(esm.__version__),
    }


def test_cache_key_names_torch_fair_esm_device_and_resolved_precision(tiny, monkeypatch):
    options = EmbedOptions()
    base = embedding_key("ACDE", tiny, options, Compute("cpu", "fp32"))
    assert base.digest == embedding_key("ACDE", tiny, options, Compute("cpu", "fp32")).digest
    others = [
        embedding_key("ACDE", tiny, options, Compute("cuda", "fp32")),
        embedding_key("ACDE", tiny, options, Compute("cpu", "bf16")),
    ]
    _installed(monkeypatch, torch="9.9.9")
    others.append(embedding_key("ACDE", tiny, options, Compute("cpu", "fp32")))
    monkeypatch.undo()
    _installed(monkeypatch, fair_esm="9.9.9")
    others.append(embedding_key("ACDE", tiny, options, Compute("cpu", "fp32")))
    assert len({base.digest, *(k.digest for k in others)}) == 5


def test_a_cache_written_with_one_torch_is_not_reused_by_another(tiny, store, monkeypatch):
    sequences = {"a": "ACDEFGHIK", "b": "KLMNPQRST"}
    options = EmbedOptions(devices="cpu", cpu_threads=1)
    first = dict(embed_unique(sequences, options, store, model=tiny))
    assert store.puts == 2
    again = dict(embed_unique(sequences, options, store, model=tiny))
    assert store.puts == 2 and again.keys() == first.keys()  # same torch: served from the cache
    _installed(monkeypatch, torch="9.9.9")
    dict(embed_unique(sequences, options, store, model=tiny))
    assert store.puts == 4 and len(store.data) == 4


class FakeMemory:
    """torch.cuda's memory functions for a 'CUDA' device that computes on the CPU."""

    def __init__(self, monkeypatch, free: int, bytes_per_token: int) -> None:
        self.launched: list[torch.Tensor] = []
        real = device_module.launch

        def launch(model, tokens, layers, precision):
            self.launched.append(tokens)
            return real(model, tokens, layers, precision)

        peak = lambda device: bytes_per_token * self.launched[-1].numel()  # noqa: E731
        monkeypatch.setattr(device_module, "launch", launch)
        monkeypatch.setattr(torch.cuda, "reset_peak_memory_stats", lambda device: None)
        monkeypatch.setattr(torch.cuda, "memory_allocated", lambda device: 0)
        monkeypatch.setattr(torch.cuda, "max_memory_allocated", peak)
        monkeypatch.setattr(torch.cuda, "mem_get_info", lambda device: (free, 2 * free))


def test_the_memory_probe_runs_a_padded_batch(tiny, monkeypatch):
    tokens = probe_tokens(1, 10)
    assert tokens.shape == (2, 12) and not tokens[0].eq(1).any()
    assert tokens[1, 6:].eq(1).all() and not tokens[1, :6].eq(1).any()
    fake = FakeMemory(monkeypatch, free=10_000_000, bytes_per_token=500)
    device = DeviceSpec("cuda:0", "cuda", "cpu")
    budget = probe_budget(tiny.model, device, tiny.max_len, (2,), "fp32")
    (probe,) = fake.launched
    assert probe.shape == (2, tiny.max_len + 2) and probe.eq(tiny.model.padding_idx).any()
    assert budget == budget_from_memory(10_000_000, 500)


def test_a_dask_gpu_worker_reports_its_memory_probed_budget_once(tiny, monkeypatch):
    fake = FakeMemory(monkeypatch, free=50_000_000, bytes_per_token=1000)
    device = DeviceSpec("cuda:0", "cuda", "cpu")
    monkeypatch.setattr(distributed_module, "parse_devices", lambda spec: [device])
    job = BatchJob("random:custom_t2_d32_h4", 0, tiny.weights_checksum, (2,), "fp32", "fake", 0.0)
    assert worker_budget(job) == budget_from_memory(50_000_000, 1000) == 35_000
    assert worker_budget(job) == 35_000 and len(fake.launched) == 1  # probed once
    cpu = BatchJob("random:custom_t2_d32_h4", 0, tiny.weights_checksum, (2,), "fp32", "cpu", 0.0)
    monkeypatch.setattr(distributed_module, "parse_devices", parse_devices)
    assert worker_budget(cpu) is None


LIGHT_KEY = """
import sys
from workbench.embed import EmbedOptions
from workbench.embed.models import load_model
from workbench.embed.runner import embedding_key, local_compute
from workbench.embed.spec import hub_checkpoint_dir
options = EmbedOptions(layers=(-1, 2))
loaded = load_model("random:esm2_t6_8M_UR50D", 3)
compute = local_compute(options)
print(embedding_key("ACDEFGHIK", loaded, options, compute).digest, compute.precision)
print(hub_checkpoint_dir())
print("torch" in sys.modules, "esm" in sys.modules)
"""


@pytest.mark.skipif(cuda_present(), reason="an NVIDIA device is visible: torch counts it")
def test_the_light_path_gives_the_key_computed_with_torch_imported(tmp_path):
    environment = {**os.environ, "TORCH_HOME": str(tmp_path / "torch home")}
    done = subprocess.run(
        [sys.executable, "-c", LIGHT_KEY], capture_output=True, text=True, env=environment
    )
    assert done.returncode == 0, done.stderr
    key_line, hub_line, imported = done.stdout.splitlines()
    assert imported == "False False"  # neither torch nor fair-esm was needed
    options = EmbedOptions(layers=(-1, 2))
    loaded = load_model("random:esm2_t6_8M_UR50D", 3)
    _ = loaded.model  # built: the heavy path in full
    compute = compute_for(parse_devices(options.devices), options.precision)
    assert key_line == f"{embedding_key('ACDEFGHIK', loaded, options, compute).digest} fp32"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("TORCH_HOME", str(tmp_path / "torch home"))
        assert hub_line == str(Path(torch.hub.get_dir()) / "checkpoints")


def test_devices_named_cuda_are_counted_by_torch(monkeypatch):
    monkeypatch.setattr(device_module, "parse_devices", lambda spec: CUDA[:1])
    assert local_devices("cuda:0") == CUDA[:1]
    assert local_devices("sim:1.0, cuda:0") == CUDA[:1]
    if not cuda_present():
        assert [d.name for d in local_devices("auto")] == ["cpu"]  # no device file: no torch
