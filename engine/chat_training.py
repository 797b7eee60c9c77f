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

from dataclasses import dataclass
from typing import Callable, Optional, Sequence

import torch

from engine.data.chat import Exchange, TurnBatch, count_turns, stream_batches
from engine.device import autocast
from engine.models.memory import MemoryState
from engine.models.seq2seq import Seq2Seq, State
from engine.progress import ProgressCallback, StopCheck, ignore_progress, never_stop
from engine.text import Vocab
from engine.truncated_run import TrainResult, TruncatedRun


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


def reset_rows(state: State, reset: torch.Tensor, start: Optional[State] = None) -> State:
    """Rows that start a new conversation take the start state (multiplying also cuts their
    gradient): ``start`` is (h, c), each (layers, 1, hidden), on any device, or None for zeros.
    A memory model's rows also forget their memory."""
    keep = (~reset).to(state[0]).view(1, -1, 1)
    if start is None:
        h, c = state[0] * keep, state[1] * keep
    else:
        h, c = (part * keep + begin.to(part) * (1 - keep) for part, begin in zip(state[:2], start[:2]))
    if isinstance(state, MemoryState):
        return MemoryState(h, c, state.memory.clear_rows(reset), state.exchanges.masked_fill(reset, 0))
    return h, c


def starting_state(model: Seq2Seq, rows: int, device: torch.device, start: Optional[State] = None) -> State:
    """``rows`` rows of the start state (zeros if ``start`` is None)."""
    state = model.initial_state(rows, device)
    if start is None:
        return state
    h, c = (part.to(device).expand(-1, rows, -1).contiguous() for part in start[:2])
    return state._replace(h=h, c=c) if isinstance(state, MemoryState) else (h, c)


def detach(state: State) -> State:
    if isinstance(state, MemoryState):
        return MemoryState(state.h.detach(), state.c.detach(), state.memory.detach(), state.exchanges)
    return state[0].detach(), state[1].detach()


def run_turn(model: Seq2Seq, batch: TurnBatch, state: State, start: Optional[State] = None):
    """Forward one exchange with the carried state (rows that start a conversation take
    ``start``, see :func:`reset_rows`); returns the model's TurnOutput."""
    state = reset_rows(state, batch.reset, start)
    extra = {} if batch.knowledge is None else {"knowledge": batch.knowledge}  # stored pairs to read
    return model(batch.source, batch.source_lengths, batch.reply_input, batch.reply_lengths, state,
                 targets=batch.targets, **extra)


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


class _ChatTraining(TruncatedRun):
    """One :func:`train_chat` run: its streams, teacher and start state beside the shared state."""

    def __init__(self, model, train_streams, valid_streams, vocab, config, device, on_progress, should_stop,
                 on_checkpoint, resume, optimizer_state, teacher, distilled, start_state):
        # Exchange steps in each epoch (its own shuffle), and one optimiser step per window of
        # tbptt_turns of them, the last window of an epoch maybe shorter: the schedule's length.
        # Streams read from shards (engine.data.stream_batches.ShardStream) estimate it from their scan.
        streaming = hasattr(train_streams, "epoch_batches")
        self.epoch_turns = {epoch: train_streams.estimated_turns(config.batch_size) if streaming else
                            count_turns(train_streams, config.batch_size, config.seed + epoch, config.min_active_rows)
                            for epoch in range(1, config.epochs + 1)}
        total_steps = sum(-(-turns // config.tbptt_turns) for turns in self.epoch_turns.values())
        evaluate = lambda: evaluate_loss(model, valid_streams, vocab, device, config.batch_size,  # noqa: E731
                                         start_state)[0]
        super().__init__(model, config, device, total_steps, evaluate, on_progress, should_stop, on_checkpoint,
                         resume, optimizer_state, position="epoch_turn")
        self.vocab, self.train_streams, self.start_state = vocab, train_streams, start_state
        self.teacher = teacher if teacher is not None and config.distill_weight > 0 else None
        if self.teacher is not None:
            self.teacher.to(device).eval()
        self.anchor = ([p.detach().to(device) for p in teacher.parameters()]
                       if teacher is not None and config.anchor_weight > 0 else None)
        # Indexed by a row's stream; the extra last entry answers for idle rows (stream -1).
        self.distilled_rows = None if distilled is None else torch.tensor(list(distilled) + [False], dtype=torch.bool)

    def train_epoch(self, epoch: int) -> Optional[TrainResult]:
        """One pass over the streams, a window of ``tbptt_turns`` exchanges per optimiser step.
        Returns the run's result if it ended inside the epoch (a stop request, or out of time)."""
        rows = self.rows.stop - self.rows.start  # this rank's rows (all of them in one process)
        state = starting_state(self.model, rows, self.device, self.start_state)
        teacher_state = (starting_state(self.teacher, rows, self.device, self.start_state)
                         if self.teacher is not None else None)
        window = _Window()
        part, seed = self.rows, self.config.seed + epoch
        if hasattr(self.train_streams, "epoch_batches"):  # read from shards: this rank's rows only
            part, batches = slice(None), self.train_streams.epoch_batches(seed, rows, self.config.tbptt_turns,
                                                                          self.config.min_active_rows)
        else:
            batches = stream_batches(self.train_streams, self.config.batch_size, self.vocab, seed,
                                     self.config.min_active_rows)
        for turn, batch in enumerate(batches, 1):
            if turn <= self.skip:
                continue
            state, teacher_state = self.read_turn(batch.rows(part).to(self.device), state, teacher_state, window)
            if window.turns < self.config.tbptt_turns:
                continue
            state, window = self.optimise_window(window, epoch, state), _Window()
            ended = self.after_step(epoch, turn, self.epoch_turns[epoch])
            if ended is not None:
                return ended
        if window.loss is not None and window.tokens > 0:  # the epoch's last, shorter window
            self.optimise_window(window, epoch, state)
        self.skip = 0
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

    def optimise_window(self, window: _Window, epoch: int, state: State) -> State:
        """One optimiser step on the window's loss; returns the carried state, detached."""
        # The mean over the window's reply tokens of -log p(reply | turn, conversation so far).
        weight = self.rank_weight(window.tokens)  # 1 in one process; see engine.truncated_run
        loss = window.loss / max(window.tokens, 1) * weight
        objective = (loss if window.penalty is None
                     else loss + self.config.distill_weight * window.penalty / max(window.tokens, 1) * weight)
        self.optimise(objective, epoch, window.read, loss=loss,
                      after_update=self._pull_to_anchor if self.anchor is not None else None)
        # Detach the carried state: without it the next window would backpropagate through
        # every earlier turn of the stream, which is full BPTT at ever-growing cost.
        return detach(state)

    def _pull_to_anchor(self, learning_rate: float) -> None:
        pull_toward(self.model, self.anchor, min(1.0, learning_rate * self.config.anchor_weight))
