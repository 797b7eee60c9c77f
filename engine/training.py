"""What every training loop here shares: progress reports, stopping, gradient clipping, timing.

The chat model's truncated-BPTT loop lives in ``engine.chat_training``; the sentiment and caption
trainers use the same pieces, so the window, the command line and the tests read one kind of
progress and stop every loop the same way.
"""
from __future__ import annotations

import math
import signal
import threading
import time
from pathlib import Path
from typing import Callable, Iterable, Optional

import torch

from engine import distributed
from engine.progress import PAUSED, RESUMED, ProgressCallback, ProgressUpdate, event


def adam(parameters: Iterable[torch.nn.Parameter], learning_rate: float) -> torch.optim.Adam:
    """Adam as every trainer here uses it: fused (one pass over each parameter for the whole
    update) where this torch build can, which on the CPU took the chat model's update from 9.3 to
    2.0 ms a step; the same update as the unfused loop, but for rounding."""
    parameters = list(parameters)
    try:
        return torch.optim.Adam(parameters, lr=learning_rate, fused=True)
    except (RuntimeError, ValueError, TypeError):  # a device or dtype without the fused kernel
        return torch.optim.Adam(parameters, lr=learning_rate)


def clip_gradients(parameters: Iterable[torch.nn.Parameter], threshold: float) -> tuple[float, bool]:
    """The lecture's Algorithm 1: if ||g|| >= threshold then g <- threshold / ||g|| * g.

    The norm is taken over all gradients together, so the update's direction never changes.
    Returns the norm before clipping and whether it clipped. A non-finite norm is returned as is
    (the caller skips that step).
    """
    grads = [p.grad for p in parameters if p.grad is not None]
    if not grads:
        return 0.0, False
    norm = torch.linalg.vector_norm(torch.stack([torch.linalg.vector_norm(g.detach(), 2.0) for g in grads]), 2.0)
    norm_value = float(norm)  # note: a device sync point, once per step
    if not math.isfinite(norm_value) or threshold <= 0 or norm_value < threshold:
        return norm_value, False
    scale = threshold / norm_value
    for grad in grads:
        grad.mul_(scale)
    return norm_value, True


def backward_and_step(loss: torch.Tensor, model: torch.nn.Module, optimizer: torch.optim.Optimizer,
                      clip_norm: float) -> tuple[float, bool]:
    """Backpropagate ``loss``, average the gradient over the ranks (a no-op in one process), clip the global gradient norm, and step unless the norm is not
    finite (a step on an overflowed gradient would ruin the weights). Returns (norm, clipped)."""
    optimizer.zero_grad(set_to_none=True)
    loss.backward()
    # Under torchrun: the mean of the ranks' gradients, before the norm is measured, so the
    # global norm that is clipped is the averaged gradient's (engine.distributed).
    distributed.average_gradients(model.parameters())
    norm, clipped = clip_gradients(model.parameters(), clip_norm)
    if math.isfinite(norm):
        optimizer.step()
    return norm, clipped


class StopRequest:
    """A flag a loop polls: set by a caller (the window's cancel button) or by Ctrl-C.

    Used as a context manager on the command line, the first Ctrl-C asks the loop to stop at the
    next step (so it can save a good checkpoint); a second one interrupts at once.
    """

    def __init__(self) -> None:
        self._event = threading.Event()
        self._previous_handler = None
        self._previous_term = None

    def __call__(self) -> bool:
        return self._event.is_set()

    def set(self) -> None:
        self._event.set()

    def _on_sigint(self, signum, frame):
        if self._event.is_set():
            raise KeyboardInterrupt
        self._event.set()

    def __enter__(self) -> "StopRequest":
        if threading.current_thread() is threading.main_thread():
            self._previous_handler = signal.signal(signal.SIGINT, self._on_sigint)
            # torchrun answers Ctrl-C by sending its workers SIGTERM (and SIGKILL 30 s later):
            # a rank treats it as the first Ctrl-C, so the ranks agree to stop and rank 0 saves.
            if distributed.environment().world_size > 1:
                self._previous_term = signal.signal(signal.SIGTERM, self._on_sigint)
        return self

    def __exit__(self, *exc) -> None:
        if self._previous_handler is not None:
            signal.signal(signal.SIGINT, self._previous_handler)
            self._previous_handler = None
        if self._previous_term is not None:
            signal.signal(signal.SIGTERM, self._previous_term)
            self._previous_term = None


class Control:
    """The training panel's control file, read after every step: ``run``, ``pause`` or ``stop``.

    A child process started by the app (``--control FILE``) is steered through it, the same on
    every platform. Called as ``should_stop()``: while the file says ``pause`` it waits, and
    reports ``{"event": "paused"}`` / ``{"event": "resumed"}`` through ``emit``. Ctrl-C also
    stops, through ``stop_request`` (a :class:`StopRequest`).
    """

    def __init__(self, path: Optional[str], stop_request: Callable[[], bool], emit: Callable[[dict], None]):
        self.path = Path(path) if path else None
        self.stop_request = stop_request
        self.emit = emit
        self.paused_s = 0.0
        self.just_resumed = False
        self.stopping = False

    def command(self) -> str:
        if self.path is None:
            return "run"
        try:
            return self.path.read_text(encoding="utf-8").strip() or "run"
        except OSError:
            return "run"

    def __call__(self) -> bool:
        if self.stop_request():
            self.stopping = True
            return True
        command = self.command()
        if command == "pause":
            started = time.perf_counter()
            self.emit(event(PAUSED))
            while command == "pause" and not self.stop_request():
                time.sleep(0.1)
                command = self.command()
            self.paused_s += time.perf_counter() - started
            self.just_resumed = True
            self.emit(event(RESUMED, paused_s=round(time.perf_counter() - started, 2)))
        self.stopping = command == "stop" or self.stop_request()
        return self.stopping


class Throughput:
    """Tokens per second of the latest step, measured between calls."""

    def __init__(self) -> None:
        self.started = time.perf_counter()
        self._last = self.started

    def tick(self, tokens: int) -> float:
        now = time.perf_counter()
        rate = tokens / max(now - self._last, 1e-9)
        self._last = now
        return rate

    @property
    def elapsed(self) -> float:
        return time.perf_counter() - self.started


def tqdm_progress(total: Optional[int] = None, unit: str = "tok") -> ProgressCallback:
    """A progress callback that draws a tqdm bar on standard error (the command line's view)."""
    from tqdm import tqdm

    bar = tqdm(total=total, unit="step", dynamic_ncols=True)

    def report(update: ProgressUpdate) -> None:
        if update.phase == "valid":
            label = f"valid loss {update.valid_loss:.3f}"
            if update.metric is not None:
                label += f" metric {update.metric:.3f}"
            bar.write(f"epoch {update.epoch} step {update.step}: {label}")
            return
        bar.total = update.total_steps
        bar.n = update.step
        bar.set_postfix(loss=f"{update.loss:.3f}", norm=f"{update.grad_norm:.2f}",
                        clip="y" if update.clipped else "n", **{f"{unit}/s": f"{update.tokens_per_s:.0f}"})
        bar.refresh()

    return report
