"""One writer/reader process for the concurrency test (run as a script, not collected).

Usage: python hammer.py ROOT WRITER_ID OPS SEED. Prints "ready", waits for a line on stdin,
then mixes puts and gets on shared keys (stage "shared") and its own keys (stage
"own<id>"), checks every value it reads, and prints one JSON summary line.
"""

from __future__ import annotations

import json
import random
import sys
import warnings

from workbench.cache import CacheCorruptionWarning, CacheKey, CacheStore

SHARED_KEYS = 6
OWN_KEYS = 6


def key(stage: str, index: int) -> CacheKey:
    return CacheKey.make(stage, f"{index:064x}", {"index": index}, "test")


def value(stage: str, index: int, writer: int, seq: int, size: int) -> bytes:
    """A self-describing payload: a JSON line, then bytes determined by that line."""
    head = json.dumps({"stage": stage, "index": index, "writer": writer, "seq": seq, "size": size})
    return head.encode() + b"\n" + random.Random(head).randbytes(size)


def check(payload: bytes, stage: str, index: int) -> dict | None:
    """The header of a payload that is exactly what its writer wrote for this key, else None."""
    head, _, body = payload.partition(b"\n")
    meta = json.loads(head)
    if (meta["stage"], meta["index"]) != (stage, index):
        return None
    if body != random.Random(head.decode()).randbytes(meta["size"]):
        return None
    return meta


def main(root: str, writer: int, ops: int, seed: int) -> dict[str, int | bool]:
    store = CacheStore(root)
    rng = random.Random(seed)
    targets = [("shared", i) for i in range(SHARED_KEYS)]
    targets += [(f"own{writer}", i) for i in range(OWN_KEYS)]
    summary = {"puts": 0, "misses": 0, "valid": 0, "invalid": 0, "saw_other": False}
    print("ready", flush=True)
    sys.stdin.readline()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        done = 0
        while done < ops or (not summary["saw_other"] and done < 20 * ops):
            stage, index = rng.choice(targets)
            if rng.random() < 0.5:
                size = rng.randrange(1, 64_000)
                store.put(key(stage, index), value(stage, index, writer, done, size))
                summary["puts"] += 1
            else:
                payload = store.get(key(stage, index))
                if payload is None:
                    summary["misses"] += 1
                elif (meta := check(payload, stage, index)) is None:
                    summary["invalid"] += 1
                else:
                    summary["valid"] += 1
                    summary["saw_other"] |= meta["writer"] != writer
            done += 1
    summary["ops"] = done
    summary["corrupt_warnings"] = sum(w.category is CacheCorruptionWarning for w in caught)
    summary["other_warnings"] = sum(w.category is not CacheCorruptionWarning for w in caught)
    return summary


if __name__ == "__main__":
    root, writer, ops, seed = sys.argv[1], *map(int, sys.argv[2:5])
    print(json.dumps(main(root, writer, ops, seed)), flush=True)
