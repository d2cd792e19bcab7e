"""ESM-2 models: by name from the torch hub cache, from a checkpoint file, or with random weights.

Checkpoints are read with ``torch.load(weights_only=True)`` (``argparse.Namespace`` is the one
extra class allowed, as fair-esm's hub files hold one) and built with fair-esm's own loader.
What identifies a model (name, checksum, layers, width) is known at once; the module and the
alphabet are made on first use (torch and fair-esm live in ``builders``), so a run whose
embeddings are all cached builds none, and with random weights imports neither library.
"""

from __future__ import annotations

import functools
import hashlib
import threading
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from workbench.embed.options import MAX_LEN
from workbench.embed.spec import (
    ARCHITECTURES,
    FALLBACK,
    ModelError,
    ModelNotFoundError,
    checkpoint_path,
    hub_checkpoint_dir,
    random_architecture,
)

if TYPE_CHECKING:
    import torch

__all__ = [
    "ARCHITECTURES",
    "LoadedModel",
    "ModelError",
    "ModelNotFoundError",
    "UntrainedModelWarning",
    "hub_checkpoint_dir",
    "load_model",
]


class UntrainedModelWarning(UserWarning):
    """Embeddings will come from random weights: fine for demos and tests, meaningless for ML."""


@dataclass(eq=False)
class LoadedModel:
    """An ESM-2 (eval mode, CPU, made by ``build`` on first use) and what identifies it."""

    build: Callable[[], torch.nn.Module] = field(repr=False)
    name: str
    weights_checksum: str  # sha256 of the checkpoint file, or "random:<name>:<seed>"
    untrained: bool  # random weights: every output is marked so
    num_layers: int
    embed_dim: int
    max_len: int = MAX_LEN
    _module: torch.nn.Module | None = field(default=None, init=False, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)

    @property
    def built(self) -> bool:
        """Whether the module exists yet (run.json says so: a warm rerun builds none)."""
        return self._module is not None

    @property
    def alphabet(self) -> Any:
        """fair-esm's alphabet (esm.data.Alphabet), needed only to tokenise cache misses."""
        from workbench.embed.builders import esm_alphabet

        return esm_alphabet()

    @property
    def model(self) -> torch.nn.Module:
        """The module, built once however many device threads ask at the same time."""
        with self._lock:
            if self._module is None:
                module = self.build()
                module.eval()
                module.requires_grad_(False)
                self._module = module
            return self._module

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


def load_model(spec: str = "auto", seed: int = 0) -> LoadedModel:
    """Resolve ``spec`` ("auto", a name, a path or "random:<name>") to a ready model."""
    if spec.startswith("random:"):
        return _random(spec.removeprefix("random:"), seed)
    if spec == "auto":
        return _auto(seed)
    path = checkpoint_path(spec)
    return _from_file(path, spec if spec in ARCHITECTURES else path.stem)


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
    layers, dim, heads = random_architecture(name)

    def build() -> torch.nn.Module:
        from workbench.embed.builders import random_esm2

        return random_esm2(layers, dim, heads, seed)

    return LoadedModel(build, name, f"random:{name}:{seed}", True, layers, dim)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 22), b""):
            digest.update(block)
    return digest.hexdigest()


def _from_file(path: Path, name: str) -> LoadedModel:
    """A hub-format ESM-2 checkpoint ({'model', 'cfg'}), contact regression optional."""
    from workbench.embed.builders import esm2_from_checkpoint, read_checkpoint

    data = read_checkpoint(path, str(path))
    try:
        cfg = data["cfg"]["model"]
        layers, dim = int(cfg.encoder_layers), int(cfg.encoder_embed_dim)
    except (KeyError, TypeError, AttributeError, ValueError):
        raise ModelError(
            str(path), "no 'cfg' model entry: only ESM-2 checkpoints in fair-esm's hub format load"
        ) from None
    regression_path = path.with_name(f"{path.stem}-contact-regression.pt")
    regression = read_checkpoint(regression_path, str(path)) if regression_path.is_file() else None
    build = functools.partial(esm2_from_checkpoint, data, regression, path)
    return LoadedModel(build, name, _sha256(path), False, layers, dim)
