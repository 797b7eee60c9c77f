"""What a training run of the panel is, as plain values: its settings, its live state, the
progress rows the panel draws and the records stored at its start and end. The process that runs
it lives in ``chatapp.training``."""
from __future__ import annotations

import math
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Optional

from PySide6.QtCore import QProcess

MAX_CURVE_POINTS = 400  # per curve, in the stored row
CLIP_WINDOW = 20  # the clipped share is drawn over the last this many steps
KIND_WORDS = {"chat": "chat model", "caption": "captioner"}  # a run's kind, in words


def default_settings() -> dict[str, Any]:
    """The panel's defaults: the engine's FinetuneConfig (a dataclass that does not load torch)."""
    from engine.tasks.finetune_data import FinetuneConfig

    return asdict(FinetuneConfig())


@dataclass(frozen=True)
class CaptionSettings:
    """A captioner run on the user's photos (``engine.tasks.caption`` imports torch, so its own
    defaults cannot be read on the GUI thread; these are the command line's, with fewer steps)."""

    steps: int = 1500  # optimiser steps (a photo is seen about steps * batch_size / photos times)
    learning_rate: float = 3e-3  # Adam's peak rate; warm-up, then cosine decay
    batch_size: int = 32  # photos per step
    clip_norm: float = 5.0  # global gradient-norm threshold
    image_size: int = 64  # pixels per side the photos are scaled to (a multiple of 8)
    hidden_size: int = 192  # the decoder's LSTM width
    min_count: int = 1  # words seen fewer times become <unk> (a user's set is small)
    valid_every: int = 250  # steps between validations (BLEU-4 on the held-out photos)
    device: str = "auto"  # auto, cpu or cuda
    seed: int = 0


# The settings that are ``train caption`` options of the same names (device has its own).
CAPTION_OPTIONS = ("steps", "learning_rate", "batch_size", "clip_norm", "image_size", "hidden_size", "min_count",
                   "valid_every", "seed")


def caption_settings() -> dict[str, Any]:
    return asdict(CaptionSettings())


@dataclass
class LiveRun:
    """What the controller knows of the run in progress."""

    run_id: int
    kind: str  # "chat" or "caption": the model the run trains, and the kind of its version
    out: Path
    control: Path
    data: Optional[Path]  # a file written for the run, removed after it
    settings: dict[str, Any]
    base_version_id: Optional[int]
    process: QProcess
    label: str  # the new version's name, "… (run N)"
    curves: dict[str, list] = field(default_factory=lambda: {
        "train_loss": [], "valid_loss": [], "grad_norm": [], "clipped_share": [], "tokens_per_s": []})
    clipped: list[bool] = field(default_factory=list)
    step: int = 0
    total_steps: int = 0
    summary: dict[str, Any] = field(default_factory=dict)
    result: Optional[dict[str, Any]] = None
    errors: list[str] = field(default_factory=list)
    checkpoint_step: Optional[int] = None
    stage: str = "Starting"
    paused: bool = False
    stopping: bool = False
    closing: bool = False  # stopped because the app is closing
    active_s: float = 0.0  # time spent running, pauses excluded (for the time left)
    _since: Optional[float] = None
    buffer: bytes = b""

    def tick(self, running: bool) -> None:
        now = time.perf_counter()
        if self._since is not None:
            self.active_s += now - self._since
        self._since = now if running else None

    def time_left_s(self) -> Optional[float]:
        if self.step <= 0 or not self.total_steps:
            return None
        self.tick(not self.paused)
        return max(0.0, self.active_s / self.step * (self.total_steps - self.step))


@dataclass(frozen=True)
class TrainingProgress:
    """One step (or validation) as the panel draws it."""

    run_id: int
    step: int
    total_steps: int
    time_left_s: Optional[float]
    phase: str  # "train" or "valid"
    values: dict[str, Optional[float]]  # curve name -> this step's value
    clipped_steps: int = 0  # training steps so far whose gradient was clipped
    train_steps: int = 0  # training steps so far (of which ``clipped_steps`` were clipped)


@dataclass(frozen=True)
class PreparedRun:
    """A run ready to start: its row is stored, its files written (plain values, from the file worker)."""

    run_id: int
    kind: str
    out: Path
    control: Path
    data: Optional[Path]
    settings: dict[str, Any]
    base_version_id: Optional[int]
    label: str
    arguments: list[str]  # after ``train``


@dataclass(frozen=True)
class FinishedRun:
    """What the end of a run stores: plain values, handed to the file worker."""

    run_id: int
    kind: str
    status: str
    message: str
    curves: dict[str, list]
    figures: dict[str, Any]
    label: Optional[str]  # the new version's name; None: no version (failed, or no checkpoint)
    out: Path


def clipped_words(clipped: int, steps: int) -> str:
    """How many steps clipping scaled, in words: "clipped 3 of 40 steps"."""
    return f"clipped {clipped} of {steps} step{'' if steps == 1 else 's'}"


def thin_curves(curves: dict[str, list], limit: int = MAX_CURVE_POINTS) -> dict[str, list]:
    """At most ``limit`` points per curve, evenly spaced, the last one kept."""
    thinned = {}
    for name, points in curves.items():
        if len(points) > limit:
            stride = len(points) / limit
            points = [points[int(i * stride)] for i in range(limit - 1)] + [points[-1]]
        thinned[name] = points
    return thinned


def curve_values(update: Any, clipped: list[bool], kind: str) -> dict[str, Optional[float]]:
    """One ``engine.progress.ProgressUpdate`` as the training curves' values (``CURVES`` names).
    A training step adds whether it was clipped to ``clipped``, whose last ``CLIP_WINDOW`` make
    the clipped share; a figure the step does not have (NaN: no throughput right after a
    pause) is None."""
    if update.phase == "valid":
        # The captioner validates by BLEU-4, not a loss.
        values = {"valid_bleu": update.metric} if kind == "caption" else {"valid_loss": update.valid_loss}
    else:
        clipped.append(bool(update.clipped))
        recent = clipped[-CLIP_WINDOW:]
        values = {"train_loss": update.loss, "grad_norm": update.grad_norm,
                  "clipped_share": sum(recent) / len(recent), "tokens_per_s": update.tokens_per_s}
    return {name: None if value is None or not math.isfinite(value) else float(value)
            for name, value in values.items()}
