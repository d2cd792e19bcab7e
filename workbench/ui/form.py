"""The run form: choose inputs, chains, stages, model and devices, then Run or Cancel.

Inputs are the demo campaign (the default, so a new user can press Run at once and see the
product work: the bundled complexes plus design models on two simulated devices), the bundled
examples alone, a path confined to the allowed roots, or uploaded files saved beside the run.
Each Run starts the CLI in a subprocess (``launch.RunProcess``) writing a new run directory under
``runs_root``.
"""

from __future__ import annotations

import html
import threading
import time
from pathlib import Path

import panel as pn
import param
from panel.viewable import Viewer

from workbench.examples import example_manifest, example_paths
from workbench.examples.campaign import (
    CAMPAIGN_SETTINGS,
    DEMO_DESIGNS,
    campaign_values,
    demo_campaign,
)
from workbench.record import RUN_OPTIONS, RunConfig, RunLayout
from workbench.schema import OptionField
from workbench.ui.launch import RunProcess
from workbench.ui.paths import PathRefused, confine, default_roots
from workbench.ui.settings import form_fields, settings_class, settings_values

__all__ = ["RunForm", "save_uploads"]

SOURCES = {
    "Demo campaign": "campaign",
    "Bundled examples": "examples",
    "Path": "path",
    "Upload": "upload",
}

