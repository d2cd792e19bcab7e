"""The scheduler state machine alone, driven by fake devices at set speeds on a simulated clock."""

from __future__ import annotations

import heapq
import itertools
import random

import pytest

from workbench.embed.scheduler import (
    Assign,
    BatchDone,
    BatchOOM,
    Budget,
    DeviceIdle,
    Fail,
    Piece,
    Scheduler,
    SetBudget,
    cut_batches,
)


def pieces(n: int, seed: int = 0, low: int = 50, high: int = 400) -> list[Piece]:
    rng = random.Random(seed)
    return [Piece(f"s{i}", rng.randint(low, high) + 2) for i in range(n)]


def simulate(work, speeds, budget=4096, capacity=1, memory=None):
    """Discrete-event run: each device computes its batches in order at ``speed`` tokens/s."""
    memory = memory or {}
    sched = Scheduler(work, {d: budget for d in speeds}, capacity=capacity)
    clock, heap, queues, busy = 0.0, [], {d: [] for d in speeds}, dict.fromkeys(speeds, False)
    log, done = [], {d: 0 for d in speeds}

    def apply(instructions):
        log.extend(instructions)
        for ins in instructions:
            if isinstance(ins, Assign):
                queues[ins.device].append(ins.batch)
        for d in speeds:
            if not busy[d] and queues[d]:
                batch = queues[d].pop(0)
                busy[d] = True
                oom = batch.tokens > memory.get(d, float("inf"))
                seconds = batch.tokens / speeds[d]
                heapq.heappush(heap, (clock + (0 if oom else seconds), d, batch, oom, seconds))

    for d in speeds:
        apply(sched.handle(DeviceIdle(d)))
    while heap:
        clock, d, batch, oom, seconds = heapq.heappop(heap)
        busy[d] = False
        if oom:
            apply(sched.handle(BatchOOM(d, batch.batch_id)))
        else:
            done[d] += batch.tokens
            apply(sched.handle(BatchDone(d, batch.batch_id, seconds)))
    assert sched.finished
    return clock, done, log


def test_every_piece_runs_once_within_budget():
    work = pieces(300)
    _, _, log = simulate(work, {"a": 1.0, "b": 1.0}, budget=2000, capacity=3)
    assigned = [p for ins in log if isinstance(ins, Assign) for p in ins.batch.pieces]
    assert sorted(p.key for p in assigned) == sorted(p.key for p in work)
    for ins in log:
        if isinstance(ins, Assign) and len(ins.batch.pieces) > 1:
            assert ins.batch.tokens <= 2000


@pytest.mark.parametrize("capacity", [1, 3])
def test_one_device_cuts_maximal_batches_longest_first(capacity):
    """Alone, a device gets full batches to the end (no tail split): the bare forward's batches."""
    work = pieces(200, seed=3)
    _, _, log = simulate(work, {"cpu": 1.0}, budget=3000, capacity=capacity)
    batches = [ins.batch for ins in log if isinstance(ins, Assign)]
    order = [p.tokens for b in batches for p in b.pieces]
    assert order == sorted(order, reverse=True)
    for batch, after in itertools.pairwise(batches):
        longest = batch.pieces[0].tokens
        assert longest * len(batch.pieces) <= 3000 < longest * (len(batch.pieces) + 1)
        assert after.pieces[0].tokens <= longest
    assert [b.pieces for b in batches] == cut_batches(work, 3000)


@pytest.mark.parametrize("capacity", [1, 3])
def test_slow_device_gets_proportionally_fewer_tokens(capacity):
    work = pieces(400, seed=1)
    speeds = {"fast": 1.0, "slow": 0.5}
    makespan, done, _ = simulate(work, speeds, budget=4096, capacity=capacity)
    total = sum(done.values())
    assert done["fast"] / total == pytest.approx(2 / 3, abs=0.04)
    ideal = total / sum(speeds.values())
    assert makespan <= 1.05 * ideal


def test_tail_is_split_so_no_device_waits_on_a_long_batch():
    work = [Piece(f"s{i}", 100) for i in range(60)]
    makespan, done, _ = simulate(work, {"a": 1.0, "b": 1.0, "c": 1.0}, budget=4000)
    ideal = 6000 / 3
    assert makespan <= 1.05 * ideal
    assert min(done.values()) >= 1800


