"""The Lab's controller: trains, samples and inspects character models off the GUI thread.

Every piece of work is a plain function run by one :class:`chatapp.ops.Worker`, reporting through
its op's ``progress`` signal; the Lab window only builds requests and draws what comes back.
Training runs in this process on the worker's thread (a character model is small), pausing and
cancelling through a flag the loop polls after every step, as the engine's command line does.
"""
from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

from PySide6.QtCore import QObject, Signal

from chatapp.ops import Op, OpContext, Worker
from chatapp.training_runs import TrainingProgress, curve_values
from engine.char_service import DEFAULT_MODEL, CharModel, load_char_model, sample_chars
from engine.lab import read_cells, read_message, train_new_model

MAX_CELL_CHARS = 3000  # characters the cell view colours (more makes the view slow to lay out)


@dataclass(frozen=True)
class LabTrainRequest:
    data: str  # a UTF-8 file or a folder
    glob: Optional[str]  # file-name pattern inside a folder
    cell: str = "lstm"  # "lstm" or "rnn"
    hidden_size: int = 128  # units per layer
    num_layers: int = 1  # stacked layers
    minutes: float = 5.0  # training time
    batch_size: int = 32  # stretches of text side by side
    window: int = 64  # characters per truncated-BPTT window
    valid_every: int = 100  # steps between validations


class PauseGate:
    """The stop check training polls: blocks while paused, true once cancelled."""

    def __init__(self, context: OpContext):
        self.context = context
        self.resume = threading.Event()
        self.resume.set()

    def __call__(self) -> bool:
        while not self.resume.wait(0.05):
            if self.context.should_stop():
                return True
        return self.context.should_stop()


class LabController(QObject):
    model_changed = Signal(str)  # a description of the model now sampled and inspected

    def __init__(self, parent: Optional[QObject] = None):
        super().__init__(parent)
        self.worker = Worker("lab")
        self.models: dict[str, CharModel] = {}  # "lstm" / "rnn" -> the latest model of that cell
        self.current: Optional[CharModel] = None
        self._gate: Optional[PauseGate] = None
        self._message_models: dict = {}  # "chat" / "sentiment" -> its predictor, loaded on first use

    def open_model(self, path: Optional[str] = None) -> None:
        char_model = load_char_model(path or DEFAULT_MODEL)
        self._use(char_model, Path(path or DEFAULT_MODEL).name)

    def _use(self, char_model: CharModel, label: str) -> None:
        self.current = char_model
        self.models[char_model.model.config.cell] = char_model
        config = char_model.model.config
        self.model_changed.emit(f"{label}: {config.cell.upper()} {config.num_layers}x{config.hidden_size}, "
                                f"{len(char_model.vocab)} characters")

    # -- training ------------------------------------------------------------------------
    def train(self, data: str, glob: Optional[str] = None, **settings) -> Op:
        """Train a new model on ``data`` (``settings``: the other fields of :class:`LabTrainRequest`);
        progress rows are :class:`TrainingProgress`, the result the trained :class:`CharModel`
        (which becomes the current one)."""
        request = LabTrainRequest(data, glob or None, **settings)

        def run(context: OpContext) -> CharModel:
            clipped: list[bool] = []
            planned = [0]  # steps the time limit allows, estimated from the pace so far

            def report(update) -> None:
                values = curve_values(update, clipped, "char")
                left = max(0.0, request.minutes * 60 - update.elapsed_s)
                if update.step >= 10 and (not planned[0] or update.step > planned[0]):
                    # Training stops at the time limit, long before its nominal epochs: the step
                    # axis spans what the time allows (re-estimated only if the pace beats it).
                    planned[0] = int(update.step * request.minutes * 60 / max(update.elapsed_s, 1e-6) * 1.1)
                context.report(TrainingProgress(0, update.step, planned[0], left, update.phase, values))

            self._gate = PauseGate(context)
            return train_new_model(request.data, request.glob, cell=request.cell, hidden_size=request.hidden_size,
                                   num_layers=request.num_layers, minutes=request.minutes,
                                   batch_size=request.batch_size, window=request.window,
                                   valid_every=request.valid_every, on_progress=report, should_stop=self._gate)

        op = Op(run, "lab-train")
        op.result.connect(lambda char_model: self._use(char_model, f"trained on {Path(request.data).name}"))
        return self.worker.submit(op)

    def pause(self, paused: bool) -> None:
        if self._gate is not None:
            (self._gate.resume.clear if paused else self._gate.resume.set)()

    # -- sampling --------------------------------------------------------------------------
    def sample(self, prime: str, temperature: float, length: int) -> Op:
        """Write ``length`` characters after ``prime``; progress rows are strings (a few
        characters each, as they come); the result is the number of characters per second."""
        char_model = self._require()

        def run(context: OpContext) -> float:
            started, batch, count = time.perf_counter(), [], 0
            for char in sample_chars(char_model, prime, length, temperature, should_stop=context.should_stop):
                batch.append(char)
                count += 1
                if len(batch) >= 8:  # a signal per few characters keeps the GUI thread free
                    context.report("".join(batch))
                    batch = []
            if batch:
                context.report("".join(batch))
            return count / max(time.perf_counter() - started, 1e-9)

        return self.worker.run(run, "lab-sample")

    def unknown_characters(self, text: str) -> list[str]:
        return self._require().vocab.unknown(text)

    # -- looking inside --------------------------------------------------------------------
    def cells(self, text: str, distance: int = 60) -> Op:
        """Read ``text`` (its first ``MAX_CELL_CHARS``) through the current model: the result is
        an :class:`engine.lab.CellReading`, with the gradient flow of an LSTM and a plain RNN."""
        char_model = self._require()
        text = text[:MAX_CELL_CHARS]
        others = dict(self.models)
        return self.worker.run(lambda context: read_cells(char_model, text, others, distance, context.should_stop),
                               "lab-cells")

    def message_cells(self, kind: str, text: str) -> Op:
        """Read one message through the shipped chat model's encoder (``kind`` "chat") or the
        sentiment classifier ("sentiment"): an :class:`engine.lab.CellReading` of its tokens."""
        return self.worker.run(lambda context: read_message(kind, text, self._message_models), f"lab-{kind}-cells")

    def _require(self) -> CharModel:
        if self.current is None:
            raise ValueError("no character model yet: train one or open one first")
        return self.current

    def shutdown(self) -> None:
        self.pause(False)
        self.worker.shutdown()
