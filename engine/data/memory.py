"""Generated memory conversations: a fact is told, real talk follows, and the fact is asked back.

In the spirit of :mod:`engine.scenes` (captions the captioner can be checked against), each
conversation here is built so that the right reply is known: the user tells a fact (as a
statement, or as the answer to the bot's question), zero to eight real exchanges taken from the
corpora follow, and the user asks the fact back in one of many phrasings; the target reply states
it. Other kinds tell several facts, correct one later ("actually, my name is ...") or ask about a
fact never told, whose target says so. Every asking is recorded as a :class:`Probe` (slot, value,
gap, turn, held-out flags) so that ``eval memory`` can count recall by gap, on held-out values
and on held-out phrasings separately (:mod:`engine.data.memory_sets` gathers that set and mixes
generated conversations into training).

The conversations start with the user (turn 0) and alternate user, bot; they teach the bot's side
only, so a trainer reads them from offset 0 alone. The bot's acknowledgement of a told fact ("oh
nice! is it busy there?") is read but not trained on (``MemoryConversation.unscored``): as a target
it taught the network to say a slot's acknowledgement to any news. Deterministic from a seed: conversation ``i``
depends only on the seed, ``i``, the config and the filler conversations.
"""
from __future__ import annotations

import random
import re
from dataclasses import dataclass
from typing import Callable, Iterator, Optional, Sequence

from engine.data.memory_facts import (ASK_FRAMES, CORRECTION_ACKS, CORRECTION_PREFIXES, CORRECTION_SHORT,
                                      GREETINGS, INVENTED_SLOTS, INVITATIONS, NOVEL_FAVOURITES, NOVEL_NAMED,
                                      SLOT_BY_NAME, SLOTS, UNTOLD, Slot, invented_value)
from engine.data.memory_filler import FillerPool, heldout_tokens
from engine.data.memory_phrasings import draw_answer, draw_ask, draw_tell, tell_cores

KINDS = ("single", "several", "corrected", "untold")


@dataclass(frozen=True)
class MemoryConfig:
    """What the generator draws from."""

    values: str = "train"  # "train" or "heldout": the value lists facts come from
    phrasings: str = "train"  # "train" or "heldout": the user's telling and asking phrasings
    gaps: tuple[int, ...] = tuple(range(9))  # real exchanges between telling and asking, drawn uniformly
    kind_weights: tuple[float, ...] = (0.4, 0.2, 0.15, 0.25)  # of KINDS, in order
    as_answer: float = 0.35  # share of facts told as the answer to the bot's question
    invented: float = 0.3  # share of name and place values that are invented words (training values only)
    max_lead: int = 2  # real exchanges before the first fact: 0..max_lead
    composed: bool = True  # training phrasings include engine.data.memory_phrasings' composed ones
    novel_untold: float = 0.3  # share of untold askings about a thing no slot is about (training phrasings only)
    shaken: float = 0.25  # share of composed tellings and askings with a word left out or put in (training only)

    def __post_init__(self):
        for field_name in ("values", "phrasings"):
            if getattr(self, field_name) not in ("train", "heldout"):
                raise ValueError(f"MemoryConfig.{field_name} must be 'train' or 'heldout'")
        if len(self.kind_weights) != len(KINDS) or not any(self.kind_weights):
            raise ValueError(f"MemoryConfig.kind_weights needs {len(KINDS)} weights, not all 0")
        if not self.gaps or min(self.gaps) < 0:
            raise ValueError("MemoryConfig.gaps must be non-negative and not empty")


@dataclass(frozen=True)
class Probe:
    """One asking-back in a conversation and what the reply to it must say."""

    slot: str  # the slot's name, e.g. "pet_name"
    qualifier: str  # the pet, the day or the kind of favourite thing ("" when the slot has none)
    value: Optional[str]  # what the target states; None when the fact was never told
    ask_turn: int  # the user's asking turn; the target reply is turns[ask_turn + 1]
    told_turn: Optional[int]  # the user turn that last told it (the correction, if corrected)
    gap: int  # real (corpus) exchanges between that telling and the asking
    distance: int  # all exchanges between them, generated ones included
    value_heldout: bool  # the value is from the held-out list
    phrasing_heldout: bool  # the telling and asking use held-out phrasings
    replaced: Optional[str] = None  # the earlier value a correction replaced


