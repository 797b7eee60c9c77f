"""The character-model task: ``train char`` and ``sample char``; evaluation lives in ``char_eval``."""
from __future__ import annotations

import argparse
import json
import sys
import sysconfig
import time
from dataclasses import asdict
from pathlib import Path

import torch

from engine import distributed
from engine.char_service import (DEFAULT_MODEL, KIND, load_char_model, sample_chars, save_char_model,
                                 warmup_text)
from engine.char_training import CharTrainConfig, train_char
from engine.checkpoint import load_checkpoint, load_weights
from engine.data.chars import CharVocab, count_characters, open_corpus
from engine.device import pick_device
from engine.models.char_rnn import CELLS, CharRNN, CharRNNConfig, count_parameters
from engine.options import add_config_arguments, config_values
from engine.progress import emitter, progress_row
from engine.training import Control, StopRequest, tqdm_progress

STDLIB = "stdlib"  # --data stdlib: the installed Python standard library of this interpreter
STDLIB_EXCLUDE = ("site-packages", "__pycache__")  # installed packages are not the standard library


def resume_path(path: Path) -> Path:
    return path.with_name(path.stem + ".resume.safetensors")


def open_data(data: str, glob: str | None):
    """``--data``'s corpus; ``stdlib`` names the interpreter's standard library (its ``*.py`` files
    by default, without installed packages)."""
    if data == STDLIB:
        return open_corpus(sysconfig.get_paths()["stdlib"], glob or "*.py", exclude=STDLIB_EXCLUDE)
    return open_corpus(data, glob)


# The fields of the configs that ``train char`` takes as options of the same names.
TRAIN_FIELDS = ("epochs", "batch_size", "window", "learning_rate", "warmup_steps", "clip_norm", "seed", "max_minutes",
                "valid_every", "valid_chars")
MODEL_FIELDS = ("embedding_size", "hidden_size", "num_layers", "dropout")


def add_train_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--data", required=True, help="a UTF-8 text file, a folder (with --glob), or 'stdlib'")
    parser.add_argument("--glob", default=None, help="file-name pattern inside a folder, e.g. '*.py'")
    parser.add_argument("--out", default=str(DEFAULT_MODEL.with_name("char.safetensors")), help="checkpoint to write")
    parser.add_argument("--resume", action="store_true", help="continue from OUT's resume file")
    parser.add_argument("--cell", choices=CELLS, default=CharRNNConfig(vocab_size=1).cell,
                        help="lstm, or rnn for a plain tanh RNN of the same sizes")
    add_config_arguments(parser, CharTrainConfig, TRAIN_FIELDS)
    add_config_arguments(parser, CharRNNConfig, MODEL_FIELDS)
    parser.add_argument("--max-vocab", type=int, default=256, help="characters kept (the commonest), <unk> included")
    parser.add_argument("--half", action="store_true", help="store OUT's weights as float16 (shipping size)")
    parser.add_argument("--control", default=None, help="a file saying run, pause or stop (read every step)")
    parser.add_argument("--progress", choices=("bar", "jsonl"), default="bar",
                        help="bar: tqdm on stderr; jsonl: one JSON progress object a line on stdout")
    parser.add_argument("--warmup-only", action="store_true",
                        help="train nothing: store in OUT the last lines of the training text, which sampling "
                             "reads before the priming text (training stores them itself); with --half, also "
                             "store OUT's weights as float16")


def _build(args: argparse.Namespace, out: Path, corpus):
    """The model, vocabulary and resume point: from OUT's resume file, or new."""
    if args.resume and resume_path(out).is_file():
        checkpoint = load_checkpoint(resume_path(out), kind=KIND)
        model = CharRNN(CharRNNConfig(**checkpoint.config))
        load_weights(model, checkpoint, resume_path(out))
        resume = checkpoint.meta["resume"]
        print(f"resuming at epoch {resume['epoch']}, step {resume['step']}", file=sys.stderr)
        return model, CharVocab(checkpoint.vocab), resume, checkpoint.optimizer
    vocab = CharVocab.from_counts(count_characters(corpus.train), max_size=args.max_vocab)
    count_characters(corpus.valid, limit=1 << 20)  # a binary validation part fails here, not after an hour
    torch.manual_seed(args.seed)
    model = CharRNN(CharRNNConfig(len(vocab), args.cell, **config_values(args, MODEL_FIELDS)))
    return model, vocab, None, None


