"""Parquet tables of a run: their schemas, a streaming writer, and readers beside them."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from workbench.fs import PARTIAL_SUFFIX, AtomicFile

__all__ = [
    "CHAINS_SCHEMA",
    "REGIONS_SCHEMA",
    "SEQUENCES_SCHEMA",
    "STRUCTURES_SCHEMA",
    "TableWriter",
    "check_row",
    "read_table",
    "write_table",
]


STRUCTURES_SCHEMA = pa.schema(
    [
        ("item_id", pa.string()),
        ("source", pa.string()),
        ("member", pa.string()),
        ("checksum", pa.string()),
        ("heavy", pa.string()),
        ("light", pa.string()),
        ("antigen", pa.string()),  # comma-separated chain ids
        ("scfv", pa.string()),  # comma-separated chain ids holding two variable domains
        ("roles_detected", pa.bool_()),
        ("status", pa.string()),  # "done" or "failed"
        ("error", pa.string()),  # file, step and reason of a failure
        ("warnings", pa.string()),  # "; "-joined warnings
        ("seconds", pa.float64()),
        ("cached", pa.bool_()),
        ("n_nodes", pa.int64()),
        ("n_edges", pa.int64()),
        ("scores", pa.string()),  # quiver scores as "k=v|k=v"
    ]
)

CHAINS_SCHEMA = pa.schema(
    [
        ("item_id", pa.string()),
        ("chain", pa.string()),
        ("role", pa.string()),
        ("seq_hash", pa.string()),
        ("length", pa.int64()),
        ("start", pa.int64()),  # first merged residue index (from 0)
        ("stop", pa.int64()),  # one past the last
    ]
)

SEQUENCES_SCHEMA = pa.schema(
    [
        ("seq_hash", pa.string()),
        ("sequence", pa.string()),
        ("length", pa.int64()),
        ("n_items", pa.int64()),
        ("roles", pa.list_(pa.string())),
        ("domain", pa.int64()),  # variable domain index within the chain (from 0), once numbered
        ("chain_type", pa.string()),  # H, K or L
        ("species", pa.string()),
        ("scheme", pa.string()),
        ("cdr1", pa.string()),
        ("cdr2", pa.string()),
        ("cdr3", pa.string()),
        ("v_start", pa.int64()),  # variable domain residues v_start:v_end of the sequence (from 0)
        ("v_end", pa.int64()),
        ("error", pa.string()),  # why numbering failed, when it did
    ]
)

REGIONS_SCHEMA = pa.schema(
    [
        ("item_id", pa.string()),
        ("chain", pa.string()),
        ("res_seq", pa.int64()),
        ("ins_code", pa.string()),
        ("aa", pa.string()),
        ("position", pa.string()),  # scheme position, e.g. "111A"; "" outside a domain
        ("region", pa.string()),
    ]
)


def check_row(row: Mapping[str, Any], schema: pa.Schema, path: Path) -> Mapping[str, Any]:
    """The row, if every key is a column: a misspelt key would otherwise write a null column."""
    unknown = set(row) - set(schema.names)
    if unknown:
        raise KeyError(f"{path.name}: no column {sorted(unknown)}; the columns are {schema.names}")
    return row


class TableWriter:
    """Streams rows into a Parquet file in row groups of ``row_group_rows``, so a reader's footer
    stays small however rows arrive; the file appears only when closed cleanly."""

    def __init__(
        self,
        path: str | Path,
        schema: pa.Schema,
        batch_rows: int = 2048,
        row_group_rows: int = 65_536,
    ) -> None:
        self.path = Path(path)
        self.schema = schema
        self._temp = AtomicFile(self.path, suffix=PARTIAL_SUFFIX)
        self._writer = pq.ParquetWriter(self._temp.path, schema)
        self._rows: list[Mapping[str, Any]] = []
        self._tables: list[pa.Table] = []
        self._buffered = 0
        self._batch_rows = batch_rows
        self._row_group_rows = row_group_rows
        self.count = 0

    def append(self, row: Mapping[str, Any]) -> None:
        self._rows.append(check_row(row, self.schema, self.path))
        self.count += 1
        if len(self._rows) >= self._batch_rows:
            self._buffer_rows()

    def extend_columns(self, columns: Mapping[str, Any]) -> None:
        """Append many rows given column-wise (arrays or lists of equal length)."""
        self.append_table(
            pa.Table.from_pydict(
                dict(check_row(columns, self.schema, self.path)), schema=self.schema
            )
        )

    def append_table(self, table: pa.Table) -> None:
        """Append the rows of a table of this schema (one made elsewhere, e.g. by a worker)."""
        if not table.schema.equals(self.schema):
            raise ValueError(f"{self.path}: rows of another schema: {table.schema}")
        self._buffer_rows()
        self.count += table.num_rows
        self._buffer(table)

    def _buffer_rows(self) -> None:
        """Turn the pending row dicts into a columnar table (bounded Python objects)."""
        if self._rows:
            rows, self._rows = self._rows, []
            self._buffer(pa.Table.from_pylist(rows, schema=self.schema))

    def _buffer(self, table: pa.Table) -> None:
        self._tables.append(table)
        self._buffered += table.num_rows
        if self._buffered >= self._row_group_rows:
            self.flush()

    def flush(self) -> None:
        """Write everything buffered as one row group."""
        self._buffer_rows()
        if self._buffered:
            table = pa.concat_tables(self._tables).combine_chunks()
            self._writer.write_table(table, row_group_size=table.num_rows)
            self._tables, self._buffered = [], 0

    def close(self) -> Path:
        self.flush()
        self._writer.close()
        return self._temp.commit()


def write_table(path: str | Path, rows: Sequence[Mapping[str, Any]], schema: pa.Schema) -> Path:
    """Write rows at once (small tables), atomically."""
    with AtomicFile(path, suffix=PARTIAL_SUFFIX) as temp:
        checked = [check_row(row, schema, temp.target) for row in rows]
        pq.write_table(pa.Table.from_pylist(checked, schema=schema), temp.path)
    return temp.target


def read_table(path: str | Path) -> pd.DataFrame:
    """A run table as a DataFrame; an absent table (stage not run) reads as empty."""
    path = Path(path)
    if not path.exists():
        return pd.DataFrame()
    return pq.read_table(path).to_pandas()
