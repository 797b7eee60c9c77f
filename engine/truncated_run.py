"""What every truncated-BPTT training loop here shares between its steps (chat and character
models): the optimiser and its learning-rate schedule, the step count and clock against the time
limit, the best validation loss, stopping, and the checkpoints a resume continues from.

A loop reads its own data its own way (conversations in rows, or stretches of text) and calls
:meth:`TruncatedRun.optimise` once per window, then :meth:`TruncatedRun.after_step`.

Under torchrun (``engine.distributed``) every rank reads the same global batches and keeps
:attr:`TruncatedRun.rows` of them; it weights its loss with :meth:`TruncatedRun.rank_weight`, so the
averaged gradient is the one process's over the union of the rows. The ranks start from rank 0's
weights, agree on stopping and on the clock, and only rank 0 validates, reports and checkpoints;
a resume position counts global batches, so a run resumes on any number of ranks.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable, Optional

import torch

from engine import distributed
from engine.progress import ProgressCallback, ProgressUpdate, StopCheck, ignore_progress
from engine.training import Throughput, adam, backward_and_step


@dataclass
class TrainResult:
    steps: int
    epochs_done: float
    stopped_early: bool  # a stop request ended it (not the time limit)
    best_valid_loss: Optional[float]
    elapsed_s: float
    tokens: int  # tokens (or characters) read


def learning_rate_at(config, progress: float, step: int) -> float:
    """Linear warm-up over ``config.warmup_steps``, then cosine decay from ``learning_rate`` to
    ``min_learning_rate`` as ``progress`` goes 0 -> 1."""
    if step < config.warmup_steps:
        return config.learning_rate * (step + 1) / config.warmup_steps
    progress = min(max(progress, 0.0), 1.0)
    cosine = 0.5 * (1 + math.cos(math.pi * progress))
    return config.min_learning_rate + (config.learning_rate - config.min_learning_rate) * cosine


class TruncatedRun:
    """One run's state. ``config`` has the fields the chat and character ``TrainConfig`` share
    (learning rates, warm-up, clip_norm, seed, max_minutes, valid_every,
    checkpoint_every_minutes); ``evaluate()`` is the validation loss; ``position`` names where
    in an epoch a resume continues ("epoch_turn", "epoch_window"); ``resume`` is a checkpoint's
    meta that :meth:`save` wrote."""

    def __init__(self, model: torch.nn.Module, config, device: torch.device, total_steps: int,
                 evaluate: Callable[[], float], on_progress: ProgressCallback, should_stop: StopCheck,
                 on_checkpoint: Optional[Callable[[torch.optim.Optimizer, dict], None]],
                 resume: Optional[dict], optimizer_state: Optional[dict], position: str):
        distributed.check_rows(config.batch_size)
        # Rank 0's weights everywhere; dropout draws its own masks on each rank.
        torch.manual_seed(config.seed + distributed.rank())
        self.model, self.config, self.device = model.to(device).train(), config, device
        distributed.broadcast_parameters(self.model)
        self.rows = distributed.share(config.batch_size)  # this rank's rows of every batch
        self.total_steps, self.evaluate, self.position = max(1, total_steps), evaluate, position
        self.on_progress = on_progress if distributed.is_main() else ignore_progress
        self.should_stop, self.on_checkpoint = should_stop, distributed.main_only(on_checkpoint)
        self.optimizer = adam(model.parameters(), config.learning_rate)
        if optimizer_state is not None:
            self.optimizer.load_state_dict(optimizer_state)
        resume = resume or {}
        self.step = int(resume.get("step", 0))
        self.start_epoch = int(resume.get("epoch", 1))
        self.skip = int(resume.get(position, 0))  # of the first epoch, read before the resume
        self.best_valid = resume.get("best_valid_loss")
        self.clock = Throughput()
        self.time_limit = config.max_minutes * 60 if config.max_minutes else None
        self.last_checkpoint = self.clock.elapsed
        self.tokens_seen = 0

    def result(self, epochs_done: float, stopped: bool) -> TrainResult:
        return TrainResult(self.step, epochs_done, stopped, self.best_valid, self.clock.elapsed, self.tokens_seen)

    def rank_weight(self, count: float) -> float:
        """The factor for this rank's mean loss over ``count`` tokens (1 in one process)."""
        return distributed.weight(count)

    def elapsed(self) -> float:
        """Seconds since the start, rank 0's clock on every rank (the schedule must agree)."""
        return distributed.from_main(self.clock.elapsed) if distributed.active() else self.clock.elapsed

    def optimise(self, objective: torch.Tensor, epoch: int, tokens: int, loss: Optional[torch.Tensor] = None,
                 after_update: Optional[Callable[[float], None]] = None) -> None:
        """One optimiser step on ``objective`` at the schedule's learning rate; the progress row
        reports ``loss`` (default: the objective) and ``tokens`` read. ``after_update(lr)`` runs
        after the step (fine-tuning's pull toward the base weights)."""
        progress = max(self.step / self.total_steps, self.elapsed() / self.time_limit if self.time_limit else 0.0)
        learning_rate = learning_rate_at(self.config, progress, self.step)
        for group in self.optimizer.param_groups:
            group["lr"] = learning_rate
        norm, clipped = backward_and_step(objective, self.model, self.optimizer, self.config.clip_norm)
        if after_update is not None:
            after_update(learning_rate)
        self.step += 1
        tokens = int(distributed.total(tokens))
        self.tokens_seen += tokens
        reported = distributed.mean(float((objective if loss is None else loss).detach()))
        self.on_progress(ProgressUpdate(self.step, self.total_steps, epoch, reported, norm, clipped,
                                        self.clock.tick(tokens), learning_rate, self.clock.elapsed))

    def after_step(self, epoch: int, position: int, epoch_length: int) -> Optional[TrainResult]:
        """Stop if asked or out of time (validating first when the time ran out); else validate
        or checkpoint when they are due. The run's result when it ends here."""
        stop_asked = self.should_stop()
        out_of_time = self.time_limit is not None and self.clock.elapsed >= self.time_limit
        stop_asked, out_of_time = distributed.any_true(stop_asked, out_of_time)  # all ranks end together
        if stop_asked or out_of_time:
            valid = self.validate(epoch) if out_of_time else None
            self.save(epoch, position, valid)
            return self.result(epoch - 1 + position / max(1, epoch_length), stopped=stop_asked)
        if self.step % self.config.valid_every == 0:
            self.validate_and_save(epoch, next_epoch=epoch, position=position)
        elif self.on_checkpoint and self.clock.elapsed - self.last_checkpoint >= self.config.checkpoint_every_minutes * 60:
            self.save(epoch, position)
        return None

    def validate(self, epoch: int) -> Optional[float]:
        if not distributed.is_main():  # the other ranks go on to the next collective and wait there
            return None
        loss = self.evaluate()
        self.best_valid = loss if self.best_valid is None else min(self.best_valid, loss)
        self.on_progress(ProgressUpdate(self.step, self.total_steps, epoch, loss, 0.0, False, 0.0,
                                        self.optimizer.param_groups[0]["lr"], self.clock.elapsed, phase="valid",
                                        valid_loss=loss, metric=math.exp(min(loss, 50))))
        return loss

    def validate_and_save(self, epoch: int, next_epoch: int, position: int = 0) -> None:
        self.save(next_epoch, position, self.validate(epoch))

    def save(self, epoch: int, position: int, valid_loss: Optional[float] = None) -> None:
        """Hand ``on_checkpoint`` what a resume needs: continue at ``epoch`` after ``position``."""
        if self.on_checkpoint:
            self.on_checkpoint(self.optimizer, {
                "step": self.step, "epoch": epoch, self.position: position, "valid_loss": valid_loss,
                "best_valid_loss": self.best_valid, "elapsed_s": round(self.clock.elapsed, 1)})
        self.last_checkpoint = self.clock.elapsed
