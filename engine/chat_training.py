"""Training the chat model: truncated backpropagation through time over conversation streams.

Rows of a batch are conversations side by side. Each step feeds one exchange to every row,
carrying each row's recurrent state to the next. Every ``tbptt_turns`` exchanges the summed loss
is backpropagated, the gradient norm measured and clipped, the optimiser steps, and the carried
state is detached, so the next window starts where this one ended without reaching back into it.

Fine-tuning may pass a frozen ``teacher`` (the model it starts from) to keep what that model knew:
a distillation term pulls every reply token's predicted distribution toward the teacher's (Learning
without Forgetting, Li & Hoiem 2016), and an anchor pulls the weights back toward the teacher's
(L2-SP, Li et al. 2018). Both are off by default.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable, Optional, Sequence

import torch

from engine.data.chat import Exchange, TurnBatch, count_turns, stream_batches
from engine.device import autocast
from engine.models.seq2seq import Seq2Seq, State
from engine.text import Vocab
from engine.progress import ProgressCallback, ProgressUpdate, StopCheck, ignore_progress, never_stop
from engine.training import Throughput, adam, backward_and_step


@dataclass(frozen=True)
class TrainConfig:
    epochs: int = 3  # passes over the training streams
    batch_size: int = 64  # conversations side by side
    learning_rate: float = 2e-3  # Adam's peak step size
    min_learning_rate: float = 2e-4  # cosine decay ends here
    warmup_steps: int = 200  # linear warm-up from 0
    tbptt_turns: int = 4  # exchanges per backward window (truncated BPTT)
    clip_norm: float = 5.0  # global gradient-norm threshold (the lecture's Algorithm 1)
    seed: int = 1234  # data order and initialisation
    max_minutes: Optional[float] = None  # stop (and checkpoint) after this long; the schedule fits it
    valid_every: int = 1000  # steps between validation runs (and at each epoch's end)
    checkpoint_every_minutes: float = 10.0  # save at least this often
    min_active_rows: float = 0.5  # end an epoch when fewer rows than this share still have a conversation
    distill_weight: float = 0.0  # weight of KL(teacher || model) per reply token (needs a teacher)
    anchor_weight: float = 0.0  # decay toward the teacher's weights, per unit of learning rate (needs a teacher)


@dataclass
class TrainResult:
    steps: int
    epochs_done: float
    stopped_early: bool
    best_valid_loss: Optional[float]
    elapsed_s: float
    tokens: int


def reset_rows(state: State, reset: torch.Tensor, start: Optional[State] = None) -> State:
    """Rows that start a new conversation take the start state (multiplying also cuts their
    gradient): ``start`` is (h, c), each (layers, 1, hidden), on any device, or None for zeros."""
    keep = (~reset).to(state[0]).view(1, -1, 1)
    if start is None:
        return state[0] * keep, state[1] * keep
    return tuple(part * keep + begin.to(part) * (1 - keep) for part, begin in zip(state, start))


def starting_state(model: Seq2Seq, rows: int, device: torch.device, start: Optional[State] = None) -> State:
    """``rows`` rows of the start state (zeros if ``start`` is None)."""
    if start is None:
        return model.initial_state(rows, device)
    return tuple(part.to(device).expand(-1, rows, -1).contiguous() for part in start)


def detach(state: State) -> State:
    return state[0].detach(), state[1].detach()


def run_turn(model: Seq2Seq, batch: TurnBatch, state: State, start: Optional[State] = None):
    """Forward one exchange with the carried state (rows that start a conversation take
    ``start``, see :func:`reset_rows`); returns the model's TurnOutput."""
    state = reset_rows(state, batch.reset, start)
    return model(batch.source, batch.source_lengths, batch.reply_input, batch.reply_lengths, state,
                 targets=batch.targets)


def distillation_sum(model: Seq2Seq, out, teacher: Seq2Seq, teacher_out, batch: TurnBatch,
                     rows: Optional[torch.Tensor] = None) -> torch.Tensor:
    """Sum over the batch's reply tokens of KL(teacher || model) between next-token distributions.

    ``out`` and ``teacher_out`` are both models' TurnOutputs for the same teacher-forced
    exchange (features (batch, tgt_len, embedding)); only real target positions count, as in the
    loss, and with ``rows`` (batch,) bool only those rows.
    """
    mask = batch.targets.ne(0)
    if rows is not None:
        mask = mask & rows.to(mask.device).unsqueeze(1)
    log_probs = model.output.log_prob(out.features[mask].float())  # (n_tokens, vocab)
    with torch.no_grad():
        teacher_log_probs = teacher.output.log_prob(teacher_out.features[mask].float())
    return torch.nn.functional.kl_div(log_probs, teacher_log_probs, log_target=True, reduction="sum")


