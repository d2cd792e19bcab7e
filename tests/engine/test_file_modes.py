"""Run folders, data files, the cache and the exported report: the permissions the umask allows."""

from __future__ import annotations

import shutil
import stat
import subprocess
import sys
from pathlib import Path

UMASK = 0o002  # group-writable, so neither the default 0o022 nor mkstemp's 0o600 would pass


def _cli(*args: str) -> None:
    command = [sys.executable, "-m", "workbench.cli", *args]
    subprocess.run(command, check=True, capture_output=True, umask=UMASK, timeout=300)


def test_every_file_written_follows_the_umask(tmp_path: Path, complexes_dir: Path) -> None:
    shutil.copy(complexes_dir / "1VFB.pdb", tmp_path)
    run_dir, cache = tmp_path / "run", tmp_path / "cache"
    chains = ["--heavy", "B", "--light", "A", "--antigen", "C"]
    options = ["--stages", "prep", "--no-voronota", "--workers", "1", "--write-merged"]
    _cli("run", str(tmp_path / "1VFB.pdb"), "-o", str(run_dir), *chains, *options, "--quiet",
         "--cache-dir", str(cache))  # fmt: skip
    _cli("report", str(run_dir), "-o", str(run_dir / "report.html"))
    written = [p for p in (*run_dir.rglob("*"), *cache.rglob("*"))]
    names = {p.name for p in written}
    assert {"report.html", "run.json", "events.sqlite", "structures.parquet", "graphs.h5"} <= names
    assert any(p.suffix == ".entry" for p in written)
    for path in written:
        mode = stat.S_IMODE(path.stat().st_mode)
        expected = (0o777 if path.is_dir() else 0o666) & ~UMASK
        assert mode == expected, f"{path}: {oct(mode)}, expected {oct(expected)}"
