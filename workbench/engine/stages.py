"""Annotate and embed as run stages: unique sequences in, results and events out."""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from workbench.cache import Cache
from workbench.engine.cluster import LazyClient
from workbench.engine.emitter import Emitter
from workbench.output.embeddings import EmbeddingWriter
from workbench.record.events import BatchDone, ItemWarning

if TYPE_CHECKING:  # the stages import their rooms when they run: a light `workbench run` start
    from workbench.annotate import AnnotateOptions, SequenceNumbering
    from workbench.embed import BatchReport, Compute, EmbedFailure, EmbedOptions, LoadedModel

__all__ = ["NUMBER_HERE_UP_TO", "annotate_stage", "embed_stage"]

# Starting the run's own LocalCluster costs ~3 s of CPU (worker processes that import pyhmmer and
# ANARCI's HMMs), numbering one sequence ~10 ms: up to this many misses, and no cluster running
# yet, the run numbers them itself (docking decoys share a few chains across all their models).
NUMBER_HERE_UP_TO = 64


def _count_cache(cache: Cache, emitter: Emitter, stage: str) -> None:
    counts = cache.take_counts().get(stage)
    if counts is not None:
        emitter.count_cache(stage, counts.hits, counts.misses, counts.corrupt)


def annotate_stage(
    sequences: Mapping[str, str],
    options: AnnotateOptions,
    client: LazyClient,
    cache: Cache,
    emitter: Emitter,
) -> dict[str, SequenceNumbering]:
    """Number the unique antibody sequences on the Dask cluster, through the cache; a few
    misses in this process when the cluster would be started for them alone."""

    def progress(done: int, total: int) -> None:
        _count_cache(cache, emitter, "annotate")
        emitter.progress("annotate", done, total)

    from workbench.annotate import annotate_unique

    here = NUMBER_HERE_UP_TO if client.address is None and not client.started else 0
    numbering = annotate_unique(
        sequences, options, client, cache, on_progress=progress, here_up_to=here
    )
    _count_cache(cache, emitter, "annotate")
    for seq_hash, record in numbering.items():
        if record.error:
            emitter.emit(ItemWarning, stage="annotate", item_id=seq_hash, message=record.error)
    return numbering


def embed_stage(
    sequences: Mapping[str, str],
    options: EmbedOptions,
    path: Path,
    cache: Cache,
    emitter: Emitter,
    client=None,
) -> tuple[int, int, LoadedModel, Compute]:
    """Embed unique sequences into ``path``; returns (done, failed, the model: untrained
    weights? built at all, or every embedding from the cache? and where and in which precision
    they were computed)."""
    from workbench.embed.models import load_model
    from workbench.embed.runner import embed_unique, local_compute

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        loaded = load_model(options.model, options.seed)
    for warning in caught:
        emitter.emit(ItemWarning, stage="embed", item_id="", message=str(warning.message))
    failed: list[EmbedFailure] = []

    def on_batch(report: BatchReport) -> None:
        emitter.emit(
            BatchDone,
            stage="embed",
            device=report.device,
            items=report.items,
            tokens=report.tokens,
            seconds=report.seconds,
        )

    def on_failure(failure: EmbedFailure) -> None:
        failed.append(failure)
        emitter.emit(ItemWarning, stage="embed", item_id=failure.seq_hash, message=failure.reason)

    run, extra = embed_unique, {}
    if client is not None:  # torch only there: the cluster's own modules import it
        from workbench.embed.distributed import cluster_compute, embed_on_cluster

        run, extra = embed_on_cluster, {"client": client}
        compute = cluster_compute(client, options, loaded)
    else:
        compute = local_compute(options)
    done = 0
    total = len(sequences)
    with EmbeddingWriter(
        path,
        model=loaded.name,
        weights_checksum=loaded.weights_checksum,
        layers=loaded.resolve_layers(options.layers),
        untrained=loaded.untrained,
    ) as writer:
        results = run(
            sequences,
            options,
            cache=cache,
            on_batch=on_batch,
            model=loaded,
            on_failure=on_failure,
            compute=compute,
            **extra,
        )
        for seq_hash, array in results:
            writer.add(seq_hash, array)
            done += 1
            _count_cache(cache, emitter, "embed")
            emitter.progress("embed", done, total)
    _count_cache(cache, emitter, "embed")
    return done, len(failed), loaded, compute
