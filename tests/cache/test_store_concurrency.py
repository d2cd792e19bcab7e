"""Several processes writing and reading the same folder at once never see a bad entry."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
import warnings
from pathlib import Path

import pytest

import workbench
from workbench.cache import CacheStore

HAMMER = Path(__file__).with_name("hammer.py")
_spec = importlib.util.spec_from_file_location("cache_hammer", HAMMER)
hammer = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(hammer)

WRITERS = 2
OPS = 300


@pytest.mark.timeout(180)
def test_concurrent_writers_and_readers(tmp_path: Path) -> None:
    repo = Path(workbench.__file__).resolve().parents[1]
    env = {**os.environ, "PYTHONPATH": str(repo)}
    procs = [
        subprocess.Popen(
            [sys.executable, str(HAMMER), str(tmp_path), str(w), str(OPS), str(w + 1)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        for w in range(WRITERS)
    ]
    try:
        for proc in procs:  # both are imported and waiting: start them together
            assert proc.stdout.readline().strip() == "ready", proc.stderr.read()
        for proc in procs:
            proc.stdin.write("go\n")
            proc.stdin.flush()
        outputs = [proc.communicate(timeout=150) for proc in procs]
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
    summaries = []
    for proc, (out, err) in zip(procs, outputs, strict=True):
        assert proc.returncode == 0, err
        summaries.append(json.loads(out.strip().splitlines()[-1]))

    for s in summaries:
        assert s["ops"] >= OPS
        assert s["invalid"] == 0, s  # every read was a miss or exactly what a writer wrote
        assert s["corrupt_warnings"] == 0, s
        assert s["other_warnings"] == 0, s
        assert s["valid"] > 0, s
        assert s["saw_other"], s  # the runs overlapped on the shared keys

    store = CacheStore(tmp_path)
    keys = [("shared", i) for i in range(hammer.SHARED_KEYS)]
    keys += [(f"own{w}", i) for w in range(WRITERS) for i in range(hammer.OWN_KEYS)]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for stage, index in keys:
            payload = store.get(hammer.key(stage, index))
            assert payload is not None and hammer.check(payload, stage, index)
    leftovers = [p for p in tmp_path.rglob("*") if p.is_file() and not p.name.endswith(".entry")]
    assert leftovers == []
    assert store.stats().entries == len(keys)
