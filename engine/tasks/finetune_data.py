"""What fine-tuning reads, without torch: the panel's settings, the saved exchanges it hands over
and how they become training turns (the window reads these on its GUI thread).

The training itself is in :mod:`engine.tasks.finetune`.
"""
from __future__ import annotations

import json
import math
import random
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Optional, Sequence

Conversation = list[str]  # turns, alternating user and bot, starting with the user
REPLAY_EXCHANGES = 64  # a replayed conversation is cut after this many exchanges


# The fields that ``train finetune`` and ``eval finetune`` take as options of the same names, and
# the app writes on its child process's command line (engine.options.config_argv).
OPTION_FIELDS = ("epochs", "learning_rate", "tbptt_turns", "clip_norm", "batch_size", "replay_share", "distill_weight",
                 "anchor_weight", "seed")


@dataclass(frozen=True)
class FinetuneConfig:
    """The panel's settings; the defaults are what ``eval finetune`` measures."""

    epochs: int = 40  # passes over the user's conversations, each with replayed ones of its own
    learning_rate: float = 1e-3  # Adam's peak step size; decays to a tenth by the end
    tbptt_turns: int = 2  # exchanges per backward window (truncated BPTT)
    # Global gradient-norm threshold. Measured (engine/tasks/finetune_norms.py, docs/clipping.md):
    # fine-tuning the shipped model unclipped, the norms' median is 1.8 and their 95th
    # percentile 4.1 (eval finetune's 20 conversations), so 5 clips 3 % of steps; at 1.0 it
    # clipped 99 %, scaling every step instead of guarding against the rare spike.
    clip_norm: float = 5.0
    batch_size: int = 8  # conversations side by side (at most the number there are)
    replay_share: float = 0.6  # share of the training exchanges drawn from the base corpus
    distill_weight: float = 2.0  # pull toward the base model's predictions (0: off; Li & Hoiem 2016)
    anchor_weight: float = 0.0  # pull toward the base model's weights (0: off; L2-SP)
    device: str = "auto"  # auto, cpu or cuda
    seed: int = 1234  # replay sample, data order

    def checked(self) -> "FinetuneConfig":
        if self.epochs < 1 or self.batch_size < 1 or self.tbptt_turns < 1:
            raise ValueError("epochs, batch size and the TBPTT window must be at least 1")
        if not (self.learning_rate > 0 and math.isfinite(self.learning_rate)):
            raise ValueError("the learning rate must be a positive number")
        if not 0 <= self.replay_share < 1:
            raise ValueError("the replay share must be at least 0 and below 1")
        if self.clip_norm <= 0:
            raise ValueError("the clipping threshold must be positive")
        if not (self.distill_weight >= 0 and self.anchor_weight >= 0):
            raise ValueError("the distillation and anchor weights must be at least 0")
        return self


@dataclass(frozen=True)
class SavedExchange:
    """One (user, bot) exchange of a saved conversation, as the app hands it over."""

    user: str
    bot: str
    correction: Optional[str] = None  # the reply the user taught; replaces ``bot``
    feedback: int = 0  # -1 thumbs down, +1 up, 0 none


@dataclass(frozen=True)
class CorrectionCheck:
    """A corrected exchange with what came before it: does the model now give the correction?"""

    history: tuple[tuple[str, str], ...]  # earlier (user, reply) exchanges as trained on
    prompt: str
    correction: str


@dataclass
class FinetuneData:
    conversations: list[Conversation]  # the user's, as training turns
    checks: list[CorrectionCheck]
    exchanges: int  # exchanges kept as targets
    corrections: int
    left_out: int  # thumbs-down replies without a correction
    replay: list[Conversation] = field(default_factory=list)
    valid: list[Conversation] = field(default_factory=list)

    def summary(self) -> dict[str, int]:
        return {"conversations": len(self.conversations), "exchanges": self.exchanges,
                "corrections": self.corrections, "left_out": self.left_out,
                "replay_conversations": len(self.replay),
                "replay_exchanges": sum(len(c) // 2 for c in self.replay),
                "valid_conversations": len(self.valid)}


# -- data ------------------------------------------------------------------------------------
def training_turns(exchanges: Sequence[SavedExchange]) -> tuple[Conversation, list[CorrectionCheck], int]:
    """A saved conversation -> (training turns, its corrections to check, replies left out).

    The corrected reply replaces the bot's; an exchange whose reply got a thumbs down and no
    correction is dropped from the stream, so the model neither learns that reply nor reads it
    as context for what follows.
    """
    turns: Conversation = []
    checks: list[CorrectionCheck] = []
    left_out = 0
    for exchange in exchanges:
        correction = (exchange.correction or "").strip()
        if not correction and exchange.feedback < 0:
            left_out += 1
            continue
        target = correction or exchange.bot.strip()
        if not exchange.user.strip() or not target:
            continue
        if correction:
            history = tuple(zip(turns[0::2], turns[1::2]))
            checks.append(CorrectionCheck(history, exchange.user.strip(), correction))
        turns += [exchange.user.strip(), target]
    return turns, checks, left_out


def prepare(saved: Sequence[Sequence[SavedExchange]]) -> FinetuneData:
    conversations, checks, left_out = [], [], 0
    for exchanges in saved:
        turns, found, dropped = training_turns(exchanges)
        left_out += dropped
        checks += found
        if turns:
            conversations.append(turns)
    if not conversations:
        raise ValueError("the chosen conversations have no exchange to learn from "
                         "(every reply was marked bad without a correction, or there are none)")
    return FinetuneData(conversations, checks, sum(len(c) // 2 for c in conversations), len(checks), left_out)


def sample_conversations(corpus: Sequence[Conversation], exchanges: int, seed: int,
                         max_exchanges: int = 4) -> list[Conversation]:
    """Random conversations of ``corpus``, each cut to its first ``max_exchanges`` exchanges,
    until they hold at least ``exchanges`` exchanges (each starts a stream from a fresh state,
    as it did in the base training)."""
    order = list(range(len(corpus)))
    random.Random(seed).shuffle(order)
    chosen, total = [], 0
    for index in order:
        if total >= exchanges:
            break
        turns = list(corpus[index][: 2 * max_exchanges])
        if len(turns) >= 2:
            chosen.append(turns)
            total += len(turns) // 2
    return chosen


def replay_exchanges(user_exchanges: int, share: float) -> int:
    """How many base-corpus exchanges make ``share`` of the training exchanges."""
    if share <= 0:
        return 0
    return math.ceil(user_exchanges * share / (1 - share))


# -- the panel's data file ---------------------------------------------------------------------
def read_saved(path: str | Path) -> list[list[SavedExchange]]:
    """The panel's data file -> saved conversations; a clear ValueError for anything else."""
    try:
        raw = json.loads(Path(path).read_text(encoding="utf-8"))
        conversations = raw["conversations"] if isinstance(raw, dict) else raw
        return [[SavedExchange(str(e["user"]), str(e.get("bot", "")), e.get("correction"),
                               int(e.get("feedback", 0))) for e in conversation]
                for conversation in conversations]
    except FileNotFoundError:
        raise
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise ValueError(f"{path}: not a fine-tuning data file ({error})") from None


def write_saved(path: str | Path, conversations: Sequence[Sequence[SavedExchange]]) -> Path:
    path = Path(path)
    path.write_text(json.dumps({"conversations": [[asdict(e) for e in c] for c in conversations]},
                               ensure_ascii=False), encoding="utf-8")
    return path
