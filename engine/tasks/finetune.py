"""Fine-tuning the chat model on the user's saved conversations and the replies they corrected.

The training panel writes the chosen conversations to a JSON file and runs

    python -m engine train finetune --init BASE --data FILE --out NEW --progress jsonl --control CTL

in a child process, so a crash in training never takes the window with it. Each line the child
prints on standard output is one JSON object: ``{"event": ...}`` for the stages, ``{"progress":
ProgressUpdate}`` for every optimiser step and validation, and ``{"result": ...}`` last. The
panel pauses, resumes and stops the run by writing ``pause``, ``run`` or ``stop`` into the
control file, which the child reads after every step (it works the same on every platform).

What the model learns from a saved conversation (its exchanges in order, one recurrent stream):
a corrected bot reply is replaced by the correction, both as the target and as what the model
reads before the next turn; a thumbs-down reply without a correction is left out, with the turn
that asked for it. A share of the base corpus is replayed alongside, so the model keeps how to
chat while it learns the user's replies.

The training loop is ``engine.chat_training.train_chat`` (truncated BPTT with clipping), as for
the base model. The settings, the saved exchanges and their reading are in the torch-free
:mod:`engine.tasks.finetune_data`, which the window reads on its GUI thread.
"""
from __future__ import annotations

import argparse
import copy
import time
from dataclasses import asdict
from pathlib import Path
from typing import Any, Callable, Optional, Sequence

import torch
from nltk.translate.bleu_score import SmoothingFunction, sentence_bleu

from engine.chat_training import TrainConfig, train_chat
from engine.checkpoint import Checkpoint, save_checkpoint
from engine.data.chat import (SPLIT_SEED, count_turns, load_corpus, read_jsonl, split, tokenize_conversations,
                              training_streams)
from engine.decode_config import DecodeConfig
from engine.device import pick_device
from engine.options import add_config_arguments, config_values
from engine.shipped import DEFAULT_PATHS
from engine.tasks.chat import ChatPredictor
from engine.truncated_run import TrainResult
from engine.tasks.finetune_data import (OPTION_FIELDS, REPLAY_EXCHANGES, Conversation, CorrectionCheck, FinetuneConfig, FinetuneData,
                                        prepare, read_saved, replay_exchanges, sample_conversations)
from engine.text import tokenize
from engine.progress import (CHECKING, CHECKPOINT, LOADING, PREPARED, emitter, event, ignore_progress, never_stop,
                             progress_row)
from engine.training import Control, StopRequest, tqdm_progress


# -- data ------------------------------------------------------------------------------------
def add_base_corpus(data: FinetuneData, config: FinetuneConfig, replay_file: Optional[str] = None,
                    valid_conversations: int = 24, splits: Any = None) -> FinetuneData:
    """Attach the replayed conversations and a validation sample of the base corpus.

    ``replay_file`` (JSONL, one conversation a line) stands in for the base corpus, which is
    read from the installed ``chitchat-dataset`` and ``chatterbot-corpus`` otherwise (or given
    as ``splits``, already read).
    """
    if config.replay_share <= 0 and valid_conversations <= 0:
        return data
    if splits is None:
        splits = split(read_jsonl(replay_file), SPLIT_SEED) if replay_file else load_corpus(None)
    # Every pass gets base-corpus conversations of its own: replayed again and again, a small
    # sample is learnt by heart and the rest forgotten (eval finetune: the base test perplexity
    # rose x1.62 with a sample repeated over 6 rounds, x1.18 with fresh ones). Whole
    # conversations: cut short, they would teach the model to forget the state that long
    # conversations carry (the base test perplexity rose by half in a trial).
    data.replay = sample_conversations(
        splits.train, config.epochs * replay_exchanges(data.exchanges, config.replay_share), config.seed,
        max_exchanges=REPLAY_EXCHANGES)
    valid = sample_conversations(splits.valid, valid_conversations * 4, config.seed + 1, 4)
    data.valid = valid[:valid_conversations]
    return data


