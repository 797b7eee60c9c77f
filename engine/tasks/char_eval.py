"""``python -m engine eval char``: validation loss (nats per character) on the held-out split of
the text a model was trained on, a second model beside it, and sampling speed."""
from __future__ import annotations

import argparse
import math
import time
from pathlib import Path

from engine.char_service import DEFAULT_MODEL, load_char_model, sample_chars
from engine.char_training import evaluate_chars
from engine.device import pick_device
from engine.models.char_rnn import count_parameters
from engine.tasks.char import STDLIB, open_data


def add_eval_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--model", default=None, help="character checkpoint (default: the shipped Shakespeare model)")
    parser.add_argument("--data", default=None, help="the text it was trained on: file, folder (with --glob) or "
                                                     "'stdlib' (the default for a model trained on Python source)")
    parser.add_argument("--glob", default=None)
    parser.add_argument("--compare", default=None, help="a second character model evaluated beside it (the plain RNN)")
    parser.add_argument("--valid-chars", type=int, default=2_000_000, help="validation characters read at most")
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--window", type=int, default=100)
    parser.add_argument("--sample-chars", type=int, default=2000, help="characters sampled at temperature 1 to time")


def _data(args: argparse.Namespace, meta: dict) -> str:
    if args.data:
        return args.data
    if "*.py" in str(meta.get("data", "")):
        return STDLIB
    raise ValueError("give --data: the text the model was trained on (its last 10 % is the validation split)")


def _one(path, args: argparse.Namespace, device) -> dict:
    char_model = load_char_model(path, device)
    corpus = open_data(_data(args, char_model.meta), args.glob)
    loss, chars = evaluate_chars(char_model.model, corpus.valid, char_model.vocab, device, args.batch_size,
                                 args.window, args.valid_chars)
    file = Path(path) if path else DEFAULT_MODEL
    return {"model": file.name, "cell": char_model.model.config.cell, "hidden_size": char_model.model.config.hidden_size,
            "num_layers": char_model.model.config.num_layers, "parameters": count_parameters(char_model.model),
            "size_bytes": file.stat().st_size, "data": corpus.description, "valid_loss": round(loss, 4),
            "bits_per_char": round(loss / math.log(2), 4), "valid_chars": chars,
            "trained_s": char_model.meta.get("trained_s"), "train_threads": char_model.meta.get("threads")}


def evaluate(args: argparse.Namespace) -> dict:
    device = pick_device(args.device)
    result = _one(args.model, args, device)
    if args.sample_chars > 0:
        char_model = load_char_model(args.model, device)
        started = time.perf_counter()
        count = sum(1 for _ in sample_chars(char_model, "\n", args.sample_chars, temperature=1.0, seed=0))
        result["sample_chars_per_s"] = round(count / (time.perf_counter() - started), 1)
    if args.compare:
        result["compare"] = _one(args.compare, args, device)
    return result
