"""Sentiment: the predictor behind ``Engine.sentiment``, its metrics and the command line.

    python -m engine sentiment "text"

Training (``python -m engine train sentiment``) is in :mod:`engine.tasks.sentiment_train`;
``eval sentiment`` (the model against VADER) and the benchmark in :mod:`engine.tasks.sentiment_eval`.
"""
from __future__ import annotations

import argparse
from pathlib import Path
from typing import Optional, Sequence

import torch

from engine.checkpoint import load_checkpoint, load_weights
from engine.data.sentiment import LABEL_INDEX
from engine.device import pick_device
from engine.lexicon import lexicon_scores, vader
from engine.models.sentiment import SentimentClassifier, SentimentConfig, SentimentEnsemble, pad_batch
from engine.results import LABELS, SentimentResult
from engine.shipped import DEFAULT_PATHS
from engine.text import Vocab, tokenize

NEG, NEU, POS = (LABEL_INDEX[label] for label in ("negative", "neutral", "positive"))
NONE_LABEL = "none"


# -- metrics --------------------------------------------------------------------------------
def score(gold: Sequence[int], predicted: Sequence[int], classes: Sequence[int]) -> dict:
    """accuracy, macro_f1, macro_recall, per_class_f1 and confusion (rows gold, columns predicted)."""
    position = {c: i for i, c in enumerate(classes)}
    confusion = [[0] * len(classes) for _ in classes]
    for g, p in zip(gold, predicted):
        confusion[position[g]][position[p]] += 1
    f1s, recalls = {}, []
    for i, c in enumerate(classes):
        tp = confusion[i][i]
        gold_n, predicted_n = sum(confusion[i]), sum(row[i] for row in confusion)
        precision = tp / predicted_n if predicted_n else 0.0
        recall = tp / gold_n if gold_n else 0.0
        recalls.append(recall)
        f1s[LABELS[c]] = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    n = len(gold)
    return {
        "accuracy": sum(confusion[i][i] for i in range(len(classes))) / n if n else 0.0,
        "macro_f1": sum(f1s.values()) / len(classes),
        "macro_recall": sum(recalls) / len(classes),
        "per_class_f1": f1s,
        "confusion": confusion,
    }


# -- vocabulary and batches of token ids ---------------------------------------------------
def build_vocab(token_lists: Sequence[Sequence[str]], valence: dict[str, float], max_size: int = 20000,
                min_count: int = 2) -> Vocab:
    """The corpus's frequent tokens, then the lexicon's tokens the corpus lacks (they carry valence)."""
    vocab = Vocab.build(token_lists, max_size=max_size, min_count=min_count)
    known = set(vocab.itos)
    return Vocab(vocab.itos + sorted(token for token in valence if token not in known))


def encode(vocab: Vocab, tokens: Sequence[str], max_len: int) -> list[int]:
    return vocab.encode(tokens[:max_len])


def lexicon_rows(rows: Sequence[int], scores: Optional[Sequence[Sequence[float]]],
                 device: torch.device) -> Optional[torch.Tensor]:
    """The lexicon scores of the texts at ``rows`` as a tensor (rows, 4), for a model that reads them."""
    return None if scores is None else torch.tensor([scores[i] for i in rows], device=device)


@torch.inference_mode()
def predict_proba(model: SentimentClassifier, id_lists: Sequence[Sequence[int]], device: torch.device,
                  batch_size: int = 512, scores: Optional[Sequence[Sequence[float]]] = None) -> torch.Tensor:
    """Probabilities (n, num_classes) for non-empty id lists, batched by similar length; ``scores``:
    each text's lexicon scores, for a model that reads them."""
    model.eval()
    order = sorted(range(len(id_lists)), key=lambda i: len(id_lists[i]))
    out = torch.empty(len(id_lists), model.config.num_classes)
    for start in range(0, len(order), batch_size):
        rows = order[start:start + batch_size]
        ids, lengths = pad_batch([id_lists[i] for i in rows], model.config.pad_id)
        logits, _ = model(ids.to(device), lengths, scores=lexicon_rows(rows, scores, device))
        out[rows] = torch.softmax(logits.float(), dim=-1).cpu()
    return out


class SentimentPredictor:
    """A loaded classifier: ``predict(texts)`` gives one :class:`SentimentResult` per text."""

    def __init__(self, model: SentimentClassifier | SentimentEnsemble, vocab: Vocab, device: torch.device,
                 meta: dict | None = None):
        self.model = model.to(device).eval()
        self.vocab = vocab
        self.device = device
        self.meta = meta or {}

    @classmethod
    def load(cls, path: str | Path, device: torch.device | str = "cpu") -> "SentimentPredictor":
        checkpoint = load_checkpoint(path, kind="sentiment")
        config = dict(checkpoint.config)
        members = int(config.pop("members", 1))
        model = (SentimentClassifier(SentimentConfig(**config)) if members == 1
                 else SentimentEnsemble(SentimentConfig(**config), members))
        load_weights(model, checkpoint, path)
        if model.config.lexicon_scores:
            vader()  # read the lexicon now, with the model, not on the first message
        device = pick_device(device) if isinstance(device, str) else device
        return cls(model, Vocab(checkpoint.vocab), device, checkpoint.meta)

    def encode(self, texts: Sequence[str]) -> list[list[int]]:
        return [encode(self.vocab, tokenize(text or ""), self.model.config.max_len) for text in texts]

    def probabilities(self, texts: Sequence[str]) -> list[Optional[list[float]]]:
        """Per text its probabilities in ``LABELS`` order, or None when it has no tokens."""
        id_lists = self.encode(texts)
        readable = [i for i, ids in enumerate(id_lists) if ids]
        out: list[Optional[list[float]]] = [None] * len(texts)
        if readable:
            texts = [texts[i] for i in readable]
            scores = lexicon_scores(texts) if self.model.config.lexicon_scores else None
            probabilities = predict_proba(self.model, [id_lists[i] for i in readable], self.device, scores=scores)
            for i, row in zip(readable, probabilities.tolist()):
                out[i] = row
        return out

    def predict(self, texts: Sequence[str]) -> list[SentimentResult]:
        results = []
        for row in self.probabilities(texts):
            if row is None:
                results.append(SentimentResult(NONE_LABEL, {}))
            else:
                best = max(range(len(row)), key=row.__getitem__)
                results.append(SentimentResult(LABELS[best], dict(zip(LABELS, row))))
        return results


# -- command line ---------------------------------------------------------------------------

def format_result(result: SentimentResult) -> str:
    if result.label == NONE_LABEL:
        return "none: no text to read"
    probabilities = "  ".join(f"{label} {result.probabilities[label]:.3f}" for label in LABELS)
    return f"{result.label}  ({probabilities})"


def run_cli(args: argparse.Namespace) -> int:
    text = " ".join(args.text) if isinstance(args.text, (list, tuple)) else args.text
    if not text.strip():
        raise ValueError("the text is empty: there is nothing to label")
    path = Path(args.model) if args.model else DEFAULT_PATHS["sentiment"]
    predictor = SentimentPredictor.load(path, pick_device(args.device))
    print(format_result(predictor.predict([text])[0]))
    return 0
