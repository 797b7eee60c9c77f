"""``python -m engine train chat --data SHARDS``: the chat model trained from JSONL shards as a
stream (a folder of them or a glob), for corpora larger than memory.

The vocabulary, the sizes and a bounded validation set come from one streaming pass
(:func:`engine.data.stream_batches.scan_shards`); each epoch then reads the shards again
(:class:`engine.data.stream_batches.ShardStream`). The model, checkpoints, resume and summary are
those of :mod:`engine.tasks.chat_train`; the start state, topic words and prior contexts are
computed over a sample of the training streams, not the whole corpus.
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import asdict
from pathlib import Path

from engine import distributed
from engine.chat_training import TrainConfig, train_chat
from engine.checkpoint import recorded_command
from engine.data.chat import reversed_exchanges, training_streams
from engine.data.stream_batches import ShardStream, scan_shards
from engine.device import pick_device
from engine.options import config_values
from engine.tasks.chat import beside_path
from engine.tasks.chat_rerank import sample_prior_contexts
from engine.tasks.chat_train import (START_STATE_STREAMS, TRAIN_FIELDS, _checkpointer, _data_name, _jsonl_progress,
                                     _model_to_train, store_start_state)
from engine.topic import store_topic_words
from engine.training import StopRequest, tqdm_progress

SAMPLE_STREAMS = 20_000  # training streams the start state, topic words and prior contexts are computed over


def _refuse_unsupported(args: argparse.Namespace) -> None:
    """What needs the whole corpus in memory is said before anything is read."""
    if args.corpus_dir:
        raise ValueError("--corpus-dir needs the corpus in memory: not with a folder or glob of shards in --data")
    if args.memory_tokens and args.memory_share > 0:
        raise ValueError("the generated memory conversations are mixed into an in-memory corpus: "
                         "with a folder or glob of shards in --data give --memory-share 0")
    if args.start_state_only or args.topic_words_only:
        raise ValueError("--start-state-only and --topic-words-only read a JSONL file, not a folder or glob of shards")


def train_sharded(args: argparse.Namespace) -> int:
    """Like :func:`engine.tasks.chat_train.train`, the corpus read as a stream each epoch."""
    _refuse_unsupported(args)
    device = pick_device(args.device)
    started = time.time()
    scan = scan_shards(args.data, args.seed)
    if distributed.is_main():
        print(f"conversations: {json.dumps(scan.sizes())}", file=sys.stderr)
    if scan.report.skipped and distributed.is_main():
        print(f"{args.data}: skipped {scan.report.skipped} malformed line(s): " + "; ".join(scan.report.problems),
              file=sys.stderr)
    if scan.train == 0:
        raise ValueError(f"{args.data}: no training conversation of two or more turns")
    out = Path(args.out)
    model, vocab, resume_meta, optimizer_state = _model_to_train(args, out, scan.vocab(args.max_vocab, args.min_count))
    config = model.config
    extended = config.memory_tokens > 0
    source = ShardStream(args.data, vocab, scan, config.max_source_len, config.max_reply_len, not args.one_side,
                         extended, args.reverse, args.seed, args.shuffle_buffer)
    if args.reverse:  # validated like it trains, as train chat does
        valid_streams = reversed_exchanges(training_streams(scan.valid, vocab, config.max_source_len,
                                                            config.max_reply_len, True))
    else:
        valid_streams = training_streams(scan.valid, vocab, config.max_source_len, config.max_reply_len, False,
                                         extended)
    train_config = TrainConfig(**config_values(args, TRAIN_FIELDS), min_learning_rate=args.learning_rate / 10)
    base_meta = {"data": _data_name(args), "splits": scan.sizes(), "train_config": asdict(train_config),
                 "command": recorded_command("chat", sys.argv[3:]) if len(sys.argv) > 3 else "",
                 "direction": "backward" if args.reverse else "forward", "streamed": True}
    sample = source.sample(SAMPLE_STREAMS, args.seed) if not args.reverse else []
    if sample and not extended:  # for the turn-only model's MMI reranking
        base_meta["prior_contexts"] = [vocab.decode(s) for s in sample_prior_contexts(sample, seed=args.seed)]
    save = _checkpointer(model, vocab, out, base_meta, started, args.half)
    progress = _jsonl_progress if args.progress == "jsonl" else tqdm_progress(unit="tok")
    with StopRequest() as stop:
        result = train_chat(model, source, valid_streams, vocab, train_config, device, progress, stop, save,
                            resume_meta, optimizer_state)
    if not distributed.is_main():  # under torchrun, rank 0 writes the companions and the summary
        return 0
    if sample and out.is_file():
        store_start_state(out, sample[:START_STATE_STREAMS], device, args.seed)
        store_topic_words(beside_path(out, "topic"), sample, vocab, base_meta["data"])
    print(json.dumps({"steps": result.steps, "epochs": round(result.epochs_done, 3), "stopped": result.stopped_early,
                      "best_valid_loss": result.best_valid_loss, "seconds": round(result.elapsed_s, 1),
                      "tokens_per_s": round(result.tokens / max(result.elapsed_s, 1e-9), 1),
                      "skipped_lines": scan.report.skipped, "largest_shuffle_buffer": source.seen.get("largest", 0),
                      "out": str(out)}))
    return 0
