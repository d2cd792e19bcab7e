"""RunFold on a recorded event log: totals checked against sums over the raw events."""

from __future__ import annotations

from workbench.record.eventlog import read_events
from workbench.record.events import (
    BatchDone,
    CacheStats,
    ItemFailed,
    RunFinished,
    RunStarted,
    StageFinished,
    StageProgress,
    StageStarted,
)
from workbench.record.fold import Attempt, RunFold, eta_seconds
from workbench.report.summary import attempts_text


def test_batches_fold_to_the_same_totals_as_one_pass(recorded_run):
    events = read_events(recorded_run / "events.sqlite")
    one = RunFold()
    one.feed(events)
    inc = RunFold()
    points = []
    for start in range(0, len(events), 3):
        points += inc.feed(events[start : start + 3]).throughput
    assert inc.tokens == one.tokens
    assert inc.last_id == events[-1][0]
    batches = [e for _, e in events if isinstance(e, BatchDone)]
    expected = {}
    for b in batches:
        expected[b.device] = expected.get(b.device, 0) + b.tokens
    assert one.tokens == expected
    assert [p.tokens_per_s for p in points] == [b.tokens / b.seconds for b in batches]


def test_seen_ids_are_ignored(recorded_run):
    events = read_events(recorded_run / "events.sqlite")
    agg = RunFold()
    agg.feed(events)
    again = agg.feed(events)
    assert again.throughput == () and again.cache == () and again.failures == ()
    assert len(agg.failures) == 1


def test_cache_points_are_cumulative(recorded_run):
    events = read_events(recorded_run / "events.sqlite")
    agg = RunFold()
    update = agg.feed(events)
    stats = [e for _, e in events if isinstance(e, CacheStats)]
    for stage in {s.stage for s in stats}:
        hits = sum(s.hits for s in stats if s.stage == stage)
        misses = sum(s.misses for s in stats if s.stage == stage)
        last = [c for c in update.cache if c.stage == stage][-1]
        assert (last.hits, last.misses) == (hits, misses)
        assert last.hit_rate == (hits / (hits + misses))


def test_stage_status_eta_while_running():
    agg = RunFold()
    agg.feed(
        [
            (1, StageStarted(run_id="r", t=100.0, stage="embed", total=10)),
            (2, StageProgress(run_id="r", t=104.0, stage="embed", done=4, total=10)),
        ]
    )
    (status,) = agg.stage_status(now=104.0)
    assert status.running and status.fraction == 0.4
    assert status.eta == 6.0  # 4 done in 4 s at one per second, 6 left
    assert eta_seconds(0, 10, 5.0) is None and eta_seconds(3, None, 5.0) is None


def test_finished_stages_report_their_own_time(recorded_run):
    agg = RunFold()
    agg.feed(read_events(recorded_run / "events.sqlite"))
    by = {s.stage: s for s in agg.stage_status()}
    assert agg.status == "completed"
    assert by["prep"].seconds == 2.0 and by["prep"].failed == 1 and by["prep"].eta is None
    assert not by["embed"].running


def test_each_run_started_opens_an_attempt_and_keeps_the_earlier_one():
    first = [
        RunStarted(run_id="a", t=100.0, config={}),
        StageStarted(run_id="a", t=100.5, stage="prep", total=5),
        StageProgress(run_id="a", t=102.0, stage="prep", done=2, total=5),
        ItemFailed(run_id="a", t=102.5, stage="prep", item_id="x", source="x.pdb", reason="bad"),
    ]
    second = [
        RunStarted(run_id="b", t=200.0, config={}),
        StageStarted(run_id="b", t=200.5, stage="prep", total=5),
        StageFinished(run_id="b", t=203.0, stage="prep", done=5, failed=0, seconds=2.5),
        RunFinished(run_id="b", t=203.5, status="completed", n_done=5, n_failed=0, seconds=3.5),
    ]
    events = list(enumerate([*first, *second], start=1))
    whole, split = RunFold(), RunFold()
    update = whole.feed(events)
    assert update.new_attempt and update.failures == ()
    assert not split.feed(events[:4]).new_attempt
    assert split.feed(events[4:]).new_attempt
    for fold in (whole, split):
        assert fold.attempt == 2 and fold.run_id == "b" and fold.t0 == 200.0
        assert fold.attempts == [Attempt("a", 100.0, 102.5, None, "prep", 2)]
        assert fold.attempts[0].interrupted
        assert fold.status == "completed" and fold.failures == []
        (prep,) = fold.stage_status()
        assert (prep.done, prep.failed, prep.start) == (5, 0, 0.5)
    assert attempts_text(whole) == (
        "resumed (attempt 2): attempt 1 (a) was interrupted in prep after 2 items."
    )
    assert attempts_text(RunFold()) == ""
