"""A warm rerun with no NVIDIA device in sight imports neither torch nor fair-esm: every
embedding is a cache hit, so nothing needs either (a fresh process, so nothing is imported yet)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

import workbench
from workbench.embed.devices import cuda_present

WARM = """
import json, sys
import workbench
files, out, options = json.loads(sys.argv[1])
result = workbench.run(files, out, **options)
print(result.status, "torch" in sys.modules, "esm" in sys.modules)
"""


@pytest.mark.skipif(cuda_present(), reason="an NVIDIA device is visible: torch counts it")
def test_a_warm_rerun_imports_no_torch_and_no_esm(complexes_dir, tmp_path, cache_dir, same_dataset):
    files = [str(complexes_dir / f"{c}.pdb") for c in ("1VFB", "4Y7M")]
    options = {
        "manifest": str(complexes_dir / "cases.tsv"),
        "voronota": False,
        "cache_dir": str(cache_dir),
        "workers": 1,
        "model": "random:esm2_t6_8M_UR50D",
    }
    assert workbench.run(files, tmp_path / "cold", **options).status == "completed"
    arguments = json.dumps([files, str(tmp_path / "warm"), options])
    done = subprocess.run(
        [sys.executable, "-c", WARM, arguments], capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split()[-3:] == ["completed", "False", "False"]
    same_dataset(tmp_path / "cold", tmp_path / "warm")
