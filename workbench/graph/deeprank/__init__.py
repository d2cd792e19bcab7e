"""The deeprank-ab feature profile: graphs that carry what DeepRank-Ab's checkpoints consume.

``merge_for_deeprank`` builds their two-chain merged complex, ``build_deeprank_graph`` their
atom graph with every feature and MCL cluster, and ``write_group`` / ``deeprank_image`` write it
in their HDF5 layout. The modules' docstrings say what DeepRank-Ab computes, quirks included.
"""

from workbench._lazy import lazy_exports

__all__ = [
    "DeepRankGraph",
    "MergedComplex",
    "build_deeprank_graph",
    "deeprank_image",
    "embedding_values",
    "esm_sequences",
    "merge_for_deeprank",
    "set_embedding",
    "write_embedding",
    "write_group",
]

__getattr__, __dir__ = lazy_exports(
    __name__,
    {
        "DeepRankGraph": "build",
        "MergedComplex": "merged",
        "build_deeprank_graph": "build",
        "deeprank_image": "layout",
        "embedding_values": "layout",
        "esm_sequences": "layout",
        "merge_for_deeprank": "merged",
        "set_embedding": "layout",
        "write_embedding": "layout",
        "write_group": "layout",
    },
)
