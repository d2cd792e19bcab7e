"""Window spans cover long sequences with the promised overlap; merging averages by brute force."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from workbench.embed.windows import merge_windows, window_spans


@pytest.mark.parametrize("length", [1, 40, 41, 75, 100, 1022, 1023, 2500])
def test_spans_cover_with_overlap(length):
    window, overlap = (40, 10) if length < 1000 else (1022, 256)
    spans = window_spans(length, window, overlap)
    covered = np.zeros(length, int)
    for start, stop in spans:
        assert stop - start == min(window, length)
        covered[start:stop] += 1
    assert covered.min() >= 1 and spans[-1][1] == length
    for (_, stop), (start, _) in itertools.pairwise(spans):
        assert stop - start >= overlap


def test_merge_is_the_mean_over_covering_windows():
    rng = np.random.default_rng(0)
    spans = window_spans(75, 40, 10)
    parts = [rng.normal(size=(b - a, 3)).astype(np.float16) for a, b in spans]
    merged = merge_windows(parts, spans, 75)
    assert merged.dtype == np.float16 and merged.shape == (75, 3)
    for i in range(75):
        rows = [p[i - a] for p, (a, b) in zip(parts, spans, strict=True) if a <= i < b]
        np.testing.assert_allclose(merged[i], np.mean(np.float32(rows), axis=0), atol=2e-3)
