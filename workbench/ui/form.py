"""The run form: choose inputs, chains, stages, model and devices, then Run or Cancel.

Inputs are the bundled examples (the default, so a new user can press Run at once), a path
confined to the allowed roots, or uploaded files saved beside the run. Each Run starts the CLI
in a subprocess (``launch.RunProcess``) writing a new run directory under ``runs_root``.
"""

from __future__ import annotations

import html
import time
from pathlib import Path

import panel as pn
import param
from panel.viewable import Viewer

from workbench.examples import example_manifest, example_paths
from workbench.structure import split_chain_ids
from workbench.ui.launch import RunProcess, RunRequest
from workbench.ui.paths import PathRefused, confine, default_roots

__all__ = ["RunForm", "save_uploads"]

STAGES = ("prep", "annotate", "embed")
SOURCES = {"Bundled examples": "examples", "Path": "path", "Upload": "upload"}


def save_uploads(folder: Path, names: list[str], blobs: list[bytes]) -> list[Path]:
    """Write uploaded files into ``folder`` under their base names; refuses names that are paths."""
    folder.mkdir(parents=True, exist_ok=True)
    saved = []
    for name, blob in zip(names, blobs, strict=True):
        base = Path(name).name
        if base in ("", ".", "..") or base != name:
            raise PathRefused(name, "an uploaded file name must not contain a path")
        target = folder / base
        target.write_bytes(blob)
        saved.append(target)
    return saved


def model_note(model: str) -> str:
    """What the chosen ESM-2 model means for the embeddings (markdown)."""
    if model.startswith("random:"):
        return (
            "⚠️ **Random weights**: embeddings come from an untrained ESM-2; they test the "
            "pipeline but carry no biology. The run and its report are marked untrained."
        )
    if model == "auto":
        return (
            "`auto` uses trained ESM-2 weights when a checkpoint is in the local torch hub cache; "
            "if none is found the run falls back to random weights and says so (no download)."
        )
    return f"Trained ESM-2 weights `{html.escape(model)}` from the local cache or that path."


