"""ESM-2 models: by name from the torch hub cache, from a checkpoint file, or with random weights.

Checkpoints are read with ``torch.load(weights_only=True)`` (``argparse.Namespace`` is the one
extra class allowed, as fair-esm's hub files hold one) and built with fair-esm's own loader.
"""

from __future__ import annotations

import argparse
import hashlib
import re
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import esm
import torch

from workbench.embed.options import MAX_LEN

__all__ = [
    "ARCHITECTURES",
    "LoadedModel",
    "ModelError",
    "ModelNotFoundError",
    "UntrainedModelWarning",
    "hub_checkpoint_dir",
    "load_model",
]


# name -> (layers, embedding dim, attention heads), as in fair-esm's pretrained.py
ARCHITECTURES: dict[str, tuple[int, int, int]] = {
    "esm2_t6_8M_UR50D": (6, 320, 20),
    "esm2_t12_35M_UR50D": (12, 480, 20),
    "esm2_t30_150M_UR50D": (30, 640, 20),
    "esm2_t33_650M_UR50D": (33, 1280, 20),
    "esm2_t36_3B_UR50D": (36, 2560, 40),
    "esm2_t48_15B_UR50D": (48, 5120, 40),
}
_CUSTOM = re.compile(r"custom_t(\d+)_d(\d+)_h(\d+)")
FALLBACK = "esm2_t6_8M_UR50D"


class ModelError(RuntimeError):
    """A model that cannot be used; the message names the file or name and the reason."""

    def __init__(self, model: str, reason: str) -> None:
        super().__init__(f"model {model!r}: {reason}")
        self.model = model
        self.reason = reason


class ModelNotFoundError(ModelError):
    """No checkpoint where one was expected; says where it looked and how to provide it."""


class UntrainedModelWarning(UserWarning):
    """Embeddings will come from random weights: fine for demos and tests, meaningless for ML."""


@dataclass(frozen=True, slots=True, eq=False)
class LoadedModel:
    """A ready ESM-2 (eval mode, CPU) and what identifies its weights."""

    model: torch.nn.Module
    alphabet: Any  # esm.data.Alphabet
    name: str
    weights_checksum: str  # sha256 of the checkpoint file, or "random:<name>:<seed>"
    untrained: bool  # random weights: every output is marked so
    num_layers: int
    embed_dim: int
    max_len: int = MAX_LEN

    def resolve_layers(self, layers: tuple[int, ...]) -> tuple[int, ...]:
        """Absolute layer indices (0 = token embeddings, num_layers = last)."""
        out = []
        for layer in layers:
            absolute = layer + self.num_layers + 1 if layer < 0 else layer
            if not 0 <= absolute <= self.num_layers:
                raise ValueError(
                    f"layer {layer} does not exist in {self.name} "
                    f"(layers 0..{self.num_layers}, or -1..-{self.num_layers + 1})"
                )
            out.append(absolute)
        return tuple(out)


def hub_checkpoint_dir() -> Path:
    """Where fair-esm (through torch.hub) keeps downloaded checkpoints."""
    return Path(torch.hub.get_dir()) / "checkpoints"


def load_model(spec: str = "auto", seed: int = 0) -> LoadedModel:
    """Resolve ``spec`` ("auto", a name, a path or "random:<name>") to a ready model."""
    if spec.startswith("random:"):
        return _random(spec.removeprefix("random:"), seed)
    if spec == "auto":
        return _auto(seed)
    path = Path(spec).expanduser()
    if spec in ARCHITECTURES:
        path = hub_checkpoint_dir() / f"{spec}.pt"
        if not path.is_file():
            raise ModelNotFoundError(
                spec,
                f"not found in the torch hub cache (looked for {path}); download "
                f"https://dl.fbaipublicfiles.com/fair-esm/models/{spec}.pt into "
                f"{path.parent} (or set TORCH_HOME), or pass the checkpoint with --model PATH",
            )
        return _from_file(path, spec)
    if path.is_file():
        return _from_file(path, path.stem)
    if path.suffix == ".pt" or "/" in spec or "\\" in spec:
        raise ModelNotFoundError(
            spec, f"no checkpoint file at {path.resolve()}; pass an existing ESM-2 .pt file"
        )
    raise ModelError(
        spec,
        "unknown model: expected 'auto', an ESM-2 name "
        f"({', '.join(ARCHITECTURES)}), a checkpoint path, or 'random:<name>'",
    )


