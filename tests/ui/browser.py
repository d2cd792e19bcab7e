"""The browser harness of the app's browser tests and benchmarks/run_feedback.py: Debian's
chromium with its flags, and `panel serve apps/workbench.py` on a free loopback port.

Never `playwright install`: a missing chromium is an error naming `make system-deps`.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

__all__ = ["CHROMIUM_ARGS", "REPO", "WEBGL_ARGS", "chromium_path", "serve_app"]

REPO = Path(__file__).resolve().parents[2]
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
# WebGL without a GPU: chromium's software renderer (SwiftShader) through ANGLE
WEBGL_ARGS = [a for a in CHROMIUM_ARGS if a != "--disable-gpu"] + [
    "--use-angle=swiftshader",
    "--enable-unsafe-swiftshader",
]


def chromium_path() -> str:
    """Debian's chromium on PATH, or an error that says how to install it."""
    path = shutil.which("chromium")
    if path is None:
        raise RuntimeError(
            "browser tests need Debian's chromium on PATH: run `make system-deps` "
            "(apt-get install chromium); never `playwright install`"
        )
    return path


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def serve_app(root: Path) -> Iterator[str]:
    """The app served with its runs under ``root``/runs and ``root`` allowed; yields its URL."""
    port = _free_port()
    env = {
        **os.environ,
        "WORKBENCH_RUNS_DIR": str(root / "runs"),
        "WORKBENCH_ALLOWED_ROOTS": str(root),
    }
    cmd = [sys.executable, "-m", "panel", "serve", "apps/workbench.py", "--port", str(port)]
    cmd += ["--address", "127.0.0.1", "--allow-websocket-origin", f"127.0.0.1:{port}"]
    proc = subprocess.Popen(
        cmd, cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    try:
        for line in proc.stdout:  # blocks until the server reports, or exits
            if "Bokeh app running at" in line:
                break
        else:
            raise RuntimeError(f"panel serve exited with {proc.wait()}")
        # keep reading, so that a full pipe never blocks the server's logging
        threading.Thread(target=proc.stdout.read, daemon=True).start()
        yield f"http://127.0.0.1:{port}/workbench"
    finally:
        proc.terminate()
        proc.wait(timeout=30)
