"""Embed unique sequences: cache first, then the scheduler and one worker thread per device
(``local_run``, imported only when something is left to compute: a run whose every embedding is
cached, with no CUDA device in sight, imports neither torch nor fair-esm)."""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from workbench.cache.codec import decode_arrays, encode_arrays
from workbench.cache.keys import CacheKey
from workbench.cache.writer import CacheWriter
from workbench.embed import scheduler as sch
from workbench.embed.compute import Compute, compute_for, library_versions
from workbench.embed.devices import local_devices
from workbench.embed.models import LoadedModel, load_model
from workbench.embed.options import EmbedOptions
from workbench.embed.tokens import TokenError, Tokenizer
from workbench.embed.windows import merge_windows, window_spans
from workbench.structure.sequences import sequence_hash

__all__ = [
    "CODE_VERSION",
    "BatchReport",
    "EmbedError",
    "EmbedFailure",
    "Pieces",
    "Store",
    "embed_unique",
    "embed_with",
    "embedding_key",
    "local_compute",
]

CODE_VERSION = "embed-2"  # the encoder's own forward pass (workbench/embed/encoder.py)


class Store(Protocol):
    """The part of the cache store the embed room uses."""

    def get(self, key: CacheKey) -> bytes | None: ...

    def put(self, key: CacheKey, payload: bytes) -> None: ...


@dataclass(frozen=True, slots=True)
class BatchReport:
    """One finished batch: ``items`` pieces, ``tokens`` padded tokens, running tokens/s."""

    device: str
    items: int
    tokens: int
    seconds: float
    tokens_per_s: float  # this device's padded tokens / compute seconds over the run so far


@dataclass(frozen=True, slots=True)
class EmbedFailure:
    """A sequence that could not be embedded, and why."""

    seq_hash: str
    reason: str


class EmbedError(RuntimeError):
    """Sequences failed (listed in ``failures``) or a device crashed."""

    def __init__(self, message: str, failures: tuple[EmbedFailure, ...] = ()) -> None:
        super().__init__(message)
        self.failures = failures


def embedding_key(
    sequence: str, loaded: LoadedModel, options: EmbedOptions, compute: Compute
) -> CacheKey:
    """Cache address of one sequence's embedding: sequence, weights, layers, window, and what
    the numbers depend on beyond them (device kind, resolved precision, torch and fair-esm)."""
    params = {
        "weights": loaded.weights_checksum,
        "layers": list(loaded.resolve_layers(options.layers)),
        "precision": compute.precision,
        "device": compute.device_kind,
        **library_versions(),
        "window": options.window,
        "overlap": options.overlap,
    }
    return CacheKey.make("embed", sequence_hash(sequence), params, CODE_VERSION)


def local_compute(options: EmbedOptions) -> Compute:
    """Device kind and resolved precision of a run on this process's devices."""
    return compute_for(local_devices(options.devices), options.precision)


def _cached(store: Store | None, key: CacheKey, width: int, length: int) -> np.ndarray | None:
    """A cached embedding of the expected shape, or None (absent or unreadable: recompute)."""
    payload = store.get(key) if store is not None else None
    if payload is None:
        return None
    try:
        arrays, _ = decode_arrays(payload)
    except ValueError:
        return None
    array = arrays.get("embedding")
    if array is None or array.dtype != np.float16 or array.shape != (length, width):
        return None
    return array


def embed_unique(
    sequences: Mapping[str, str],
    options: EmbedOptions,
    cache: Store | None = None,
    on_batch: Callable[[BatchReport], None] | None = None,
    *,
    model: LoadedModel | None = None,
    on_failure: Callable[[EmbedFailure], None] | None = None,
    compute: Compute | None = None,
) -> Iterator[tuple[str, np.ndarray]]:
    """Embed every sequence once on the local devices, yielding results as they finish.

    Parameters
    ----------
    sequences : Mapping[str, str]
        Sequence hash -> amino-acid sequence; equal sequences under several hashes run once.
    options : EmbedOptions
    cache : Store, optional
        Results are looked up and stored per sequence (see :func:`embedding_key`).
    on_batch : callable, optional
        Called in the caller's thread with a BatchReport after every batch.
    model : LoadedModel, optional
        An already loaded model; by default ``load_model(options.model, options.seed)``.
    on_failure : callable, optional
        Called for each sequence that cannot be embedded; without it, failures are raised
        together as EmbedError once every other sequence has been yielded.
    compute : Compute, optional
        The run's device kind and precision; by default ``local_compute(options)``.

    Yields
    ------
    seq_hash : str
    embedding : ndarray, dtype=float16, shape (L, D x n_layers)
        Per-residue representations without BOS/EOS, the chosen layers concatenated along the
        features in the order of ``options.layers``; cached sequences come first.
    """
    loaded = model or load_model(options.model, options.seed)
    compute = compute or local_compute(options)

    def local(pieces: Pieces, layers: tuple[int, ...]) -> Iterator[tuple[str, object]]:
        from workbench.embed.local_run import LocalRun

        return LocalRun(pieces, loaded, options, layers, on_batch, compute.precision).results()

    return embed_with(local, sequences, options, cache, loaded, on_failure, compute)


