"""The dataset tables: rows with keys their schema does not name are refused (no silent null
column), and streamed rows land in few, large row groups."""

from __future__ import annotations

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from workbench.output.tables import (
    CHAINS_SCHEMA,
    REGIONS_SCHEMA,
    SEQUENCES_SCHEMA,
    STRUCTURES_SCHEMA,
    TableWriter,
    read_table,
    write_table,
)

SCHEMAS = {
    "structures": STRUCTURES_SCHEMA,
    "chains": CHAINS_SCHEMA,
    "sequences": SEQUENCES_SCHEMA,
    "regions": REGIONS_SCHEMA,
}


def _misspelt(schema: pa.Schema) -> dict[str, None]:
    """A row of every column, with the first name misspelt by one letter."""
    row = {name: None for name in schema.names}
    first = schema.names[0]
    del row[first]
    row[first[:-1]] = None
    return row


@pytest.mark.parametrize("name", sorted(SCHEMAS))
def test_a_misspelt_row_key_fails_every_writer(tmp_path, name):
    schema = SCHEMAS[name]
    row = _misspelt(schema)
    bad = schema.names[0][:-1]
    with pytest.raises(KeyError, match=bad):
        write_table(tmp_path / f"{name}.parquet", [row], schema)
    writer = TableWriter(tmp_path / f"{name}-stream.parquet", schema)
    with pytest.raises(KeyError, match=bad):
        writer.append(row)
    with pytest.raises(KeyError, match=bad):
        writer.extend_columns({key: [value] for key, value in row.items()})
    writer.close()
    assert read_table(tmp_path / f"{name}-stream.parquet").empty


def _item_columns(n: int, rows: int) -> dict[str, list]:
    """Regions columns of item ``n``: ``rows`` residues (sizes vary as real items do)."""
    return {
        "item_id": [f"item{n:05d}"] * rows,
        "chain": ["H"] * rows,
        "res_seq": list(range(rows)),
        "ins_code": [""] * rows,
        "aa": ["G"] * rows,
        "position": [str(i) for i in range(rows)],
        "region": ["cdr3" if i % 7 == 0 else "fr1" for i in range(rows)],
    }


def test_many_small_calls_make_few_row_groups_with_the_same_rows(tmp_path):
    path = tmp_path / "regions.parquet"
    writer = TableWriter(path, REGIONS_SCHEMA)
    parts = []
    for n in range(2000):
        columns = _item_columns(n, 1 + n % 40)
        parts.append(pa.Table.from_pydict(columns, schema=REGIONS_SCHEMA))
        if n % 3:
            writer.extend_columns(columns)
        else:  # rows one by one go in order with the column-wise ones
            for i in range(len(columns["item_id"])):
                writer.append({name: values[i] for name, values in columns.items()})
    writer.close()
    expected = pa.concat_tables(parts)
    stored = pq.ParquetFile(path)
    assert stored.metadata.num_rows == expected.num_rows == writer.count
    assert stored.metadata.num_row_groups <= 2
    assert stored.read().equals(expected)


def test_row_groups_close_at_the_configured_size(tmp_path):
    path = tmp_path / "chains.parquet"
    writer = TableWriter(path, REGIONS_SCHEMA, batch_rows=64, row_group_rows=1000)
    for n in range(300):
        writer.extend_columns(_item_columns(n, 10))
    writer.close()
    sizes = [
        pq.ParquetFile(path).metadata.row_group(i).num_rows
        for i in range(pq.ParquetFile(path).metadata.num_row_groups)
    ]
    assert sizes == [1000, 1000, 1000]
