"""What every command line of the engine shares: one-line errors and a range for every number.

A number outside its range is refused when the arguments are read, before a model is loaded, in
one line (``error: argument --beam-size: 100000 is not in 1..20``) with exit status 2, the same
as any other wrong argument. The ranges live in one table keyed by the option's name, so an option
that several commands take (``--beam-size``, ``--lr``, ``--threads``) means the same everywhere;
a numeric option missing from the table is a programming error found when the parser is built.
"""
from __future__ import annotations

import argparse
import math
import sys
from typing import NoReturn, Optional

INF = math.inf
# option dest -> (lowest, highest) accepted value, both included. Wide enough for any sensible
# run, narrow enough that a typo cannot ask for 15 GB (--beam-size 100000) or a model that never
# fits in memory.
RANGES: dict[str, tuple[float, float]] = {
    # decoding (the window offers the same beam sizes)
    "beam_size": (1, 20), "n_best": (1, 20),
    "mmi": (0, 1), "mmi_search": (0, 1), "mmi_search_tokens": (0, 20), "mmi_candidates": (0, 100),
    "mmi_samples": (0, 256), "mmi_backward": (0, 20), "topic": (0, 2),
    # model shapes
    "hidden": (8, 4096), "hidden_size": (8, 4096), "embedding": (8, 4096), "embedding_size": (8, 4096),
    "attention": (8, 4096), "layers": (1, 8), "vocab_size": (100, 200_000), "max_vocab": (100, 200_000),
    "min_count": (1, 1000), "image_size": (16, 1024), "ensemble": (1, 16),
    # optimisation
    "epochs": (1, 10_000), "steps": (1, 10_000_000), "batch_size": (1, 4096), "lr": (1e-7, 1.0),
    "clip": (1e-3, 1e4), "tbptt": (1, 1000), "warmup_steps": (0, 1_000_000), "patience": (1, 1000),
    "valid_every": (1, 10_000_000), "max_minutes": (0.01, 60 * 24 * 30),
    "dropout": (0, 0.9), "word_dropout": (0, 0.9), "token_dropout": (0, 0.9), "subject_dropout": (0, 0.9),
    "anchor": (0, 1e6), "distill": (0, 1e3), "replay_share": (0, 0.99), "lexicon_expert": (0, 1),
    "attention_penalty": (0, 100), "attention_supervision": (0, 100),
    # data sizes and seeds
    "seed": (0, 2**32 - 1), "split_seed": (0, 2**32 - 1), "first_scene": (0, 2**40),
    "limit": (1, 100_000_000), "valid_conversations": (0, 1_000_000), "valid_images": (0, 1_000_000),
    "corrections": (0, 1_000_000), "n_heldout": (1, 1_000_000), "n_test": (1, 1_000_000),
    "max_exchanges": (1, 10_000_000), "prior_contexts": (1, 10_000),
    # generated memory conversations: how many, and real exchanges between a fact and its question
    "n": (1, 1_000_000), "gap": (0, 64),
    # the process
    "threads": (1, 1024), "repeats": (1, 100_000),
}


class Bounded:
    """An argparse ``type`` that reads an int or a float and refuses it outside [low, high]."""

    def __init__(self, kind: type, low: float, high: float):
        self.kind, self.low, self.high = kind, low, high
        self.__name__ = kind.__name__  # argparse names the type in "invalid int value" messages

    def __call__(self, text: str):
        value = self.kind(text)  # a ValueError here becomes argparse's "invalid int value"
        if math.isnan(value) or not self.low <= value <= self.high:
            raise argparse.ArgumentTypeError(f"{text} is not in {_show(self.low)}..{_show(self.high)}")
        return self.kind(value)


def _show(bound: float) -> str:
    return f"{bound:g}" if isinstance(bound, float) else str(bound)


class Parser(argparse.ArgumentParser):
    """An ``ArgumentParser`` whose errors are one line on standard error (exit status 2)."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"error: {message} (see {self.prog} --help)\n")


def bound_numbers(parser: argparse.ArgumentParser, ranges: Optional[dict] = None) -> None:
    """Give every int or float option of ``parser`` and its subcommands its range from ``ranges``.

    Raises ``KeyError`` for a numeric option that has no range, so none is ever left open.
    """
    ranges = RANGES if ranges is None else ranges
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub in action.choices.values():
                bound_numbers(sub, ranges)
        elif action.type in (int, float):
            if action.dest not in ranges:
                raise KeyError(f"{parser.prog} {action.option_strings[0]}: no range in engine.options.RANGES")
            low, high = ranges[action.dest]
            action.type = Bounded(action.type, low, high)
            action.help = f"{action.help or ''} [{_show(low)}..{_show(high)}]".strip()


def fail(message: str) -> int:
    """Print a one-line error for a wrong use the arguments could not catch; the exit status."""
    print(f"error: {message}", file=sys.stderr)
    return 2
