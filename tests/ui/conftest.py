"""Fixtures for the UI components: the recorded run directory shared with the report tests."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

_spec = importlib.util.spec_from_file_location(
    "report_recorded", Path(__file__).parents[1] / "report" / "recorded.py"
)
recorded = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(recorded)


@pytest.fixture(scope="session")
def recorded_run(tmp_path_factory, complexes_dir: Path, cases) -> Path:
    return recorded.record_run(tmp_path_factory.mktemp("recorded") / "run", complexes_dir, cases)
