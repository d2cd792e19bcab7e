"""Assemble: regions and embeddings onto every item's residues and graph nodes, and the
per-sequence table."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Iterator, Mapping
from itertools import groupby
from pathlib import Path
from typing import Any, NamedTuple, TypeVar

import h5py
import numpy as np
import pyarrow.parquet as pq

from workbench.annotate import SequenceNumbering, regions_for_sequence
from workbench.embed import reduce_for_graph
from workbench.engine.prep_stage import SequenceIndex
from workbench.graph import REGIONS
from workbench.output.embeddings import EmbeddingReader
from workbench.output.graphs import GraphWriter, holds_node_feature, read_residues
from workbench.output.shards import ShardedGraphs
from workbench.output.tables import REGIONS_SCHEMA, TableWriter
from workbench.record.layout import RunLayout

__all__ = ["Assembler", "sequence_rows"]

_REGION_CODE = {name: code for code, name in enumerate(REGIONS)}
MEMO_BYTES = 256 * 2**20  # per memo: sequences shared by many items stay, unique ones pass

T = TypeVar("T", np.ndarray, tuple[np.ndarray, ...])


class _RecentArrays:
    """The most recently used arrays per sequence, up to a byte budget: a light chain or an
    antigen shared by every design stays, while a campaign of unique designs does not grow the
    parent's memory with the run."""

    def __init__(self, budget: int | None = None) -> None:
        self.budget = MEMO_BYTES if budget is None else budget
        self._held = 0
        self._items: OrderedDict[str, tuple[Any, int]] = OrderedDict()

    def get(self, key: str, make: Callable[[], T]) -> T:
        if key in self._items:
            self._items.move_to_end(key)
            return self._items[key][0]
        value = make()
        size = sum(a.nbytes for a in value) if isinstance(value, tuple) else value.nbytes
        self._items[key] = (value, size)
        self._held += size
        while self._held > self.budget and len(self._items) > 1:
            _, (_, dropped) = self._items.popitem(last=False)
            self._held -= dropped
        return value


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


class Assembler:
    """Per item: residue regions (regions.parquet, node feature ``region``) and ``embedding``,
    written into the item's shard (this run's, its index not yet committed), one shard open at
    a time: items of a shard are consecutive in chains.parquet, as prep records them."""

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
        self._regions = _RecentArrays()
        self._vectors = _RecentArrays()
        self._reader: EmbeddingReader | None = None

    def _chain_regions(
        self, seq_hash: str, role: str, length: int
    ) -> tuple[np.ndarray, np.ndarray]:
        """(region, scheme position) per residue of one chain sequence."""
        if role == "antigen":
            return np.full(length, "antigen", dtype="<U8"), np.full(length, "", dtype="<U8")
        return self._regions.get(seq_hash, lambda: self._numbered(seq_hash, length))

    def _numbered(self, seq_hash: str, length: int) -> tuple[np.ndarray, np.ndarray]:
        record = self.numbering.get(seq_hash)
        if record is None:
            return np.full(length, "unknown", dtype="<U8"), np.full(length, "", dtype="<U8")
        return regions_for_sequence(record), np.asarray(record.positions(), dtype="<U8")

    def _vector(self, seq_hash: str, length: int) -> np.ndarray:
        """A sequence's graph embedding; NaN when the sequence could not be embedded."""
        return self._vectors.get(seq_hash, lambda: self._reduced(seq_hash, length))

    def _reduced(self, seq_hash: str, length: int) -> np.ndarray:
        try:
            per_residue = self._reader.per_residue(seq_hash)
        except KeyError:
            per_residue = np.full((length, self._reader.width), np.nan, dtype=np.float32)
        return reduce_for_graph(per_residue, self.graph_embedding)

    def run(self) -> int:
        """Assemble every item; returns how many items were assembled."""
        regions_out = (
            TableWriter(self.layout.regions, REGIONS_SCHEMA) if self.numbering is not None else None
        )
        count = 0
        if self.embeddings is not None:
            self._reader = EmbeddingReader(self.embeddings)
        located = (
            (*self.graphs.shard_of(item_id), item_id, rows)
            for item_id, rows in _items(self.layout.chains)
        )
        try:
            for shard, items in groupby(located, key=lambda entry: entry[0]):
                changes = []
                with h5py.File(shard, "r") as stored:
                    for _, group, item_id, rows in items:
                        changes += self._changes(stored[group], item_id, rows, regions_out)
                        count += 1
                if changes:  # a rerun's unchanged shard is not written (nor copied for a reader)
                    with GraphWriter(shard) as graphs:
                        for group, name, values in changes:
                            graphs.set_node_feature(group, name, values)
        finally:
            if self._reader is not None:
                self._reader.close()
        if regions_out is not None:
            regions_out.close()
        return count

    def _changes(
        self, group: h5py.Group, item_id: str, rows: list[_Chain], regions_out
    ) -> list[tuple[str, str, np.ndarray]]:
        """The item's node features (region, embedding) whose values differ from the stored
        ones, as (its group's name, feature, values); its regions.parquet rows go out here."""
        name = group.name.lstrip("/")
        residues = read_residues(group.file, name)
        nodes = group["nodes/residue"][()]
        features = []
        if regions_out is not None:
            features.append(
                ("region", self._regions_of(item_id, rows, residues, nodes, regions_out))
            )
        if self._reader is not None:
            features.append(("embedding", self._embedding_of(rows, len(residues), nodes)))
        return [(name, n, v) for n, v in features if not holds_node_feature(group, n, v)]

    def _regions_of(self, item_id, rows, residues, nodes, out) -> np.ndarray:
        region = np.full(len(residues), "unknown", dtype="<U8")
        position = np.full(len(residues), "", dtype="<U8")
        for row in rows:
            region[row.start : row.stop], position[row.start : row.stop] = self._chain_regions(
                row.seq_hash, row.role, row.length
            )
        out.extend_columns(
            {
                "item_id": [item_id] * len(residues),
                "chain": residues.chain.tolist(),
                "res_seq": residues.res_seq.tolist(),
                "ins_code": residues.ins_code.tolist(),
                "aa": residues.aa.tolist(),
                "position": position.tolist(),
                "region": region.tolist(),
            }
        )
        return np.array([_REGION_CODE[name] for name in region[nodes]], dtype=np.int32)

    def _embedding_of(self, rows, n_residues, nodes) -> np.ndarray:
        vectors = [self._vector(row.seq_hash, row.length) for row in rows]
        per_residue = np.full((n_residues, *vectors[0].shape[1:]), np.nan, dtype=np.float32)
        for row, vector in zip(rows, vectors, strict=True):
            per_residue[row.start : row.stop] = vector
        return per_residue[nodes]


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
