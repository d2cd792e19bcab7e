"""RunFold on a recorded event log: totals checked against sums over the raw events."""

from __future__ import annotations

from workbench.record.eventlog import read_events
from workbench.record.events import BatchDone, CacheStats, StageProgress, StageStarted
from workbench.record.fold import RunFold, eta_seconds


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
