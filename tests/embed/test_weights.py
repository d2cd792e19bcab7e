"""Device replicas from the one host copy: which tensors are shared, which are cast, and that the
numbers do not move (CPU stands in for the CUDA device)."""

from __future__ import annotations

import queue

import pytest
import torch

from workbench.embed import distributed
from workbench.embed.device import DeviceSpec, DeviceWorker, launch
from workbench.embed.distributed import BatchJob, _worker_model
from workbench.embed.models import load_model
from workbench.embed.weights import place_model

LAYERS = (0, 1, 2)


@pytest.fixture
def tiny():
    return load_model("random:custom_t2_d32_h4")


def storages(*models: torch.nn.Module) -> set[int]:
    """Distinct storages behind the parameters and buffers of ``models``."""
    return {t.untyped_storage().data_ptr() for m in models for t in (*m.parameters(), *m.buffers())}


def linear_parameters(model: torch.nn.Module) -> list[torch.Tensor]:
    return [p for m in model.modules() if isinstance(m, torch.nn.Linear) for p in m.parameters()]


def padded_tokens() -> torch.Tensor:
    tokens = torch.randint(4, 24, (3, 40), generator=torch.Generator().manual_seed(5))
    tokens[1, 25:] = 1  # padding_idx
    return tokens


def test_an_fp32_replica_on_the_hosts_device_shares_every_tensor(tiny):
    replica = place_model(tiny.model, "cpu")
    assert replica is not tiny.model
    assert storages(replica) == storages(tiny.model)


def test_a_bf16_replica_casts_the_linear_layers_only_and_keeps_ties(tiny):
    replica = place_model(tiny.model, "cpu", "bf16")
    cast = linear_parameters(replica)
    assert cast and all(p.dtype == torch.bfloat16 for p in cast)
    kept = [t for t in (*replica.parameters(), *replica.buffers()) if all(t is not c for c in cast)]
    assert all(t.dtype == torch.float32 for t in kept)  # embeddings, norms, rotary frequencies
    assert storages(tiny.model) - storages(replica) == {
        p.untyped_storage().data_ptr() for p in linear_parameters(tiny.model)
    }
    assert replica.lm_head.weight is replica.embed_tokens.weight
    assert all(p.dtype == torch.float32 for p in tiny.model.parameters())  # host copy untouched


def test_a_bf16_replica_computes_what_autocast_computes_from_fp32_weights(tiny):
    tokens = padded_tokens()
    want = launch(tiny.model, tokens, LAYERS, "bf16")
    got = launch(place_model(tiny.model, "cpu", "bf16"), tokens, LAYERS, "bf16")
    assert torch.equal(got, want)


@pytest.mark.parametrize("precision", ["fp32", "bf16"])
def test_n_devices_hold_no_extra_host_copy_of_the_weights(tiny, precision):
    devices = [DeviceSpec(f"cuda:{i}", "cuda", "cpu") for i in range(3)]  # fake CUDA on the CPU
    devices += [DeviceSpec("sim0", "sim", "cpu", speed=1.0), DeviceSpec("cpu", "cpu", "cpu")]
    workers = [
        DeviceWorker(d, tiny, {}, LAYERS, queue.Queue(), precision=precision, budget=1000)
        for d in devices
    ]
    for worker in workers:
        worker._setup()
    cast = 0 if precision == "fp32" else len(linear_parameters(tiny.model))
    replicas = [w.model for w in workers]
    assert len(storages(*replicas)) == len(storages(tiny.model)) + 3 * cast
    assert all(w.model is tiny.model for w in workers if w.device.kind != "cuda")
    tokens = padded_tokens()
    want = launch(tiny.model, tokens, LAYERS, precision)
    for replica in replicas:
        assert torch.equal(launch(replica, tokens, LAYERS, precision), want)


def test_a_dask_worker_lets_its_host_copy_go_once_the_model_is_on_cuda(tiny, monkeypatch):
    fake = DeviceSpec("cuda:0", "cuda", "cpu")
    monkeypatch.setattr(distributed, "parse_devices", lambda spec: [fake])
    monkeypatch.setattr(distributed, "_HOST", {})
    monkeypatch.setattr(distributed, "_MODELS", {})
    job = BatchJob("random:custom_t2_d32_h4", 0, tiny.weights_checksum, LAYERS, "bf16", "x", 0.0)
    loaded, device = _worker_model(job)
    assert device == fake and distributed._HOST == {}
    assert all(p.dtype == torch.bfloat16 for p in linear_parameters(loaded.model))
    assert _worker_model(job)[0] is loaded
