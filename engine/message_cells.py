"""Which cells fired on a message: the chat model's encoder and the sentiment classifier's LSTM,
recorded token by token (``engine.inspect.record_lstm``), with token features of their own.

Features: negation scope (the words after "not", "never", "n't", ... up to the next punctuation,
where a sentiment word's meaning turns) and sentiment words (their VADER valence in [-1, 1],
0 for words outside the lexicon).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import torch
from torch import nn

from engine.inspect import LayerRecord, rank_cells, record_layer, record_lstm
from engine.models.fast.lstm import layer_weights

NEGATIONS = frozenset({"not", "no", "never", "n't", "nothing", "nobody", "none", "nor", "neither", "cannot",
                       "without", "nowhere", "hardly", "dont", "cant", "wont", "isnt", "didnt", "doesnt"})
SCOPE_ENDS = frozenset(".,!?;:")


@dataclass
class MessageCells:
    tokens: list[str]  # the message as the model read it
    records: list[LayerRecord]  # one per layer (or per direction of a bidirectional layer)
    names: list[str]  # what each record is: "layer 0", or "forward" / "backward"
    ranked: dict[str, list[dict]]  # feature -> strongest cells (engine.inspect.rank_cells)


def token_features(tokens: Sequence[str], valence: Sequence[float]) -> dict[str, torch.Tensor]:
    """negation_scope: 1 on the words a negation governs; sentiment_word: each token's valence."""
    scope, inside = [], False
    for token in tokens:
        if token in SCOPE_ENDS or any(char in SCOPE_ENDS for char in token[-1:]):
            inside = False
        scope.append(1.0 if inside else 0.0)
        if token in NEGATIONS or token.endswith("n't"):
            inside = True
    return {"negation_scope": torch.tensor(scope), "sentiment_word": torch.tensor(list(valence), dtype=torch.float32)}


def record_bidirectional(lstm: nn.LSTM, inputs: torch.Tensor) -> list[LayerRecord]:
    """A one-layer bidirectional LSTM over ``inputs`` (steps, input): the forward direction's
    record, then the backward one's (put back in reading order)."""
    if lstm.num_layers != 1:
        raise ValueError("only a one-layer bidirectional LSTM can be recorded here")
    zeros = inputs.new_zeros(lstm.hidden_size)
    with torch.no_grad():
        ahead = record_layer(inputs, *layer_weights(lstm, 0), zeros, zeros)
        behind = record_layer(inputs.flip(0), lstm.weight_ih_l0_reverse, lstm.weight_hh_l0_reverse,
                              lstm.bias_ih_l0_reverse + lstm.bias_hh_l0_reverse, zeros, zeros)
    flip = lambda t: t.flip(0)  # noqa: E731
    behind = LayerRecord(flip(behind.h), flip(behind.c), {k: flip(v) for k, v in behind.gates.items()})
    return [ahead, behind]


def _valence_of(tokens: Sequence[str]) -> list[float]:
    from engine.lexicon import vader

    lexicon = vader().lexicon
    return [max(-1.0, min(1.0, lexicon.get(token, 0.0) / 4.0)) for token in tokens]  # VADER's scale is -4..4


def sentiment_cells(predictor, text: str, top: int = 5) -> MessageCells:
    """The sentiment classifier's cells over ``text`` (its first member, for an ensemble)."""
    from engine.text import tokenize

    model = predictor.model
    model = model.members[0] if hasattr(model, "members") else model
    tokens = tokenize(text or "")[: model.config.max_len]
    if not tokens:
        raise ValueError("the message has no words to read")
    ids = torch.tensor(predictor.vocab.encode(tokens), dtype=torch.long)
    with torch.no_grad():
        inputs = torch.cat([model.embedding(ids), model.valence[ids].unsqueeze(-1)], dim=-1)
        if model.lstm.bidirectional:
            records, names = record_bidirectional(model.lstm, inputs), ["forward", "backward"]
        else:
            records = record_lstm(model.lstm, inputs)
            names = [f"layer {i}" for i in range(len(records))]
    features = token_features(tokens, [float(v) for v in model.valence[ids]])
    return MessageCells(tokens, records, names, rank_cells(records, features, top=top))


def chat_cells(predictor, text: str, top: int = 5) -> MessageCells:
    """The chat model's encoder cells over ``text``, read from a zero state."""
    from engine.text import tokenize

    model, vocab = predictor.model, predictor.vocab
    tokens = tokenize(text or "")[: model.config.max_source_len]
    if not tokens:
        raise ValueError("the message has no words to read")
    ids = torch.tensor(vocab.encode(tokens), dtype=torch.long)
    with torch.no_grad():
        records = record_lstm(model.encoder, model.embedding(ids))
    features = token_features(tokens, _valence_of(tokens))
    return MessageCells(tokens, records, [f"layer {i}" for i in range(len(records))],
                        rank_cells(records, features, top=top))
