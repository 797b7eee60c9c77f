"""Training a character model: truncated backpropagation through time over a stream of text.

The training text is cut into ``batch_size`` stretches read side by side, one batch row each
(as in pytorch/examples' word_language_model). Each step reads the next ``window`` characters
of every row with the state the last window left, backpropagates, clips the global gradient norm
(the lecture's Algorithm 1, :func:`engine.training.backward_and_step`) and detaches the state,
so the next window starts where this one ended without reaching back into it. The optimiser, its
schedule, stopping, validation and checkpoints are the chat model's (``engine.truncated_run``).
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable, Optional

import torch

from engine import distributed
from engine.truncated_run import TrainResult, TruncatedRun
from engine.data.chars import CharCorpus, CharStream, CharVocab, Part
from engine.models.char_rnn import CharRNN, detach
from engine.progress import ProgressCallback, StopCheck, ignore_progress, never_stop


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
    per_epoch = CharStream(corpus.train, vocab, config.batch_size).windows_per_epoch(config.window)
    evaluate = lambda: evaluate_chars(model, corpus.valid, vocab, device, config.batch_size,  # noqa: E731
                                      config.window, config.valid_chars)[0]
    run = TruncatedRun(model, config, device, per_epoch * config.epochs, evaluate, on_progress, should_stop,
                       on_checkpoint, resume, optimizer_state, position="epoch_window")
    for epoch in range(run.start_epoch, config.epochs + 1):
        stream = CharStream(corpus.train, vocab, config.batch_size)
        stream.skip(run.skip, config.window)
        distributed.check_rows(stream.rows, "text streams (--batch-size)")
        rows = distributed.share(stream.rows)  # this rank's streams of text (all in one process)
        state = model.initial_state(rows.stop - rows.start, device)
        window_index = run.skip
        for ids in stream.windows(config.window):
            ids = ids[rows].to(device)
            out = model(ids[:, :-1], state, targets=ids[:, 1:])
            # Carry the state's values but not its history: backpropagating into earlier windows
            # would reach back to the start of the text (truncated BPTT).
            state = detach(out.state)
            run.optimise(out.loss * run.rank_weight(ids[:, 1:].numel()), epoch, ids[:, 1:].numel())
            window_index += 1
            ended = run.after_step(epoch, window_index, per_epoch)
            if ended is not None:
                return ended
        run.skip = 0
        run.validate_and_save(epoch, next_epoch=epoch + 1)
    return run.result(float(config.epochs), stopped=False)
