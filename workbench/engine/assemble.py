"""Assemble: regions and embeddings onto every item's residues and graph nodes, per shard, in
the process that runs the shard's job (a prep worker, local or on the cluster); the parent
streams the jobs, appends each shard's regions rows and writes the per-sequence table."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from itertools import groupby
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

import h5py
import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from workbench.annotate import SequenceNumbering, regions_for_sequence
from workbench.embed import reduce_for_graph
from workbench.engine.pool import TaskPool
from workbench.engine.prep_stage import SequenceIndex
from workbench.graph import REGIONS
from workbench.output.embeddings import EmbeddingReader
from workbench.output.graphs import GraphWriter, holds_node_feature, read_residues
from workbench.output.shards import ShardedGraphs
from workbench.output.tables import REGIONS_SCHEMA, TableWriter
from workbench.record.layout import RunLayout

if TYPE_CHECKING:
    from distributed import Client

__all__ = ["Assembler", "ShardAssembled", "ShardJob", "assemble_shard", "sequence_rows"]

_REGION_CODE = {name: code for code, name in enumerate(REGIONS)}
# Items a run assembles here before sending shards to a pool: a small or warm run starts none.
INLINE_ITEMS = 256


class _Chain(NamedTuple):
    """One chain row of chains.parquet, as assemble reads it."""

    role: str
    seq_hash: str
    length: int
    start: int
    stop: int


def _items(path: Path) -> Iterator[tuple[str, list[_Chain]]]:
    """Each item's chains, streamed in file order (prep appends an item's rows together, in
    one ``_record``), so memory holds one item's rows, not the table."""
    item_id, chains = None, []
    for batch in pq.ParquetFile(path).iter_batches(columns=["item_id", *_Chain._fields]):
        for row in batch.to_pylist():
            if row["item_id"] != item_id:
                if chains:
                    yield item_id, chains
                item_id, chains = row["item_id"], []
            chains.append(_Chain(*(row[name] for name in _Chain._fields)))
    if chains:
        yield item_id, chains


@dataclass(frozen=True, slots=True)
class ShardJob:
    """One shard's assembly: its items' chains, the numbering of just their sequences (None:
    no annotate stage), and where the embeddings are (None: no embed stage)."""

    shard: str  # the shard file
    items: tuple[tuple[str, str, tuple[_Chain, ...]], ...]  # (group in the shard, item id, chains)
    numbering: dict[str, SequenceNumbering] | None
    embeddings: str | None
    graph_embedding: str


@dataclass(frozen=True, slots=True)
class ShardAssembled:
    """What a shard's job sends back: how many items it assembled, and their regions.parquet
    rows (None without numbering)."""

    items: int
    regions: pa.Table | None


def assemble_shard(job: ShardJob) -> ShardAssembled:
    """Write the shard's changed node features (a rerun's unchanged shard is not written, nor
    copied for a reader) and return its regions rows."""
    reader = EmbeddingReader(job.embeddings) if job.embeddings is not None else None
    try:
        shard = _ShardAssembly(job, reader)
        with h5py.File(job.shard, "r") as stored:
            changes = [
                change
                for group, item_id, chains in job.items
                for change in shard.changes(stored[group], item_id, chains)
            ]
    finally:
        if reader is not None:
            reader.close()
    if changes:
        with GraphWriter(job.shard) as graphs:
            for group, name, values in changes:
                graphs.set_node_feature(group, name, values)
    return ShardAssembled(len(job.items), shard.regions())


class _ShardAssembly:
    """The arrays of one shard job, each sequence's computed once for the job."""

    def __init__(self, job: ShardJob, reader: EmbeddingReader | None) -> None:
        self.job = job
        self.reader = reader
        self._regions: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        self._vectors: dict[str, np.ndarray] = {}
        self._rows: dict[str, list] = {name: [] for name in REGIONS_SCHEMA.names}

    def regions(self) -> pa.Table | None:
        if self.job.numbering is None:
            return None
        return pa.Table.from_pydict(self._rows, schema=REGIONS_SCHEMA)

    def changes(
        self, group: h5py.Group, item_id: str, chains: tuple[_Chain, ...]
    ) -> list[tuple[str, str, np.ndarray]]:
        """The item's node features (region, embedding) whose values differ from the stored
        ones, as (its group's name, feature, values); its regions rows are kept for the table."""
        name = group.name.lstrip("/")
        residues = read_residues(group.file, name)
        nodes = group["nodes/residue"][()]
        features = []
        if self.job.numbering is not None:
            features.append(("region", self._regions_of(item_id, chains, residues, nodes)))
        if self.reader is not None:
            features.append(("embedding", self._embedding_of(chains, len(residues), nodes)))
        return [(name, n, v) for n, v in features if not holds_node_feature(group, n, v)]

    def _chain_regions(self, chain: _Chain) -> tuple[np.ndarray, np.ndarray]:
        """(region, scheme position) per residue of one chain sequence."""
        if chain.role == "antigen":
            return (
                np.full(chain.length, "antigen", dtype="<U8"),
                np.full(chain.length, "", dtype="<U8"),
            )
        if chain.seq_hash not in self._regions:
            record = self.job.numbering.get(chain.seq_hash)
            self._regions[chain.seq_hash] = (
                (np.full(chain.length, "unknown", dtype="<U8"), np.full(chain.length, "", "<U8"))
                if record is None
                else (regions_for_sequence(record), np.asarray(record.positions(), dtype="<U8"))
            )
        return self._regions[chain.seq_hash]

    def _regions_of(self, item_id, chains, residues, nodes) -> np.ndarray:
        region = np.full(len(residues), "unknown", dtype="<U8")
        position = np.full(len(residues), "", dtype="<U8")
        for chain in chains:
            region[chain.start : chain.stop], position[chain.start : chain.stop] = (
                self._chain_regions(chain)
            )
        columns = {
            "item_id": [item_id] * len(residues),
            "chain": residues.chain.tolist(),
            "res_seq": residues.res_seq.tolist(),
            "ins_code": residues.ins_code.tolist(),
            "aa": residues.aa.tolist(),
            "position": position.tolist(),
            "region": region.tolist(),
        }
        for name, values in columns.items():
            self._rows[name].extend(values)
        return np.array([_REGION_CODE[name] for name in region[nodes]], dtype=np.int32)

    def _vector(self, chain: _Chain) -> np.ndarray:
        """A sequence's graph embedding; NaN when the sequence could not be embedded."""
        if chain.seq_hash not in self._vectors:
            try:
                per_residue = self.reader.per_residue(chain.seq_hash)
            except KeyError:
                per_residue = np.full((chain.length, self.reader.width), np.nan, dtype=np.float32)
            self._vectors[chain.seq_hash] = reduce_for_graph(per_residue, self.job.graph_embedding)
        return self._vectors[chain.seq_hash]

    def _embedding_of(self, chains, n_residues, nodes) -> np.ndarray:
        vectors = [self._vector(chain) for chain in chains]
        per_residue = np.full((n_residues, *vectors[0].shape[1:]), np.nan, dtype=np.float32)
        for chain, vector in zip(chains, vectors, strict=True):
            per_residue[chain.start : chain.stop] = vector
        return per_residue[nodes]


