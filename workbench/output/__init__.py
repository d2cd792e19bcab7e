"""The run dataset: Parquet tables, graphs.h5 and embeddings.h5, with their readers.

Tables (``tables``): structures (one row per item), chains (one per chain per item: role,
sequence hash, merged residues ``start:stop`` counted from 0), sequences (one per unique
sequence, or per variable domain once numbered), regions (one per residue). graphs.h5: one
group per item with nodes, edges, features and the item's residue map (``graphs``), held in
shards written by the workers and linked from graphs.h5 (``shards``).
embeddings.h5: float16 per-residue ESM-2 embeddings by sequence hash (``embeddings``).
Every file is written under a temporary name and renamed when complete.
"""

from workbench._lazy import lazy_exports

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

# names load on first use: a prep worker writing graphs does not import the tables' pandas
__getattr__, __dir__ = lazy_exports(
    __name__,
    {
        "CHAINS_SCHEMA": "tables",
        "EmbeddingWriter": "embeddings",
        "GraphWriter": "graphs",
        "REGIONS_SCHEMA": "tables",
        "SEQUENCES_SCHEMA": "tables",
        "STRUCTURES_SCHEMA": "tables",
        "ShardedGraphs": "shards",
        "TableWriter": "tables",
        "list_items": "graphs",
        "read_embedding": "embeddings",
        "read_embedding_attrs": "embeddings",
        "read_graph": "graphs",
        "read_graph_tensors": "graphs",
        "read_mean": "embeddings",
        "read_residues": "graphs",
        "read_table": "tables",
        "shard_name": "shards",
        "write_shard": "shards",
        "write_table": "tables",
    },
)
