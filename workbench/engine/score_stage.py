"""The run's DeepRank-Ab steps: ESM scalars onto the deeprank-ab graphs, then scoring them."""

from __future__ import annotations

import threading
from collections.abc import Mapping
from pathlib import Path

import h5py
import numpy as np

from workbench.cache import Cache
from workbench.engine.emitter import Emitter
from workbench.graph.deeprank import embedding_values, write_embedding
from workbench.output.embeddings import EmbeddingReader
from workbench.output.graphs import GraphWriter, holds_node_feature
from workbench.record.events import BatchDone, ItemWarning
from workbench.score import resolve_scorer, score_files, write_scores

__all__ = ["fill_esm_scalars", "score_stage"]


def _scalars(embeddings: EmbeddingReader, seq_hash: str, memo: dict[str, np.ndarray]) -> np.ndarray:
    """DeepRank-Ab's ESM scalar per residue: the mean over the representation's dimensions."""
    if seq_hash not in memo:
        memo[seq_hash] = embeddings.per_residue(seq_hash).astype(np.float32).mean(axis=1)
    return memo[seq_hash]


def fill_esm_scalars(shard: Path, embeddings: Path, emitter: Emitter) -> int:
    """Set every group's ``embedding`` node feature in one deeprank-ab shard, writing only the
    groups whose values change (a rerun's unchanged shard is not written, nor copied for a
    reader); groups left at 0 are warned about. Returns the groups filled."""
    memo: dict[str, np.ndarray] = {}  # one float per residue per unique sequence
    changed: dict[str, np.ndarray] = {}  # item id -> its new values
    filled = 0
    with EmbeddingReader(embeddings) as reader, h5py.File(shard, "r") as stored:
        for item_id, group in stored.items():
            try:
                per_side = tuple(
                    _scalars(reader, h, memo) if h else np.zeros(0, np.float32)
                    for h in group.attrs["esm_hashes"]
                )
            except KeyError as exc:
                emitter.emit(
                    ItemWarning,
                    stage="score",
                    item_id=item_id,
                    message=f"no ESM embedding ({exc.args[0]}); its embedding feature stays 0",
                )
                continue
            filled += 1
            values = embedding_values(group, per_side)
            if not holds_node_feature(group, "embedding", values):
                changed[item_id] = values
    if changed:
        with GraphWriter(shard) as writer:
            for item_id, values in changed.items():
                write_embedding(writer.file[item_id], values)
    return filled


def score_stage(
    scorer: str,
    path: Path,
    out: Path,
    sources: Mapping[str, tuple[str, str]],
    *,
    devices: str,
    precision: str,
    cache: Cache,
    emitter: Emitter,
    cancel: threading.Event,
    client=None,
) -> tuple[int, int, bool]:
    """Score every graph of ``path`` into ``out`` (scores.parquet), ranked in the run and within
    each source file; returns (scored, not scored, untrained weights)."""
    checkpoint = resolve_scorer(scorer)
    total = len(sources)
    done = 0

    def on_batch(batch) -> None:
        nonlocal done
        done += batch.graphs
        emitter.emit(
            BatchDone,
            stage="score",
            device=batch.device,
            items=batch.graphs,
            tokens=batch.nodes,
            seconds=batch.seconds,
        )
        emitter.count_cache("score", hits=batch.cached, misses=batch.graphs - batch.cached)
        emitter.progress("score", done, total)

    result = score_files(
        [path],
        checkpoint,
        devices=devices,
        cache=cache,
        precision=precision,
        on_batch=on_batch,
        cancel=cancel,
        client=client,
        sources=sources,
    )
    table = result.table
    write_scores(out, table, {"scorer": checkpoint.spec})
    return len(table), total - len(table), checkpoint.untrained
