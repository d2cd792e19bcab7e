"""DeepRank-Ab checkpoints: loaded without pickle code execution, every key and shape checked.

A checkpoint is what DeepRank-Ab's ``NeuralNet.save_model`` writes: a dict with the model's
``state_dict`` under ``model``, the node and edge feature lists it was trained on, its target and
task, and, for EMA training, ``ema_active`` with the averaged weights in
``ema_state["ema_model"]``. Like DeepRank-Ab's ``predict``, the EMA weights are the ones scored
when ``ema_active`` is true; unlike it (``strict=False`` there), a key or shape that does not
match the network refuses the file instead of leaving a layer at random values.
"""

from __future__ import annotations

import hashlib
import pickle
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

import torch

from workbench.score.model import DeepRankAbEGNN

__all__ = [
    "EDGE_FEATURE_WIDTHS",
    "NODE_FEATURE_WIDTHS",
    "CheckpointError",
    "ScorerCheckpoint",
    "load_checkpoint",
    "random_checkpoint",
]

# Columns each feature contributes, in DeepRank-Ab's graph files.
NODE_FEATURE_WIDTHS = {"atom_type": 36, "polarity": 4, "bsa": 1, "region": 9, "embedding": 1}
EDGE_FEATURE_WIDTHS = {"voro_area": 1, "covalent": 1, "vdw": 1, "orientation": 3}
DEFAULT_NODE_FEATURES = ("atom_type", "polarity", "bsa", "region", "embedding")
DEFAULT_EDGE_FEATURES = ("voro_area", "covalent", "vdw", "orientation")

# torch.load(weights_only=True) already allows tensors, dicts, lists, tuples, str, numbers and
# None, which is everything save_model writes (the optimizer state included); nothing is added.
ALLOWED_GLOBALS: tuple = ()
REQUIRED_KEYS = ("model", "node", "edge", "task")
_UNSUPPORTED = re.compile(r"Unsupported global: GLOBAL ([\w.]+)")


class CheckpointError(ValueError):
    """A checkpoint that cannot be scored with: unreadable, foreign, or not matching the network."""

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(path, reason)
        self.path = path
        self.reason = reason

    def __str__(self) -> str:
        return f"{self.path}: {self.reason}"


@dataclass(frozen=True)
class ScorerCheckpoint:
    """A network with its weights, the features it reads and where it came from."""

    model: DeepRankAbEGNN
    node_features: tuple[str, ...]
    edge_features: tuple[str, ...]
    target: str
    checksum: str  # sha256 of the file; "random:<seed>" for seeded random weights
    source: str
    ema: bool
    untrained: bool
    batch_size: int | None = None

    @property
    def spec(self) -> str:
        """The ``--scorer`` value that loads this checkpoint again (on a Dask worker, say)."""
        return self.source if self.untrained else f"deeprank-ab:{self.source}"


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _first_line(exc: BaseException) -> str:
    return str(exc).strip().split("\n", 1)[0]


def _read(path: Path) -> dict:
    try:
        with torch.serialization.safe_globals(list(ALLOWED_GLOBALS)):
            state = torch.load(path, map_location="cpu", weights_only=True)
    except FileNotFoundError:
        raise CheckpointError(str(path), "no such file") from None
    except pickle.UnpicklingError as exc:
        found = _UNSUPPORTED.search(str(exc))
        if found is None:
            raise CheckpointError(
                str(path), f"unreadable checkpoint (corrupt or truncated?): {_first_line(exc)}"
            ) from None
        raise CheckpointError(
            str(path),
            f"not a DeepRank-Ab checkpoint: it holds {found.group(1)}, which their save_model "
            "never writes (refused without running its pickle code)",
        ) from None
    except (RuntimeError, EOFError, OSError, zipfile.BadZipFile, ValueError) as exc:
        raise CheckpointError(
            str(path), f"unreadable checkpoint (corrupt or truncated?): {_first_line(exc)}"
        ) from None
    if not isinstance(state, dict):
        raise CheckpointError(
            str(path), f"not a DeepRank-Ab checkpoint: holds a {type(state).__name__}"
        )
    missing = [key for key in REQUIRED_KEYS if key not in state]
    if missing:
        raise CheckpointError(
            str(path), f"not a DeepRank-Ab checkpoint: no {', '.join(map(repr, missing))} entry"
        )
    return state


