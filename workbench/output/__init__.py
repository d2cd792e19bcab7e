"""The run dataset: Parquet tables, graphs.h5 and embeddings.h5, with their readers.

Tables (``tables``): structures (one row per item), chains (one per chain per item: role,
sequence hash, merged residues ``start:stop`` counted from 0), sequences (one per unique
sequence, or per variable domain once numbered), regions (one per residue). graphs.h5: one
group per item with nodes, edges, features and the item's residue map (``graphs``), held in
shards written by the workers and linked from graphs.h5 (``shards``).
embeddings.h5: float16 per-residue ESM-2 embeddings by sequence hash (``embeddings``).
Every file is written under a temporary name and renamed when complete.
"""

from workbench.output.embeddings import (
    EmbeddingWriter,
    read_embedding,
    read_embedding_attrs,
    read_mean,
)
from workbench.output.graphs import (
    GraphWriter,
    list_items,
    read_graph,
    read_graph_tensors,
    read_residues,
)
from workbench.output.shards import ShardedGraphs, shard_name, write_shard
from workbench.output.tables import (
    CHAINS_SCHEMA,
    REGIONS_SCHEMA,
    SEQUENCES_SCHEMA,
    STRUCTURES_SCHEMA,
    TableWriter,
    read_table,
    write_table,
)

__all__ = [
    "CHAINS_SCHEMA",
    "REGIONS_SCHEMA",
    "SEQUENCES_SCHEMA",
    "STRUCTURES_SCHEMA",
    "EmbeddingWriter",
    "GraphWriter",
    "ShardedGraphs",
    "TableWriter",
    "list_items",
    "read_embedding",
    "read_embedding_attrs",
    "read_graph",
    "read_graph_tensors",
    "read_mean",
    "read_residues",
    "read_table",
    "shard_name",
    "write_shard",
    "write_table",
]
