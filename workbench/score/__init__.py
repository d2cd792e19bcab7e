"""Graph scorers: DeepRank-Ab's EGNN from the user's checkpoint, on the device pool.

``resolve_scorer("deeprank-ab:PATH")`` loads a checkpoint (weights only, every key and shape
checked); ``score_files`` scores graph files in DeepRank-Ab's HDF5 layout and ranks them into
the ``scores.parquet`` table (``SCORES_SCHEMA``): predicted DockQ, CAPRI class by DockQ
0.23/0.49/0.80, rank in the run and in its group, and flags for untrained weights, heavy-only
(nanobody) inputs outside DeepRank-Ab's training data, and clashes.
"""

from workbench._lazy import lazy_exports

__all__ = [
    "SCORER_GRAMMAR",
    "SCORES_SCHEMA",
    "CheckpointError",
    "ScoreResult",
    "ScorerCheckpoint",
    "capri_class",
    "load_checkpoint",
    "resolve_scorer",
    "score_files",
    "write_scores",
]

# names load on first use: the CLI's help and the run's options must not import torch
__getattr__, __dir__ = lazy_exports(
    __name__,
    {
        "SCORER_GRAMMAR": "spec",
        "SCORES_SCHEMA": "table",
        "CheckpointError": "checkpoint",
        "ScoreResult": "scoring",
        "ScorerCheckpoint": "checkpoint",
        "capri_class": "table",
        "load_checkpoint": "checkpoint",
        "resolve_scorer": "scoring",
        "score_files": "scoring",
        "write_scores": "table",
    },
)