@torch.no_grad()
def pull_toward(model: Seq2Seq, anchor: Sequence[torch.Tensor], rate: float) -> None:
    """theta <- theta - rate * (theta - theta_0): L2-SP's pull, decoupled from Adam's scaling of
    the gradient as weight decay is in AdamW (Loshchilov & Hutter 2019), so its strength does not
    depend on how large the loss's gradients are."""
    for parameter, start in zip(model.parameters(), anchor):
        parameter.sub_(rate * (parameter - start))


def batch_tokens(batch: TurnBatch) -> int:
    """Tokens the LSTMs read in this batch: source plus <sos>+reply, real rows and positions."""
    return int(batch.source_lengths.sum()) + int(batch.reply_lengths.sum())


@torch.no_grad()
def evaluate_loss(model: Seq2Seq, streams: Sequence[list[Exchange]], vocab: Vocab, device: torch.device,
                  batch_size: int = 64, start: Optional[State] = None) -> tuple[float, int]:
    """Mean negative log-likelihood per reply token (with <eos>) over whole streams, each from
    ``start`` (zeros if None); and the token count."""
    was_training = model.training
    model.eval()
    total, tokens = 0.0, 0
    state = starting_state(model, batch_size, device, start)
    for batch in stream_batches(streams, batch_size, vocab):
        with autocast(device):
            out = run_turn(model, batch.to(device), state, start)
        state = out.state
        total += float(out.loss_sum)
        tokens += out.n_tokens
    model.train(was_training)
    return total / max(tokens, 1), tokens


def learning_rate_at(config: TrainConfig, progress: float, step: int) -> float:
    """Linear warm-up, then cosine decay from the peak to the minimum as progress goes 0 -> 1."""
    if step < config.warmup_steps:
        return config.learning_rate * (step + 1) / config.warmup_steps
    progress = min(max(progress, 0.0), 1.0)
    cosine = 0.5 * (1 + math.cos(math.pi * progress))
    return config.min_learning_rate + (config.learning_rate - config.min_learning_rate) * cosine


def train_chat(model: Seq2Seq, train_streams: Sequence[list[Exchange]], valid_streams: Sequence[list[Exchange]],
               vocab: Vocab, config: TrainConfig, device: torch.device,
               on_progress: ProgressCallback = ignore_progress, should_stop: StopCheck = never_stop,
               on_checkpoint: Optional[Callable[[torch.optim.Optimizer, dict], None]] = None,
               resume: Optional[dict] = None, optimizer_state: Optional[dict] = None,
               teacher: Optional[Seq2Seq] = None, distilled: Optional[Sequence[bool]] = None,
               start_state: Optional[State] = None) -> TrainResult:
    """Train ``model`` in place.

    ``start_state``: the state each stream starts from, (h, c) each (layers, 1, hidden); None:
    zeros. Fine-tuning passes the start state that the app's new conversations start from, so
    that a correction taught in a conversation's first exchange is learnt from the state it will
    be asked from.

    ``teacher``: a frozen model of the same vocabulary for ``config.distill_weight`` and
    ``config.anchor_weight`` (ignored when both are 0); it reads the same streams with a state
    of its own. ``distilled``: per training stream, whether the distillation term applies to it
    (default: all); fine-tuning keeps it to the replayed base conversations, so that it never
    pulls against the replies being taught.
    ``on_checkpoint(optimizer, meta)`` is called at intervals, after validation and at the end
    (also when stopped), with ``meta`` holding step/epoch/epoch_step/valid_loss for a resume.
    ``resume`` is such a meta dict: training continues at that epoch and step.
    """
    run = _ChatTraining(model, train_streams, valid_streams, vocab, config, device, on_progress, should_stop,
                        on_checkpoint, resume, optimizer_state, teacher, distilled, start_state)
    for epoch in range(run.start_epoch, config.epochs + 1):
        ended = run.train_epoch(epoch)
        if ended is not None:  # stopped, or out of time
            return ended
        run.validate_and_save(epoch, next_epoch=epoch + 1)
    return run.result(float(config.epochs), stopped=False)


