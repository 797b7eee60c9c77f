"""The training child's side of ``TrainingController``: reading what the child process prints
and says on its standard error, and the process's environment and priority.

The child prints one JSON object a line: ``{"progress": ...}`` rows (an
``engine.progress.ProgressUpdate``), the events named in ``engine.progress`` and at the end
``{"result": ...}``. ``ChildOutput`` turns them into the controller's signals and the live run's
curves; it is a mixin of ``TrainingController``, which gives ``live``, ``_set_stage``,
``_on_exit`` and the signals.
"""
from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any, Optional

from PySide6.QtCore import QProcess, QProcessEnvironment

from chatapp.training_runs import LiveRun, TrainingProgress, curve_values

CHILD_NICENESS = 10  # the child's CPU priority below the window's (Unix), so painting never waits


class ChildOutput:
    """Reading the child's output (mixed into ``TrainingController``)."""

    live: Optional[LiveRun]  # the run going on, set by the controller

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
        from engine.progress import CHECKING, CHECKPOINT, LOADING, PAUSED, PREPARED, RESUMED, ProgressUpdate

        if "progress" in message:
            self._on_progress(live, ProgressUpdate.from_row(message["progress"]))
        elif "result" in message:
            live.result = message["result"]
        elif message.get("event") == LOADING:
            self._set_stage(f"Loading the {message.get('what', 'data')}…")
        elif message.get("event") == PREPARED:
            live.summary = {k: v for k, v in message.items() if k != "event"}
            if live.kind == "caption":
                self._set_stage(f"Training the captioner on {message.get('train_images', 0)} photos "
                                f"({message.get('valid_images', 0)} held out to validate, "
                                f"{message.get('skipped', 0)} unreadable skipped) on {message.get('device', '?')}")
            else:
                self._set_stage(f"Training on {message.get('exchanges', 0)} exchanges "
                                f"({message.get('corrections', 0)} corrected, "
                                f"{message.get('replay_exchanges', 0)} replayed) on {message.get('device', '?')}")
        elif message.get("event") == CHECKPOINT:
            live.checkpoint_step = int(message.get("step", 0))
        elif message.get("event") == CHECKING:
            self._set_stage("Checking the corrections…")
        elif message.get("event") in (PAUSED, RESUMED):
            live.paused = message["event"] == PAUSED
            live.tick(not live.paused)
            self.paused.emit(live.paused)

    def _on_progress(self, live: LiveRun, update: Any) -> None:
        """One ``engine.progress.ProgressUpdate`` of the child's, onto the curves and the bar."""
        step = update.step
        # The engine plans its steps exactly; the bar still never shows fewer steps than the run
        # made, should a plan fall short ("7 / 7" for a run of 9 was once seen).
        live.total_steps = max(int(update.total_steps or live.total_steps or 0), step)
        if update.phase == "train":
            live.step = step
        values = curve_values(update, live.clipped, live.kind)
        for name, value in values.items():
            if value is not None:
                live.curves.setdefault(name, []).append([step, value])
        self.progress.emit(TrainingProgress(live.run_id, step, live.total_steps, live.time_left_s(),
                                            update.phase, values, sum(live.clipped), len(live.clipped)))

    def _read_errors(self) -> None:
        if self.live is not None:
            text = bytes(self.live.process.readAllStandardError()).decode("utf-8", "replace")
            self.live.errors = (self.live.errors + [line for line in text.splitlines() if line.strip()])[-50:]

    def _on_process_error(self, error: QProcess.ProcessError) -> None:
        if error == QProcess.ProcessError.FailedToStart and self.live is not None:
            self.live.errors.append(f"the training process could not start ({self.live.process.errorString()})")
            self._on_exit(-1, QProcess.ExitStatus.CrashExit)

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


def child_environment() -> QProcessEnvironment:
    """The child must import ``engine`` from wherever this app found it."""
    import engine

    environment = QProcessEnvironment.systemEnvironment()
    root = str(Path(engine.__file__).resolve().parent.parent)
    current = environment.value("PYTHONPATH", "")
    environment.insert("PYTHONPATH", root + (os.pathsep + current if current else ""))
    environment.insert("PYTHONUNBUFFERED", "1")
    return environment


def failure_reason(live: LiveRun, code: int, exit_status: QProcess.ExitStatus) -> str:
    """Why a run failed, in the child's own words where it left some on its standard error."""
    lines = [line.strip() for line in live.errors if line.strip()]
    # The last line of a traceback, or the engine's "error: ..." line, says what went wrong.
    said = next((line for line in reversed(lines) if not line.startswith(("File ", "Traceback", "^", "~"))),
                "")
    if said.startswith("error: "):
        said = said[len("error: "):]
    if exit_status == QProcess.ExitStatus.CrashExit:
        return f"The training process was killed or crashed{': ' + said if said else '.'}"
    return said or f"The training process ended with code {code} and no result."


def lower_priority(process: QProcess) -> None:
    """Run the child below the window's CPU priority: on a busy machine the window then gets a
    core as soon as it has something to draw, instead of a share of one with the training."""
    pid = process.processId()
    if not pid or not hasattr(os, "setpriority"):
        return  # not started, or not Unix
    try:
        # The child has not started its threads yet (Python is still starting), and threads
        # inherit the priority of the thread that makes them.
        os.setpriority(os.PRIO_PROCESS, pid, min(19, os.getpriority(os.PRIO_PROCESS, 0) + CHILD_NICENESS))
    except OSError:
        pass  # a priority is a nicety, never a reason to fail the run
