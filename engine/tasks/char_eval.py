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


def sampling_speed(char_model, chars: int = 2000) -> dict:
    """Characters per second sampled at temperature 1, by the wall clock and per second of this
    process's CPU time (on a shared machine the two differ by the share of a core it got)."""
    wall, cpu = time.perf_counter(), time.process_time()
    count = sum(1 for _ in sample_chars(char_model, "\n", chars, temperature=1.0, seed=0))
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    return {"sample_chars_per_s": round(count / wall, 1), "sample_chars_per_cpu_s": round(count / max(cpu, 1e-9), 1)}


def evaluate(args: argparse.Namespace) -> dict:
    device = pick_device(args.device)
    result = _one(args.model, args, device)
    if args.sample_chars > 0:
        result.update(sampling_speed(load_char_model(args.model, device), args.sample_chars))
    if args.compare:
        result["compare"] = _one(args.compare, args, device)
    return result


def bench(device, repeats: int, batch_size: int = 64, window: int = 100) -> dict:
    """The shipped Shakespeare model's training step (forward, loss, backward, clipping, Adam) on a
    (batch, window) batch against bare ``nn.LSTM`` forward+backward of the same shapes and
    dropout, taking turns; and sampling speed at temperature 1."""
    import torch
    from torch import nn

    from engine.bench import _in_turns
    from engine.training import adam, backward_and_step

    char_model = load_char_model(None, device)
    model, config = char_model.model, char_model.model.config
    ids = torch.randint(0, config.vocab_size, (batch_size, window + 1), device=device)
    model.train()
    optimizer = adam(model.parameters(), 1e-6)

    def train_step() -> None:
        out = model(ids[:, :-1], targets=ids[:, 1:])
        backward_and_step(out.loss, model, optimizer, 5.0)

    # The same LSTM as nn.LSTM builds it, dropout between layers included (it costs a sixth of the
    # LSTM's time here, as nn.LSTM then runs layer by layer); and without, for reference.
    between = config.dropout if config.num_layers > 1 else 0.0
    bare = nn.LSTM(config.embedding_size, config.hidden_size, config.num_layers, batch_first=True,
                   dropout=between).to(device)
    plain = nn.LSTM(config.embedding_size, config.hidden_size, config.num_layers, batch_first=True).to(device)
    inputs = torch.randn(batch_size, window, config.embedding_size, device=device, requires_grad=True)

    def raw_step(lstm) -> None:
        hidden, _ = lstm(inputs)
        hidden.sum().backward()

    times = _in_turns({"train": train_step, "raw": lambda: raw_step(bare), "plain": lambda: raw_step(plain)},
                      max(3, repeats // 2), device)
    model.eval()
    chars = batch_size * window
    rates = {name: chars / sorted(values)[len(values) // 2] * 1000 for name, values in times.items()}
    speed = sampling_speed(char_model)
    return {"char_train_chars_per_s": round(rates["train"], 1), "char_raw_lstm_chars_per_s": round(rates["raw"], 1),
            "char_train_ratio": round(rates["train"] / rates["raw"], 3),
            "char_train_ratio_lstm_without_dropout": round(rates["train"] / rates["plain"], 3),
            "char_sample_chars_per_s": speed["sample_chars_per_s"],
            "char_sample_chars_per_cpu_s": speed["sample_chars_per_cpu_s"],
            "char_model": f"{config.cell} {config.num_layers}x{config.hidden_size}", "char_batch": batch_size,
            "char_window": window}
