"""What the attention dialog shows of a memory model's reply, as plain data (no painting).

A memory model's attention spans the conversation so far (up to 256 tokens): its saved dict adds
``turns`` (per source token, how many turns before the message being answered it was said: 0 is
that message, odd turns are the bot's replies) and ``copied`` (per reply word, the share of its
probability that came from saying back a word of the memory). Old messages have neither key; a
dict whose keys do not fit its words is shown as an old one.
"""
from __future__ import annotations

from dataclasses import dataclass
from numbers import Real
from typing import Any, Optional

COPIED = 0.5  # a reply word is "copied" when at least this share of it came from the memory
QUIET = 0.01  # "hide quiet turns" hides a turn whose columns got less than this share of attention


STORED = -1  # the words of a stored (question, answer) pair the reply read (the knowledge memory):
# -1 the first pair read, -2 the second, ... (a dict with ``pairs``, their questions), or -1 for all
# of them (saved before the pairs were told apart)


def turn_label(turns_ago: int, question: str = "") -> str:
    """``0`` → "you, now", ``1`` → "bot, 1 turn ago", ``2`` → "you, 2 turns ago", ``-1`` →
    "knowledge, stored pair", or with the pair's ``question``, 'knowledge, stored pair
    "what's the wifi password?"'."""
    if turns_ago <= STORED:
        return f'knowledge, stored pair "{question}"' if question else "knowledge, stored pair"
    speaker = "you" if turns_ago % 2 == 0 else "bot"
    if turns_ago == 0:
        return f"{speaker}, now"
    return f"{speaker}, {turns_ago} turn{'s' if turns_ago > 1 else ''} ago"


@dataclass(frozen=True)
class TurnGroup:
    """The source columns ``start`` to ``end`` (exclusive), all said ``turns_ago`` turns back."""

    turns_ago: int
    start: int
    end: int
    question: str = ""  # a stored pair's question, where the dict names it

    @property
    def user(self) -> bool:
        return self.turns_ago >= 0 and self.turns_ago % 2 == 0

    @property
    def speaker(self) -> str:
        return "knowledge" if self.turns_ago <= STORED else "you" if self.user else "bot"

    @property
    def when(self) -> str:  # short, for the band over the columns
        return turn_label(self.turns_ago).split(", ", 1)[1]

    @property
    def label(self) -> str:
        return turn_label(self.turns_ago, self.question)

    @property
    def columns(self) -> range:
        return range(self.start, self.end)


def _ints(values: Any, length: int, lowest: int = STORED) -> Optional[list[int]]:
    if not isinstance(values, list) or len(values) != length:
        return None
    if not all(isinstance(v, int) and not isinstance(v, bool) and v >= lowest for v in values):
        return None
    return values


def _questions(attention: dict) -> list[str]:
    pairs = attention.get("pairs")
    if not isinstance(pairs, list) or not all(isinstance(q, str) for q in pairs):
        return []
    return pairs


def memory_groups(attention: dict) -> Optional[list[TurnGroup]]:
    """The source columns grouped into runs of one turn, oldest first; None for a plain view
    (no ``turns``, or ``turns`` that do not give one whole number per source word)."""
    source = attention.get("source") or []
    questions = _questions(attention)
    turns = _ints(attention.get("turns"), len(source), STORED - max(len(questions) - 1, 0))
    if not source or turns is None:
        return None
    groups, start = [], 0
    for column in range(1, len(turns) + 1):
        if column == len(turns) or turns[column] != turns[start]:
            pair = STORED - turns[start]  # which stored pair, for a pair's words
            question = questions[pair] if 0 <= pair < len(questions) else ""
            groups.append(TurnGroup(turns[start], start, column, question))
            start = column
    return groups


def copied_shares(attention: dict) -> Optional[list[float]]:
    """Per reply word, the share copied from the memory (clamped to 0..1); None when the dict
    has no ``copied`` or it does not give one number per reply word."""
    target = attention.get("target") or []
    shares = attention.get("copied")
    if not isinstance(shares, list) or len(shares) != len(target) or not target:
        return None
    if not all(isinstance(s, Real) and not isinstance(s, bool) for s in shares):
        return None
    return [min(max(float(s), 0.0), 1.0) for s in shares]


def group_share(weights: list[list[float]], group: TurnGroup) -> float:
    """The mean share of a reply word's attention that went to ``group`` (0..1)."""
    rows = [row for row in weights if row]
    if not rows:
        return 0.0
    return sum(sum(row[group.start:group.end]) for row in rows) / len(rows)


def loud_groups(groups: list[TurnGroup], weights: list[list[float]],
                quiet: float = QUIET) -> list[TurnGroup]:
    """The groups to keep when quiet turns are hidden: the message being answered always, and
    every turn that got at least ``quiet`` of the attention."""
    return [g for g in groups if g.turns_ago == 0 or group_share(weights, g) >= quiet]


__all__ = ["COPIED", "QUIET", "TurnGroup", "copied_shares", "group_share", "loud_groups",
           "memory_groups", "turn_label"]
