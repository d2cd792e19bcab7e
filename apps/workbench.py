"""`panel serve apps/workbench.py --address 127.0.0.1`: the workbench app.

It answers loopback clients only unless WORKBENCH_ALLOW_REMOTE=1 (see workbench.ui.access).

Runs go under ./runs (or $WORKBENCH_RUNS_DIR); input paths are confined to the bundled examples,
the working directory and $WORKBENCH_ALLOWED_ROOTS.
"""

import os
import sys
from pathlib import Path

import panel as pn

# panel serve puts this folder first on sys.path, where this file would shadow the package
_HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _HERE]

from workbench.ui import WorkbenchApp, local_only  # noqa: E402

pn.extension()
local_only(
    lambda: WorkbenchApp(runs_root=os.environ.get("WORKBENCH_RUNS_DIR", "runs")).template()
).servable(title="Workbench")
