"""How the generated memory conversations are used: mixed into training, gathered into the
evaluation set of ``eval memory``, and replies checked against what was told.

The evaluation set holds, for every gap of :data:`EVAL_GAPS`, conversations telling one fact with
held-out values (training phrasings) and, apart, with held-out phrasings (training values), plus
corrected facts and questions about facts never told; its real exchanges should come from the
corpora's valid or test splits, never from train.
"""
from __future__ import annotations

import random
import re
from typing import Callable, Iterable, Sequence, TypeVar

from engine.data.memory import MemoryConfig, MemoryConversation, generate
from engine.data.memory_facts import ABSTAIN_MARKERS, says_any
from engine.data.memory_filler import FillerPool

EVAL_GAPS = (0, 1, 2, 4, 8)  # real exchanges between telling and asking that recall is reported at
EVAL_SEED = 20_220_022  # far from the small seeds training streams use
# The values cells ask with the slots' own training phrasings, as they did before composed
# phrasings (engine.data.memory_phrasings) joined training, so that their figures compare.
_HELDOUT = {"values": MemoryConfig(values="heldout", composed=False), "phrasings": MemoryConfig(phrasings="heldout")}


def evaluation_set(filler: FillerPool, per_cell: int = 50,
                   seed: int = EVAL_SEED) -> dict[str, list[MemoryConversation]]:
    """The conversations ``eval memory`` scores, by name: ``"values/gap=G"`` and
    ``"phrasings/gap=G"`` (one fact each, ``per_cell`` of them), ``"corrected"`` and ``"untold"``
    (``per_cell`` each, gaps drawn from :data:`EVAL_GAPS`, held-out values and phrasings)."""
    sets, start = {}, 0
    for name, config in _HELDOUT.items():
        for gap in EVAL_GAPS:
            cell = MemoryConfig(values=config.values, phrasings=config.phrasings, gaps=(gap,),
                                composed=config.composed)
            sets[f"{name}/gap={gap}"] = generate(per_cell, filler, cell, seed, "single", start)
            start += per_cell
    both = MemoryConfig(values="heldout", phrasings="heldout", gaps=EVAL_GAPS)
    for kind in ("corrected", "untold"):
        sets[kind] = generate(per_cell, filler, both, seed, kind, start)
        start += per_cell
    return sets


Item = TypeVar("Item")


def mix(corpus: Sequence[Item], generated: Iterable[Item], share: float, seed: int = 0,
        size: Callable[[Item], int] = len) -> list[Item]:
    """``corpus`` and enough of ``generated`` that the generated items hold ``share`` of the total
    ``size`` (exchanges, with ``size`` counting them), shuffled together with ``seed``.

    Works on conversations (``size=lambda turns: len(turns) // 2``) as on encoded streams of
    exchanges (``size=len``). Memory conversations teach the bot's side only, so mix them as
    streams encoded from offset 0, beside the corpus's streams of both sides::

        memory = (encode_conversation(m.turns, vocab, max_source, max_reply)
                  for m in memory_stream(FillerPool.build(train), MemoryConfig(), seed))
        streams = mix(training_streams(train, vocab, max_source, max_reply), memory, 0.2, seed)
    """
    if not 0 <= share < 1:
        raise ValueError(f"share must be in [0, 1), not {share}")
    wanted = share / (1 - share) * sum(size(item) for item in corpus)
    mixed, have = list(corpus), 0
    source = iter(generated)
    while have < wanted:
        item = next(source, None)
        if item is None:
            break
        mixed.append(item)
        have += size(item)
    random.Random(seed).shuffle(mixed)
    return mixed


def abstains(reply: str) -> bool:
    """Whether a reply declines to state a fact (what the target of an untold question does)."""
    return says_any(reply, ABSTAIN_MARKERS)


def states(reply: str, value: str, exact: bool = False) -> bool:
    """Whether a reply says ``value`` as whole words; ``exact`` also asks for its exact spelling."""
    pattern = r"(?<![\w'])" + r"\s+".join(map(re.escape, value.split())) + r"(?![\w'])"
    return re.search(pattern, reply, 0 if exact else re.IGNORECASE) is not None
