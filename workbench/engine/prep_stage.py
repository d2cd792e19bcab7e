"""The prep stage: input parts (paths, quiver entries by offset) streamed in chunks to worker
processes (loky or Dask), which read them and write each chunk's graphs into a shard; here only
tables, FASTA and the shards' index, and no input or graph bytes."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from workbench.engine.emitter import Emitter
from workbench.engine.pool import TaskPool
from workbench.engine.prep import (
    ChunkDone,
    PrepChunk,
    PrepResult,
    PrepTask,
    chunk_hits,
    prep_chunk,
    unique_name,
)
from workbench.fs import PARTIAL_SUFFIX, atomic_open, write_text_atomic
from workbench.output.shards import ShardedGraphs
from workbench.output.tables import CHAINS_SCHEMA, STRUCTURES_SCHEMA, TableWriter
from workbench.record.events import ItemDone, ItemFailed, ItemWarning
from workbench.record.layout import RunLayout
from workbench.sources import (
    InputPart,
    SourceError,
    SourceFailure,
    describe_source,
    discover,
    entry_count,
    input_kind,
    iter_parts,
)
from workbench.structure import ChainSpec, Manifest, write_fasta

if TYPE_CHECKING:
    from distributed import Client

__all__ = ["PrepStage", "SequenceIndex"]

STAGE = "prep"
# Cache hits a run may read and write into shards here, before any chunk went to a pool or
# cluster: a warm rerun of a few hundred items is done before a fresh pool would have started
# (~1 s), while at any scale the parent reads the input and graph bytes of these few items only.
INLINE_HITS = 256


@dataclass(slots=True)
class SequenceIndex:
    """Unique chain sequences of the run, with how many items and which roles each occurs in:
    O(unique sequences), whatever the item count (chains.parquet maps items to sequences)."""

    sequences: dict[str, str] = field(default_factory=dict)
    n_items: dict[str, int] = field(default_factory=dict)
    roles: dict[str, set[str]] = field(default_factory=dict)

    def add(self, seq_hash: str, sequence: str, role: str) -> None:
        self.sequences.setdefault(seq_hash, sequence)
        self.n_items[seq_hash] = self.n_items.get(seq_hash, 0) + 1
        self.roles.setdefault(seq_hash, set()).add(role)

    def with_roles(self, roles: tuple[str, ...]) -> dict[str, str]:
        """Hash → sequence of the sequences that occur in at least one of ``roles``."""
        return {h: s for h, s in self.sequences.items() if self.roles[h] & set(roles)}


def _estimate_total(inputs: tuple[str, ...]) -> int | None:
    """Items to expect: a file each, the entries of each quiver archive (from its index; a
    multi-model file counts once); None when unknown."""
    total = 0
    try:
        for path in discover(inputs):
            entries = entry_count(path) if input_kind(path) == "quiver" else 1
            if entries is None:
                return None
            total += max(entries, 1)  # an empty archive is one failed item
    except (SourceError, OSError):  # a bad path or archive is reported by the reading itself
        return None
    return total


MAX_CHUNK = 64  # items per chunk (and shard) a large run grows to
GROWTH = 64  # items already chunked per item of chunk length beyond chunk_size


def chunk_length(chunk_size: int, before: int) -> int:
    """Items in the chunk that starts after ``before`` items: ``chunk_size`` for the first few
    hundred items (small runs keep every worker busy), then one more per GROWTH items up to
    MAX_CHUNK (at 4,096 items), so a 10^6-item run makes ~16k shards, not 250k. Depends on the
    item count only, so a rerun of the same command cuts the same chunks and finds its shards."""
    return max(chunk_size, min(MAX_CHUNK, before // GROWTH))


class PrepStage:
    """Runs prep over every input and writes structures, chains and FASTA, and links each item's
    graph (in its chunk's shard) into the run's index, which the run commits when every stage
    that writes graphs is done. The task writes its shards into ``graphs``' (and ``deeprank``'s)
    folder, given to it here as absolute paths: workers run in other working directories."""

    def __init__(
        self,
        *,
        inputs: tuple[str, ...],
        layout: RunLayout,
        spec: ChainSpec | None,
        manifest: Manifest | None,
        task: PrepTask,
        graphs: ShardedGraphs,
        deeprank: ShardedGraphs | None = None,
        workers: int,
        chunk_size: int,
        emitter: Emitter,
        cancel: threading.Event,
        assembles: tuple[str, ...] = (),
    ) -> None:
        self.inputs = inputs
        self.assembles = assembles  # node features the run's later stages write into the shards
        self.layout = layout
        self.spec = spec
        self.manifest = manifest
        self.task = replace(
            task,
            graph_dir=str(graphs.folder.absolute()),
            deeprank_dir=str(deeprank.folder.absolute()) if deeprank is not None else None,
        )
        self.graphs = graphs
        self.deeprank = deeprank  # --features deeprank-ab: DeepRank-Ab's layout, beside graphs
        self.esm_inputs: dict[str, str] = {}  # their ESM inputs: heavy+light, antigen
        self.connect: Callable[[], Client] | None = None
        self.workers = workers
        self.chunk_size = chunk_size or 4
        self.write_merged = task.write_merged
        self.emit = emitter
        self.cancel = cancel
        self.sequences = SequenceIndex()
        self.done = 0
        self.failed = 0
        self._ids = _RunIds(graphs)
        self._source_failures: list[SourceFailure] = []
        self._inline_left = INLINE_HITS

    def _parts(self) -> Iterator[tuple[InputPart, ChainSpec | None]]:
        """Every input part with its chain spec; what cannot be listed is recorded as failed."""
        for part in iter_parts(self.inputs):
            if self.cancel.is_set():
                return
            if isinstance(part, SourceFailure):
                self._source_failures.append(part)
                continue
            spec = self.manifest.spec_for(part.source) if self.manifest else self.spec
            yield part, spec

    def _chunks(self) -> Iterator[PrepChunk]:
        """Chunks of ``chunk_size`` parts, growing once a run is large (see chunk_length)."""
        chunk: list[tuple[InputPart, ChainSpec | None]] = []
        for seen, entry in enumerate(self._parts(), start=1):
            chunk.append(entry)
            if len(chunk) >= chunk_length(self.chunk_size, seen - len(chunk)):
                yield self._chunk(chunk)
                chunk = []
        if chunk:
            yield self._chunk(chunk)

    def _chunk(self, parts: list[tuple[InputPart, ChainSpec | None]]) -> PrepChunk:
        """A task with a new shard name, and the index whose shard may already hold its graphs."""
        replaced = self.graphs.replaced
        index = str(replaced) if replaced is not None else None
        return PrepChunk(self.graphs.next_shard(), tuple(parts), index, self.assembles)

    def run(self, connect: Callable[[], Client] | None = None) -> None:
        """Prep every input; chunks go to the Dask workers of the client ``connect`` returns
        (called when the first chunk misses the cache) when given, else to local
        joblib (loky) processes."""
        self.connect = connect
        total = _estimate_total(self.inputs)
        layout = self.layout
        layout.root.mkdir(parents=True, exist_ok=True)
        structures = TableWriter(layout.structures, STRUCTURES_SCHEMA)
        chains = TableWriter(layout.chains, CHAINS_SCHEMA)
        if self.write_merged:
            layout.merged.mkdir(exist_ok=True)
        self.graphs.open()
        if self.deeprank is not None:
            self.deeprank.open()
        with atomic_open(layout.fasta, "w", suffix=PARTIAL_SUFFIX) as fasta:
            for chunk in self._results():
                for result in chunk.results:
                    self._record(result, chunk, structures, chains, fasta)
                self._source_failures.extend(chunk.failures)
                self._record_source_failures(structures)
                self.emit.count_cache(STAGE, corrupt=chunk.corrupt)
                self.emit.progress(STAGE, self.done + self.failed, total)
            self._record_source_failures(structures)
        structures.close()
        chains.close()
        self.emit.progress(STAGE, self.done + self.failed, self.done + self.failed)

    def _results(self) -> Iterator[ChunkDone]:
        """Every chunk through the worker pool, cache hits too (their worker writes their shard).

        At most two chunks per worker are in flight, so memory stays bounded however many
        items stream in. Here instead: everything with one local worker; until a chunk has
        gone to the pool, chunks of cache hits (up to INLINE_HITS items) and a last chunk, so
        a small or warm run starts no pool and connects no cluster.
        """
        pool = TaskPool(self.connect, self.workers)
        waiting: PrepChunk | None = None  # one chunk held back: the last may run here
        for chunk in self._chunks():
            if waiting is not None:
                yield from self._dispatch(pool, waiting, last=False)
            waiting = chunk
        if waiting is not None:
            yield from self._dispatch(pool, waiting, last=True)
        yield from pool.drain()

    def _dispatch(self, pool: TaskPool, chunk: PrepChunk, *, last: bool) -> Iterator[ChunkDone]:
        """Run ``chunk`` here or submit it, yielding the results that are due (in order)."""
        if pool.inline or (pool.idle and last):
            yield prep_chunk(self.task, chunk)
            return
        if pool.idle and (hits := self._hits_here(chunk)) is not None:
            yield hits
            return
        pool.submit(prep_chunk, self.task, chunk)
        yield from pool.due()

    def _hits_here(self, chunk: PrepChunk) -> ChunkDone | None:
        """The chunk read and done here when every item is a cache hit within the inline
        budget; else None, having read at most this one chunk for nothing."""
        if len(chunk.parts) > self._inline_left:
            return None
        done = chunk_hits(self.task, chunk)
        if done is not None:
            self._inline_left -= len(done.results)
        return done

    def _record_source_failures(self, structures: TableWriter) -> None:
        while self._source_failures:
            failure = self._source_failures.pop(0)
            item_id = unique_name(failure.item_id, self._ids)
            self._ids.failed.add(item_id)
            error = f"{describe_source(failure.source, failure.member)}: read: {failure.reason}"
            structures.append(
                {
                    "item_id": item_id,
                    "source": failure.source,
                    "member": failure.member,
                    "status": "failed",
                    "error": error,
                    "seconds": 0.0,
                    "cached": False,
                    "n_nodes": 0,
                    "n_edges": 0,
                }
            )
            self.failed += 1
            self.emit.emit(
                ItemFailed, stage=STAGE, item_id=item_id, source=failure.source, reason=error
            )

    def _record(self, result: PrepResult, chunk: ChunkDone, structures, chains, fasta) -> None:
        ref = result.ref
        item_id = unique_name(ref.item_id, self._ids)
        spec = result.spec
        structures.append(
            {
                "item_id": item_id,
                "source": ref.source,
                "member": ref.member,
                "checksum": ref.checksum,
                "heavy": spec.heavy if spec else None,
                "light": spec.light if spec else None,
                "antigen": ",".join(spec.antigen) if spec else None,
                "scfv": ",".join(spec.scfv) if spec else None,
                "roles_detected": spec.detected if spec else None,
                "status": result.status,
                "error": result.error,
                "warnings": "; ".join(result.warnings) or None,
                "seconds": result.seconds,
                "cached": result.cached,
                "n_nodes": result.n_nodes,
                "n_edges": result.n_edges,
                "scores": "|".join(f"{k}={v}" for k, v in ref.scores) or None,
            }
        )
        self.emit.count_cache(STAGE, hits=int(result.cached), misses=int(not result.cached))
        if result.status != "done":
            self._ids.failed.add(item_id)
            self.failed += 1
            self.emit.emit(
                ItemFailed,
                stage=STAGE,
                item_id=item_id,
                source=ref.source,
                reason=result.error or "unknown error",
            )
            return
        self.graphs.add(item_id, chunk.shard, result.group)
        if self.deeprank is not None and result.group in chunk.deeprank_items:
            self.deeprank.add(item_id, chunk.shard, result.group)
            self.esm_inputs.update(result.esm_inputs)
        for row in result.chains:
            chains.append(
                {
                    "item_id": item_id,
                    "chain": row.chain,
                    "role": row.role,
                    "seq_hash": row.seq_hash,
                    "length": len(row.sequence),
                    "start": row.start,
                    "stop": row.stop,
                }
            )
            self.sequences.add(row.seq_hash, row.sequence, row.role)
        write_fasta(
            [(f"{item_id}|{row.role}|{row.chain}", row.sequence) for row in result.chains], fasta
        )
        if result.merged_pdb is not None:
            write_text_atomic(
                self.layout.merged_pdb(item_id), result.merged_pdb, suffix=PARTIAL_SUFFIX
            )
        for message in result.warnings:
            self.emit.emit(ItemWarning, stage=STAGE, item_id=item_id, message=message)
        self.done += 1
        self.emit.emit(
            ItemDone, stage=STAGE, item_id=item_id, seconds=result.seconds, cached=result.cached
        )


class _RunIds:
    """The item ids given so far, without a set of every id: a done item's id is a link name of
    the index being written (looked up on disk), a failed one's is held here."""

    def __init__(self, graphs: ShardedGraphs) -> None:
        self.graphs = graphs
        self.failed: set[str] = set()

    def __contains__(self, item_id: str) -> bool:
        return item_id in self.failed or self.graphs.file.id.links.exists(item_id.encode())
