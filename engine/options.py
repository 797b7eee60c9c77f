"""What every command line of the engine shares: one-line errors and a range for every number.

A number outside its range is refused when the arguments are read, before a model is loaded, in
one line (``error: argument --beam-size: 100000 is not in 1..20``) with exit status 2, the same
as any other wrong argument. The ranges live in one table keyed by the option's name, so an option
that several commands take (``--beam-size``, ``--learning-rate``, ``--threads``) means the same everywhere;
a numeric option missing from the table is a programming error found when the parser is built.
"""
from __future__ import annotations

import argparse
import dataclasses
import inspect
import math
import re
import sys
import textwrap
import typing
from typing import Any, NoReturn, Optional, Sequence

INF = math.inf
# option dest -> (lowest, highest) accepted value, both included. Wide enough for any sensible
# run, narrow enough that a typo cannot ask for 15 GB (--beam-size 100000) or a model that never
# fits in memory.
RANGES: dict[str, tuple[float, float]] = {
    # decoding (the window offers the same beam sizes)
    "beam_size": (1, 20), "n_best": (1, 20),
    "mmi_weight": (0, 1), "mmi_candidates": (0, 100), "mmi_backward_weight": (0, 20), "topic_weight": (0, 3),
    "history_weight": (0, 3), "mood_weight": (0, 10),
    # model shapes
    "hidden_size": (8, 4096), "embedding_size": (8, 4096), "attention_size": (8, 4096), "num_layers": (1, 8),
    "max_vocab": (100, 200_000), "min_count": (1, 1000), "image_size": (16, 1024), "ensemble": (1, 16),
    # optimisation
    "epochs": (1, 10_000), "steps": (1, 10_000_000), "batch_size": (1, 4096), "learning_rate": (1e-7, 1.0),
    "clip_norm": (1e-3, 1e4), "tbptt_turns": (1, 1000), "warmup_steps": (0, 1_000_000), "patience": (1, 1000),
    "valid_every": (1, 10_000_000), "max_minutes": (0.01, 60 * 24 * 30), "train_minutes": (0.01, 600),
    "memory_tokens": (0, 4096), "per_cell": (1, 10_000), "examples": (0, 1000), "distance_buckets": (2, 512), "memory_share": (0, 0.9),
    "knowledge_pairs": (0, 16), "knowledge_share": (0, 0.9), "distractor_share": (0, 1),
    "questions": (1, 100_000), "exchanges": (1, 1_000_000), "distractors": (0, 1_000_000),
    "dropout": (0, 0.9), "word_dropout": (0, 0.9), "token_dropout": (0, 0.9), "subject_dropout": (0, 0.9),
    "anchor_weight": (0, 1e6), "distill_weight": (0, 1e3), "replay_share": (0, 0.99), "lexicon_expert": (0, 1),
    "attention_penalty": (0, 100), "attention_supervision": (0, 100),
    # data sizes and seeds
    "seed": (0, 2**32 - 1), "split_seed": (0, 2**32 - 1), "first_scene": (0, 2**40),
    "limit": (1, 100_000_000), "valid_conversations": (0, 1_000_000), "valid_images": (0, 1_000_000),
    "corrections": (1, 1_000_000), "n_heldout": (1, 1_000_000), "n_test": (1, 1_000_000),
    "max_exchanges": (1, 10_000_000), "prior_contexts": (1, 10_000), "shuffle_buffer": (1, 10_000_000),
    # generated memory conversations: how many, and real exchanges between a fact and its question
    "n": (1, 1_000_000), "gap": (0, 64),
    # character models: training windows, sampling and the cell search
    "window": (2, 100_000), "valid_chars": (1000, 10**10), "sample_chars": (1, 10**7), "length": (1, 10**7),
    "temperature": (0.01, 10), "top_k": (0, 100_000), "top_p": (0.01, 1), "max_chars": (100, 10**8),
    "top": (1, 1000), "distance": (1, 10_000),
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


# -- options from a config dataclass ---------------------------------------------------------
def field_help(config_class: type) -> dict[str, str]:
    """Each field's comment in ``config_class``'s source (the comment on its line, else the
    comment lines just above it): the help of the option made from it."""
    comments: dict[str, str] = {}
    above: list[str] = []
    for line in textwrap.dedent(inspect.getsource(config_class)).splitlines()[1:]:
        stripped = line.strip()
        if stripped.startswith("#"):
            above.append(stripped.lstrip("# "))
            continue
        match = re.match(r"(\w+)\s*:[^#]*?(?:#\s*(.*))?$", stripped)
        if match and not stripped.startswith(("def ", "@", "return")):
            # A comment block above a field can run to a paragraph: its first sentence is the help.
            comments[match.group(1)] = match.group(2) or " ".join(above).split(". ")[0].rstrip(".")
        above = []
    return comments


def add_config_arguments(parser: argparse.ArgumentParser, config_class: type, names: Sequence[str],
                         defaults: Any = None) -> None:
    """One option per named field of the dataclass ``config_class``: ``--hidden-size`` for
    ``hidden_size``, its type and default (from ``defaults``, an instance, where given) and its
    comment as help. A bool field is ``--name`` / ``--no-name``; ``Optional[X]`` takes an X."""
    hints = typing.get_type_hints(config_class)
    known = {f.name: f for f in dataclasses.fields(config_class)}
    comments = field_help(config_class)
    for name in names:
        default = getattr(defaults, name) if defaults is not None else known[name].default
        kind = hints[name]
        if typing.get_origin(kind) is typing.Union:  # Optional[X]
            kind = next(arg for arg in typing.get_args(kind) if arg is not type(None))
        flag = "--" + name.replace("_", "-")
        if kind is bool:
            parser.add_argument(flag, action=argparse.BooleanOptionalAction, default=default, help=comments.get(name))
        else:
            parser.add_argument(flag, type=kind, default=default, help=comments.get(name))


def config_values(args: argparse.Namespace, names: Sequence[str]) -> dict[str, Any]:
    """The named fields' values as the command line gave them (``Config(**config_values(...))``)."""
    return {name: getattr(args, name) for name in names}


def config_argv(config: Any, names: Sequence[str]) -> list[str]:
    """The options that :func:`add_config_arguments` reads back as ``config``'s named fields (a
    dataclass, or a dict of settings by field name): how the app writes a child process's command
    line (floats by ``repr``, so nothing is rounded)."""
    argv: list[str] = []
    for name in names:
        value = config[name] if isinstance(config, typing.Mapping) else getattr(config, name)
        flag = "--" + name.replace("_", "-")
        if isinstance(value, bool):
            argv.append(flag if value else "--no-" + flag[2:])
        elif value is not None:
            argv += [flag, repr(float(value)) if isinstance(value, float) else str(value)]
    return argv


def add_vocabulary_arguments(parser: argparse.ArgumentParser, max_vocab: int, min_count: int = 2) -> None:
    """How a training command builds its vocabulary: the same two options for every model."""
    parser.add_argument("--max-vocab", type=int, default=max_vocab, help="keep at most this many words")
    parser.add_argument("--min-count", type=int, default=min_count, help="words seen fewer times become <unk>")
