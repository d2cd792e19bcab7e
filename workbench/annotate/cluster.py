"""Annotation of a run's unique sequences on Dask: cache first, then model x batch tasks.

Graph per batch of missing sequences: one ``batch`` task holding the sequences (recomputable
from its spec, so losing the worker that held it loses nothing), one ``scan`` task per HMM
model (the model stays hot in the worker's process-wide cache), then one ``combine`` task that
numbers the batch. Every task is pure and idempotent, so Dask may rerun any of them after a
worker dies. Results are written to the cache by the caller's process as batches finish. A few
misses (``here_up_to``) are numbered by the same steps in the caller's process, with no cluster.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING

from workbench.annotate import hmm
from workbench.annotate.hmm import ModelHit
from workbench.annotate.numbering import combine_batch, scan_batch
from workbench.annotate.options import AnnotateOptions
from workbench.annotate.records import SequenceNumbering
from workbench.cache import Cache, CacheKey, decode_json, encode_json
from workbench.structure.sequences import sequence_hash

if TYPE_CHECKING:
    from distributed import Client

__all__ = ["CODE_VERSION", "annotate_unique", "cache_key"]

CODE_VERSION = f"annotate-1/{hmm.NUMBERING_SOFTWARE}"


def cache_key(sequence: str, options: AnnotateOptions) -> CacheKey:
    """Key of one sequence's numbering: sequence, options, HMM file and code versions."""
    params = {**options.to_dict(), "hmm_sha256": hmm.hmm_checksum()}
    return CacheKey.make("annotate", sequence_hash(sequence), params, CODE_VERSION)


def _batch(sequences: Sequence[str]) -> tuple[str, ...]:
    """The batch as a task result, so scans depend on a recomputable key."""
    return tuple(sequences)


def _scan(model_index: int, sequences: tuple[str, ...]) -> list[ModelHit | None]:
    """Task: one HMM model over one batch."""
    return scan_batch(model_index, sequences)


def _combine(
    sequences: tuple[str, ...], options: dict, *per_model: list[ModelHit | None]
) -> list[SequenceNumbering]:
    """Task: number one batch from every model's hits."""
    return combine_batch(sequences, AnnotateOptions.from_dict(options), per_model)


def _cached(cache: Cache, key: CacheKey, sequence: str) -> SequenceNumbering | None:
    """A cached numbering, or None when absent or not a numbering of this sequence."""
    payload = cache.get(key)
    if payload is None:
        return None
    try:
        record = SequenceNumbering.from_dict(decode_json(payload))
    except (ValueError, KeyError, TypeError):
        return None
    return record if record.sequence == sequence else None


def annotate_unique(
    sequences: Mapping[str, str],
    options: AnnotateOptions,
    client: Client | Callable[[], Client],
    cache: Cache,
    batch_size: int = 256,
    on_progress: Callable[[int, int], None] | None = None,
    here_up_to: int = 0,
) -> dict[str, SequenceNumbering]:
    """Number every sequence (seq_hash -> sequence) once, through the cache and the cluster.

    ``client``: the Dask client, or a function that connects it, called only when more than
    ``here_up_to`` unique sequences are not in the cache (fewer are numbered in this process).
    ``on_progress(done, total)`` counts sequences: cache hits at once, then each batch.
    """
    if batch_size < 1:
        raise ValueError(f"batch_size must be at least 1, got {batch_size}")
    total = len(sequences)
    keys = {name: cache_key(seq, options) for name, seq in sequences.items()}
    results: dict[str, SequenceNumbering] = {}
    for name, seq in sequences.items():
        record = _cached(cache, keys[name], seq)
        if record is not None:
            results[name] = record
    if on_progress:
        on_progress(len(results), total)
    missing = [name for name in sequences if name not in results]
    by_sequence: dict[str, list[str]] = {}
    for name in missing:
        by_sequence.setdefault(sequences[name], []).append(name)
    unique = tuple(by_sequence)
    if not unique:
        return results  # all cached, in the order of ``sequences``: no cluster needed
    batches = (
        [(unique, _number_here(unique, options))]
        if len(unique) <= here_up_to
        else _number_on(client() if callable(client) else client, unique, options, batch_size)
    )
    for chunk, records in batches:
        for seq, record in zip(chunk, records, strict=True):
            if record.error is None:
                cache.put(keys[by_sequence[seq][0]], encode_json(record.to_dict()))
            for name in by_sequence[seq]:
                results[name] = record
        if on_progress:
            on_progress(len(results), total)
    return {name: results[name] for name in sequences}


def _number_here(batch: tuple[str, ...], options: AnnotateOptions) -> list[SequenceNumbering]:
    """One batch through the tasks' steps in this process."""
    scans = [_scan(i, batch) for i in range(len(hmm.model_names()))]
    return _combine(batch, options.to_dict(), *scans)


def _number_on(
    client: Client, unique: tuple[str, ...], options: AnnotateOptions, batch_size: int
) -> Iterator[tuple[tuple[str, ...], list[SequenceNumbering]]]:
    """(batch, its numberings) as the cluster finishes each batch's graph."""
    from distributed import as_completed

    n_models = len(hmm.model_names())
    futures = {}
    for begin in range(0, len(unique), batch_size):
        chunk = unique[begin : begin + batch_size]
        batch = client.submit(_batch, chunk, pure=True)
        scans = [client.submit(_scan, i, batch, pure=True) for i in range(n_models)]
        futures[client.submit(_combine, batch, options.to_dict(), *scans, pure=True)] = chunk
    for future in as_completed(futures):
        yield futures[future], future.result()
