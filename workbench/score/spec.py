"""The scorer option's grammar, importable without the model (the CLI's help text)."""

from __future__ import annotations

__all__ = ["SCORER_GRAMMAR"]

SCORER_GRAMMAR = "deeprank-ab:PATH (a DeepRank-Ab checkpoint) or random:deeprank-ab[:SEED]"