# -- training --------------------------------------------------------------------------------
def finetune(predictor: ChatPredictor, data: FinetuneData, config: FinetuneConfig,
             device: torch.device, on_progress=None, should_stop=None,
             on_checkpoint: Optional[Callable] = None) -> TrainResult:
    """Train ``predictor.model`` in place on ``data``; returns train_chat's result.

    The model is left in eval mode, ready to reply.
    """
    model, vocab, model_config = predictor.model, predictor.vocab, predictor.model.config

    def streams(conversations: Sequence[Conversation]):
        # One side only: the bot's turns are the targets, never the user's.
        return training_streams(tokenize_conversations(conversations), vocab, model_config.max_source_len,
                                model_config.max_reply_len, both_sides=False,
                                extended=model_config.memory_tokens > 0)

    # All the passes make one epoch of train_chat, shuffled together, so that each pass meets
    # replayed conversations of its own (see add_base_corpus).
    taught = streams(data.conversations) * config.epochs
    train_streams = taught + streams(data.replay)
    # Distillation keeps the base model's word choices on the replayed conversations only.
    distilled = [False] * len(taught) + [True] * (len(train_streams) - len(taught))
    valid_streams = streams(data.valid)
    # No more rows than one pass has conversations: more would put copies of the same
    # conversation side by side and leave a few conversations with only a few steps to learn in.
    batch_size = max(1, min(config.batch_size, len(train_streams) // config.epochs))
    # A window longer than the epoch would never fill, so it is cut to the epoch.
    turns = count_turns(train_streams, batch_size, config.seed + 1)  # train_chat's one epoch
    window = max(1, min(config.tbptt_turns, turns))
    steps = max(1, turns // window)
    train_config = TrainConfig(
        # Every exchange of a user's few conversations counts: the epoch does not end while
        # some rows still hold a conversation.
        min_active_rows=0.0, epochs=1, batch_size=batch_size, learning_rate=config.learning_rate,
        min_learning_rate=config.learning_rate / 10, warmup_steps=min(20, steps // 10),
        tbptt_turns=window, clip_norm=config.clip_norm, seed=config.seed,
        valid_every=max(1, steps // 4) if valid_streams else 10**9, checkpoint_every_minutes=0.5,
        distill_weight=config.distill_weight, anchor_weight=config.anchor_weight)
    # The model as it was, frozen: what the distillation and the anchor pull toward.
    teacher = copy.deepcopy(model).requires_grad_(False) if config.distill_weight or config.anchor_weight else None
    try:
        return train_chat(model, train_streams, valid_streams, vocab, train_config, device,
                          on_progress or ignore_progress, should_stop or never_stop, on_checkpoint,
                          teacher=teacher, distilled=distilled,
                          # From the state the app's new conversations start from (zeros for a
                          # checkpoint that stores none), so that a correction is learnt from the
                          # state it will be asked from.
                          start_state=predictor.start_state(1))
    finally:
        model.eval()
        predictor.weights_changed()  # replies read the trained weights


def reproduced_share(predictor: ChatPredictor, checks: Sequence[CorrectionCheck],
                     min_bleu: float = 0.8, config: Optional[DecodeConfig] = None) -> float:
    """Share of corrected prompts whose reply (greedy, or decoded by ``config``; from the state of
    the exchanges before it) equals the correction or has sentence BLEU >= ``min_bleu`` against it."""
    if not checks:
        return float("nan")
    config = config or DecodeConfig.of(strategy="greedy", max_length=predictor.model.config.max_reply_len)
    smooth = SmoothingFunction().method1
    hits = 0
    for check in checks:
        state = predictor.rebuild_state(list(check.history)) if check.history else None
        reply = predictor.reply(check.prompt, state, config)
        wanted = tokenize(check.correction)
        if reply.tokens == wanted or (len(wanted) >= 4 and reply.tokens and
                                      sentence_bleu([wanted], reply.tokens, smoothing_function=smooth) >= min_bleu):
            hits += 1
    return hits / len(checks)


# -- the child process's command line --------------------------------------------------------
def add_train_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--init", default=str(DEFAULT_PATHS["chat"]), help="the chat checkpoint to start from")
    parser.add_argument("--data", required=True,
                        help='JSON: {"conversations": [[{"user", "bot", "correction", "feedback"}, ...], ...]}')
    parser.add_argument("--out", required=True, help="the new checkpoint (written at intervals and at the end)")
    add_config_arguments(parser, FinetuneConfig, OPTION_FIELDS)
    parser.add_argument("--replay-data", default=None,
                        help="JSONL conversations to replay and validate on (default: the base corpus)")
    parser.add_argument("--valid-conversations", type=int, default=24,
                        help="base-corpus conversations for the validation loss (0: none)")
    parser.add_argument("--control", default=None, help="a file saying run, pause or stop")
    parser.add_argument("--progress", choices=("bar", "jsonl"), default="bar",
                        help="bar: tqdm on stderr; jsonl: one JSON object a line on stdout")


def train(args: argparse.Namespace) -> int:
    """``python -m engine train finetune``: the panel's child process (see the module's docstring)."""
    started = time.perf_counter()
    jsonl = args.progress == "jsonl"
    emit = emitter(jsonl)
    config = FinetuneConfig(**config_values(args, OPTION_FIELDS), device=args.device).checked()
    device = pick_device(config.device)
    out = Path(args.out)
    with StopRequest() as stop:
        control = Control(args.control, stop, emit)
        data = prepare(read_saved(args.data))
        emit(event(LOADING, what="base model"))
        predictor = ChatPredictor.load(args.init)
        if not control():
            emit(event(LOADING, what="base corpus"))
            add_base_corpus(data, config, args.replay_data, args.valid_conversations)
        if control():
            emit({"result": {"status": "cancelled", "steps": 0, "out": None}})
            return 0
        emit(event(PREPARED, device=str(device), **data.summary()))
        save = _Checkpointer(predictor, out, control, emit, started, {
            "data": "fine-tuned on saved conversations", "base": Path(args.init).name,
            "prior_contexts": predictor.meta.get("prior_contexts"), "start_state": predictor.meta.get("start_state"),
            "finetune_config": asdict(config), "base_meta": predictor.meta})
        progress = _Progress(None if jsonl else tqdm_progress(unit="tok"), control, emit)
        result = finetune(predictor, data, config, device, progress, control, save)
        if save.step != result.steps or not out.is_file():
            save(None, {"step": result.steps}, final=True)
        status = "cancelled" if result.stopped_early else "done"
        reproduced = None
        if status == "done" and data.checks:
            emit(event(CHECKING, corrections=len(data.checks)))
            reproduced = reproduced_share(tuned_predictor(predictor, device), data.checks)
    train_seconds = result.elapsed_s - control.paused_s
    emit({"result": {
        "status": status, "steps": result.steps, "epochs": round(result.epochs_done, 2), "out": str(out),
        "seconds": round(time.perf_counter() - started - control.paused_s, 1),
        "train_seconds": round(train_seconds, 1),
        "tokens_per_s": round(result.tokens / max(train_seconds, 1e-9), 1),
        "best_valid_loss": result.best_valid_loss,
        "clipped_share": round(progress.clipped / max(1, progress.steps), 4),
        "corrections_reproduced": reproduced, **data.summary()}})
    return 0


class _Checkpointer:
    """train_chat's ``on_checkpoint`` for fine-tuning. It offers a checkpoint after every epoch,
    and a fine-tuning epoch may take a second, so one is written every 30 s, when stopping, and
    at the end."""

    def __init__(self, predictor: ChatPredictor, out: Path, control: Control, emit, started: float, meta: dict):
        self.predictor, self.out, self.control, self.emit = predictor, out, control, emit
        self.started, self.meta = started, meta
        self.step, self.at = -1, time.perf_counter()  # the last checkpoint written

    def __call__(self, _optimizer: Any, meta: dict, final: bool = False) -> None:
        if not final and not self.control.stopping and time.perf_counter() - self.at < 30:
            return
        info = dict(self.meta, finetune=meta, trained_s=round(time.perf_counter() - self.started, 1))
        model = self.predictor.model
        save_checkpoint(self.out, Checkpoint("chat", asdict(model.config), model.state_dict(),
                                             self.predictor.vocab.itos, info))
        self.step, self.at = meta["step"], time.perf_counter()
        self.emit(event(CHECKPOINT, step=meta["step"], path=str(self.out)))


class _Progress:
    """Each step to the bar or as a ``progress`` row, counting the steps the threshold clipped."""

    def __init__(self, bar: Optional[Callable], control: Control, emit):
        self.bar, self.control, self.emit = bar, control, emit
        self.steps = self.clipped = 0

    def __call__(self, update) -> None:
        if update.phase == "train":
            self.steps += 1
            self.clipped += int(update.clipped)
        if self.bar is not None:
            self.bar(update)
        else:
            self.emit({"progress": progress_row(update, self.control)})


def tuned_predictor(predictor: ChatPredictor, device: torch.device) -> ChatPredictor:
    """The fine-tuned model as a predictor of its own, on the device it was trained on (a state
    made by the base model never carries over: the model id differs)."""
    return ChatPredictor(predictor.model, predictor.vocab, device, predictor.model_id + ":tuned", predictor.meta,
                         predictor.backward, predictor.topic_words)