def _feature_width(path: str, names: list[str], widths: dict[str, int], kind: str) -> int:
    unknown = [name for name in names if name not in widths]
    if unknown:
        raise CheckpointError(
            path,
            f"{kind} feature {unknown[0]!r} is not one the workbench computes "
            f"(known: {', '.join(widths)})",
        )
    return sum(widths[name] for name in names)


def _check_weights(path: str, weights: dict, model: DeepRankAbEGNN, where: str) -> None:
    expected = model.state_dict()
    for key, tensor in expected.items():
        if key not in weights:
            raise CheckpointError(path, f"{where} lacks {key!r} (shape {tuple(tensor.shape)})")
        found = weights[key]
        if not isinstance(found, torch.Tensor):
            raise CheckpointError(path, f"{where}[{key!r}] is a {type(found).__name__}")
        if tuple(found.shape) != tuple(tensor.shape):
            raise CheckpointError(
                path,
                f"{where}[{key!r}] has shape {tuple(found.shape)}, the network needs "
                f"{tuple(tensor.shape)}",
            )
    extra = [key for key in weights if key not in expected]
    if extra:
        raise CheckpointError(path, f"{where} has {extra[0]!r}, which the network does not have")


def load_checkpoint(path: str | Path) -> ScorerCheckpoint:
    """The checkpoint's network in eval mode, with its EMA weights when it was trained with EMA."""
    path = Path(path)
    state = _read(path)
    name = str(path)
    if state.get("task") != "reg":
        raise CheckpointError(
            name, f"task {state.get('task')!r}: only regression checkpoints give a DockQ"
        )
    node = list(state["node"])
    edge = list(state["edge"])
    model = DeepRankAbEGNN(
        _feature_width(name, node, NODE_FEATURE_WIDTHS, "node"),
        _feature_width(name, edge, EDGE_FEATURE_WIDTHS, "edge"),
    )
    ema = bool(state.get("ema_active"))
    if ema:
        ema_state = state.get("ema_state")
        if not isinstance(ema_state, dict) or not isinstance(ema_state.get("ema_model"), dict):
            raise CheckpointError(name, "ema_active is set but ema_state holds no ema_model")
        weights, where = ema_state["ema_model"], "ema_state['ema_model']"
    else:
        weights, where = state["model"], "model"
    if not isinstance(weights, dict):
        raise CheckpointError(name, f"{where} is a {type(weights).__name__}, not a state dict")
    _check_weights(name, weights, model, where)
    model.load_state_dict(weights, strict=True)
    model.eval()
    return ScorerCheckpoint(
        model=model,
        node_features=tuple(node),
        edge_features=tuple(edge),
        target=str(state.get("target") or "dockq"),
        checksum=_sha256(path),
        source=name,
        ema=ema,
        untrained=False,
        batch_size=state.get("batch_size"),
    )


def random_checkpoint(seed: int = 0) -> ScorerCheckpoint:
    """DeepRank-Ab's network with seeded random weights: for demos and tests, marked untrained."""
    generator = torch.Generator().manual_seed(seed)
    model = DeepRankAbEGNN(
        sum(NODE_FEATURE_WIDTHS[name] for name in DEFAULT_NODE_FEATURES),
        sum(EDGE_FEATURE_WIDTHS[name] for name in DEFAULT_EDGE_FEATURES),
    )
    for module in model.modules():
        if isinstance(module, torch.nn.Linear):
            torch.nn.init.xavier_uniform_(module.weight, gain=0.4, generator=generator)
            torch.nn.init.normal_(module.bias, std=0.02, generator=generator)
    model.eval()
    return ScorerCheckpoint(
        model=model,
        node_features=DEFAULT_NODE_FEATURES,
        edge_features=DEFAULT_EDGE_FEATURES,
        target="dockq",
        checksum=f"random:{seed}",
        source=f"random:deeprank-ab:{seed}",
        ema=False,
        untrained=True,
    )
