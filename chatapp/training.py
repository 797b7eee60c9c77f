"""``TrainingController``: fine-tuning runs of the training panel, in a child process.

A run is ``python -m engine train finetune ... --progress jsonl`` under a ``QProcess``: the
window stays responsive, a crash in training (out of memory, a bad device) ends only the child,
and closing the panel leaves the run going (the controller, not the panel, owns it). The child
prints one JSON object a line; this controller turns them into Qt signals, keeps the curves, and
at the end stores the run (settings, start, end, status, curves, figures) and the new checkpoint
as a model version in the data folder, which it activates when the run finished well.

Pause, resume and cancel write ``pause``, ``run`` or ``stop`` into the run's control file, which
the child reads after every step; a child that has not stopped soon after ``stop`` is killed
(its last checkpoint stays). One run at a time.
"""
from __future__ import annotations

import json
import os
import sys
import time
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Optional, Sequence

from PySide6.QtCore import QObject, QProcess, QProcessEnvironment, QTimer, Signal

if TYPE_CHECKING:
    from chatapp.controller import ChatController

MODELS_DIR = "models"
RUNS_DIR = "training"
KILL_AFTER_MS = 1500  # a stopped child gets this long to write its checkpoint and exit
MAX_CURVE_POINTS = 400  # per curve, in the stored row
CLIP_WINDOW = 20  # the clipped share is drawn over the last this many steps


def default_settings() -> dict[str, Any]:
    """The panel's defaults: the engine's FinetuneConfig (a dataclass that does not load torch)."""
    from engine.tasks.finetune import FinetuneConfig

    return asdict(FinetuneConfig())


@dataclass
class LiveRun:
    """What the controller knows of the run in progress."""

    run_id: int
    out: Path
    control: Path
    data: Path
    settings: dict[str, Any]
    base_version_id: Optional[int]
    process: QProcess
    curves: dict[str, list] = field(default_factory=lambda: {
        "train_loss": [], "valid_loss": [], "grad_norm": [], "clipped_share": [], "tokens_per_s": []})
    clipped: list[bool] = field(default_factory=list)
    step: int = 0
    total_steps: int = 0
    summary: dict[str, Any] = field(default_factory=dict)
    result: Optional[dict[str, Any]] = None
    errors: list[str] = field(default_factory=list)
    checkpoint_step: Optional[int] = None
    stage: str = "Starting"
    paused: bool = False
    stopping: bool = False
    closing: bool = False  # stopped because the app is closing
    active_s: float = 0.0  # time spent running, pauses excluded (for the time left)
    _since: Optional[float] = None
    buffer: bytes = b""

    def tick(self, running: bool) -> None:
        now = time.perf_counter()
        if self._since is not None:
            self.active_s += now - self._since
        self._since = now if running else None

    def time_left_s(self) -> Optional[float]:
        if self.step <= 0 or not self.total_steps:
            return None
        self.tick(not self.paused)
        return max(0.0, self.active_s / self.step * (self.total_steps - self.step))


@dataclass(frozen=True)
class TrainingProgress:
    """One step (or validation) as the panel draws it."""

    run_id: int
    step: int
    total_steps: int
    time_left_s: Optional[float]
    phase: str  # "train" or "valid"
    values: dict[str, Optional[float]]  # curve name -> this step's value


