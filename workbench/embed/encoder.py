"""ESM-2's forward pass cut down to what embeddings need, over fair-esm's own modules and weights.

fair-esm's ``ESM2.forward`` serves training and contact prediction: every layer materialises
its attention matrix, averages it over heads for a return value nobody reads here, and the pass
ends with the language-model head. :func:`encode` runs the same arithmetic for representations
only: attention through ``torch.nn.functional.scaled_dot_product_attention`` (fused kernels on
the CPU, memory-efficient/flash kernels on CUDA), no head-averaged weights, no LM head, and no
layer past the deepest one requested. It keeps no state on the modules (fair-esm's rotary
embedding caches the last batch's cos/sin tables on itself), so device threads can share one
model. Results equal fair-esm's forward to float rounding (tests compare the two).
"""

from __future__ import annotations

from collections.abc import Collection

import torch
import torch.nn.functional as F

__all__ = ["encode"]

_MASK_RATIO_TRAIN = 0.15 * 0.8  # ESM-2's token-dropout rescaling, as in fair-esm


def encode(
    model: torch.nn.Module, tokens: torch.Tensor, layers: Collection[int]
) -> dict[int, torch.Tensor]:
    """Representations ``{layer: (B, T, D)}`` of ``layers`` (0 = token embeddings; the last
    layer after the final layer norm, as fair-esm returns it) for a tokenised batch."""
    padding = tokens.eq(model.padding_idx)
    x = model.embed_scale * model.embed_tokens(tokens)
    if model.token_dropout:
        masked = tokens.eq(model.mask_idx)
        x = x.masked_fill(masked.unsqueeze(-1), 0.0)
        observed = masked.sum(-1).to(x.dtype) / (~padding).sum(-1)
        x = x * (1 - _MASK_RATIO_TRAIN) / (1 - observed)[:, None, None]
    x = x * (~padding).unsqueeze(-1).to(x.dtype)
    out = {0: x} if 0 in layers else {}
    keys = (~padding)[:, None, None, :] if padding.any() else None
    deepest = max(layers)
    cos, sin = _rotary_tables(model.layers[0].self_attn.rot_emb.inv_freq, tokens.shape[1])
    for index, layer in enumerate(model.layers[:deepest], start=1):
        x = x + _attention(layer.self_attn, layer.self_attn_layer_norm(x), keys, cos, sin)
        x = x + layer.fc2(F.gelu(layer.fc1(layer.final_layer_norm(x))))
        if index in layers:
            out[index] = x
    if deepest == model.num_layers:
        out[deepest] = model.emb_layer_norm_after(x)
    return out


def _rotary_tables(inv_freq: torch.Tensor, length: int) -> tuple[torch.Tensor, torch.Tensor]:
    positions = torch.arange(length, device=inv_freq.device, dtype=inv_freq.dtype)
    angles = torch.outer(positions, inv_freq)
    angles = torch.cat((angles, angles), dim=-1)
    return angles.cos(), angles.sin()


def _rotate(x: torch.Tensor, cos: torch.Tensor, sin: torch.Tensor) -> torch.Tensor:
    first, second = x.chunk(2, dim=-1)
    return x * cos + torch.cat((-second, first), dim=-1) * sin


def _attention(
    attn: torch.nn.Module,
    x: torch.Tensor,
    keys: torch.Tensor | None,
    cos: torch.Tensor,
    sin: torch.Tensor,
) -> torch.Tensor:
    """fair-esm's MultiheadAttention (self-attention, rotary, no bias_kv) on (B, T, D)."""
    batch, length, dim = x.shape
    heads = attn.num_heads

    def split(projection: torch.nn.Module) -> torch.Tensor:
        return projection(x).view(batch, length, heads, -1).transpose(1, 2)

    q, k, v = split(attn.q_proj), split(attn.k_proj), split(attn.v_proj)
    cos, sin = cos.to(q.dtype), sin.to(q.dtype)
    q, k = _rotate(q, cos, sin), _rotate(k, cos, sin)
    mixed = F.scaled_dot_product_attention(q, k, v, attn_mask=keys, scale=attn.scaling)
    return attn.out_proj(mixed.transpose(1, 2).reshape(batch, length, dim))
