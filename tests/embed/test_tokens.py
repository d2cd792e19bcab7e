"""The vectorised tokeniser against fair-esm's BatchConverter on every bundled chain sequence."""

from __future__ import annotations

import random
from pathlib import Path

import esm
import numpy as np
import pytest

from workbench.embed.tokens import TokenError, Tokenizer
from workbench.sources.refs import Item, ItemRef, checksum_bytes
from workbench.structure import chain_sequences, parse_structure

REPO = Path(__file__).resolve().parents[2]
ALPHABET = esm.data.Alphabet.from_architecture("ESM-1b")


def bundled_sequences() -> dict[str, str]:
    """Chain sequences of every PDB file in tests/data and workbench/examples."""
    paths = sorted((REPO / "tests" / "data").rglob("*.pdb"))
    paths += sorted((REPO / "workbench" / "examples").glob("*.pdb"))
    out = {}
    for path in paths:
        text = path.read_text()
        item = Item(ItemRef(str(path), "", checksum_bytes(text.encode()), "pdb"), text)
        for chain, sequence in chain_sequences(parse_structure(item)).items():
            out[f"{path.name}:{chain}"] = sequence
    return out


def reference(items):
    return ALPHABET.get_batch_converter()(items)[2].numpy()


def test_equal_to_batch_converter_on_every_bundled_sequence():
    sequences = bundled_sequences()
    assert len(sequences) > 40  # X, B, Z, U, O: see the edge cases below
    tokenize = Tokenizer(ALPHABET)
    items = list(sequences.items())
    for item in items:  # one at a time: no padding
        np.testing.assert_array_equal(tokenize([item]), reference([item]))
    rng = random.Random(0)
    for _ in range(20):  # mixed batches: padding after each EOS
        batch = rng.sample(items, rng.randint(2, 12))
        got = tokenize(batch)
        assert got.dtype == np.int64
        np.testing.assert_array_equal(got, reference(batch))


def test_every_one_letter_token_and_edge_cases_match():
    tokenize = Tokenizer(ALPHABET)
    letters = "".join(t for t in ALPHABET.all_toks if len(t) == 1)
    assert set("XBZUO.-") <= set(letters)
    items = [("all", letters), ("rare", "XBZUOXX"), ("one", "M"), ("gap", "AC-.GX")]
    np.testing.assert_array_equal(tokenize(items), reference(items))
    assert tokenize([("m", "M")]).tolist() == [
        [ALPHABET.cls_idx, ALPHABET.get_idx("M"), ALPHABET.eos_idx]
    ]


@pytest.mark.parametrize(
    ("sequence", "char", "position"),
    [("ACDEfGH", "f", 5), ("ACD<mask>E", "<", 4), ("AC DE", " ", 3), ("ACÅD", "Å", 3)],
)
def test_characters_without_a_one_letter_token_are_rejected_naming_the_sequence(
    sequence, char, position
):
    tokenize = Tokenizer(ALPHABET)
    with pytest.raises(TokenError, match=f"sequence 'bad': {char!r} at position {position}"):
        tokenize([("good", "ACDEF"), ("bad", sequence), ("later", "KLM")])
    with pytest.raises(TokenError, match="'lower'"):
        tokenize.check("lower", "acdef")
    tokenize.check("upper", "ACDEF")
