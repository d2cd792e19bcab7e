"""A model's weights placed on a device from the one host copy, cast once to the run's precision.

``copy.deepcopy`` of a module copies every tensor on the host before ``.to(device)`` moves it,
so N devices briefly (and, if the copies are kept, for good) hold N extra host copies. Here the
module structure is deep-copied with its parameters and buffers already replaced by their
device versions (deepcopy's memo), so each tensor goes host -> device once and tied weights
stay tied. The matmul weights (every ``nn.Linear``'s weight and bias) are cast on the way to
the dtype autocast would cast them to on every batch; embeddings, norms and buffers keep
their dtype, as autocast runs them, so results equal the autocast forward of the fp32 model.
"""

from __future__ import annotations

import copy

import torch

__all__ = ["LOW_PRECISION", "place_model"]

LOW_PRECISION = {"fp32": None, "bf16": torch.bfloat16, "fp16": torch.float16}


def place_model(
    model: torch.nn.Module, device: str | torch.device, precision: str = "fp32"
) -> torch.nn.Module:
    """A replica of ``model`` on ``device`` with its Linear layers in ``precision``; tensors
    already on ``device`` in the target dtype are shared, not copied."""
    dtype = LOW_PRECISION[precision]
    cast = {
        id(p) for m in model.modules() if isinstance(m, torch.nn.Linear) for p in m.parameters()
    }
    memo: dict[int, object] = {}
    for tensor in (*model.parameters(), *model.buffers()):
        target = dtype if dtype is not None and id(tensor) in cast else tensor.dtype
        moved = tensor.detach().to(device=device, dtype=target)
        if isinstance(tensor, torch.nn.Parameter):
            moved = torch.nn.Parameter(moved, requires_grad=tensor.requires_grad)
        memo[id(tensor)] = moved
    return copy.deepcopy(model, memo)
