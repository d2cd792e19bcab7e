"""Fixtures for the report: a recorded run directory."""

from __future__ import annotations

from pathlib import Path

import pytest
from recorded import record_run


@pytest.fixture(scope="session")
def recorded_run(tmp_path_factory, complexes_dir: Path, cases) -> Path:
    return record_run(tmp_path_factory.mktemp("recorded") / "run", complexes_dir, cases)