@dataclass(frozen=True)
class MemoryConversation:
    """A generated conversation: turns alternate user (even), bot (odd)."""

    turns: tuple[str, ...]
    kind: str  # one of KINDS
    probes: tuple[Probe, ...]  # every asking-back, in order
    unscored: frozenset[int] = frozenset()  # bot turns read but not trained on: the acknowledgements

    @property
    def conversation(self) -> list[str]:
        return list(self.turns)

    # The first probe's record, for kinds with one asking (single, corrected, untold).
    @property
    def gap(self) -> int:
        return self.probes[0].gap

    @property
    def value(self) -> Optional[str]:
        return self.probes[0].value

    @property
    def value_heldout(self) -> bool:
        return self.probes[0].value_heldout

    @property
    def phrasing_heldout(self) -> bool:
        return self.probes[0].phrasing_heldout


@dataclass(frozen=True)
class _Fact:
    slot: Slot
    qualifier: str
    value: str


def _article(value: str) -> str:
    return "an" if value[:1].lower() in "aeiou" else "a"


def _render(template: str, fact: _Fact, capital: bool = True, start: bool = True, **extra: str) -> str:
    """Fill a template. With ``capital``, "i" is written "I" and (with ``start``) the first letter
    is capitalised, but never inside the value or an ``extra`` (a topic, an earlier value): their
    spelling is what the model must say back."""
    text = template.replace("{q}", fact.qualifier).replace("{a}", _article(fact.value))
    if capital:
        text = _LONE_I.sub("I", text)
        text = _SENTENCE_START.sub(lambda m: m.group(1) + m.group(2).upper(), text)
        if start and not text.startswith("{"):
            text = text[:1].upper() + text[1:]
    for key, value in extra.items():
        text = text.replace("{" + key + "}", value)
    return text.replace("{v}", fact.value)


def _american(text: str) -> str:
    for british, american in (("avourite", "avorite"), ("colour", "color"), ("Colour", "Color")):
        text = text.replace(british, american)
    return text


_LONE_I = re.compile(r"(?<![\w'{])i(?=$|[\s'?!.,;:])")
_SENTENCE_START = re.compile(r"([.!?] )([a-z])")


