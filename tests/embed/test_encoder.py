"""The representations-only forward pass against fair-esm's own forward over the same weights."""

from __future__ import annotations

import threading

import pytest
import torch
from esm.rotary_embedding import RotaryEmbedding

from workbench.embed.encoder import encode
from workbench.embed.models import load_model

SEQUENCES = [
    ("short", "MKV"),
    ("masked", "EVQLVESGG<mask>LVQPGGSLRLSCAAS"),
    ("long", "DIQMTQSPSSLSASVGDRVTITCRASQSISSYLNWYQQKPGKAPKLLIYAASSLQS"),
]


@pytest.fixture(scope="module")
def small():
    return load_model("random:custom_t3_d64_h4", seed=3)


def batch(loaded):
    return loaded.alphabet.get_batch_converter()(SEQUENCES)[2]


def test_every_layer_equals_fair_esm_on_a_padded_batch_with_a_mask_token(small):
    tokens = batch(small)
    assert tokens.eq(small.alphabet.padding_idx).any()
    layers = range(small.num_layers + 1)
    with torch.inference_mode():
        want = small.model(tokens, repr_layers=list(layers))["representations"]
        got = encode(small.model, tokens, set(layers))
    assert set(got) == set(want)
    for layer in layers:
        torch.testing.assert_close(got[layer], want[layer], atol=1e-5, rtol=1e-4)


def test_one_unpadded_sequence_equals_fair_esm(small):
    tokens = small.alphabet.get_batch_converter()(SEQUENCES[2:])[2]
    with torch.inference_mode():
        want = small.model(tokens, repr_layers=[2])["representations"][2]
        got = encode(small.model, tokens, {2})
    torch.testing.assert_close(got[2], want, atol=1e-5, rtol=1e-4)


def test_layers_past_the_deepest_requested_do_not_run(small):
    calls = []
    hooks = [
        layer.register_forward_hook(lambda module, args, out, i=i: calls.append(i))
        for i, layer in enumerate(small.model.layers)
    ]
    try:
        with torch.inference_mode():
            got = encode(small.model, batch(small), {0, 1})
    finally:
        for hook in hooks:
            hook.remove()
    assert set(got) == {0, 1}
    assert not calls  # layers are entered through their submodules, never past layer 1's
    with torch.inference_mode():
        assert set(encode(small.model, batch(small), {0})) == {0}


def test_leaves_no_state_on_the_modules_so_threads_can_share_them(small):
    rotary = [m for m in small.model.modules() if isinstance(m, RotaryEmbedding)]
    before = [m._seq_len_cached for m in rotary]
    lengths = [5, 40, 120, 17, 300, 9]
    errors = []

    def run(n: int) -> None:
        tokens = torch.randint(4, 24, (2, n))
        try:
            with torch.inference_mode():
                for _ in range(5):
                    encode(small.model, tokens, {small.num_layers})
        except Exception as exc:  # collected for the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(n,)) for n in lengths]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert [m._seq_len_cached for m in rotary] == before


def test_bf16_autocast_on_the_cpu_stays_close_to_fp32(small):
    tokens = batch(small)
    last = small.num_layers
    with torch.inference_mode():
        exact = encode(small.model, tokens, {last})[last]
        with torch.autocast("cpu", dtype=torch.bfloat16):
            rough = encode(small.model, tokens, {last})[last]
    assert rough.dtype in (torch.bfloat16, torch.float32)
    torch.testing.assert_close(rough.float(), exact, atol=0.1, rtol=0.05)
