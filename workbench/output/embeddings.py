"""embeddings.h5: per-residue ESM-2 embeddings of every unique sequence, keyed by sequence hash.

Layout::

    /per_residue/<seq_hash>   float16, shape (L, F)  residue i of the sequence at row i (from 0)
    /mean/<seq_hash>          float32, shape (F,)    mean over residues (computed in float32)
    attributes of /           model, weights_checksum, layers (int array), untrained (bool),
                              format ("workbench-embeddings/1")

F = model width x number of layers. ``untrained`` is True when the weights were random: the
values then carry no meaning. The file is written whole under a temporary name beside the
target, fsynced and renamed over it on a clean close (:class:`workbench.fs.AtomicFile`), so a
crash never leaves a half-written embeddings.h5 behind; an exception inside the ``with`` block
discards the file.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from types import TracebackType

import h5py
import numpy as np

from workbench.fs import PARTIAL_SUFFIX, AtomicFile

__all__ = [
    "FORMAT",
    "EmbeddingReader",
    "EmbeddingWriter",
    "read_embedding",
    "read_embedding_attrs",
    "read_mean",
]

FORMAT = "workbench-embeddings/1"


class EmbeddingWriter:
    """Collects embeddings into a temporary HDF5 file, published at ``path`` on close."""

    def __init__(
        self,
        path: str | os.PathLike,
        *,
        model: str,
        weights_checksum: str,
        layers: Sequence[int],
        untrained: bool,
    ) -> None:
        self.path = Path(path)
        self._temp = AtomicFile(self.path, suffix=PARTIAL_SUFFIX)
        self._file = h5py.File(self._temp.path, "w")
        attrs = self._file.attrs
        attrs["format"] = FORMAT
        attrs["model"] = model
        attrs["weights_checksum"] = weights_checksum
        attrs["layers"] = np.asarray(layers, dtype=np.int64)
        attrs["untrained"] = bool(untrained)
        self._per_residue = self._file.create_group("per_residue")
        self._mean = self._file.create_group("mean")

    def add(self, seq_hash: str, per_residue: np.ndarray) -> None:
        """Store one sequence's (L, F) embedding as float16 and its float32 mean."""
        array = np.asarray(per_residue)
        if array.ndim != 2 or array.shape[0] == 0:
            raise ValueError(
                f"embedding of {seq_hash} must have shape (L > 0, F), got {array.shape}"
            )
        if seq_hash in self._per_residue:
            raise ValueError(f"{seq_hash} is already in {self.path}")
        self._per_residue.create_dataset(seq_hash, data=array.astype(np.float16, copy=False))
        self._mean.create_dataset(seq_hash, data=array.astype(np.float32).mean(axis=0))

    def close(self) -> None:
        """Flush and publish the file at ``path``."""
        self._file.close()
        self._temp.commit()

    def abort(self) -> None:
        """Drop the temporary file; ``path`` keeps whatever it held before."""
        self._file.close()
        self._temp.discard()

    def __enter__(self) -> EmbeddingWriter:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if kind is None:
            self.close()
        else:
            self.abort()


class EmbeddingReader:
    """embeddings.h5 opened once for many lookups (a stage reading every sequence would
    otherwise open and check the file per sequence)."""

    def __init__(self, path: str | os.PathLike) -> None:
        self.path = Path(path)
        self._handle = h5py.File(self.path, "r")
        if self._handle.attrs.get("format") != FORMAT:
            self._handle.close()
            raise ValueError(f"{path} is not a workbench embeddings file (no {FORMAT!r} format)")

    def _get(self, group: str, seq_hash: str) -> np.ndarray:
        try:
            return self._handle[group][seq_hash][()]
        except KeyError:
            raise KeyError(
                f"{self.path} holds no embedding for sequence hash {seq_hash!r}"
            ) from None

    def per_residue(self, seq_hash: str) -> np.ndarray:
        """ndarray, dtype=float16, shape (L, F)."""
        return self._get("per_residue", seq_hash)

    def mean(self, seq_hash: str) -> np.ndarray:
        """ndarray, dtype=float32, shape (F,)."""
        return self._get("mean", seq_hash)

    @property
    def width(self) -> int:
        """F, the feature width (1 for a file without embeddings)."""
        group = self._handle["per_residue"]
        return group[next(iter(group))].shape[1] if len(group) else 1

    def close(self) -> None:
        self._handle.close()

    def __enter__(self) -> EmbeddingReader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def read_embedding(path: str | os.PathLike, seq_hash: str) -> np.ndarray:
    """One sequence's per-residue embedding.

    Returns
    -------
    ndarray, dtype=float16, shape (L, F)
    """
    with EmbeddingReader(path) as reader:
        return reader.per_residue(seq_hash)


def read_mean(path: str | os.PathLike, seq_hash: str) -> np.ndarray:
    """One sequence's mean embedding over residues.

    Returns
    -------
    ndarray, dtype=float32, shape (F,)
    """
    with EmbeddingReader(path) as reader:
        return reader.mean(seq_hash)


def read_embedding_attrs(path: str | os.PathLike) -> dict[str, object]:
    """The file's model, weights checksum, layers (list of int) and untrained flag."""
    with h5py.File(path, "r") as handle:
        attrs = dict(handle.attrs)
    attrs["layers"] = [int(x) for x in attrs["layers"]]
    attrs["untrained"] = bool(attrs["untrained"])
    return attrs