class _Builder:
    """Exchanges of one conversation, with which of them are real (corpus) ones."""

    def __init__(self, rng: random.Random, config: MemoryConfig, filler: FillerPool):
        self.rng, self.config, self.filler = rng, config, filler
        self.exchanges: list[tuple[str, str]] = []
        self.real: list[bool] = []
        self.unscored: set[int] = set()  # exchanges whose bot turn is read but not trained on
        self.heldout = config.phrasings == "heldout"
        self.casual = rng.random() < 0.5  # this user types in lower case

    def add(self, user: str, bot: str, scored: bool = True) -> int:
        self.exchanges.append((user, bot))
        self.real.append(False)
        if not scored:
            self.unscored.add(len(self.exchanges) - 1)
        return len(self.exchanges) - 1

    def talk(self, count: int) -> None:
        for exchange in self.filler.draw(self.rng, count):
            self.exchanges.append(exchange)
            self.real.append(True)

    def user(self, templates: Sequence[str] | str, fact: _Fact, start: bool = True) -> str:
        template = templates if isinstance(templates, str) else self.rng.choice(templates)
        return _render(template, fact, capital=not self.casual, start=start)

    # The user's phrasings: held-out ones in evaluation sets; in training, the slot's own or
    # composed ones (engine.data.memory_phrasings), ``plain`` when a statement joins another.
    # Without ``config.composed``, the slot's own lists only (as the evaluation set asks).
    def tell_phrasing(self, slot: Slot, plain: bool = False) -> str:
        if self.heldout or not self.config.composed:
            return self.rng.choice(slot.heldout_tell if self.heldout else slot.tell)
        return self.rng.choice(tell_cores(slot)) if plain else draw_tell(self.rng, slot, self.config.shaken)

    def answer_phrasing(self, slot: Slot) -> str:
        if self.heldout or not self.config.composed:
            return self.rng.choice(slot.heldout_answers if self.heldout else slot.answers)
        return draw_answer(self.rng, slot)

    def ask_phrasing(self, slot: Slot) -> str:
        if self.heldout or not self.config.composed:
            return self.rng.choice(slot.heldout_ask if self.heldout else slot.ask)
        return draw_ask(self.rng, slot, self.config.shaken, self.other_words())

    def other_words(self) -> list[str]:
        """Words of a real exchange that are no placeholder's business: the lower-case words of
        four letters or more of one drawn from the corpora (none where it has none)."""
        (exchange,) = self.filler.draw(self.rng, 1)
        return sorted({w for w in re.findall(r"[a-z]+", " ".join(exchange).lower()) if len(w) >= 4})

    def bot(self, templates: Sequence[str], fact: _Fact, **extra: str) -> str:
        return _render(self.rng.choice(templates), fact, **extra)

    def tell(self, fact: _Fact, also: Optional[_Fact] = None) -> int:
        """Tell ``fact`` (and ``also`` in the same statement); the index of the telling exchange."""
        slot = fact.slot
        if also is None and self.rng.random() < self.config.as_answer:
            opener = self.rng.choice(INVITATIONS if self.exchanges else GREETINGS)
            self.add(opener if self.casual else opener.capitalize(), self.bot(slot.bot_asks, fact))
            return self.add(self.user(self.answer_phrasing(slot), fact), self.bot(slot.acks, fact), scored=False)
        text = self.user(self.tell_phrasing(slot, plain=also is not None), fact)
        if also is not None:
            text += " and " + self.user(self.tell_phrasing(also.slot, plain=True), also, start=False)
        return self.add(text + self.rng.choice(("", ".", "!")), self.bot(fact.slot.acks, fact), scored=False)

    def correct(self, fact: _Fact, old: str) -> int:
        if self.rng.random() < 0.5:
            text = _render(self.rng.choice(CORRECTION_SHORT), fact, capital=not self.casual, old=old)
        else:
            prefix = self.rng.choice(CORRECTION_PREFIXES)
            text = prefix + self.user(self.tell_phrasing(fact.slot, plain=True), fact)
        return self.add(text, self.bot(CORRECTION_ACKS, fact))

    def ask(self, fact: _Fact, told: Optional[int], replaced: Optional[str] = None, since: int = -1) -> Probe:
        """Ask ``fact`` back; ``told`` is its telling exchange (None: never told, and the gap is
        counted from exchange ``since`` instead)."""
        slot = fact.slot
        question = self.user(self.ask_phrasing(slot), fact)
        if not self.heldout and self.rng.random() < (0.3 if self.config.composed else 0.5):
            framed = self.rng.choice(ASK_FRAMES).replace("{}", question[:1].lower() + question[1:])
            question = framed if self.casual else _SENTENCE_START.sub(
                lambda m: m.group(1) + m.group(2).upper(), framed[:1].upper() + framed[1:])
        if told is None:
            topic = slot.topic.replace("{q}", fact.qualifier)
            at = self.add(question, self.bot(UNTOLD, fact, t=topic))
        else:
            at = self.add(question, self.bot(slot.state, fact))
        start = since if told is None else told
        return Probe(slot.name, fact.qualifier, None if told is None else fact.value, 2 * at,
                     None if told is None else 2 * told, sum(self.real[start + 1:at]), at - start - 1,
                     self.config.values == "heldout" and told is not None, self.heldout, replaced)

    def turns(self) -> tuple[str, ...]:
        american = self.rng.random() < 0.5  # American spelling in half the conversations, as in the corpora
        fix = _american if american else str
        return tuple(t if real else fix(t) for (user, bot), real in zip(self.exchanges, self.real)
                     for t in (user, bot))


def _value(rng: random.Random, slot: Slot, config: MemoryConfig, avoid: set[str]) -> str:
    """A value for ``slot`` that is not in ``avoid`` (values already in the conversation)."""
    banned = heldout_tokens()
    for _ in range(100):
        if config.values == "heldout":
            value = rng.choice(slot.heldout_values)
        elif slot.name in INVENTED_SLOTS and rng.random() < config.invented:
            value = invented_value(rng, slot.name)
            if any(w in banned for w in value.lower().split()):
                continue  # an invented word that is a held-out value would leak it
        else:
            value = rng.choice(slot.values)
        if value.lower() not in avoid:
            avoid.add(value.lower())
            return value
    raise RuntimeError(f"no new value for {slot.name}")


def _facts(rng: random.Random, config: MemoryConfig, count: int) -> list[_Fact]:
    """``count`` facts about different things ((slot, qualifier) pairs), with different values."""
    facts, seen, values = [], set(), set()
    while len(facts) < count:
        slot = rng.choice(SLOTS)
        qualifier = rng.choice(slot.qualifiers)
        if (slot.name, qualifier) in seen:
            continue
        seen.add((slot.name, qualifier))
        facts.append(_Fact(slot, qualifier, _value(rng, slot, config, values)))
    return facts


