"""``TrainingController``: the training panel's runs, in a child process.

A run is ``python -m engine train finetune ... --progress jsonl`` (the chat model on saved
conversations) or ``python -m engine train caption --data captions.json --images DIR ...
--progress jsonl`` (the captioner on the user's own COCO-format photos) under a ``QProcess``:
the window stays responsive, a crash in training (out of memory, a bad device, a bad file) ends
only the child, and closing the panel leaves the run going (the controller, not the panel, owns
it). The child runs at a lower CPU priority than the window, so the window never queues behind
it. It prints one JSON object a line; this controller turns them into Qt signals, keeps the
curves, and at the end stores the run (settings, start, end, status, curves, figures) and the
new checkpoint as a model version of its kind in the data folder. Those store writes are queued
to the store's owner thread (``chatapp.store.owner``) from the file worker, which waits for them
there, off the GUI thread. A new version is never made active here: the panel asks the
user, who may also undo the switch (``activate`` with the version that was in use).

Pause, resume and cancel write ``pause``, ``run`` or ``stop`` into the run's control file, which
the child reads after every step; a child that has not stopped soon after ``stop`` is killed
(its last checkpoint stays). One run at a time.

Preparing a run (its row, its files, the child's arguments) is in ``chatapp.training_prepare``;
reading what the child prints, in ``chatapp.training_child``.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Optional, Sequence

from PySide6.QtCore import QObject, QProcess, QTimer, Signal

from chatapp.ops import first_line
from chatapp.training_child import ChildOutput, child_environment, failure_reason, lower_priority
from chatapp.training_prepare import prepare_caption, prepare_chat
from chatapp.training_runs import (KIND_WORDS, FinishedRun, LiveRun, PreparedRun, caption_settings, clipped_words,
                                   default_settings, thin_curves)

if TYPE_CHECKING:
    from chatapp.ops import Worker
    from chatapp.store.owner import StoreOwner

# A notice for the chat window: (conversation id or None, level, text), as ChatController.notice.
Notify = Callable[[Optional[int], str, str], None]

KILL_AFTER_MS = 1500  # a stopped child gets this long to write its checkpoint and exit


class TrainingController(QObject, ChildOutput):
    started = Signal(int)  # run id
    stage = Signal(str)  # what the run is doing, in words
    progress = Signal(object)  # TrainingProgress
    paused = Signal(bool)
    finished = Signal(object)  # the run's TrainingRunRecord
    start_failed = Signal(str)  # why a run could not start (nothing to learn from, the store)
    versions_changed = Signal()

    def __init__(self, owner: "StoreOwner", files: "Worker", chat_model_path: Callable[[], str],
                 activate: Callable[[int], None], notify: Notify, command: Optional[Sequence[str]] = None,
                 parent: Optional[QObject] = None):
        """``owner``: the store's owner thread; ``files``: the worker that prepares and records
        runs off the GUI thread (its store calls wait on the owner, through ``self.store``);
        ``chat_model_path()``: the chat checkpoint the engine uses now (a run without an active
        version starts from it); ``activate(version_id)``: switch the app to a version;
        ``notify``: a notice in the chat window. The app's assembly (``chatapp.app``) passes them."""
        super().__init__(parent)
        self.owner, self.files = owner, files
        self.store = owner.blocking  # for the file worker: each call waits for the owner thread
        self.chat_model_path, self.activate_version, self.notify = chat_model_path, activate, notify
        # The engine's command line; tests put a stand-in here.
        self.command = list(command or [sys.executable, "-m", "engine"])
        self.extra_arguments: list[str] = []  # more options for the child (tests: a small replay corpus)
        self.live: Optional[LiveRun] = None
        self._preparing = False  # a run's row and files are being written on the file worker
        self._cancel_at_launch = False  # cancelled while being prepared: stopped as it starts
        self._kill_timer = QTimer(self)
        self._kill_timer.setSingleShot(True)
        self._kill_timer.timeout.connect(self._kill)
        owner.run(_mark_interrupted, on_error=lambda _error: None)  # a full disk: marked at the next start

    # -- reading -----------------------------------------------------------------------------
    @property
    def running(self) -> bool:
        """A run is being prepared or goes on."""
        return self.live is not None or self._preparing

    def run_settings(self) -> dict[str, Any]:
        """The settings of the run in progress (empty when none)."""
        return dict(self.live.settings) if self.live is not None else {}

    @property
    def run_kind(self) -> Optional[str]:
        """The kind of model the run in progress trains ("chat" or "caption"; None: no run)."""
        return self.live.kind if self.live is not None else None

    # Read on the store's thread; ``done`` gets the answer on the GUI thread.
    def conversations(self, done: Callable[[list], None]) -> None:
        """``done(rows)``: each conversation with what it would teach (turns, corrections)."""
        self._read(lambda store: store.training_overview(), done)

    def versions_and_runs(self, done: Callable[[dict[str, list], list], None]) -> None:
        """``done(versions, runs)``: the versions of each kind, and every run without its curves."""
        def read(store: Any) -> tuple[dict[str, list], list]:
            return ({kind: store.model_versions(kind) for kind in KIND_WORDS},
                    store.training_runs(None, curves=False))

        self._read(read, lambda found: done(*found))

    def active_version(self, kind: str, done: Callable[[Any], None]) -> None:
        """``done(version)``: the version of ``kind`` in use (None: none recorded yet)."""
        self._read(lambda store: store.active_version(kind), done)

    def activate(self, version_id: int, done: Optional[Callable[[Any, Any], None]] = None,
                 refused: Optional[Callable[[], None]] = None) -> None:
        """Use this version from now on (an older one, or the shipped one, rolls back):
        ``done(version, previous)`` once it is marked, ``refused()`` (after a banner) if not."""
        self.activate_version(version_id, done, refused)

    def _read(self, work: Callable[[Any], Any], done: Callable[[Any], None]) -> None:
        self.owner.run(work, done, lambda error: self.notify(
            None, "error", f"The training panel could not read the data folder: {first_line(error)}"))

    # -- a run -------------------------------------------------------------------------------
    # Starting is in two halves: the checks here, on the GUI thread, then the store reads and
    # writes and the run's files on the file worker, after which ``_launch`` starts the child
    # and ``started`` gives the run id. A run with nothing to learn from ends in ``start_failed``.
    def start(self, conversation_ids: Sequence[int], settings: dict[str, Any]) -> None:
        """Start fine-tuning the chat model on the chosen conversations.

        Raises ``RuntimeError`` while another run goes on and ``ValueError`` when no
        conversation is chosen.
        """
        self._check_free()
        ids = list(conversation_ids)
        if not ids:
            raise ValueError("Choose at least one conversation to learn from.")
        settings = dict(default_settings(), **settings)
        shipped = Path(self.chat_model_path())
        self._prepare(lambda: prepare_chat(self.store, ids, settings, shipped))

    def start_caption(self, captions: str | Path, images: str | Path, settings: dict[str, Any]) -> None:
        """Train the captioner on a COCO-format set (a captions JSON and its image folder).

        Raises ``RuntimeError`` while another run goes on and ``ValueError`` (with a message for
        the user) when the file or the folder is not there; what is wrong inside the file the
        child says, and the run fails with its words.
        """
        self._check_free()
        if not str(captions).strip():
            raise ValueError("Choose a COCO-format captions file (JSON) first.")
        if not str(images).strip():
            raise ValueError("Choose the folder of its images first.")
        captions, images = Path(captions), Path(images)
        if not captions.is_file():
            raise ValueError(f"The captions file {captions} does not exist.")
        if not images.is_dir():
            raise ValueError(f"The image folder {images} does not exist.")
        settings = dict(caption_settings(), **settings)
        self._prepare(lambda: prepare_caption(self.store, captions, images, settings))

    def _check_free(self) -> None:
        if self.running:
            raise RuntimeError("A training run is already going on; wait for it or cancel it.")

    def _prepare(self, prepare) -> None:
        self._preparing = True
        self._set_stage("Preparing the run…")
        op = self.files.run(lambda _ctx: prepare(), "prepare training run")
        op.result.connect(self._launch)
        op.failed.connect(self._preparation_failed)
        op.cancelled.connect(lambda: setattr(self, "_preparing", False))

    def _preparation_failed(self, error: BaseException) -> None:
        self._preparing = False
        message = str(error) if isinstance(error, ValueError) else f"The run could not start: {error}"
        self._set_stage(message)
        self.start_failed.emit(message)

    def _launch(self, run: PreparedRun) -> None:
        self._preparing = False
        process = QProcess(self)
        process.setProgram(self.command[0])
        process.setArguments([*self.command[1:], "train", *run.arguments,
                              "--threads", str(max(1, (os.cpu_count() or 2) - 1)),  # a core stays for the window
                              *self.extra_arguments])
        process.setProcessEnvironment(child_environment())
        self.live = live = LiveRun(run.run_id, run.kind, run.out, run.control, run.data, run.settings,
                                   run.base_version_id, process, run.label)
        process.readyReadStandardOutput.connect(self._read_output)
        process.readyReadStandardError.connect(self._read_errors)
        process.finished.connect(self._on_exit)
        process.errorOccurred.connect(self._on_process_error)
        live.tick(True)
        process.start()
        lower_priority(process)
        self.started.emit(live.run_id)
        self._set_stage("Starting the training process…")
        if self._cancel_at_launch:
            self._cancel_at_launch = False
            self.cancel()  # the child reads "stop" before its first step

    def pause(self) -> None:
        self._control("pause")

    def resume(self) -> None:
        self._control("run")

    def cancel(self, closing: bool = False) -> None:
        """Ask the run to stop at its next step; it is killed if it has not within KILL_AFTER_MS."""
        live = self.live
        if live is None and self._preparing:
            self._cancel_at_launch = True
            return
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
        figures["clipped_steps"] = sum(live.clipped)
        if result.get("status") == "done" and code == 0:
            status, message = "done", self._summary(figures)
        elif live.stopping:
            status = "cancelled"
            message = "The app was closed during the run." if live.closing else "Cancelled."
        else:
            status, message = "failed", failure_reason(live, code, exit_status)
        label = None
        if status != "failed" and live.out.is_file():
            label = live.label
            if status == "cancelled":
                label += f", cancelled at step {live.checkpoint_step or figures['steps']}"
        live.control.unlink(missing_ok=True)
        if live.data is not None:
            live.data.unlink(missing_ok=True)  # the conversations stay in the database
        live.process.deleteLater()
        record = FinishedRun(live.run_id, live.kind, status, message, thin_curves(live.curves), figures, label,
                              live.out)
        if live.closing:  # the app is closing: the file worker is about to stop
            self._after_exit(self._store_finished(record))
            return
        # The store writes (the run with its curves, the version) go to the file worker; the
        # announcement comes back on the GUI thread.
        op = self.files.run(lambda _ctx: self._store_finished(record), "store training run")
        op.result.connect(self._after_exit)
        op.failed.connect(lambda error: self._store_failed(record, error))

    def _store_finished(self, run: FinishedRun) -> Any:
        """Store the ended run and its version, not active (any thread); returns the run's record."""
        figures = dict(run.figures)
        if run.label is not None:
            figures["version_id"] = self.store.add_model_version(run.kind, run.label, run.out,
                                                                 training_run_id=run.run_id)
        self.store.finish_training_run(run.run_id, run.status, run.message, curves=run.curves, figures=figures)
        return self.store.training_run(run.run_id)

    def _after_exit(self, record: Any) -> None:
        if record.status == "done" and record.figures.get("version_id") is not None:
            # Said in the chat window too: the panel that asks may be closed.
            what = KIND_WORDS.get(record.kind, record.kind)
            self.notify(None, "info", f"Training run {record.id} made a new {what}. The one in use "
                                      f"stays until you choose the new one in the training panel.")
        self.versions_changed.emit()
        self.finished.emit(record)

    def _store_failed(self, run: FinishedRun, error: BaseException) -> None:
        self.notify(None, "error", f"Training run {run.run_id} could not be stored: {error}")

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

    @staticmethod
    def _summary(result: dict[str, Any]) -> str:
        """The run's figures in words; its step count is the one the panel's bar ends on."""
        parts = [f"{result.get('steps', 0)} steps in {result.get('seconds', 0):.0f} s",
                 clipped_words(result.get("clipped_steps", 0), result.get("steps", 0))]
        if result.get("best_bleu4") is not None:
            parts.append(f"validation BLEU-4 {result['best_bleu4']:.3f}")
        if result.get("corrections_reproduced") is not None:
            parts.append(f"{result['corrections_reproduced']:.0%} of the corrections reproduced")
        if result.get("best_valid_loss") is not None:
            parts.append(f"base validation loss {result['best_valid_loss']:.3f}")
        return ", ".join(parts)


def _mark_interrupted(store: Any) -> None:
    """Runs the app was closed or killed during are failed (on the store's thread, at start)."""
    for run in store.training_runs(curves=False):
        if run.status == "running":
            store.finish_training_run(run.id, "failed", "The app was closed while this run was going on.")