def test_oom_reassigns_both_halves_and_lowers_the_budget():
    work = pieces(100, seed=2)
    _, _, log = simulate(work, {"gpu": 1.0}, budget=4096, memory={"gpu": 1500})
    batches = [ins.batch for ins in log if isinstance(ins, Assign)]
    oomed = [b for b in batches if b.tokens > 1500]  # the fake device's rule for running out
    assert oomed
    for batch in oomed:
        later = [b for b in batches if b.batch_id > batch.batch_id]
        assert set(batch.pieces) <= {p for b in later for p in b.pieces}
        multi = [b for b in later if len(b.pieces) > 1]
        assert all(b.tokens < batch.tokens for b in multi)  # below the failed size, for good
    assigned = [p.key for b in batches for p in b.pieces]
    assert len(assigned) == len(work) + sum(len(b.pieces) for b in oomed)
    assert not any(isinstance(ins, Fail) for ins in log)
    assert max(b.tokens for b in batches[-20:]) <= 1500


def test_halves_are_cut_again_to_the_budget_of_the_device_that_takes_them():
    work = [Piece(f"s{i:02}", 100) for i in range(40)]
    sched = Scheduler(work, {"big": 2000, "small": 300})
    (first,) = sched.handle(DeviceIdle("big"))
    (busy,) = sched.handle(DeviceIdle("small"))
    assert len(first.batch.pieces) == 20 and len(busy.batch.pieces) == 3
    (half,) = sched.handle(BatchOOM("big", first.batch.batch_id))
    assert half.device == "big" and half.batch.pieces == first.batch.pieces[:10]
    (taken,) = sched.handle(BatchDone("small", busy.batch.batch_id, 1.0))
    assert taken.device == "small" and taken.batch.pieces == first.batch.pieces[10:13]
    (again,) = sched.handle(BatchDone("small", taken.batch.batch_id, 1.0))
    assert again.batch.pieces == first.batch.pieces[13:16]


def test_budget_stays_below_the_smallest_batch_that_ran_out_of_memory():
    budget = Budget(4096)
    budget.failed(3000)
    assert (budget.tokens, budget.ceiling) == (1500, 3000)
    budget.set(100_000)
    assert budget.tokens == 2999 and budget.fits(2999) and not budget.fits(3000)
    budget.failed(5000)  # a larger failure keeps the smaller ceiling
    assert budget.ceiling == 3000 and budget.tokens == 2500
    work = [Piece(f"s{i}", 100) for i in range(200)]
    sched = Scheduler(work, {"gpu": 4000})
    (assign,) = sched.handle(DeviceIdle("gpu"))
    sched.handle(BatchOOM("gpu", assign.batch.batch_id))
    sizes = []
    while not sched.finished:
        sched.handle(SetBudget("gpu", 50_000))  # a tuner that keeps asking for more
        batch = sched._devices["gpu"].outstanding
        for batch_id, b in list(batch.items()):
            sizes.append(b.tokens)
            sched.handle(BatchDone("gpu", batch_id, 1.0))
    assert max(sizes) < 4000 and max(sizes[1:]) == 3900


def test_a_lone_piece_too_large_for_one_device_goes_to_a_larger_one():
    work = [*pieces(30), Piece("huge", 1024)]
    speeds = {"small": 1.0, "big": 0.5}
    _, _, log = simulate(work, speeds, budget=1024, memory={"small": 900, "big": 2000})
    assert not any(isinstance(ins, Fail) for ins in log)
    runs = [
        ins.device for ins in log if isinstance(ins, Assign) and ins.batch.pieces[0].key == "huge"
    ]
    assert runs[-1] == "big"
    _, _, log = simulate(work, speeds, budget=1024, memory={"small": 900, "big": 1000})
    fails = [ins for ins in log if isinstance(ins, Fail)]
    assert [f.piece.key for f in fails] == ["huge"]


def test_a_lone_piece_that_does_not_fit_fails_alone():
    work = [*pieces(20), Piece("huge", 1024)]
    _, _, log = simulate(work, {"gpu": 1.0}, memory={"gpu": 900})
    fails = [ins for ins in log if isinstance(ins, Fail)]
    assert [f.piece.key for f in fails] == ["huge"]
    assert "out of memory" in fails[0].reason and "1024 tokens" in fails[0].reason
    done = {p.key for ins in log if isinstance(ins, Assign) for p in ins.batch.pieces}
    assert done == {p.key for p in work}


def test_set_budget_changes_the_next_cut():
    work = [Piece(f"s{i}", 100) for i in range(50)]
    sched = Scheduler(work, {"gpu": 1000})
    sched.handle(SetBudget("gpu", 300))
    (assign,) = sched.handle(DeviceIdle("gpu"))
    assert len(assign.batch.pieces) == 3


def test_unknown_device_is_refused():
    sched = Scheduler(pieces(3), {"cpu": 4096})
    with pytest.raises(KeyError):
        sched.handle(DeviceIdle("cuda:7"))
