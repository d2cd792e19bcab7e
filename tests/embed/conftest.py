"""Fixtures: a tiny random ESM-2 saved in fair-esm's hub format, an in-memory cache store, and
fake CUDA streams, events and pinned memory for 'CUDA' devices that compute on the CPU."""

from __future__ import annotations

import argparse
import contextlib
import threading
from collections.abc import Callable

import esm
import pytest
import torch

from workbench.embed import transfer

TINY = {"layers": 2, "dim": 32, "heads": 4}


def hub_format(model: torch.nn.Module) -> tuple[dict, dict]:
    """Checkpoint and contact-regression dicts laid out as fair-esm's ESM-2 hub files."""
    state = model.state_dict()
    regression = {k: v for k, v in state.items() if k.startswith("contact_head.regression")}
    body = {
        ("encoder." if k.startswith("lm_head") else "encoder.sentence_encoder.") + k: v
        for k, v in state.items()
        if k not in regression
    }
    cfg = argparse.Namespace(
        encoder_layers=model.num_layers,
        encoder_embed_dim=model.embed_dim,
        encoder_attention_heads=model.attention_heads,
        token_dropout=True,
    )
    return {"model": body, "cfg": {"model": cfg}}, {"model": regression}


@pytest.fixture(scope="session", name="hub_format")
def hub_format_fixture():
    """The hub_format function, for tests that write their own checkpoint files."""
    return hub_format


@pytest.fixture(scope="session")
def tiny_esm() -> torch.nn.Module:
    """fair-esm's ESM2 class, 2 layers x 32 wide, random weights: the reference model."""
    torch.manual_seed(1234)
    alphabet = esm.data.Alphabet.from_architecture("ESM-1b")
    model = esm.model.esm2.ESM2(TINY["layers"], TINY["dim"], TINY["heads"], alphabet)
    return model.eval()


@pytest.fixture(scope="session")
def tiny_checkpoint(tiny_esm, tmp_path_factory):
    """The tiny model saved under an arbitrary file name, without a regression file."""
    path = tmp_path_factory.mktemp("weights") / "my antibody lm (v3).bin"
    torch.save(hub_format(tiny_esm)[0], path)
    return path


class MemoryStore:
    """The cache store contract (get/put of bytes by key) over a dict, counting traffic."""

    def __init__(self) -> None:
        self.data: dict = {}
        self.gets = self.puts = 0

    def get(self, key):
        self.gets += 1
        return self.data.get(key.digest)

    def put(self, key, payload: bytes) -> None:
        self.puts += 1
        self.data[key.digest] = bytes(payload)


@pytest.fixture
def store() -> MemoryStore:
    return MemoryStore()


class FakeStreams:
    """torch.cuda's streams and events, and pinned buffers, on the CPU (where copies are
    synchronous). ``log`` gets ("collect", device, n) when the n-th copy-done event on a
    device is waited for, after ``collect_seconds`` (a slow copy), then calls ``on_collect``
    if set; ``buffers`` counts the pinned buffers made."""

    def __init__(self, monkeypatch) -> None:
        self.log: list[tuple[str, str, int]] = []
        self.collect_seconds = 0.0
        self.on_collect: Callable[[], object] | None = None
        self.buffers = 0
        self._events: dict[str, int] = {}
        self._lock = threading.Lock()
        fake = self

        class Stream:
            def __init__(self, device=None) -> None:
                self.device = device

            def wait_stream(self, other) -> None:
                pass

        class Event:
            def record(self, stream) -> None:
                with fake._lock:
                    self.device = threading.current_thread().name.removeprefix("embed-")
                    self.number = fake._events.get(self.device, 0)
                    fake._events[self.device] = self.number + 1

            def synchronize(self) -> None:
                threading.Event().wait(fake.collect_seconds)
                fake.log.append(("collect", self.device, self.number))
                if fake.on_collect is not None:
                    fake.on_collect()

        def pinned(numel):
            fake.buffers += 1
            return torch.full((numel,), float("nan"), dtype=torch.float16)

        monkeypatch.setattr(torch.cuda, "Stream", Stream)
        monkeypatch.setattr(torch.cuda, "Event", Event)
        monkeypatch.setattr(torch.cuda, "current_stream", lambda device=None: Stream(device))
        monkeypatch.setattr(torch.cuda, "stream", lambda stream: contextlib.nullcontext())
        monkeypatch.setattr(transfer, "pinned", pinned)


@pytest.fixture
def fake_streams(monkeypatch) -> FakeStreams:
    return FakeStreams(monkeypatch)
