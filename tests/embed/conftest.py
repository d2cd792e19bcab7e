"""Fixtures: a tiny random ESM-2 saved in fair-esm's hub format, and an in-memory cache store."""

from __future__ import annotations

import argparse

import esm
import pytest
import torch

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
