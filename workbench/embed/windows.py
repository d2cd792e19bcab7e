"""Long sequences: cut into overlapping windows the model can take, then averaged back."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

__all__ = ["merge_windows", "window_spans"]


def window_spans(length: int, window: int, overlap: int) -> list[tuple[int, int]]:
    """Residue spans [start, stop) covering ``length`` with windows overlapping by >= ``overlap``.

    Windows start every ``window - overlap`` residues; the last one is aligned to the end, so
    every window is exactly ``window`` long (except a sequence shorter than one window).
    """
    if length <= window:
        return [(0, length)]
    step = window - overlap
    starts = [*range(0, length - window, step), length - window]
    return [(s, s + window) for s in starts]


def merge_windows(
    parts: Sequence[np.ndarray], spans: Sequence[tuple[int, int]], length: int
) -> np.ndarray:
    """Average per-residue window embeddings where windows overlap.

    Parameters
    ----------
    parts : sequence of ndarray, shape (stop - start, F)
        One array per span, any float dtype.
    spans : sequence of (int, int)
        Residue spans from :func:`window_spans`.
    length : int
        Residues in the whole sequence.

    Returns
    -------
    ndarray, dtype=float16, shape (length, F)
        Mean over the windows covering each residue (computed in float32).
    """
    total = np.zeros((length, parts[0].shape[1]), dtype=np.float32)
    count = np.zeros((length, 1), dtype=np.float32)
    for part, (start, stop) in zip(parts, spans, strict=True):
        total[start:stop] += part
        count[start:stop] += 1
    return (total / count).astype(np.float16)
