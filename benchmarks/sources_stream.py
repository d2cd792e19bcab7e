"""Sources benchmark: index reuse, flat memory over archive size, prefetch overlap and mmCIF
splitting time per model over model count, as ratios.

Run: ``python benchmarks/sources_stream.py [--entries 5000] [--latency-ms 5] [--models 800]``.
Every figure is a ratio of two measurements taken in this one run, so it does not depend on the
machine's speed (the ms/model printed beside the mmCIF ratio are for reading, not comparing).
"""

from __future__ import annotations

import argparse
import io
import shutil
import tempfile
import time
import tracemalloc
from collections.abc import Iterator
from pathlib import Path

from Bio.PDB import MMCIFIO, PDBParser

from workbench.sources import Item, SourceFailure, index_path, iter_items, prefetch, write_quiver
from workbench.sources.discover import discover
from workbench.sources.reader import read_input

DATA = Path(__file__).resolve().parents[1] / "tests" / "data"


def _timed_count(items: Iterator[Item | SourceFailure]) -> tuple[int, float]:
    start = time.perf_counter()
    count = sum(isinstance(item, Item) for item in items)
    return count, time.perf_counter() - start


def _archive(folder: Path, entries: int) -> Path:
    text = (DATA / "structures-misc" / "4I1B-matched.pdb").read_text()
    path = folder / f"a{entries}.qv"
    write_quiver(path, ((f"t{n}", text, {"n": n}) for n in range(entries)))
    return path


def index_reuse(folder: Path, entries: int) -> None:
    archive = _archive(folder, entries)
    index_path(archive).unlink(missing_ok=True)
    _, first = _timed_count(iter_items([archive]))
    _, again = _timed_count(iter_items([archive]))
    print(f"quiver {entries} entries: first read (builds index) / later read = {first / again:.2f}")


def flat_memory(folder: Path, entries: int) -> None:
    peaks = []
    for count in (entries // 10, entries):
        archive = _archive(folder, count)
        tracemalloc.start()
        _timed_count(iter_items([archive]))
        peaks.append(tracemalloc.get_traced_memory()[1])
        tracemalloc.stop()
    ratio = peaks[1] / peaks[0]
    print(f"peak memory, {entries} vs {entries // 10} entries = {ratio:.2f} (10 if held)")


def _slow_reads(files: list[Path], latency: float) -> Iterator[Item | SourceFailure]:
    """Files read with a fixed extra latency each, as from a network share."""
    for path in files:
        time.sleep(latency)
        yield from read_input(path)


def prefetch_overlap(latency: float) -> None:
    files = list(discover([DATA])) * 4

    def consume(items: Iterator[Item | SourceFailure]) -> float:
        start = time.perf_counter()
        for _ in items:
            time.sleep(latency)  # stands for per-item compute that releases the GIL
        return time.perf_counter() - start

    serial = consume(_slow_reads(files, latency))
    ahead = consume(prefetch(_slow_reads(files, latency), depth=16))
    print(f"{len(files)} files, read latency = compute: serial / prefetched = {serial / ahead:.2f}")


def _ensemble(path: Path, n_models: int) -> int:
    """A bundled structure as mmCIF, its atom_site rows repeated once per model number; returns
    the atoms per model."""
    writer = MMCIFIO()
    writer.set_structure(
        PDBParser(QUIET=True).get_structure("x", DATA / "structures-misc" / "4I1B-matched.pdb")
    )
    buffer = io.StringIO()
    writer.save(buffer)
    lines = buffer.getvalue().splitlines()
    fields = [line.strip() for line in lines if line.startswith("_atom_site.")]
    column = fields.index("_atom_site.pdbx_PDB_model_num")
    first = lines.index(fields[-1]) + 1
    last = next(i for i in range(first, len(lines)) if not lines[i].startswith("ATOM"))
    rows = [line.split() for line in lines[first:last]]
    with open(path, "w") as handle:
        handle.write("\n".join(lines[:first]) + "\n")
        for number in range(1, n_models + 1):
            for row in rows:
                row[column] = str(number)
                handle.write(" ".join(row) + "\n")
        handle.write("\n".join(lines[last:]) + "\n")
    return len(rows)


def mmcif_models(folder: Path, n_models: int) -> None:
    per_model = []
    for count in (n_models // 8, n_models):
        path = folder / f"ensemble{count}.cif"
        atoms = _ensemble(path, count)
        read, seconds = _timed_count(iter_items([path]))
        assert read == count, f"{path}: {read} items for {count} models"
        per_model.append(seconds / count)
        print(f"mmCIF, {count} models of {atoms} atoms: {1000 * per_model[-1]:.1f} ms/model")
    ratio = per_model[1] / per_model[0]
    print(f"ms/model, {n_models} vs {n_models // 8} models = {ratio:.2f} (1 if linear)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--entries", type=int, default=2000, help="entries of the large archive")
    parser.add_argument("--latency-ms", type=float, default=20.0, help="simulated read latency")
    parser.add_argument("--models", type=int, default=800, help="models of the large mmCIF")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="sources-bench-"))
    try:
        index_reuse(folder, args.entries)
        flat_memory(folder, args.entries)
        prefetch_overlap(args.latency_ms / 1000)
        mmcif_models(folder, args.models)
    finally:
        shutil.rmtree(folder)


if __name__ == "__main__":
    main()