def _single(b: _Builder) -> list[Probe]:
    (fact,) = _facts(b.rng, b.config, 1)
    b.talk(b.rng.randint(0, b.config.max_lead))
    told = b.tell(fact)
    b.talk(b.rng.choice(b.config.gaps))
    return [b.ask(fact, told)]


def _corrected(b: _Builder) -> list[Probe]:
    (fact,) = _facts(b.rng, b.config, 1)
    new = _Fact(fact.slot, fact.qualifier, _value(b.rng, fact.slot, b.config, {fact.value.lower()}))
    b.talk(b.rng.randint(0, b.config.max_lead))
    b.tell(fact)
    b.talk(b.rng.randint(0, 2))
    told = b.correct(new, fact.value)
    b.talk(b.rng.choice(b.config.gaps))
    return [b.ask(new, told, replaced=fact.value)]


def _several(b: _Builder) -> list[Probe]:
    facts = _facts(b.rng, b.config, b.rng.choice((2, 2, 3)))
    b.talk(b.rng.randint(0, b.config.max_lead))
    told: dict[int, int] = {}
    i = 0
    while i < len(facts):
        together = i + 1 < len(facts) and b.rng.random() < 0.5
        told[i] = b.tell(facts[i], facts[i + 1] if together else None)
        if together:
            told[i + 1] = told[i]
            i += 1
        i += 1
        b.talk(b.rng.randint(0, 2))
    probes = []
    for index in b.rng.sample(range(len(facts)), len(facts)):
        b.talk(b.rng.randint(0, 2))
        probes.append(b.ask(facts[index], told[index]))
    return probes


def _untold(b: _Builder) -> list[Probe]:
    told = _facts(b.rng, b.config, 2)
    known, asked = told
    if len(known.slot.qualifiers) > 1 and b.rng.random() < 0.4:
        # the same kind of fact about something else (the dog's name told, the cat's asked)
        other = b.rng.choice([q for q in known.slot.qualifiers if q != known.qualifier])
        asked = _Fact(known.slot, other, "")
    if not b.heldout and b.rng.random() < b.config.novel_untold:
        asked = _novel(b.rng)
    b.talk(b.rng.randint(0, b.config.max_lead))
    if b.rng.random() < 0.75:
        b.tell(known)
    since = len(b.exchanges) - 1  # the gap runs from the other fact's telling (or the lead's end)
    b.talk(b.rng.choice(b.config.gaps))
    return [b.ask(asked, None, since=since)]


def _novel(rng: random.Random) -> _Fact:
    """An untold fact about a thing no slot is about: a named one ("my boat") or a favourite one."""
    if rng.random() < 0.5:
        return _Fact(SLOT_BY_NAME["pet_name"], rng.choice(NOVEL_NAMED), "")
    return _Fact(SLOT_BY_NAME["favourite_food"], rng.choice(NOVEL_FAVOURITES), "")


_MAKERS: dict[str, Callable[[_Builder], list[Probe]]] = {
    "single": _single, "several": _several, "corrected": _corrected, "untold": _untold}


def generate_one(index: int, filler: FillerPool, config: MemoryConfig = MemoryConfig(), seed: int = 0,
                 kind: Optional[str] = None) -> MemoryConversation:
    """Conversation ``index`` of the stream for ``seed``: the same arguments give the same one."""
    rng = random.Random(seed * 1_000_003 + index)
    kind = kind or rng.choices(KINDS, weights=config.kind_weights)[0]
    builder = _Builder(rng, config, filler)
    probes = _MAKERS[kind](builder)
    return MemoryConversation(builder.turns(), kind, tuple(probes), frozenset(2 * i + 1 for i in builder.unscored))


def generate(count: int, filler: FillerPool, config: MemoryConfig = MemoryConfig(), seed: int = 0,
             kind: Optional[str] = None, start: int = 0) -> list[MemoryConversation]:
    """``count`` conversations, numbers ``start`` .. ``start + count - 1`` of the stream."""
    return [generate_one(i, filler, config, seed, kind) for i in range(start, start + count)]


def memory_stream(filler: FillerPool, config: MemoryConfig = MemoryConfig(),
                  seed: int = 0) -> Iterator[MemoryConversation]:
    """The endless stream of conversations for ``seed``."""
    index = 0
    while True:
        yield generate_one(index, filler, config, seed)
        index += 1
