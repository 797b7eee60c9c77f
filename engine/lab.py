"""The Lab's engine side, as plain functions over plain values: train a new character model on a
file, read a text through a model's cells, read a message through the chat or sentiment model.

The app's Lab (``chatapp.lab``) runs these off the GUI thread and draws what they return; they
report through callbacks and stop when ``should_stop()`` turns true, like every loop here.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

import torch

from engine.char_service import CharModel, warmup_text
from engine.char_training import CharTrainConfig, train_char
from engine.data.chars import CharVocab, count_characters, open_corpus
from engine.inspect import LayerRecord, gate_saturation, gradient_flow, rank_cells, record_char_model
from engine.models.char_rnn import CharRNN, CharRNNConfig
from engine.text_features import char_features
from engine.progress import ProgressCallback, StopCheck, ignore_progress, never_stop

SETTLE = 50  # characters read before correlations count (the state leaves zero)


@dataclass(frozen=True)
class CellReading:
    """A text read through a network, as the cell view draws it."""

    text: str
    cell: str  # "lstm", "rnn", or the app model read ("chat", "sentiment")
    values: dict[tuple[int, str], list[list[float]]]  # (layer, "c" or "h") -> per cell, one value per character
    ranked: dict[str, list[dict]]  # feature -> strongest cells (engine.inspect.rank_cells)
    saturation: list[dict]  # per layer, gate -> {"left": [...], "right": [...]}
    flows: dict[str, dict]  # network label -> engine.inspect.gradient_flow result
    layer_names: tuple[str, ...] = ()  # what each layer index is ("layer 0", or "forward" / "backward")


def train_new_model(data: str, glob: Optional[str], *, cell: str = "lstm", hidden_size: int = 128,
                    num_layers: int = 1, minutes: float = 5.0, batch_size: int = 32, window: int = 64,
                    valid_every: int = 100, on_progress: ProgressCallback = ignore_progress,
                    should_stop: StopCheck = never_stop) -> CharModel:
    """A new character model trained on ``data`` (file, or folder with ``glob``) for ``minutes``."""
    corpus = open_corpus(data, glob)
    vocab = CharVocab.from_counts(count_characters(corpus.train))
    model = CharRNN(CharRNNConfig(len(vocab), cell=cell, hidden_size=hidden_size, num_layers=num_layers,
                                  dropout=0.0))
    # The time limit ends training; the epochs only bound it.
    config = CharTrainConfig(epochs=1000, batch_size=batch_size, window=window, max_minutes=minutes,
                             valid_every=valid_every, warmup_steps=20)
    train_char(model, corpus, vocab, config, torch.device("cpu"), on_progress, should_stop)
    return CharModel(model.eval(), vocab, {"data": corpus.description, "warmup_text": warmup_text(corpus.train)})


def _values(records: list[LayerRecord], owner: Optional[list[int]] = None) -> dict:
    """Each layer's tanh(c) and h per cell, one value per step (or per character, through
    ``owner``: the step each character belongs to)."""
    values = {}
    for layer, record in enumerate(records):
        for part, series in (("h", record.h), ("c", None if record.c is None else torch.tanh(record.c))):
            if series is None:
                continue
            per_cell = series.t().tolist()  # (cells, steps)
            values[(layer, part)] = per_cell if owner is None else [[cell[i] for i in owner] for cell in per_cell]
    return values


def read_cells(char_model: CharModel, text: str, others: dict[str, CharModel], distance: int = 60,
               should_stop: StopCheck = never_stop) -> CellReading:
    """``text`` through the model's cells: values, ranked cells per feature, gate saturation, and
    the gradient flow of an LSTM and a plain RNN (``others`` by cell; an untrained one of the
    model's sizes stands in for a kind missing there, labelled so)."""
    model = char_model.model
    records = record_char_model(model, char_model.vocab.encode(text))
    ranked = rank_cells(records, char_features(text), skip=min(SETTLE, len(text) // 4))
    flows = {}
    for cell in ("lstm", "rnn"):
        if should_stop():
            break
        other, label = others.get(cell), cell.upper()
        if other is None:
            fresh = CharRNN(CharRNNConfig(**{**model.config.__dict__, "cell": cell}))
            other, label = CharModel(fresh.eval(), char_model.vocab), f"{cell.upper()} (untrained)"
        ids = other.vocab.encode(text)
        if ids.numel() > distance + 1:
            flows[label] = gradient_flow(other.model, ids, distance, ends=8)
    return CellReading(text, model.config.cell, _values(records), ranked, gate_saturation(records), flows,
                       tuple(f"layer {i}" for i in range(len(records))))


def read_message(kind: str, text: str, loaded: dict) -> CellReading:
    """One message through the chat model's encoder (``kind`` "chat") or the sentiment classifier
    ("sentiment"), the shipped ones, loaded once into ``loaded``; the reading's text is the
    message's tokens, spaced, each character carrying its token's values."""
    from engine import message_cells
    from engine.service import DEFAULT_PATHS

    if kind not in loaded:
        if kind == "chat":
            from engine.tasks.chat import ChatPredictor
            loaded[kind] = ChatPredictor.load(DEFAULT_PATHS["chat"], backward=None, topic=None)
        elif kind == "sentiment":
            from engine.tasks.sentiment import SentimentPredictor
            loaded[kind] = SentimentPredictor.load(DEFAULT_PATHS["sentiment"])
        else:
            raise ValueError(f"no model {kind!r} reads messages here: chat or sentiment")
    read = getattr(message_cells, f"{kind}_cells")(loaded[kind], text)
    shown = " ".join(read.tokens)
    owner = [i for i, token in enumerate(read.tokens) for _ in range(len(token) + 1)][:len(shown)]
    return CellReading(shown, kind, _values(read.records, owner), read.ranked, gate_saturation(read.records), {},
                       tuple(read.names))
