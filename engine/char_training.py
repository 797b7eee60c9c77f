"""Training a character model: truncated backpropagation through time over a stream of text.

The training text is cut into ``batch_size`` stretches read side by side, one batch row each
(as in pytorch/examples' word_language_model). Each step reads the next ``window`` characters
of every row with the state the last window left, backpropagates, clips the global gradient norm
(the lecture's Algorithm 1, :func:`engine.training.backward_and_step`) and detaches the state,
so the next window starts where this one ended without reaching back into it. Progress, stopping,
the optimiser and the learning-rate schedule are the chat model's (``engine.training``,
``engine.chat_training.learning_rate_at``).
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable, Optional

import torch

from engine.chat_training import TrainResult, learning_rate_at
from engine.data.chars import CharCorpus, CharStream, CharVocab, Part
from engine.models.char_rnn import CharRNN, detach
from engine.progress import ProgressCallback, ProgressUpdate, StopCheck, ignore_progress, never_stop
from engine.training import Throughput, adam, backward_and_step


@dataclass(frozen=True)
class CharTrainConfig:
    epochs: int = 50  # passes over the training text (a time limit usually ends training first)
    batch_size: int = 64  # stretches of text read side by side
    window: int = 100  # characters per truncated-BPTT window
    learning_rate: float = 2e-3  # Adam's peak step size
    min_learning_rate: float = 1e-4  # cosine decay ends here
    warmup_steps: int = 100  # linear warm-up from 0
    clip_norm: float = 5.0  # global gradient-norm threshold (Algorithm 1)
    seed: int = 1234  # initialisation and dropout
    max_minutes: Optional[float] = None  # stop (and checkpoint) after this long; the schedule fits it
    valid_every: int = 500  # steps between validation runs (and at each epoch's end)
    valid_chars: int = 1_000_000  # validation reads at most about this many characters
    checkpoint_every_minutes: float = 10.0  # save at least this often

    def __post_init__(self) -> None:
        if min(self.epochs, self.batch_size, self.window, self.valid_every) < 1:
            raise ValueError("epochs, batch size, window and validation interval must be at least 1")
        if self.learning_rate <= 0 or self.clip_norm < 0:
            raise ValueError("the learning rate must be positive and the clipping threshold not negative")


def _limit(parts: tuple[Part, ...], max_bytes: int) -> tuple[Part, ...]:
    """The first ``max_bytes`` bytes of ``parts`` (whole parts, the last one cut)."""
    kept, left = [], max_bytes
    for part in parts:
        if left <= 0:
            break
        kept.append(Part(part.path, part.start, min(part.end, part.start + left)))
        left -= part.end - part.start
    return tuple(kept)


@torch.no_grad()
def evaluate_chars(model: CharRNN, parts: tuple[Part, ...], vocab: CharVocab, device: torch.device,
                   batch_size: int = 64, window: int = 100, max_bytes: int = 1_000_000) -> tuple[float, int]:
    """Mean negative log-likelihood per character (nats) over the first ``max_bytes`` of
    ``parts``, read as ``batch_size`` rows with the state carried; and the number of characters."""
    was_training = model.training
    model.eval()
    stream = CharStream(_limit(parts, max_bytes), vocab, batch_size)
    state = model.initial_state(stream.rows, device)
    total, count = 0.0, 0
    for ids in stream.windows(window, short_last=True):
        ids = ids.to(device)
        out = model(ids[:, :-1], state, targets=ids[:, 1:])
        state = out.state
        n = ids[:, 1:].numel()
        total += float(out.loss) * n
        count += n
    model.train(was_training)
    return (total / count if count else math.nan), count


def train_char(model: CharRNN, corpus: CharCorpus, vocab: CharVocab, config: CharTrainConfig, device: torch.device,
               on_progress: ProgressCallback = ignore_progress, should_stop: StopCheck = never_stop,
               on_checkpoint: Optional[Callable[[torch.optim.Optimizer, dict], None]] = None,
               resume: Optional[dict] = None, optimizer_state: Optional[dict] = None) -> TrainResult:
    """Train ``model`` in place on ``corpus.train``, validating on ``corpus.valid``.

    ``on_checkpoint(optimizer, meta)`` is called at intervals, after each validation and at the
    end (also when stopped); ``meta`` (step, epoch, epoch_window, valid and best losses) passed
    back as ``resume`` continues at that epoch and window, from a zero state.
    """
    torch.manual_seed(config.seed)
    model.to(device).train()
    optimizer = adam(model.parameters(), config.learning_rate)
    if optimizer_state is not None:
        optimizer.load_state_dict(optimizer_state)
    per_epoch = CharStream(corpus.train, vocab, config.batch_size).windows_per_epoch(config.window)
    total_steps = per_epoch * config.epochs
    step = int(resume["step"]) if resume else 0
    start_epoch = int(resume["epoch"]) if resume else 1
    skip_windows = int(resume.get("epoch_window", 0)) if resume else 0
    best_valid = resume.get("best_valid_loss") if resume else None
    clock = Throughput()
    time_limit = config.max_minutes * 60 if config.max_minutes else None
    last_checkpoint = clock.elapsed
    chars_seen = 0

    def meta(epoch: int, epoch_window: int, valid_loss: Optional[float] = None) -> dict:
        return {"step": step, "epoch": epoch, "epoch_window": epoch_window, "valid_loss": valid_loss,
                "best_valid_loss": best_valid, "elapsed_s": round(clock.elapsed, 1)}

    def validate(epoch: int) -> float:
        nonlocal best_valid
        loss, _ = evaluate_chars(model, corpus.valid, vocab, device, config.batch_size, config.window,
                                 config.valid_chars)
        best_valid = loss if best_valid is None else min(best_valid, loss)
        on_progress(ProgressUpdate(step, total_steps, epoch, loss, 0.0, False, 0.0, optimizer.param_groups[0]["lr"],
                                   clock.elapsed, phase="valid", valid_loss=loss, metric=math.exp(min(loss, 50))))
        return loss

    def checkpoint(epoch: int, epoch_window: int, valid: Optional[float] = None) -> None:
        nonlocal last_checkpoint
        if on_checkpoint:
            on_checkpoint(optimizer, meta(epoch, epoch_window, valid))
        last_checkpoint = clock.elapsed

    for epoch in range(start_epoch, config.epochs + 1):
        stream = CharStream(corpus.train, vocab, config.batch_size)
        stream.skip(skip_windows, config.window)
        state = model.initial_state(stream.rows, device)
        window_index = skip_windows
        for ids in stream.windows(config.window):
            ids = ids.to(device)
            out = model(ids[:, :-1], state, targets=ids[:, 1:])
            # Carry the state's values but not its history: backpropagating into earlier windows
            # would reach back to the start of the text (truncated BPTT).
            state = detach(out.state)
            progress = max(step / total_steps, clock.elapsed / time_limit if time_limit else 0.0)
            learning_rate = learning_rate_at(config, progress, step)
            for group in optimizer.param_groups:
                group["lr"] = learning_rate
            norm, clipped = backward_and_step(out.loss, model, optimizer, config.clip_norm)
            step += 1
            window_index += 1
            chars = ids[:, 1:].numel()
            chars_seen += chars
            on_progress(ProgressUpdate(step, total_steps, epoch, float(out.loss.detach()), norm, clipped, clock.tick(chars),
                                       learning_rate, clock.elapsed))
            out_of_time = time_limit is not None and clock.elapsed >= time_limit
            if should_stop() or out_of_time:
                valid = validate(epoch) if out_of_time else None
                checkpoint(epoch, window_index, valid)
                return TrainResult(step, epoch - 1 + window_index / per_epoch, not out_of_time, best_valid,
                                   clock.elapsed, chars_seen)
            if step % config.valid_every == 0:
                checkpoint(epoch, window_index, validate(epoch))
            elif clock.elapsed - last_checkpoint >= config.checkpoint_every_minutes * 60:
                checkpoint(epoch, window_index)
        skip_windows = 0
        checkpoint(epoch + 1, 0, validate(epoch))
    return TrainResult(step, float(config.epochs), False, best_valid, clock.elapsed, chars_seen)