class RunForm(Viewer):
    """Collects a run's settings and starts or cancels the CLI run."""

    source = param.Selector(default="examples", objects=SOURCES, doc="Where the inputs come from.")
    path = param.String(default="", doc="File or folder of structures, under the allowed roots.")
    heavy = param.String(default="", doc="Heavy chain id; blank = detect chain roles.")
    light = param.String(default="", doc="Light chain id; blank or '-' = none (nanobody).")
    antigen = param.String(
        default="", doc="Antigen chain ids: ABC (one per letter) or A,B,C, as on the command line."
    )
    manifest = param.String(default="", doc="Chain manifest (TSV/CSV); optional.")
    stages = param.ListSelector(default=list(STAGES), objects=list(STAGES), doc="Stages to run.")
    model = param.String(default="auto", doc="ESM-2: auto, a name, a path or random:<name>.")
    devices = param.String(default="auto", doc="auto, cpu, cuda:0,cuda:1 or sim:1.0,sim:0.5.")
    workers = param.Integer(default=0, bounds=(0, 512), doc="Prep processes; 0 = CLI default.")
    cache_dir = param.String(default="", doc="Cache directory; blank = <runs root>/cache.")
    no_cache = param.Boolean(default=False, doc="Compute everything, store nothing.")
    cluster = param.String(default="", doc="Dask scheduler address; blank = local cluster.")
    voronota = param.Boolean(default=True, doc="Voronoi contact areas (about 1 s per complex).")
    runs_root = param.String(default="runs", doc="Folder where new run directories go.")
    run = param.Event(doc="Start a run with these settings.")
    cancel = param.Event(doc="Stop the current run cleanly (SIGTERM).")
    run_dir = param.String(default="", constant=True, doc="Directory of the latest run.")
    running = param.Boolean(default=False, constant=True, doc="A run started here is going.")
    message = param.String(default="", constant=True, doc="Last status or error message.")

    def __init__(self, allowed_roots: tuple[Path, ...] | None = None, **params) -> None:
        super().__init__(**params)
        self.allowed_roots = allowed_roots or default_roots()
        self.process: RunProcess | None = None
        self._uploads = pn.widgets.FileInput(multiple=True, accept=".pdb,.cif,.mmcif,.ent,.gz,.qv")
        self._watcher = None
        self._counter = 0

    def __panel__(self) -> pn.Column:
        w = pn.widgets
        return pn.Column(
            "### Run",
            w.RadioButtonGroup.from_param(self.param.source, name="Inputs"),
            pn.Row(
                w.TextInput.from_param(self.param.path, placeholder="folder or file"),
                self._uploads,
                visible=self.param.source.rx() != "examples",
            ),
            pn.Row(
                w.TextInput.from_param(self.param.heavy, width=90),
                w.TextInput.from_param(self.param.light, width=90),
                w.TextInput.from_param(self.param.antigen, width=120),
                w.TextInput.from_param(self.param.manifest),
            ),
            w.CheckButtonGroup.from_param(self.param.stages),
            pn.Row(
                w.TextInput.from_param(self.param.model),
                w.TextInput.from_param(self.param.devices),
                w.IntInput.from_param(self.param.workers, width=100),
            ),
            pn.pane.Markdown(self.param.model.rx().rx.pipe(model_note)),
            pn.Row(
                w.TextInput.from_param(self.param.cache_dir),
                w.Checkbox.from_param(self.param.no_cache, align="end"),
                w.Checkbox.from_param(self.param.voronota, align="end"),
                w.TextInput.from_param(self.param.cluster, placeholder="tcp://host:8786"),
            ),
            pn.Row(
                w.Button.from_param(self.param.run, name="Run"),
                w.Button.from_param(self.param.cancel, name="Cancel"),
            ),
            pn.pane.HTML(self.param.message.rx().rx.pipe(_message_html), name="form-message"),
            sizing_mode="stretch_width",
        )

    def request(self) -> RunRequest:
        """The run these settings ask for; raises PathRefused/ValueError with a message."""
        root = Path(self.runs_root).resolve()
        self._counter += 1
        out = root / f"run-{time.strftime('%Y%m%d-%H%M%S')}-{self._counter}"
        manifest = None
        if self.source == "examples":
            inputs = [str(p) for p in example_paths()]
            manifest = None if self.heavy else str(example_manifest())
        elif self.source == "path":
            inputs = [str(confine(self.path, self.allowed_roots))]
        else:
            if not self._uploads.value:
                raise ValueError("no file uploaded")
            folder = root / f"{out.name}.uploads"
            names = list(self._uploads.filename)
            inputs = [str(p) for p in save_uploads(folder, names, list(self._uploads.value))]
        if self.manifest:
            manifest = str(confine(self.manifest, self.allowed_roots))
        cache = self.cache_dir or str(root / "cache")
        return RunRequest(
            inputs=tuple(inputs),
            out=str(out),
            heavy=self.heavy.strip() or None,
            light=self.light.strip() or None,
            antigen=split_chain_ids(self.antigen),
            manifest=manifest,
            stages=tuple(s for s in STAGES if s in self.stages),
            workers=self.workers or None,
            cache_dir=str(confine(cache, [*self.allowed_roots, root])),
            no_cache=self.no_cache,
            model=self.model.strip() or "auto",
            devices=self.devices.strip() or "auto",
            cluster=self.cluster.strip() or None,
            voronota=self.voronota,
        )

    @param.depends("run", watch=True)
    def _on_run(self) -> None:
        if self.running:
            self._say("A run is going; cancel it first.")
            return
        try:
            request = self.request()
            self.process = RunProcess(request)
        except (ValueError, OSError) as exc:
            self._say(f"Not started: {exc}")
            return
        with param.edit_constant(self):
            self.run_dir = request.out
            self.running = True
        self._say(f"Started run {Path(request.out).name} (pid {self.process.pid}).")
        self._watcher = pn.state.add_periodic_callback(self._check_process, period=500)

    @param.depends("cancel", watch=True)
    def _on_cancel(self) -> None:
        if self.process is None or not self.running:
            self._say("No run to cancel.")
            return
        self.process.cancel()
        self._say("Cancelling: the run stops cleanly; a later run resumes from the cache.")

    def _check_process(self) -> None:
        """Notice when the CLI exits and say how."""
        code = self.process.poll() if self.process else 0
        if code is None:
            return
        if self._watcher is not None:
            self._watcher.stop()
            self._watcher = None
        with param.edit_constant(self):
            self.running = False
        if code == 0:
            self._say(f"Run {Path(self.run_dir).name} finished.")
        else:
            self._say(f"Run ended with exit code {code}: {self.process.log_tail(1500)}")

    def _say(self, text: str) -> None:
        with param.edit_constant(self):
            self.message = text


def _message_html(text: str) -> str:
    return f"<pre class='form-message' style='white-space:pre-wrap'>{html.escape(text)}</pre>"
