"""A run's outcome as a reader should see it: failed runs never read as successes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from workbench.record.fold import RunFold

__all__ = ["OUTCOME_LABELS", "Outcome", "RunOutcome", "run_outcome"]

Outcome = Literal[
    "waiting", "running", "completed", "completed_with_failures", "failed", "cancelled", "crashed"
]
OUTCOME_LABELS: dict[Outcome, str] = {
    "waiting": "starting…",
    "running": "running",
    "completed": "completed",
    "completed_with_failures": "completed with failures",
    "failed": "failed",
    "cancelled": "cancelled — rerun resumes from the cache",
    "crashed": "crashed — rerun resumes from the cache",
}


@dataclass(frozen=True, slots=True)
class RunOutcome:
    """The outcome and the item counts behind it."""

    outcome: Outcome
    items: int
    done: int
    failed: int

    @property
    def label(self) -> str:
        return OUTCOME_LABELS[self.outcome]

    @property
    def finished(self) -> bool:
        return self.outcome not in ("waiting", "running")


def run_outcome(fold: RunFold, info: dict[str, Any] | None) -> RunOutcome:
    """From the events (RunFinished first: it is the log's last word) and run.json's counts."""
    status = fold.status or (info or {}).get("status")
    counts = (info or {}).get("counts") or {}
    prep = fold.stages.get("prep")
    done = int(counts.get("done", prep.done if prep else 0))
    failed = int(counts.get("failed", prep.failed if prep else 0))
    items = int(counts.get("items", done + failed))
    if status in (None, "running"):
        outcome: Outcome = "running" if fold.last_id else "waiting"
    elif status == "completed" and failed and not done:
        outcome = "failed"
    elif status == "completed" and failed:
        outcome = "completed_with_failures"
    else:
        outcome = status
    return RunOutcome(outcome, items, done, failed)
