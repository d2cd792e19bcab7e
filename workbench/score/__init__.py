"""Graph scorers: DeepRank-Ab's EGNN from the user's checkpoint, on the device pool.

``resolve_scorer("deeprank-ab:PATH")`` loads a checkpoint (weights only, every key and shape
checked); ``score_files`` scores graph files in DeepRank-Ab's HDF5 layout and ranks them into
the ``scores.parquet`` table (``SCORES_SCHEMA``): predicted DockQ, CAPRI class by DockQ
0.23/0.49/0.80, rank in the run and in its group, and flags for untrained weights, heavy-only
(nanobody) inputs outside DeepRank-Ab's training data, and clashes.
"""

from workbench.score.checkpoint import CheckpointError, ScorerCheckpoint, load_checkpoint
from workbench.score.scoring import SCORER_GRAMMAR, ScoreResult, resolve_scorer, score_files
from workbench.score.table import SCORES_SCHEMA, capri_class, write_scores

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
