"""notebooks/quickstart.ipynb runs top to bottom in this venv's kernel."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import nbformat
from jupyter_client.kernelspec import KernelSpecManager
from nbclient import NotebookClient

NOTEBOOK = Path(__file__).resolve().parents[2] / "notebooks" / "quickstart.ipynb"


def test_quickstart_executes(tmp_path):
    spec = KernelSpecManager().get_kernel_spec("python3")
    launcher = spec.argv[0]  # jupyter_client swaps a bare "python" for sys.executable
    assert (
        launcher in ("python", "python3") or Path(launcher).parent == Path(sys.executable).parent
    ), (
        f"kernel python3 runs {spec.argv[0]}, not this venv ({sys.executable}): "
        "run `python -m ipykernel install --sys-prefix`"
    )
    nb = nbformat.read(NOTEBOOK, as_version=4)
    client = NotebookClient(
        nb, timeout=240, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}
    )
    client.execute()
    outputs = [o for cell in nb.cells if cell.cell_type == "code" for o in cell.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    assert any("report.html" in str(o.get("data", {}).get("text/plain", "")) for o in outputs)
    rendered = [str(v) for o in outputs for k, v in o.get("data", {}).items() if k != "text/plain"]
    assert rendered, "the Panel cells rendered nothing"
    # Bokeh's and Panel's bundles must be inlined; the JS still names MathJax and an icon font on
    # jsDelivr, which it fetches only for LaTeX panes and icon widgets (neither is used here)
    cdn = [
        u
        for text in rendered
        for u in re.findall(r"https?://cdn\.(?:bokeh|holoviz)\.org[^\s'\"]*", text)
    ]
    assert not cdn, f"the notebook loads its JavaScript from CDNs, blank offline: {cdn[:3]}"
