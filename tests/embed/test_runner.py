"""embed_unique end to end on the CPU: equality with a direct fair-esm forward pass, windows,
the cache, simulated devices, injected out-of-memory faults and clear failures."""

from __future__ import annotations

import random
from collections import Counter

import numpy as np
import pytest
import torch

from workbench.embed import (
    EmbedError,
    EmbedOptions,
    load_model,
    reduce_for_graph,
)
from workbench.embed import device as device_module
from workbench.embed.runner import embed_unique

AA = "ACDEFGHIKLMNPQRSTVWY"


def random_sequences(n, low=10, high=60, seed=0):
    rng = random.Random(seed)
    return {
        f"h{i}": "".join(rng.choice(AA) for _ in range(rng.randint(low, high))) for i in range(n)
    }


def direct(model, sequence, layers):
    """fair-esm alone, one sequence per forward pass: the reference."""
    alphabet = model.alphabet
    tokens = alphabet.get_batch_converter()([("x", sequence)])[2]
    with torch.no_grad():
        reps = model(tokens, repr_layers=layers)["representations"]
    return np.concatenate([reps[layer][0, 1 : len(sequence) + 1].numpy() for layer in layers], 1)


@pytest.fixture(scope="module")
def tiny(tiny_checkpoint):
    return load_model(str(tiny_checkpoint))


def test_equal_to_a_direct_forward_pass_of_the_checkpoint(tiny_esm, tiny_checkpoint, store):
    sequences = random_sequences(30)
    options = EmbedOptions(
        model=str(tiny_checkpoint), layers=(-1, 1), devices="cpu", token_budget=400
    )
    reports = []
    got = dict(embed_unique(sequences, options, store, reports.append))
    assert set(got) == set(sequences)
    for seq_hash, sequence in sequences.items():
        want = direct(tiny_esm, sequence, [2, 1])
        assert got[seq_hash].dtype == np.float16 and got[seq_hash].shape == (len(sequence), 64)
        np.testing.assert_allclose(got[seq_hash], want, atol=1e-2, rtol=1e-2)
    assert sum(r.items for r in reports) == 30 and max(r.tokens for r in reports) <= 400
    assert store.puts == 30
    again = []
    cached = dict(embed_unique(sequences, options, store, again.append))
    assert not again and all(np.array_equal(cached[h], got[h]) for h in got)


def test_long_sequences_are_windowed_and_averaged(tiny_esm, tiny):
    sequence = random_sequences(1, 95, 95, seed=5)["h0"]
    options = EmbedOptions(devices="cpu", window=40, overlap=10)
    ((_, got),) = embed_unique({"long": sequence}, options, model=tiny)
    spans = [(0, 40), (30, 70), (55, 95)]
    total, count = np.zeros((95, 32)), np.zeros((95, 1))
    for start, stop in spans:
        total[start:stop] += direct(tiny_esm, sequence[start:stop], [2])
        count[start:stop] += 1
    np.testing.assert_allclose(got, total / count, atol=1e-2, rtol=1e-2)
    whole = direct(tiny_esm, sequence, [2])
    assert not np.allclose(got, whole, atol=1e-2)


def test_equal_sequences_run_once_and_empty_or_unknown_ones_fail(tiny):
    sequences = {"a": "ACDEFG", "b": "ACDEFG", "c": "KLMN", "empty": "", "low": "ACdE"}
    reports, failures = [], []
    got = dict(
        embed_unique(
            sequences,
            EmbedOptions(devices="cpu"),
            None,
            reports.append,
            model=tiny,
            on_failure=failures.append,
        )
    )
    assert sorted(got) == ["a", "b", "c"] and np.array_equal(got["a"], got["b"])
    assert sum(r.items for r in reports) == 2
    assert [f.seq_hash for f in failures] == ["empty", "low"]
    assert failures[0].reason == "empty sequence"
    assert failures[1].reason.startswith("'d' at position 3 is not a residue the model knows")


def test_slow_simulated_device_ends_with_fewer_tokens(tiny):
    sequences = random_sequences(120, 20, 40, seed=2)
    options = EmbedOptions(
        devices="sim:1.0,sim:0.25", token_budget=200, prefetch=1, sim_token_seconds=2e-4
    )
    reports = []
    got = dict(embed_unique(sequences, options, None, reports.append, model=tiny))
    assert len(got) == 120
    tokens = Counter()
    for report in reports:
        tokens[report.device] += report.tokens
    share = tokens["sim:0.25"] / sum(tokens.values())
    assert 0.1 <= share <= 0.3
    assert reports[-1].tokens_per_s > 0


def test_simulated_out_of_memory_splits_batches(tiny_esm, tiny):
    sequences = random_sequences(20, 10, 40, seed=3)
    sequences["huge"] = "A" * 400
    options = EmbedOptions(devices="sim:1.0:300", token_budget=2000, sim_token_seconds=0.0)
    reports, failures = [], []
    got = dict(
        embed_unique(
            sequences, options, None, reports.append, model=tiny, on_failure=failures.append
        )
    )
    assert set(got) == set(sequences) - {"huge"}
    assert [f.seq_hash for f in failures] == ["huge"]
    assert "out of memory" in failures[0].reason and "402 tokens" in failures[0].reason
    assert max(r.tokens for r in reports) <= 300
    for seq_hash in got:
        np.testing.assert_allclose(
            got[seq_hash], direct(tiny_esm, sequences[seq_hash], [2]), atol=1e-2, rtol=1e-2
        )


def test_injected_cuda_out_of_memory_is_backed_off(tiny, monkeypatch):
    real = device_module.launch
    seen = []

    def flaky(model, tokens, layers, precision):
        seen.append(tokens.numel())
        if tokens.numel() > 250:
            raise torch.cuda.OutOfMemoryError("CUDA out of memory (injected)")
        return real(model, tokens, layers, precision)

    monkeypatch.setattr(device_module, "launch", flaky)
    sequences = random_sequences(16, 20, 40, seed=4)
    got = dict(embed_unique(sequences, EmbedOptions(devices="cpu"), model=tiny))
    assert len(got) == 16
    assert max(seen) > 250 and seen[-1] <= 250


def test_failures_are_raised_together_after_the_rest(tiny):
    sequences = {"ok": "ACDE", "empty": ""}
    out = embed_unique(sequences, EmbedOptions(devices="cpu"), model=tiny)
    assert next(out)[0] == "ok"
    with pytest.raises(EmbedError, match="empty: empty sequence") as info:
        next(out)
    assert [f.seq_hash for f in info.value.failures] == ["empty"]


def test_a_crashing_device_ends_the_run_with_its_name(tiny, monkeypatch):
    def broken(*args):
        raise ValueError("kernel exploded")

    monkeypatch.setattr(device_module, "launch", broken)
    with pytest.raises(EmbedError, match=r"device cpu failed.*kernel exploded"):
        options = EmbedOptions(devices="cpu", cpu_threads=1)  # no thread probe before the device
        list(embed_unique({"a": "ACDE"}, options, model=tiny))


def test_reduce_for_graph():
    rng = np.random.default_rng(1)
    array = rng.normal(size=(7, 5)).astype(np.float16)
    mean = reduce_for_graph(array, "mean")
    assert mean.shape == (7,) and mean.dtype == np.float32
    np.testing.assert_allclose(mean, [np.mean(row.astype(np.float64)) for row in array], rtol=1e-5)
    assert reduce_for_graph(array, "full").shape == (7, 5)
    with pytest.raises(ValueError, match="mean"):
        reduce_for_graph(array, "max")