CAMPAIGN_NOTE = (
    f"**Demo campaign**: the three bundled complexes and {DEMO_DESIGNS} interface-design models "
    "of 1VFB "
    "(made on first use), embedded on **two simulated devices**, one half as fast as the other, "
    "with **random ESM-2 weights**: it shows live rebalancing and the cache (press Run twice), "
    "not biology."
)


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
    """Collects a run's settings and starts or cancels the CLI run.

    The settings (``self.settings``) are generated from the run's option table, so each option of
    ``RunConfig`` appears here once it is declared; expert ones sit under "Advanced".
    """

    source = param.Selector(default="campaign", objects=SOURCES, doc="Where the inputs come from.")
    path = param.String(default="", doc="File or folder of structures, under the allowed roots.")
    runs_root = param.String(default="runs", doc="Folder where new run directories go.")
    run = param.Event(doc="Start a run with these settings.")
    cancel = param.Event(doc="Stop the current run cleanly (SIGTERM).")
    run_dir = param.String(default="", constant=True, doc="Directory of the latest run.")
    running = param.Boolean(default=False, constant=True, doc="A run started here is going.")
    starting = param.Boolean(
        default=False, constant=True, doc="Run was pressed and its process is not started yet."
    )
    message = param.String(default="", constant=True, doc="Last status or error message.")
    output = param.String(default="", constant=True, doc="The end of the last run's CLI output.")

    def __init__(
        self,
        allowed_roots: tuple[Path, ...] | None = None,
        table: tuple[OptionField, ...] = RUN_OPTIONS,
        **params,
    ) -> None:
        super().__init__(**params)
        self.allowed_roots = allowed_roots or default_roots()
        self.table = table
        self.settings = settings_class(table)()
        self.process: RunProcess | None = None
        self._uploads = pn.widgets.FileInput(multiple=True, accept=".pdb,.cif,.mmcif,.ent,.gz,.qv")
        self._watcher = None
        self._counter = 0
        self._show_campaign_settings()
        if self.source == "campaign":  # made ahead (atomic writes), so Run answers at once
            root = Path(self.runs_root).resolve() / "examples"
            threading.Thread(target=demo_campaign, args=(root,), daemon=True).start()

    def _settings_panel(self, expert: bool) -> pn.Param:
        fields = [f for f in form_fields(self.table) if f.option.expert == expert]
        widgets: dict[str, dict] = {}
        for f in fields:
            if isinstance(self.settings.param[f.name], param.ListSelector):
                widgets[f.name] = {"type": pn.widgets.CheckBoxGroup, "inline": True}
            elif f.option.placeholder:
                widgets[f.name] = {
                    "type": pn.widgets.TextInput,
                    "placeholder": f.option.placeholder,
                }
        return pn.Param(
            self.settings,
            parameters=[f.name for f in fields],
            widgets=widgets,
            show_name=False,
            name="settings",
        )

    def __panel__(self) -> pn.Column:
        w = pn.widgets
        return pn.Column(
            "### Run",
            w.RadioButtonGroup.from_param(self.param.source, name="Inputs"),
            w.TextInput.from_param(
                self.param.path,
                placeholder="folder or file",
                visible=self.param.source.rx() == "path",
            ),
            pn.Column(self._uploads, visible=self.param.source.rx() == "upload"),
            pn.pane.Markdown(CAMPAIGN_NOTE, visible=self.param.source.rx() == "campaign"),
            self._settings_panel(expert=False),
            pn.pane.Markdown(self.settings.param.model.rx().rx.pipe(model_note))
            if "model" in self.settings.param
            else None,
            pn.Card(self._settings_panel(expert=True), title="Advanced", collapsed=True),
            pn.Row(
                w.Button.from_param(
                    self.param.run, name="Run", color="primary", disabled=self.param.running
                ),
                w.Button.from_param(
                    self.param.cancel, name="Cancel", disabled=self.param.running.rx.not_()
                ),
            ),
            pn.pane.HTML(self.param.message.rx().rx.pipe(_message_html), name="form-message"),
            pn.Card(
                pn.pane.HTML(self.param.output.rx().rx.pipe(_output_html)),
                title="Run output",
                collapsed=True,
                visible=self.param.output.rx() != "",
            ),
            sizing_mode="stretch_width",
        )

    def request(self) -> RunConfig:
        """The run these settings ask for; raises PathRefused or OptionError with a message."""
        root = Path(self.runs_root).resolve()
        self._counter += 1
        out = root / f"run-{time.strftime('%Y%m%d-%H%M%S')}-{self._counter}"
        values = settings_values(self.settings, self.table)
        if values.get("manifest"):
            values["manifest"] = str(confine(values["manifest"], self.allowed_roots))
        if self.source == "campaign":
            values = campaign_values(values, root / "examples")
            inputs = list(values.pop("inputs"))
        elif self.source == "examples":
            inputs = [str(p) for p in example_paths()]
            if values.get("heavy") is None and values.get("manifest") is None:
                values["manifest"] = str(example_manifest())
        elif self.source == "path":
            inputs = [str(confine(self.path, self.allowed_roots))]
        else:
            if not self._uploads.value:
                raise ValueError("no file uploaded")
            folder = RunLayout(out).uploads
            names = list(self._uploads.filename)
            inputs = [str(p) for p in save_uploads(folder, names, list(self._uploads.value))]
        cache = values.get("cache_dir") or str(root / "cache")
        values["cache_dir"] = str(confine(cache, [*self.allowed_roots, root]))
        return RunConfig.build(inputs=tuple(inputs), out=str(out), **values)

    @param.depends("source", watch=True)
    def _show_campaign_settings(self) -> None:
        """The campaign's visible settings appear in the form while it is the source."""
        for name, value in CAMPAIGN_SETTINGS.items():
            if name in self.settings.param:
                field = self.settings.param[name]
                if self.source != "campaign":
                    value = field.default
                elif isinstance(field, param.String):
                    value = str(value)
                setattr(self.settings, name, value)

    @param.depends("run", watch=True)
    def _on_run(self) -> None:
        if self.running:
            self._say("A run is going; cancel it first.")
            return
        with param.edit_constant(self):
            self.running = True
            self.starting = True
            self.output = ""
        self._say("Preparing the run…")
        # the press is answered (Run disabled, the monitor starting) before the slow part
        pn.state.execute(self._launch, schedule=True)

    def _launch(self) -> None:
        """Build the request (the demo campaign is made on first use) and start the CLI."""
        try:
            config = self.request()
            self.process = RunProcess(config)
        except (ValueError, OSError) as exc:
            with param.edit_constant(self):
                self.running = False
                self.starting = False
            self._say(f"Not started: {exc}")
            return
        with param.edit_constant(self):
            self.run_dir = config.out
            self.starting = False
        self._say(f"Started run {Path(config.out).name} (pid {self.process.pid}).")
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
            self.output = self.process.log_tail(4000)
        name = Path(self.run_dir).name
        self._say(
            _EXIT_MESSAGES.get(code, "Run {name} ended with exit code {code}.").format(
                name=name, code=code
            )
        )

    def _say(self, text: str) -> None:
        with param.edit_constant(self):
            self.message = text


_EXIT_MESSAGES = {
    0: "Run {name} finished.",
    2: "Run {name} was refused (exit 2): see the run output below.",
    3: "Cancelled — a rerun resumes from the cache.",
    -15: "Cancelled — a rerun resumes from the cache.",
    4: "Run {name} finished with failures (exit 4): see the monitor.",
}


def _output_html(text: str) -> str:
    return f"<pre class='run-output' style='white-space:pre-wrap'>{html.escape(text)}</pre>"


def _message_html(text: str) -> str:
    return f"<pre class='form-message' style='white-space:pre-wrap'>{html.escape(text)}</pre>"
