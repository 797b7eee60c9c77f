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

import torch
from PySide6.QtCore import QObject, Signal

from chatapp.ops import Op, OpContext, Worker
from chatapp.training_runs import TrainingProgress
from engine.char_service import DEFAULT_MODEL, CharModel, load_char_model, sample_chars, save_char_model
from engine.char_training import CharTrainConfig, train_char
from engine.data.chars import CharVocab, count_characters, open_corpus
from engine.inspect import gate_saturation, gradient_flow, rank_cells, record_char_model
from engine.models.char_rnn import CharRNN, CharRNNConfig
from engine.text_features import char_features

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
    out: Optional[Path] = None  # where the model is written (None: not written)


@dataclass(frozen=True)
class CellReport:
    """What the cell view draws, as plain values."""

    text: str
    cell: str  # "lstm" or "rnn"
    values: dict[tuple[int, str], list[list[float]]]  # (layer, "c" or "h") -> per cell, one value per character
    ranked: dict[str, list[dict]]  # feature -> strongest cells first (engine.inspect.rank_cells)
    saturation: list[dict]  # per layer, gate -> {"left": [...], "right": [...]}
    flows: dict[str, dict]  # network label -> engine.inspect.gradient_flow result
    layer_names: tuple[str, ...] = ()  # what each layer index is ("layer 0", or "forward" / "backward")


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
            corpus = open_corpus(request.data, request.glob)
            vocab = CharVocab.from_counts(count_characters(corpus.train))
            model = CharRNN(CharRNNConfig(len(vocab), cell=request.cell, hidden_size=request.hidden_size,
                                          num_layers=request.num_layers, dropout=0.0))
            config = CharTrainConfig(epochs=1000, batch_size=request.batch_size, window=request.window,
                                     max_minutes=request.minutes, valid_every=request.valid_every, warmup_steps=20)
            clipped: list[bool] = []
            planned = [0]  # steps the time limit allows, estimated from the pace so far

            def report(update) -> None:
                values = {"valid_loss": update.valid_loss} if update.phase == "valid" else {
                    "train_loss": update.loss, "grad_norm": update.grad_norm, "tokens_per_s": update.tokens_per_s}
                if update.phase == "train":
                    clipped.append(update.clipped)
                    values["clipped_share"] = sum(clipped[-20:]) / len(clipped[-20:])
                left = max(0.0, request.minutes * 60 - update.elapsed_s)
                if update.step >= 10 and (not planned[0] or update.step > planned[0]):
                    # Training stops at the time limit, long before its nominal epochs: the step
                    # axis spans what the time allows (re-estimated only if the pace beats it).
                    planned[0] = int(update.step * request.minutes * 60 / max(update.elapsed_s, 1e-6) * 1.1)
                context.report(TrainingProgress(0, update.step, planned[0], left, update.phase, values))

            self._gate = PauseGate(context)
            train_char(model, corpus, vocab, config, torch.device("cpu"), report, self._gate)
            model.eval()
            if request.out is not None:
                save_char_model(request.out, model, vocab, {"data": corpus.description})
            return CharModel(model, vocab, {"data": corpus.description})

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
        """Record the current model over ``text``: the result is a :class:`CellReport`, with the
        gradient flow of every cell kind the Lab has a model of (an untrained one stands in for a
        kind it has none of, labelled so)."""
        char_model = self._require()
        text = text[:MAX_CELL_CHARS]
        others = dict(self.models)

        def run(context: OpContext) -> CellReport:
            model = char_model.model
            ids = char_model.vocab.encode(text)
            records = record_char_model(model, ids)
            values = {}
            for layer, record in enumerate(records):
                values[(layer, "h")] = record.h.t().tolist()
                if record.c is not None:
                    values[(layer, "c")] = torch.tanh(record.c).t().tolist()
            ranked = rank_cells(records, char_features(text), skip=min(50, len(text) // 4))
            flows = {}
            for cell in ("lstm", "rnn"):
                if context.should_stop():
                    break
                other = others.get(cell)
                if other is None:
                    fresh = CharRNN(CharRNNConfig(**{**model.config.__dict__, "cell": cell}))
                    other, label = CharModel(fresh.eval(), char_model.vocab), f"{cell.upper()} (untrained)"
                else:
                    label = cell.upper()
                other_ids = other.vocab.encode(text)
                if other_ids.numel() > distance + 1:
                    flows[label] = gradient_flow(other.model, other_ids, distance, ends=8)
            return CellReport(text, model.config.cell, values, ranked, gate_saturation(records), flows,
                              tuple(f"layer {i}" for i in range(len(records))))

        return self.worker.run(run, "lab-cells")

    def message_cells(self, kind: str, text: str) -> Op:
        """The chat model's encoder (``kind`` "chat") or the sentiment classifier ("sentiment")
        over one message: a :class:`CellReport` whose text is the message's tokens, spaced."""
        def run(context: OpContext) -> CellReport:
            from engine import message_cells
            from engine.service import DEFAULT_PATHS

            if kind not in self._message_models:
                if kind == "chat":
                    from engine.tasks.chat import ChatPredictor
                    self._message_models[kind] = ChatPredictor.load(DEFAULT_PATHS["chat"], backward=None, topic=None)
                else:
                    from engine.tasks.sentiment import SentimentPredictor
                    self._message_models[kind] = SentimentPredictor.load(DEFAULT_PATHS["sentiment"])
            read = getattr(message_cells, f"{kind}_cells")(self._message_models[kind], text)
            shown = " ".join(read.tokens)
            owner = [i for i, token in enumerate(read.tokens) for _ in range(len(token) + 1)][:len(shown)]
            values = {}
            for layer, record in enumerate(read.records):
                for part, series in (("h", record.h), ("c", torch.tanh(record.c))):
                    per_token = series.t().tolist()  # (cells, tokens)
                    values[(layer, part)] = [[cell[i] for i in owner] for cell in per_token]
            return CellReport(shown, kind, values, read.ranked, gate_saturation(read.records), {}, tuple(read.names))

        return self.worker.run(run, f"lab-{kind}-cells")

    def _require(self) -> CharModel:
        if self.current is None:
            raise ValueError("no character model yet: train one or open one first")
        return self.current

    def shutdown(self) -> None:
        self.pause(False)
        self.worker.shutdown()


def open_lab(parent) -> "QObject":
    """Show the Lab window (made on first use, then kept), with the shipped Shakespeare model if
    there is one."""
    from chatapp.views.lab_window import LabWindow

    window = getattr(parent, "lab_window", None)
    if window is None:
        controller = LabController(parent)
        window = LabWindow(controller)
        parent.lab_window = window
        if DEFAULT_MODEL.is_file():
            window.open_model(str(DEFAULT_MODEL))
    window.show()
    window.raise_()
    window.activateWindow()
    return window
