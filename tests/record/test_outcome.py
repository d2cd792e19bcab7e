"""run_outcome: a failed run never reads as a success; the log's RunFinished has the last word."""

from __future__ import annotations

import pytest

from workbench.record import RunFold, run_outcome
from workbench.record.events import ItemFailed, RunFinished, StageFinished, StageStarted

T0 = 1_700_000_000.0


def _fold(done: int, failed: int, status: str | None) -> RunFold:
    events = [StageStarted(run_id="r", t=T0, stage="prep", total=done + failed)]
    events += [
        ItemFailed(run_id="r", t=T0, stage="prep", item_id=f"x{i}", source="x.pdb", reason="bad")
        for i in range(failed)
    ]
    events.append(
        StageFinished(run_id="r", t=T0 + 1, stage="prep", done=done, failed=failed, seconds=1)
    )
    if status is not None:
        events.append(
            RunFinished(
                run_id="r",
                t=T0 + 2,
                status=status,
                n_done=done,
                n_failed=failed,
                seconds=2.0,
            )
        )
    fold = RunFold()
    fold.feed(enumerate(events, start=1))
    return fold


@pytest.mark.parametrize(
    ("done", "failed", "status", "outcome"),
    [
        (3, 0, "completed", "completed"),
        (2, 1, "completed", "completed_with_failures"),
        (0, 3, "completed", "failed"),
        (1, 0, "cancelled", "cancelled"),
        (1, 0, None, "running"),
    ],
)
def test_outcome_from_events(done, failed, status, outcome):
    got = run_outcome(_fold(done, failed, status), None)
    assert (got.outcome, got.done, got.failed) == (outcome, done, failed)
    assert got.finished == (status is not None)


def test_run_json_alone_decides_only_without_events():
    info = {"status": "completed", "counts": {"items": 3, "done": 0, "failed": 3}}
    assert run_outcome(RunFold(), info).outcome == "failed"
    assert run_outcome(RunFold(), None).outcome == "waiting"
