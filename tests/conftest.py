"""Shared fixtures: the real structures in tests/data and the project's bundled examples."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
DATA_DIR = REPO / "tests" / "data"


@pytest.fixture(scope="session")
def data_dir() -> Path:
    """tests/data: the real structures every test draws on (provenance in its README.md)."""
    return DATA_DIR


@pytest.fixture(scope="session")
def complexes_dir(data_dir: Path) -> Path:
    return data_dir / "complexes"


@pytest.fixture(scope="session")
def cases(complexes_dir: Path) -> list[dict[str, str]]:
    """Rows of complexes/cases.tsv: case, heavy, light ('-' = none), antigen (one id per letter)."""
    with open(complexes_dir / "cases.tsv", newline="") as handle:
        return list(csv.DictReader(handle, delimiter="\t"))


@pytest.fixture(scope="session")
def recorded_run(tmp_path_factory, complexes_dir: Path, cases) -> Path:
    """A run directory written with the real EventLog and tables (tests/report/recorded.py)."""
    from report.recorded import record_run  # tests/ is on sys.path (pytest's rootdir conftest)

    return record_run(tmp_path_factory.mktemp("recorded") / "run", complexes_dir, cases)


@pytest.fixture(scope="session")
def scored_run(tmp_path_factory, recorded_run: Path, data_dir: Path) -> Path:
    """``recorded_run`` plus the scores.parquet that `workbench score` writes for the seven
    DeepRank-Ab test graphs, with seeded random weights (so flagged untrained)."""
    import shutil

    from workbench.cache import DisabledCache
    from workbench.score import resolve_scorer, score_files, write_scores

    run_dir = tmp_path_factory.mktemp("scored") / "run"
    shutil.copytree(recorded_run, run_dir)
    result = score_files(
        [data_dir / "deeprank-ab" / "graphs.h5"],
        resolve_scorer("random:deeprank-ab"),
        cache=DisabledCache(),
    )
    write_scores(run_dir / "scores.parquet", result.table, {"scorer": "random:deeprank-ab"})
    return run_dir