def _auto(seed: int) -> LoadedModel:
    """The largest ESM-2 in the hub cache, else random t6 with a visible warning."""
    folder = hub_checkpoint_dir()
    found = [n for n in ARCHITECTURES if (folder / f"{n}.pt").is_file()]
    if found:
        best = max(found, key=lambda n: ARCHITECTURES[n][0] * ARCHITECTURES[n][1] ** 2)
        return _from_file(folder / f"{best}.pt", best)
    warnings.warn(
        f"no ESM-2 checkpoint in {folder}: using random weights ({FALLBACK}, seed {seed}); "
        "embeddings are marked untrained and carry no meaning",
        UntrainedModelWarning,
        stacklevel=2,
    )
    return _random(FALLBACK, seed)


def _random(name: str, seed: int) -> LoadedModel:
    """fair-esm's ESM2 class with the named architecture and seeded random weights."""
    match = _CUSTOM.fullmatch(name)
    if match:
        layers, dim, heads = (int(g) for g in match.groups())
    elif name in ARCHITECTURES:
        layers, dim, heads = ARCHITECTURES[name]
    else:
        raise ModelError(
            f"random:{name}",
            f"unknown architecture; use one of {', '.join(ARCHITECTURES)} "
            "or custom_t<layers>_d<dim>_h<heads>",
        )
    alphabet = esm.data.Alphabet.from_architecture("ESM-1b")
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        model = esm.model.esm2.ESM2(layers, dim, heads, alphabet)
    return _ready(model, alphabet, name, f"random:{name}:{seed}", untrained=True)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 22), b""):
            digest.update(block)
    return digest.hexdigest()


def _read(path: Path, model: str) -> dict:
    """torch.load with weights_only; a file that is not a checkpoint raises ModelError."""
    try:
        with torch.serialization.safe_globals([argparse.Namespace]):
            data = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as exc:
        raise ModelError(model, f"cannot read {path} as a weights-only checkpoint: {exc}") from exc
    if not isinstance(data, dict) or "model" not in data:
        raise ModelError(model, f"{path} holds no 'model' state dict: not a fair-esm checkpoint")
    return data


def _from_file(path: Path, name: str) -> LoadedModel:
    """A hub-format ESM-2 checkpoint ({'model', 'cfg'}), contact regression optional."""
    data = _read(path, str(path))
    if "cfg" not in data:
        raise ModelError(
            str(path), "no 'cfg' entry: only ESM-2 checkpoints in fair-esm's hub format load"
        )
    regression_path = path.with_name(f"{path.stem}-contact-regression.pt")
    regression = _read(regression_path, str(path)) if regression_path.is_file() else None
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Regression weights not found")
        try:
            model, alphabet = esm.pretrained.load_model_and_alphabet_core("esm2", data, regression)
        except (RuntimeError, KeyError, AttributeError) as exc:
            raise ModelError(str(path), f"not a loadable ESM-2 checkpoint: {exc}") from exc
    return _ready(model, alphabet, name, _sha256(path), untrained=False)


def _ready(model: torch.nn.Module, alphabet: Any, name: str, checksum: str, untrained: bool):
    model.eval()
    model.requires_grad_(False)
    return LoadedModel(
        model=model,
        alphabet=alphabet,
        name=name,
        weights_checksum=checksum,
        untrained=untrained,
        num_layers=model.num_layers,
        embed_dim=model.embed_dim,
    )
