"""`panel serve apps/workbench.py` (binds 127.0.0.1 unless given --address): the workbench app.

Runs go under ./runs (or $WORKBENCH_RUNS_DIR); input paths are confined to the bundled examples,
the working directory and $WORKBENCH_ALLOWED_ROOTS.
"""

import os

import panel as pn

from workbench.ui import WorkbenchApp

pn.extension()
WorkbenchApp(runs_root=os.environ.get("WORKBENCH_RUNS_DIR", "runs")).servable(title="Workbench")
