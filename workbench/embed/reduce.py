"""The graph's ``embedding`` node feature from a per-residue embedding (numpy only, so the
assembly of a run whose embeddings are all cached never imports torch)."""

from __future__ import annotations

import numpy as np

__all__ = ["reduce_for_graph"]


def reduce_for_graph(per_residue: np.ndarray, mode: str) -> np.ndarray:
    """The graph's per-residue ``embedding`` feature.

    Parameters
    ----------
    per_residue : ndarray, shape (L, F)
        An embedding from :func:`embed_unique`.
    mode : {"mean", "full"}
        "mean": one scalar per residue, the mean over features (as DeepRank-Ab); "full": the vector.

    Returns
    -------
    ndarray, dtype=float32, shape (L,) for "mean" or (L, F) for "full"
    """
    values = np.asarray(per_residue, dtype=np.float32)
    if mode == "mean":
        return values.mean(axis=1)
    if mode == "full":
        return values
    raise ValueError(f"graph embedding mode must be 'mean' or 'full', got {mode!r}")