class Assembler:
    """Streams chains.parquet into one job per shard (items of a shard are consecutive there, as
    prep records them) for the run's pool, and writes regions.parquet from the jobs' rows, in
    order; the shards are this run's, their index not yet committed."""

    def __init__(
        self,
        layout: RunLayout,
        numbering: Mapping[str, SequenceNumbering] | None,
        embeddings: Path | None,
        graph_embedding: str,
        graphs: ShardedGraphs,
    ) -> None:
        self.layout = layout
        self.graphs = graphs
        self.numbering = numbering
        self.embeddings = embeddings
        self.graph_embedding = graph_embedding

    def _jobs(self) -> Iterator[ShardJob]:
        # absolute paths: a cluster's workers run in other working directories
        embeddings = str(self.embeddings.absolute()) if self.embeddings is not None else None
        located = (
            (*self.graphs.shard_of(item_id), item_id, chains)
            for item_id, chains in _items(self.layout.chains)
        )
        for shard, entries in groupby(located, key=lambda entry: entry[0]):
            items = tuple((group, item_id, tuple(chains)) for _, group, item_id, chains in entries)
            numbering = None
            if self.numbering is not None:
                wanted = {c.seq_hash for _, _, chains in items for c in chains}
                numbering = {h: self.numbering[h] for h in wanted if h in self.numbering}
            yield ShardJob(
                str(shard.absolute()), items, numbering, embeddings, self.graph_embedding
            )

    def _results(self, pool: TaskPool) -> Iterator[ShardAssembled]:
        """Every job's reply, in order: the first INLINE_ITEMS items here, the rest through
        the pool."""
        inline_left = INLINE_ITEMS
        for job in self._jobs():
            if pool.inline or (pool.idle and len(job.items) <= inline_left):
                inline_left -= len(job.items)
                yield assemble_shard(job)
            else:
                pool.submit(assemble_shard, job)
                yield from pool.due()
        yield from pool.drain()

    def run(self, connect: Callable[[], Client] | None = None, workers: int = 1) -> int:
        """Assemble every item, on the client ``connect`` returns when given, else on local
        processes (``workers``); returns how many items were assembled."""
        regions_out = (
            TableWriter(self.layout.regions, REGIONS_SCHEMA) if self.numbering is not None else None
        )
        count = 0
        for done in self._results(TaskPool(connect, workers)):
            count += done.items
            if regions_out is not None:
                regions_out.append_table(done.regions)
        if regions_out is not None:
            regions_out.close()
        return count


def sequence_rows(index: SequenceIndex, numbering: dict | None, scheme: str) -> list[dict]:
    """sequences.parquet rows: one per unique sequence, or one per domain once numbered."""
    rows = []
    for seq_hash, sequence in index.sequences.items():
        base = {
            "seq_hash": seq_hash,
            "sequence": sequence,
            "length": len(sequence),
            "n_items": index.n_items[seq_hash],
            "roles": sorted(index.roles[seq_hash]),
        }
        record = numbering.get(seq_hash) if numbering else None
        if record is None or not record.domains:
            rows.append(
                {
                    **base,
                    "scheme": scheme if record else None,
                    "error": record.error if record else None,
                }
            )
            continue
        for k, domain in enumerate(record.domains):
            rows.append(
                {
                    **base,
                    "domain": k,
                    "chain_type": domain.chain_type,
                    "species": domain.species,
                    "scheme": scheme,
                    "cdr1": domain.cdr1,
                    "cdr2": domain.cdr2,
                    "cdr3": domain.cdr3,
                    "v_start": domain.start,
                    "v_end": domain.end,
                }
            )
    return rows
