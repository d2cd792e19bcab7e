"""The dataset tables refuse rows with keys their schema does not name (no silent null column)."""

from __future__ import annotations

import pyarrow as pa
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
