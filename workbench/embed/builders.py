"""The torch side of models.py: fair-esm's alphabet, random ESM-2 modules and checkpoint reads.

Only a model that is built (or a checkpoint file whose identity is inside it) imports this, so a
run whose embeddings are all cached imports neither torch nor fair-esm.
"""

from __future__ import annotations

import argparse
import functools
import warnings
from pathlib import Path
from typing import Any

import esm
import torch

from workbench.embed.spec import ModelError

__all__ = ["esm2_from_checkpoint", "esm_alphabet", "random_esm2", "read_checkpoint"]


@functools.cache
def esm_alphabet() -> Any:
    """fair-esm's ESM-1b alphabet, the one every ESM-2 uses (read-only: shared by all models)."""
    return esm.data.Alphabet.from_architecture("ESM-1b")


def random_esm2(layers: int, dim: int, heads: int, seed: int) -> torch.nn.Module:
    """fair-esm's ESM2 class with seeded random weights (torch's global generator left as is)."""
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        return esm.model.esm2.ESM2(layers, dim, heads, esm_alphabet())


def read_checkpoint(path: Path, model: str) -> dict:
    """torch.load with weights_only, memory-mapped where the file allows it (tensors are read
    when the module is built); a file that is not a checkpoint raises ModelError."""
    try:
        with torch.serialization.safe_globals([argparse.Namespace]):
            try:
                data = torch.load(path, map_location="cpu", weights_only=True, mmap=True)
            except RuntimeError as exc:
                if "mmap" not in str(exc):
                    raise
                data = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as exc:
        raise ModelError(model, f"cannot read {path} as a weights-only checkpoint: {exc}") from exc
    if not isinstance(data, dict) or "model" not in data:
        raise ModelError(model, f"{path} holds no 'model' state dict: not a fair-esm checkpoint")
    return data


def esm2_from_checkpoint(data: dict, regression: dict | None, path: Path) -> torch.nn.Module:
    """fair-esm's own loader on a hub-format checkpoint; a mismatch names the file."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Regression weights not found")
        try:
            model, _ = esm.pretrained.load_model_and_alphabet_core("esm2", data, regression)
        except (RuntimeError, KeyError, AttributeError) as exc:
            raise ModelError(str(path), f"not a loadable ESM-2 checkpoint: {exc}") from exc
    return model