@dataclass
class _Window:
    """What the turns read since the last optimiser step add up to (one TBPTT window)."""
    loss: Optional[torch.Tensor] = None  # summed -log p(reply token | turn, conversation so far)
    penalty: Optional[torch.Tensor] = None  # summed distillation penalty, when distilling
    tokens: int = 0  # reply tokens scored
    read: int = 0  # tokens read, turns and replies (for tokens/s)
    turns: int = 0


class _ChatTraining:
    """The state of one :func:`train_chat` run; each method is one named step of the loop."""

    def __init__(self, model, train_streams, valid_streams, vocab, config, device, on_progress, should_stop,
                 on_checkpoint, resume, optimizer_state, teacher, distilled, start_state):
        torch.manual_seed(config.seed)
        self.model, self.vocab, self.config, self.device = model.to(device).train(), vocab, config, device
        self.train_streams, self.valid_streams, self.start_state = train_streams, valid_streams, start_state
        self.on_progress, self.should_stop, self.on_checkpoint = on_progress, should_stop, on_checkpoint
        self.optimizer = adam(model.parameters(), config.learning_rate)
        if optimizer_state is not None:
            self.optimizer.load_state_dict(optimizer_state)
        # Exchange steps in each epoch (its own shuffle), and one optimiser step per window of
        # tbptt_turns of them, the last window of an epoch maybe shorter: the schedule's length.
        self.epoch_turns = {epoch: count_turns(train_streams, config.batch_size, config.seed + epoch,
                                               config.min_active_rows) for epoch in range(1, config.epochs + 1)}
        self.total_steps = max(1, sum(-(-turns // config.tbptt_turns) for turns in self.epoch_turns.values()))
        resume = resume or {}
        self.step = int(resume.get("step", 0))
        self.start_epoch = int(resume.get("epoch", 1))
        self.skip_turns = int(resume.get("epoch_turn", 0))  # of the first epoch, read before the resume
        self.best_valid = resume.get("best_valid_loss")
        self.clock = Throughput()
        self.time_limit = config.max_minutes * 60 if config.max_minutes else None
        self.last_checkpoint = self.clock.elapsed
        self.tokens_seen = 0
        self.teacher = teacher if teacher is not None and config.distill_weight > 0 else None
        if self.teacher is not None:
            self.teacher.to(device).eval()
        self.anchor = ([p.detach().to(device) for p in teacher.parameters()]
                       if teacher is not None and config.anchor_weight > 0 else None)
        # Indexed by a row's stream; the extra last entry answers for idle rows (stream -1).
        self.distilled_rows = None if distilled is None else torch.tensor(list(distilled) + [False], dtype=torch.bool)

    def result(self, epochs_done: float, stopped: bool) -> TrainResult:
        return TrainResult(self.step, epochs_done, stopped, self.best_valid, self.clock.elapsed, self.tokens_seen)

    def train_epoch(self, epoch: int) -> Optional[TrainResult]:
        """One pass over the streams, a window of ``tbptt_turns`` exchanges per optimiser step.
        Returns the run's result if it ended inside the epoch (a stop request, or out of time)."""
        state = starting_state(self.model, self.config.batch_size, self.device, self.start_state)
        teacher_state = (starting_state(self.teacher, self.config.batch_size, self.device, self.start_state)
                         if self.teacher is not None else None)
        window = _Window()
        batches = stream_batches(self.train_streams, self.config.batch_size, self.vocab,
                                 self.config.seed + epoch, self.config.min_active_rows)
        for turn, batch in enumerate(batches, 1):
            if turn <= self.skip_turns:
                continue
            state, teacher_state = self.read_turn(batch.to(self.device), state, teacher_state, window)
            if window.turns < self.config.tbptt_turns:
                continue
            state, window = self.optimise(window, epoch, state), _Window()
            ended = self.after_step(epoch, turn)
            if ended is not None:
                return ended
        if window.loss is not None and window.tokens > 0:  # the epoch's last, shorter window
            self.optimise(window, epoch, state)
        self.skip_turns = 0
        return None

    def read_turn(self, batch: TurnBatch, state: State, teacher_state: Optional[State],
                  window: _Window) -> tuple[State, Optional[State]]:
        """Feed one exchange to every row and add its loss (and penalty) to the window."""
        with autocast(self.device):
            out = run_turn(self.model, batch, state, self.start_state)
        window.loss = out.loss_sum if window.loss is None else window.loss + out.loss_sum
        if self.teacher is not None:
            with torch.no_grad(), autocast(self.device):
                teacher_out = run_turn(self.teacher, batch, teacher_state, self.start_state)
            teacher_state = teacher_out.state
            rows = None if self.distilled_rows is None else self.distilled_rows[batch.streams]
            penalty = distillation_sum(self.model, out, self.teacher, teacher_out, batch, rows)
            window.penalty = penalty if window.penalty is None else window.penalty + penalty
        window.tokens += out.n_tokens
        window.read += batch_tokens(batch)
        window.turns += 1
        return out.state, teacher_state

    def optimise(self, window: _Window, epoch: int, state: State) -> State:
        """One optimiser step on the window's loss; returns the carried state, detached."""
        config = self.config
        # The mean over the window's reply tokens of -log p(reply | turn, conversation so far).
        loss = window.loss / max(window.tokens, 1)
        objective = (loss if window.penalty is None
                     else loss + config.distill_weight * window.penalty / max(window.tokens, 1))
        progress = max(self.step / self.total_steps, self.clock.elapsed / self.time_limit if self.time_limit else 0.0)
        learning_rate = learning_rate_at(config, progress, self.step)
        for group in self.optimizer.param_groups:
            group["lr"] = learning_rate
        norm, clipped = backward_and_step(objective, self.model, self.optimizer, config.clip_norm)
        if self.anchor is not None:
            pull_toward(self.model, self.anchor, min(1.0, learning_rate * config.anchor_weight))
        self.step += 1
        self.tokens_seen += window.read
        self.on_progress(ProgressUpdate(self.step, self.total_steps, epoch, float(loss.detach()), norm, clipped,
                                        self.clock.tick(window.read), learning_rate, self.clock.elapsed))
        # Detach the carried state: without it the next window would backpropagate through
        # every earlier turn of the stream, which is full BPTT at ever-growing cost.
        return detach(state)

    def after_step(self, epoch: int, turn: int) -> Optional[TrainResult]:
        """Stop if asked or out of time; else validate or checkpoint when they are due."""
        stop_asked = self.should_stop()
        out_of_time = self.time_limit is not None and self.clock.elapsed >= self.time_limit
        if stop_asked or out_of_time:
            valid = self.validate(epoch) if out_of_time else None
            self.save(epoch, turn, valid)
            return self.result(epoch - 1 + turn / max(1, self.epoch_turns[epoch]), stopped=stop_asked)
        if self.step % self.config.valid_every == 0:
            self.validate_and_save(epoch, next_epoch=epoch, turn=turn)
        elif self.on_checkpoint and self.clock.elapsed - self.last_checkpoint >= self.config.checkpoint_every_minutes * 60:
            self.save(epoch, turn)
        return None

    def validate(self, epoch: int) -> float:
        loss, _ = evaluate_loss(self.model, self.valid_streams, self.vocab, self.device, self.config.batch_size,
                                self.start_state)
        self.best_valid = loss if self.best_valid is None else min(self.best_valid, loss)
        self.on_progress(ProgressUpdate(self.step, self.total_steps, epoch, loss, 0.0, False, 0.0,
                                        self.optimizer.param_groups[0]["lr"], self.clock.elapsed, phase="valid",
                                        valid_loss=loss, metric=math.exp(min(loss, 50))))
        return loss

    def validate_and_save(self, epoch: int, next_epoch: int, turn: int = 0) -> None:
        self.save(next_epoch, turn, self.validate(epoch))

    def save(self, epoch: int, turn: int, valid_loss: Optional[float] = None) -> None:
        """Hand ``on_checkpoint`` what a resume needs: continue at ``epoch`` after its ``turn``."""
        if self.on_checkpoint:
            self.on_checkpoint(self.optimizer, {
                "step": self.step, "epoch": epoch, "epoch_turn": turn, "valid_loss": valid_loss,
                "best_valid_loss": self.best_valid, "elapsed_s": round(self.clock.elapsed, 1)})
            self.last_checkpoint = self.clock.elapsed
