"""The real exchanges put between telling a fact and asking it back, and the held-out guard.

A real exchange is two consecutive turns of a corpus conversation (either speaker first). Some
are unusable between a telling and its asking: one where someone tells or asks the same kind of
fact ("my name is John", "i live in Ohio", "my favorite color is blue", "on friday ...") would
make the target reply wrong or ambiguous, and one that contains a held-out value or phrasing would
leak evaluation material into training. Both are left out, and counted.
"""
from __future__ import annotations

import random
import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Sequence

from engine.data.memory_facts import SLOTS

# Talk about the facts the generator tells: the user's or someone's name, home, job, age,
# favourite things, pets, friends and plans for a day.
_FACT_TALK = re.compile(
    r"\b(?:names?|call(?:ed)? me|called|live[sd]?|living|from|home|job|work(?:s|ed|ing)?|occupation|"
    r"profession|years? old|how old|age|born|birthday|favou?rites?|best friend|friend'?s?|pets?|dogs?|cats?|"
    r"parrots?|hamsters?|rabbits?|turtles?|horses?|lizards?|snakes?|ferrets?|monday|tuesday|wednesday|"
    r"thursday|friday|saturday|sunday|plans?|planning|actually|remember|i'?m an?|i am an?)\b", re.IGNORECASE)
# Someone introducing themselves or naming the speakers ("I'm Mike", "Hi, I'm (User 1)"): case matters here.
_INTRODUCTION = re.compile(r"\b(?:I'm|I am|i'm|i am) \(?[A-Z]|\b[Uu]ser [12]\b")
_WORD = re.compile(r"[\w']+")
_PLACEHOLDER = re.compile(r"\{[a-z]+\}")

Exchange = tuple[str, str]


@lru_cache(maxsize=None)
def heldout_tokens() -> frozenset[str]:
    """Lower-cased words of held-out values that no training value of any slot uses."""
    train = {w.lower() for slot in SLOTS for value in slot.values for w in _WORD.findall(value)}
    return frozenset(w.lower() for slot in SLOTS for value in slot.heldout_values for w in _WORD.findall(value)
                     if w.lower() not in train)


def heldout_fragments() -> list[str]:
    """For every held-out phrasing, its fixed text between placeholders (>= 2 words, lower case):
    the part of the phrasing that a training conversation must never contain."""
    fragments = []
    for slot in SLOTS:
        for template in slot.heldout_tell + slot.heldout_answers + slot.heldout_ask:
            parts = [" ".join(_WORD.findall(part.lower())) for part in _PLACEHOLDER.split(template)]
            fragments.append(max(parts, key=lambda p: len(p.split())))
    return fragments


@lru_cache(maxsize=None)
def heldout_pattern() -> re.Pattern:
    """Matches any held-out value (as whole words) or held-out phrasing fragment, in any case."""
    values = {value for slot in SLOTS for value in slot.heldout_values}
    alternatives = [re.escape(v) for v in sorted(values, key=len, reverse=True)]
    alternatives += [r"\s+".join(map(re.escape, f.split())) for f in heldout_fragments()]
    return re.compile(r"(?<![\w'])(?:" + "|".join(alternatives) + r")(?![\w'])", re.IGNORECASE)


def words_of(text: str) -> str:
    """Lower-case words joined by single spaces: the form :func:`heldout_pattern` is matched on."""
    return " ".join(_WORD.findall(text.lower()))


@dataclass
class FillerPool:
    """Runs of consecutive usable exchanges from the corpora, drawn from at random."""

    runs: list[list[Exchange]]  # each run: consecutive exchanges of one conversation, all usable
    dropped: dict[str, int] = field(default_factory=dict)  # reason -> exchanges left out

    @classmethod
    def build(cls, conversations: Sequence[Sequence[str]], max_words: int = 40) -> "FillerPool":
        """Every exchange (turn i -> turn i+1) of ``conversations``, as runs of one speaker's
        side (i, i+2, i+4 ...); exchanges with a turn over ``max_words`` words, fact talk or
        held-out material end a run and are counted in :attr:`dropped`."""
        guard = heldout_pattern()
        pool = cls([], {"too long": 0, "fact talk": 0, "held-out": 0})
        for turns in conversations:
            for offset in (0, 1):
                run: list[Exchange] = []
                for i in range(offset, len(turns) - 1, 2):
                    reason = pool._unusable(turns[i], turns[i + 1], max_words, guard)
                    if reason is None:
                        run.append((turns[i], turns[i + 1]))
                        continue
                    pool.dropped[reason] += 1
                    if run:
                        pool.runs.append(run)
                    run = []
                if run:
                    pool.runs.append(run)
        return pool

    @staticmethod
    def _unusable(first: str, second: str, max_words: int, guard: re.Pattern):
        if max(len(first.split()), len(second.split())) > max_words:
            return "too long"
        if any(p.search(t) for p in (_FACT_TALK, _INTRODUCTION) for t in (first, second)):
            return "fact talk"
        if guard.search(words_of(first)) or guard.search(words_of(second)):
            return "held-out"
        return None

    @property
    def size(self) -> int:
        return sum(len(run) for run in self.runs)

    def draw(self, rng: random.Random, count: int) -> list[Exchange]:
        """``count`` exchanges: consecutive ones from one conversation where a run is long enough
        (a few tries), else pieces of several runs."""
        if count <= 0:
            return []
        if not self.runs:
            raise ValueError("no usable real exchanges to put between a fact and its question "
                             "(give the generator corpus conversations)")
        for _ in range(8):
            run = rng.choice(self.runs)
            if len(run) >= count:
                start = rng.randint(0, len(run) - count)
                return list(run[start:start + count])
        taken: list[Exchange] = []
        while len(taken) < count:
            run = rng.choice(self.runs)
            start = rng.randint(0, len(run) - 1)
            taken.extend(run[start:start + count - len(taken)])
        return taken