class TrainingController(QObject):
    started = Signal(int)  # run id
    stage = Signal(str)  # what the run is doing, in words
    progress = Signal(object)  # TrainingProgress
    paused = Signal(bool)
    finished = Signal(object)  # the run's TrainingRunRecord
    versions_changed = Signal()

    def __init__(self, chat: "ChatController", command: Optional[Sequence[str]] = None,
                 parent: Optional[QObject] = None):
        super().__init__(parent)
        self.chat = chat
        self.store = chat.store
        # The engine's command line; tests put a stand-in here.
        self.command = list(command or [sys.executable, "-m", "engine"])
        self.extra_arguments: list[str] = []  # more options for the child (tests: a small replay corpus)
        self.live: Optional[LiveRun] = None
        self._kill_timer = QTimer(self)
        self._kill_timer.setSingleShot(True)
        self._kill_timer.timeout.connect(self._kill)
        chat.version_changed.connect(lambda _version: self.versions_changed.emit())
        for run in self.store.training_runs():
            if run.status == "running":  # the app was closed or killed while it ran
                self.store.finish_training_run(run.id, "failed", "The app was closed while this run was going on.")

    # -- reading -----------------------------------------------------------------------------
    @property
    def running(self) -> bool:
        return self.live is not None

    def conversations(self) -> list:
        return self.store.training_overview()

    def versions(self) -> list:
        return self.store.model_versions("chat")

    def runs(self) -> list:
        return self.store.training_runs("chat")

    def activate(self, version_id: int) -> None:
        """Use this version for replies from now on (an older one, or the shipped one, rolls back)."""
        self.chat.activate_version(version_id)

    # -- a run -------------------------------------------------------------------------------
    def start(self, conversation_ids: Sequence[int], settings: dict[str, Any]) -> int:
        """Start fine-tuning on the chosen conversations; returns the run id.

        Raises ``RuntimeError`` while another run goes on and ``ValueError`` when there is
        nothing to learn from.
        """
        from engine.tasks.finetune import SavedExchange, write_saved

        if self.live is not None:
            raise RuntimeError("A training run is already going on; wait for it or cancel it.")
        ids = list(conversation_ids)
        if not ids:
            raise ValueError("Choose at least one conversation to learn from.")
        saved: dict[int, list] = {i: [] for i in ids}
        for exchange in self.store.training_exchanges(ids):
            saved[exchange.conversation_id].append(
                SavedExchange(exchange.user, exchange.bot, exchange.correction, exchange.feedback))
        if not any(saved.values()):
            raise ValueError("The chosen conversations have no exchange with the bot yet.")
        base = self.store.active_version("chat")
        base_path = base.path if base is not None else Path(self.chat.host.paths.get("chat", ""))
        settings = dict(default_settings(), **settings)
        run_id = self.store.start_training_run(
            "chat", dict(settings, conversations=ids, base=base.label if base else "shipped chat model"),
            base.id if base is not None else None)
        runs = self.store.data_dir / RUNS_DIR
        runs.mkdir(parents=True, exist_ok=True)
        (self.store.data_dir / MODELS_DIR).mkdir(parents=True, exist_ok=True)
        data = write_saved(runs / f"run-{run_id}.json", [saved[i] for i in ids])
        control = runs / f"run-{run_id}.control"
        control.write_text("run", encoding="utf-8")
        out = self.store.data_dir / MODELS_DIR / f"chat-run-{run_id}.safetensors"
        arguments = [*self.command[1:], "train", "finetune", "--init", str(base_path), "--data", str(data),
                     "--out", str(out), "--control", str(control), "--progress", "jsonl",
                     "--epochs", str(settings["epochs"]), "--lr", repr(float(settings["learning_rate"])),
                     "--tbptt", str(settings["tbptt_turns"]), "--clip", repr(float(settings["clip_norm"])),
                     "--batch-size", str(settings["batch_size"]),
                     "--replay-share", repr(float(settings["replay_share"])),
                     "--device", str(settings["device"]), "--seed", str(settings["seed"]),
                     "--threads", str(max(1, (os.cpu_count() or 2) - 1)),  # a core stays for the window
                     *self.extra_arguments]
        process = QProcess(self)
        process.setProgram(self.command[0])
        process.setArguments(arguments)
        process.setProcessEnvironment(self._environment())
        self.live = LiveRun(run_id, out, control, data, settings, base.id if base else None, process)
        process.readyReadStandardOutput.connect(self._read_output)
        process.readyReadStandardError.connect(self._read_errors)
        process.finished.connect(self._on_exit)
        process.errorOccurred.connect(self._on_process_error)
        self.live.tick(True)
        process.start()
        self.started.emit(run_id)
        self._set_stage("Starting the training process…")
        return run_id

    def pause(self) -> None:
        self._control("pause")

    def resume(self) -> None:
        self._control("run")

    def cancel(self, closing: bool = False) -> None:
        """Ask the run to stop at its next step; it is killed if it has not within KILL_AFTER_MS."""
        live = self.live
        if live is None or live.stopping:
            return
        live.stopping, live.closing = True, closing
        self._control("stop")
        self._set_stage("Stopping…")
        self._kill_timer.start(KILL_AFTER_MS)

    def shutdown(self, timeout_s: float = 3.0) -> None:
        """The app is closing: stop the run, keeping its last checkpoint, and record it."""
        if self.live is None:
            return
        process = self.live.process
        self.cancel(closing=True)
        if not process.waitForFinished(int(timeout_s * 1000)):
            process.kill()
            process.waitForFinished(1000)

    # -- the child's output ------------------------------------------------------------------
    def _read_output(self) -> None:
        live = self.live
        if live is None:
            return
        live.buffer += bytes(live.process.readAllStandardOutput())
        *lines, live.buffer = live.buffer.split(b"\n")
        for line in lines:
            try:
                message = json.loads(line)
            except ValueError:
                continue  # a stray print is not a protocol line
            if isinstance(message, dict):
                self._on_message(live, message)

    def _on_message(self, live: LiveRun, message: dict[str, Any]) -> None:
        if "progress" in message:
            self._on_progress(live, message["progress"])
        elif "result" in message:
            live.result = message["result"]
        elif message.get("event") == "loading":
            self._set_stage(f"Loading the {message.get('what', 'data')}…")
        elif message.get("event") == "prepared":
            live.summary = {k: v for k, v in message.items() if k != "event"}
            self._set_stage(f"Training on {message.get('exchanges', 0)} exchanges "
                            f"({message.get('corrections', 0)} corrected, "
                            f"{message.get('replay_exchanges', 0)} replayed) on {message.get('device', '?')}")
        elif message.get("event") == "checkpoint":
            live.checkpoint_step = int(message.get("step", 0))
        elif message.get("event") == "checking":
            self._set_stage("Checking the corrections…")
        elif message.get("event") in ("paused", "resumed"):
            live.paused = message["event"] == "paused"
            live.tick(not live.paused)
            self.paused.emit(live.paused)

    def _on_progress(self, live: LiveRun, row: dict[str, Any]) -> None:
        step = int(row.get("step", 0))
        live.total_steps = int(row.get("total_steps") or live.total_steps or 0)
        values: dict[str, Optional[float]] = {}
        if row.get("phase") == "valid":
            values["valid_loss"] = row.get("valid_loss")
        else:
            live.step = step
            live.clipped.append(bool(row.get("clipped")))
            recent = live.clipped[-CLIP_WINDOW:]
            values = {"train_loss": row.get("loss"), "grad_norm": row.get("grad_norm"),
                      "clipped_share": sum(recent) / len(recent), "tokens_per_s": row.get("tokens_per_s")}
        for name, value in values.items():
            if value is not None:
                live.curves[name].append([step, float(value)])
        self.progress.emit(TrainingProgress(live.run_id, step, live.total_steps, live.time_left_s(),
                                            row.get("phase", "train"), values))

    def _read_errors(self) -> None:
        if self.live is not None:
            text = bytes(self.live.process.readAllStandardError()).decode("utf-8", "replace")
            self.live.errors = (self.live.errors + [line for line in text.splitlines() if line.strip()])[-50:]

    def _on_process_error(self, error: QProcess.ProcessError) -> None:
        if error == QProcess.ProcessError.FailedToStart and self.live is not None:
            self.live.errors.append(f"the training process could not start ({self.live.process.errorString()})")
            self._on_exit(-1, QProcess.ExitStatus.CrashExit)

    def _on_exit(self, code: int, exit_status: QProcess.ExitStatus) -> None:
        live, self.live = self.live, None
        if live is None:
            return
        self._kill_timer.stop()
        self._read_output_of(live)
        result = live.result or {}
        figures = dict(live.summary)
        figures.update({k: v for k, v in result.items() if k not in ("status", "out")})
        figures["steps"] = result.get("steps", live.step)
        if result.get("status") == "done" and code == 0:
            status, message = "done", self._summary(result)
        elif live.stopping:
            status = "cancelled"
            message = "The app was closed during the run." if live.closing else "Cancelled."
        else:
            status, message = "failed", self._reason(live, code, exit_status)
        version_id = None
        if status != "failed" and live.out.is_file():
            when = datetime.now().strftime("%Y-%m-%d %H:%M")
            label = f"fine-tuned {when} (run {live.run_id})"
            if status == "cancelled":
                label += f", cancelled at step {live.checkpoint_step or figures['steps']}"
            version_id = self.store.add_model_version("chat", label, live.out, training_run_id=live.run_id)
            figures["version_id"] = version_id
        self.store.finish_training_run(live.run_id, status, message, curves=_thin(live.curves), figures=figures)
        live.control.unlink(missing_ok=True)
        live.data.unlink(missing_ok=True)  # the conversations stay in the database
        live.process.deleteLater()
        # Activating and announcing run on later turns of the event loop, so no single turn
        # holds the window for long (each is a few store calls).
        activate = version_id if status == "done" else None
        QTimer.singleShot(0, lambda: self._after_exit(live.run_id, activate))

    def _after_exit(self, run_id: int, activate: Optional[int]) -> None:
        if activate is not None:
            self.chat.activate_version(activate)
        QTimer.singleShot(0, lambda: self._announce(run_id))

    def _announce(self, run_id: int) -> None:
        record = next(r for r in self.store.training_runs("chat") if r.id == run_id)
        self.finished.emit(record)

    def _read_output_of(self, live: LiveRun) -> None:
        self.live = live  # the readers look at the live run
        try:
            self._read_output()
            self._read_errors()
            if live.buffer.strip():
                live.buffer += b"\n"
                self._read_output()
        finally:
            self.live = None

    # -- helpers -----------------------------------------------------------------------------
    def _control(self, command: str) -> None:
        if self.live is None:
            return
        partial = self.live.control.with_suffix(".part")
        partial.write_text(command, encoding="utf-8")
        os.replace(partial, self.live.control)  # the child never reads half a word

    def _kill(self) -> None:
        if self.live is not None and self.live.process.state() != QProcess.ProcessState.NotRunning:
            self.live.process.kill()

    def _set_stage(self, text: str) -> None:
        if self.live is not None:
            self.live.stage = text
        self.stage.emit(text)

    def _environment(self) -> QProcessEnvironment:
        """The child must import ``engine`` from wherever this app found it."""
        import engine

        environment = QProcessEnvironment.systemEnvironment()
        root = str(Path(engine.__file__).resolve().parent.parent)
        current = environment.value("PYTHONPATH", "")
        environment.insert("PYTHONPATH", root + (os.pathsep + current if current else ""))
        environment.insert("PYTHONUNBUFFERED", "1")
        return environment

    @staticmethod
    def _summary(result: dict[str, Any]) -> str:
        parts = [f"{result.get('steps', 0)} steps in {result.get('seconds', 0):.0f} s"]
        if result.get("corrections_reproduced") is not None:
            parts.append(f"{result['corrections_reproduced']:.0%} of the corrections reproduced")
        if result.get("best_valid_loss") is not None:
            parts.append(f"base validation loss {result['best_valid_loss']:.3f}")
        return ", ".join(parts)

    @staticmethod
    def _reason(live: LiveRun, code: int, exit_status: QProcess.ExitStatus) -> str:
        lines = [line.strip() for line in live.errors if line.strip()]
        # The last line of a traceback, or the engine's "error: ..." line, says what went wrong.
        said = next((line for line in reversed(lines) if not line.startswith(("File ", "Traceback", "^", "~"))),
                    "")
        if said.startswith("error: "):
            said = said[len("error: "):]
        if exit_status == QProcess.ExitStatus.CrashExit:
            return f"The training process was killed or crashed{': ' + said if said else '.'}"
        return said or f"The training process ended with code {code} and no result."


def _thin(curves: dict[str, list], limit: int = MAX_CURVE_POINTS) -> dict[str, list]:
    """At most ``limit`` points per curve, evenly spaced, the last one kept."""
    thinned = {}
    for name, points in curves.items():
        if len(points) > limit:
            stride = len(points) / limit
            points = [points[int(i * stride)] for i in range(limit - 1)] + [points[-1]]
        thinned[name] = points
    return thinned
