"""What a --model value names, checked without loading weights (so a run fails before work)."""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

__all__ = [
    "ARCHITECTURES",
    "FALLBACK",
    "ModelError",
    "ModelNotFoundError",
    "check_model_spec",
    "checkpoint_path",
    "hub_checkpoint_dir",
    "random_architecture",
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


def hub_checkpoint_dir() -> Path:
    """Where torch.hub keeps downloaded checkpoints: ``torch.hub.get_dir()`` once torch is
    imported (a ``set_dir`` counts), else torch's own rule, $TORCH_HOME/hub (default
    $XDG_CACHE_HOME/torch, ~/.cache/torch), so "auto" without a checkpoint imports no torch."""
    torch = sys.modules.get("torch")
    if torch is not None:
        return Path(torch.hub.get_dir()) / "checkpoints"
    cache = os.getenv("XDG_CACHE_HOME", "~/.cache")
    home = os.path.expanduser(os.getenv("TORCH_HOME", os.path.join(cache, "torch")))
    return Path(home, "hub", "checkpoints")


def random_architecture(name: str) -> tuple[int, int, int]:
    """(layers, dim, heads) of ``random:<name>``: an ESM-2 name or custom_t<l>_d<d>_h<h>."""
    match = _CUSTOM.fullmatch(name)
    if match:
        layers, dim, heads = (int(g) for g in match.groups())
        return layers, dim, heads
    if name in ARCHITECTURES:
        return ARCHITECTURES[name]
    raise ModelError(
        f"random:{name}",
        f"unknown architecture; use one of {', '.join(ARCHITECTURES)} "
        "or custom_t<layers>_d<dim>_h<heads>",
    )


def checkpoint_path(spec: str) -> Path:
    """The checkpoint file an ESM-2 name or a path names; raises ModelError when there is none."""
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
        return path
    if path.is_file():
        return path
    if path.suffix == ".pt" or "/" in spec or "\\" in spec:
        raise ModelNotFoundError(
            spec, f"no checkpoint file at {path.resolve()}; pass an existing ESM-2 .pt file"
        )
    raise ModelError(
        spec,
        "unknown model: expected 'auto', an ESM-2 name "
        f"({', '.join(ARCHITECTURES)}), a checkpoint path, or 'random:<name>'",
    )


def check_model_spec(spec: str) -> None:
    """Raise ModelError unless ``spec`` is "auto", a known random architecture or a file."""
    if spec.startswith("random:"):
        random_architecture(spec.removeprefix("random:"))
    elif spec != "auto":
        checkpoint_path(spec)