def store_warmup(out: Path, corpus, half: bool = False) -> str:
    """Write the warm-up text of ``corpus`` into the checkpoint at ``out`` (float16 weights stay so;
    ``half`` stores float32 ones as float16, the shipping size)."""
    from safetensors import safe_open

    with safe_open(str(out), framework="pt") as stored:
        half = half or any(stored.get_slice(name).get_dtype() == "F16" for name in stored.keys())
    char_model = load_char_model(out)
    char_model.meta["warmup_text"] = warmup_text(corpus.train)
    save_char_model(out, char_model.model, char_model.vocab, char_model.meta, half=half)
    return char_model.meta["warmup_text"]


def train(args: argparse.Namespace) -> int:
    corpus = open_data(args.data, args.glob)
    if corpus.skipped:
        print(f"note: {len(corpus.skipped)} files are not UTF-8 text and were left out "
              f"(e.g. {corpus.skipped[0]})", file=sys.stderr)
    out = Path(args.out)
    if args.warmup_only:
        print(json.dumps({"warmup_text": store_warmup(out, corpus, args.half)}))
        return 0
    model, vocab, resume, optimizer_state = _build(args, out, corpus)
    config = CharTrainConfig(**config_values(args, TRAIN_FIELDS))
    device = pick_device(args.device)
    # Under torchrun only rank 0 reports (its progress, checkpoints and summary).
    emit = emitter(args.progress == "jsonl") if distributed.is_main() else (lambda event: None)
    emit({"event": "start", "parameters": count_parameters(model), "vocab": len(vocab), "data": corpus.description,
          "train_bytes": corpus.train_bytes(), "cell": model.config.cell})
    base_meta = {"data": corpus.description, "train": asdict(config), "threads": torch.get_num_threads(),
                 "warmup_text": warmup_text(corpus.train)}

    def save(optimizer, meta: dict) -> None:
        info = dict(base_meta, resume=meta, valid_loss=meta.get("valid_loss"), best_valid_loss=meta.get("best_valid_loss"),
                    trained_s=meta.get("elapsed_s"))
        save_char_model(resume_path(out), model, vocab, info, optimizer=optimizer.state_dict())
        # OUT keeps the weights that validated best, so a run that overfits late ships its best.
        valid, best = meta.get("valid_loss"), meta.get("best_valid_loss")
        if best is None or (valid is not None and valid <= best) or not out.is_file():
            save_char_model(out, model, vocab, info, half=args.half)
        emit({"event": "checkpoint", "path": str(out), "valid_loss": valid})

    with StopRequest() as stop_request:
        control = Control(args.control, stop_request, emit)
        if args.progress == "jsonl":
            def progress(update) -> None:
                print(json.dumps({"progress": progress_row(update, control)}), flush=True)
        else:
            progress = tqdm_progress(unit="char")
        result = train_char(model, corpus, vocab, config, device, progress, control, save, resume, optimizer_state)
    if not distributed.is_main():
        return 0
    summary = {"event": "done", "steps": result.steps, "epochs": round(result.epochs_done, 3),
               "stopped_early": result.stopped_early, "best_valid_loss": result.best_valid_loss,
               "seconds": round(result.elapsed_s, 1), "chars": result.tokens, "out": str(out)}
    emit(summary)
    if args.progress != "jsonl":
        print(json.dumps(summary))
    return 0


def add_sample_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--model", default=None, help="character checkpoint (default: the shipped Shakespeare model)")
    parser.add_argument("--prime", default="", help="text the model reads before it writes")
    parser.add_argument("--temperature", type=float, default=1.0)
    parser.add_argument("--top-k", type=int, default=0, help="keep the k likeliest characters (0: all)")
    parser.add_argument("--top-p", type=float, default=1.0, help="nucleus: keep this much probability")
    parser.add_argument("--length", type=int, default=500, help="characters to write")
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--json", action="store_true", help="after the text, one JSON line with chars/s")


def run_sample(args: argparse.Namespace) -> int:
    """Stream characters to standard output as they are drawn."""
    if args.length < 0:
        raise ValueError("--length must not be negative")
    char_model = load_char_model(args.model, pick_device(args.device))
    unknown = char_model.vocab.unknown(args.prime)
    if unknown:
        print(f"note: {len(unknown)} characters of the priming text are outside the model's alphabet and are "
              f"read as <unk>: {''.join(unknown)!r}", file=sys.stderr)
    sys.stdout.write(args.prime)
    started = time.perf_counter()
    count = 0
    for char in sample_chars(char_model, args.prime, args.length, args.temperature, args.top_k, args.top_p, args.seed):
        sys.stdout.write(char)
        sys.stdout.flush()
        count += 1
    seconds = time.perf_counter() - started
    sys.stdout.write("\n")
    if args.json:
        print(json.dumps({"chars": count, "seconds": round(seconds, 3),
                          "chars_per_s": round(count / max(seconds, 1e-9), 1), "temperature": args.temperature}))
    return 0