def embed_with(
    backend: Callable[[Pieces, tuple[int, ...]], Iterator[tuple[str, object]]],
    sequences: Mapping[str, str],
    options: EmbedOptions,
    cache: Store | None,
    loaded: LoadedModel,
    on_failure: Callable[[EmbedFailure], None] | None,
    compute: Compute,
) -> Iterator[tuple[str, np.ndarray]]:
    """Dedupe, serve from the cache, reject characters without a token, run the rest on
    ``backend``, store, yield (see embed_unique). A cached key implies the sequence was embedded
    before, so only misses are checked against the alphabet.

    ``backend(pieces, layers)`` yields (lead hash, float16 array or failure reason).
    """
    if options.window > loaded.max_len:
        raise ValueError(f"window {options.window} exceeds the model limit of {loaded.max_len}")
    layers = loaded.resolve_layers(options.layers)
    width = loaded.embed_dim * len(layers)
    tokenizer: Tokenizer | None = None
    failures: list[EmbedFailure] = []
    by_sequence: dict[str, list[str]] = {}
    for seq_hash, sequence in sequences.items():
        by_sequence.setdefault(sequence, []).append(seq_hash)
    todo: dict[str, str] = {}
    keys: dict[str, CacheKey] = {}
    for sequence, hashes in by_sequence.items():
        if not sequence:
            failures.extend(EmbedFailure(h, "empty sequence") for h in hashes)
            continue
        key = embedding_key(sequence, loaded, options, compute)
        array = _cached(cache, key, width, len(sequence))
        if array is not None:
            for seq_hash in hashes:
                yield seq_hash, array
            continue
        if tokenizer is None:
            tokenizer = Tokenizer(loaded.alphabet)
        try:
            tokenizer.check(hashes[0], sequence)
        except TokenError as exc:
            failures.extend(EmbedFailure(h, exc.reason) for h in hashes)
            continue
        todo[hashes[0]] = sequence
        keys[hashes[0]] = key
    if todo:
        meta = {"model": loaded.name, "untrained": loaded.untrained}
        writer = CacheWriter(cache) if cache is not None else contextlib.nullcontext()
        with writer:  # results go on at once; the stage ends only when all are stored
            for lead, result in backend(Pieces(todo, options), layers):
                sequence = todo[lead]
                if isinstance(result, str):
                    failures.extend(EmbedFailure(h, result) for h in by_sequence[sequence])
                    continue
                if cache is not None:
                    writer.submit(
                        keys[lead],
                        functools.partial(encode_arrays, {"embedding": result}, meta),
                    )
                for seq_hash in by_sequence[sequence]:
                    yield seq_hash, result
    if failures and on_failure is None:
        lines = "; ".join(f"{f.seq_hash}: {f.reason}" for f in failures[:5])
        raise EmbedError(
            f"{len(failures)} sequence(s) could not be embedded: {lines}", tuple(failures)
        )
    for failure in failures:
        on_failure(failure)


class Pieces:
    """Sequences cut into model-sized pieces (windows), and reassembled as pieces come back."""

    def __init__(self, todo: Mapping[str, str], options: EmbedOptions) -> None:
        self.spans = {
            h: window_spans(len(s), options.window, options.overlap) for h, s in todo.items()
        }
        self.lengths = {h: len(s) for h, s in todo.items()}
        self.texts = {
            f"{h}:{start}": todo[h][start:stop]
            for h, spans in self.spans.items()
            for start, stop in spans
        }
        self._parts: dict[str, dict[int, np.ndarray]] = {h: {} for h in todo}
        self._failed: set[str] = set()

    def pieces(self) -> list[sch.Piece]:
        return [sch.Piece(key, len(text) + 2) for key, text in self.texts.items()]

    def add(self, key: str, array: np.ndarray) -> tuple[str, np.ndarray] | None:
        """Record one piece; return (hash, whole embedding) when its sequence is complete."""
        seq_hash, start = key.rsplit(":", 1)
        if seq_hash in self._failed or seq_hash not in self._parts:
            return None
        parts = self._parts[seq_hash]
        parts[int(start)] = array
        spans = self.spans[seq_hash]
        if len(parts) < len(spans):
            return None
        del self._parts[seq_hash]
        if len(spans) == 1:
            return seq_hash, array
        return seq_hash, merge_windows([parts[s] for s, _ in spans], spans, self.lengths[seq_hash])

    def fail(self, key: str) -> str | None:
        """Mark the sequence of a failed piece; its hash the first time, else None."""
        seq_hash = key.rsplit(":", 1)[0]
        if seq_hash in self._failed:
            return None
        self._failed.add(seq_hash)
        self._parts.pop(seq_hash, None)
        return seq_hash
