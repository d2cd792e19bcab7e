"""Fixtures for the UI components: a real prep + annotate run of one case (graphs and regions).

The recorded run directory (``recorded_run``) comes from tests/conftest.py, shared with the
report tests.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import workbench


@pytest.fixture(scope="session")
def annotated_case(cases) -> dict[str, str]:
    """1VFB (Fv D1.3 with lysozyme): small, heavy and light chains, one antigen chain."""
    return next(c for c in cases if c["case"] == "1VFB")


@pytest.fixture(scope="session")
def annotated_run(tmp_path_factory, complexes_dir: Path, annotated_case) -> Path:
    """Run directory of a real prep + annotate run of ``annotated_case`` (no voronota)."""
    out = tmp_path_factory.mktemp("annotated") / "run"
    workbench.run(
        [complexes_dir / f"{annotated_case['case']}.pdb"],
        out,
        heavy=annotated_case["heavy"],
        light=annotated_case["light"],
        antigen=annotated_case["antigen"],
        stages=("prep", "annotate"),
        voronota=False,
        workers=1,
        no_cache=True,
    )
    return out
