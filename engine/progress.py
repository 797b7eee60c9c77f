"""What a training run reports, as both of its ends read it: the loop's callbacks, the command
line's ``--progress jsonl`` lines, and the app that draws them. No torch here, so the window can
read the rows on its GUI thread.

A ``--progress jsonl`` run prints one JSON object a line: ``{"event": NAME, ...}`` for a stage
(the names below), ``{"progress": row}`` for every optimiser step and validation (a row is a
:class:`ProgressUpdate` as :func:`progress_row` writes it), and ``{"result": {...}}`` last.
"""
from __future__ import annotations

import json
import math
import sys
from dataclasses import MISSING, asdict, dataclass, fields
from typing import Any, Callable, Optional

# The stages a run reports, in the order they come.
LOADING = "loading"  # reading a model or data: {"what": ...}
PREPARED = "prepared"  # ready to train: the data's counts and the device
PAUSED, RESUMED = "paused", "resumed"  # the control file said pause, then run again: {"paused_s"}
CHECKPOINT = "checkpoint"  # a checkpoint was written: {"step", "path"}
CHECKING = "checking"  # fine-tuning checks its corrections after training


@dataclass(frozen=True)
class ProgressUpdate:
    """One optimiser step, or one evaluation (``phase == "valid"``)."""

    step: int  # optimiser steps taken so far
    total_steps: Optional[int]  # planned steps, if known (for a progress bar and the time left)
    epoch: int  # 1-based
    loss: float  # mean loss per target token (or per example) of this step
    grad_norm: float  # global gradient norm before clipping
    clipped: bool  # whether clipping scaled this step's gradient
    tokens_per_s: float  # throughput of this step (tokens, or examples for classifiers)
    learning_rate: float
    elapsed_s: float
    phase: str = "train"  # "train" or "valid"
    valid_loss: Optional[float] = None  # set on "valid" updates
    metric: Optional[float] = None  # a task's validation figure (perplexity, macro-F1, ...)

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> "ProgressUpdate":
        """A row that :func:`progress_row` wrote, read back; a figure it left out (null) is NaN."""
        values = {}
        for f in fields(cls):
            value = row.get(f.name, None if f.default is MISSING else f.default)
            if value is None and f.type in ("float", float):
                value = math.nan
            values[f.name] = value
        return cls(**values)


ProgressCallback = Callable[[ProgressUpdate], None]
StopCheck = Callable[[], bool]


def never_stop() -> bool:
    return False


def ignore_progress(update: ProgressUpdate) -> None:
    pass


def event(name: str, **details: Any) -> dict[str, Any]:
    """A stage's line: ``{"event": name, **details}``."""
    return {"event": name, **details}


def emitter(jsonl: bool) -> Callable[[dict], None]:
    """How a training command reports its stages: with ``--progress jsonl`` one JSON object a line
    on standard output (for the app), else the events as ``key=value`` words on standard error."""
    def emit(message: dict) -> None:
        if jsonl:
            print(json.dumps(message), flush=True)
        elif "event" in message:
            print(" ".join(f"{k}={v}" for k, v in message.items()), file=sys.stderr)

    return emit


def progress_row(update: ProgressUpdate, control: Any = None) -> dict:
    """``update`` as a JSON-ready dict: NaN (a figure a step does not have) becomes null, and the
    first step after a pause has no throughput (its time includes the pause; ``control`` is the
    run's :class:`engine.training.Control`)."""
    row = {key: (None if isinstance(value, float) and not math.isfinite(value) else value)
           for key, value in asdict(update).items()}
    if control is not None and control.just_resumed and update.phase == "train":
        row["tokens_per_s"] = None
        control.just_resumed = False
    return row
