"""Vectorised tokenising: fair-esm's ``BatchConverter`` as one numpy pass over a batch.

fair-esm turns each sequence into tokens one character at a time in Python (0.18 M tokens/s, under
the GIL shared by every device thread). Here a 256-entry byte -> token table built from the
model's ``Alphabet`` maps the whole batch's bytes at once, and BOS, EOS and padding are written
by index; the tokens equal ``BatchConverter``'s for every one-letter code of the alphabet (the 20
amino acids, X, B, Z, U, O, '.', '-'). Multi-character tokens (``<mask>``) and anything else are
rejected: the workbench counts one token per residue (``Piece.tokens`` = residues + 2).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

__all__ = ["TokenError", "Tokenizer"]


class TokenError(ValueError):
    """A sequence holds a character the model has no one-letter token for."""

    def __init__(self, name: str, position: int, char: str) -> None:
        self.reason = (
            f"{char!r} at position {position + 1} is not a residue the model knows (upper-case "
            "one-letter codes only: 20 amino acids, X, B, Z, U, O, '.', '-')"
        )
        super().__init__(f"sequence {name!r}: {self.reason}")
        self.name = name
        self.position = position
        self.char = char


class Tokenizer:
    """Padded token batches from (name, sequence) pairs, as fair-esm's BatchConverter makes them."""

    def __init__(self, alphabet: Any) -> None:
        self.table = np.full(256, -1, dtype=np.int64)
        for token, index in alphabet.tok_to_idx.items():
            if len(token) == 1 and token.isprintable() and not token.isspace():
                self.table[ord(token)] = index
        self.bos = alphabet.cls_idx if alphabet.prepend_bos else None
        self.eos = alphabet.eos_idx if alphabet.append_eos else None
        self.padding = alphabet.padding_idx
        self._known = frozenset(chr(code) for code in np.flatnonzero(self.table >= 0))

    def check(self, name: str, sequence: str) -> None:
        """Raise TokenError naming ``name`` at the first character without a token (a set test
        first: this runs once per sequence, before any batch)."""
        if not self._known.issuperset(sequence):
            self._codes([(name, sequence)])

    def __call__(self, items: Sequence[tuple[str, str]]) -> np.ndarray:
        """Tokens of one batch.

        Parameters
        ----------
        items : sequence of (name, sequence)
            ``name`` only appears in the TokenError raised for a character without a token.

        Returns
        -------
        ndarray, dtype=int64, shape (len(items), longest + BOS + EOS)
            BOS, residues, EOS, then padding, row i for items[i].
        """
        codes, lengths = self._codes(items)
        lead = int(self.bos is not None)
        width = int(lengths.max(initial=0)) + lead + int(self.eos is not None)
        out = np.full((len(items), width), self.padding, dtype=np.int64)
        rows = np.arange(len(items))
        if self.bos is not None:
            out[:, 0] = self.bos
        starts = np.cumsum(lengths) - lengths
        row_of = np.repeat(rows, lengths)
        out[row_of, np.arange(codes.size) - starts[row_of] + lead] = codes
        if self.eos is not None:
            out[rows, lengths + lead] = self.eos
        return out

    def _codes(self, items: Sequence[tuple[str, str]]) -> tuple[np.ndarray, np.ndarray]:
        """Every residue's token, flat, and each sequence's length; TokenError on a bad one."""
        joined = "".join(text for _, text in items)
        raw = np.frombuffer(joined.encode("latin-1", errors="replace"), dtype=np.uint8)
        codes = self.table[raw]
        lengths = np.fromiter((len(text) for _, text in items), dtype=np.int64, count=len(items))
        bad = np.flatnonzero(codes < 0)
        if bad.size:
            first = int(bad[0])
            index = int(np.searchsorted(np.cumsum(lengths), first, side="right"))
            name, text = items[index]
            position = first - int(lengths[:index].sum())
            raise TokenError(name, position, text[position])
        return codes, lengths
