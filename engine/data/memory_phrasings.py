"""Many ways to tell a fact and to ask it back, for training the memory model.

A slot's own lists (:mod:`engine.data.memory_facts`) give a dozen phrasings; the model learnt those
and not the idea behind them (on held-out phrasings it said the value back a fifth as often). Here
each slot's phrasings are *composed*, the way people actually vary a question: a direct question
("what's my name?"), an embedded one after a lead ("can you remind me what my name is?"), a bare
noun phrase ("my name?", "and my name, do you remember it?"); statements with a lead and a tail
("oh, by the way, i'm Ben, what about you?"). Several hundred phrasings per slot.

None of them may give away the held-out phrasings that ``eval memory`` asks with: a composed
phrasing is dropped when it shares any run of four words (placeholders counted as words) with a
held-out phrasing of any slot, which keeps out near-copies as well as copies.
"""
from __future__ import annotations

import random
import re
from functools import lru_cache
from typing import Sequence

from engine.data.memory_facts import SLOTS, Slot

T = tuple[str, ...]

# Embedded questions ("what my name is") and noun phrases ("my name"), per slot.
_CLAUSES: dict[str, T] = {
    "user_name": ("what my name is", "who i am", "what you should call me", "what name i told you",
                  "what i said my name was", "what my first name is", "what name you know me by",
                  "what to call me"),
    "friend_name": ("who my best friend is", "what my friend is called", "what my best friend's name is",
                    "which friend i told you about", "who my closest friend is",
                    "who i hang out with most"),
    "pet_name": ("what my {q} is called", "what i named my {q}", "what my {q}'s name is",
                 "what we call my {q}", "what name my {q} has"),
    "home": ("where i live", "where my home is", "which city i live in", "where i'm living these days",
             "where i said i live", "where i'm from these days", "what town i'm in",
             "where i'm based", "where i stay"),
    "job": ("what i do for a living", "what my job is", "what i work as", "what kind of work i do",
            "what i do for work", "what i do all day at work", "what my line of business is",
            "what my work is", "what i told you i do"),
    "plan": ("what i'm doing on {q}", "what i planned for {q}", "what i'm up to on {q}",
             "what my plans for {q} are", "what i said about {q}", "what's planned for {q}",
             "how i'm spending {q}"),
    "age": ("how old i am", "what my age is", "how old i said i was", "when i was born, roughly"),
}
_NOUNS: dict[str, T] = {
    "user_name": ("my name", "my first name", "the name i gave you"),
    "friend_name": ("my best friend's name", "my friend's name", "the name of my best friend"),
    "pet_name": ("my {q}'s name", "the name of my {q}", "my {q}"),
    "home": ("my home town", "the city i live in", "my address, roughly"),
    "job": ("my job", "my profession", "my occupation"),
    "plan": ("my plans for {q}", "my {q} plans"),
    "age": ("my age",),
}
_FAVOURITE_CLAUSES = ("what my favourite {q} is", "which {q} i like best", "what {q} i love most",
                      "which {q} i said i like")
_FAVOURITE_NOUNS = ("my favourite {q}", "the {q} i like most")

_CLAUSE_LEADS = ("tell me {}", "remind me {}", "can you tell me {}?", "could you remind me {}?",
                 "do you remember {}?", "do you recall {}?", "do you know {}?", "i forgot {}.",
                 "i forgot {}, can you help?", "any idea {}?", "you know {}?", "say {}.",
                 "can you recall {}?", "let's see if you remember {}.", "did you catch {}?",
                 "i wonder if you know {}.", "please tell me {}.", "quiz: {}?")
_NOUN_LEADS = ("what was {} again?", "{}?", "and {}?", "remember {}?", "do you remember {}?",
               "remind me of {}.", "{}, do you remember it?", "what about {}?", "i forgot {}.",
               "you remember {}, right?", "still know {}?", "{} - do you know it?")

# Statements: a lead before, a tail after (either may be empty).
_TELLS: dict[str, T] = {
    "user_name": ("people call me {v}", "my first name is {v}", "{v} is my name", "i'm called {v}",
                  "name's {v}", "this is {v}", "{v} here", "it's {v}, by the way", "{v} speaking",
                  "you're talking to {v}", "my given name is {v}", "they call me {v}",
                  "the name on my passport is {v}", "i was named {v} after my grandmother", "i'm known as {v}",
                  "my mum named me {v}", "just call me {v}, everyone does", "nice to meet you, i'm {v}",
                  "my nickname is {v}"),
    "friend_name": ("{v} is my best friend", "my buddy {v} called me today", "i was texting my friend {v}",
                    "my oldest friend is {v}", "i have a best friend, {v}", "{v} and i have been friends for ages",
                    "i'm meeting my friend {v} later", "{v} has been my friend since school",
                    "my mate {v} is coming over", "me and my friend {v} went hiking",
                    "{v} is the friend i talk to every day"),
    "pet_name": ("{v} is my {q}", "our {q} is named {v}", "i just got a {q} and named it {v}",
                 "my {q} {v} is so cute", "i have a {q}, {v}", "{v} is the name of our {q}",
                 "my {q} is {v}, she's adorable", "meet {v}, my {q}", "we got a {q} and called it {v}",
                 "{v}, my {q}, chewed my shoes", "my little {q} goes by {v}", "the {q} we have is called {v}"),
    "home": ("i'm based in {v}", "{v} is where i live", "we live in {v} now", "i stay in {v}",
             "i've lived in {v} all my life", "i'm from {v}", "i moved here to {v} for work",
             "my apartment is in {v}", "i grew up in {v} and still live there", "i just moved to {v}",
             "my place is in {v}", "i call {v} home", "i've settled in {v}"),
    "job": ("i'm working as {a} {v}", "for work i'm {a} {v}", "i'm {a} {v} at the moment",
            "i'm employed as {a} {v}", "i work full time as {a} {v}", "i trained to be {a} {v}",
            "my day job is being {a} {v}", "i've worked as {a} {v} since college", "i'm {a} {v} by profession",
            "i make my money as {a} {v}", "these days i'm {a} {v}", "my work? {a} {v}",
            "i got hired as {a} {v} last month"),
    "plan": ("{q} i'm going to {v}", "i'm planning to {v} on {q}", "on {q} i want to {v}",
             "i'm supposed to {v} on {q}", "i need to {v} on {q}", "on {q} the plan is to {v}",
             "i'll probably {v} this {q}", "this {q} i've got to {v}", "my plan for {q} is to {v}",
             "come {q}, i'll {v}"),
    "age": ("i'm {v} now", "i'm {v} this year", "i'm {v} years of age", "i'm {v} at the moment",
            "i celebrated turning {v} recently", "i just turned {v}", "i'll be {v} for another month",
            "i'm {v} years old", "believe it or not, i'm {v}"),
}
_FAVOURITE_TELLS = ("{v} is the best {q}", "my all-time favourite {q} is {v}", "the {q} i love most is {v}",
                    "i adore {v}", "when it comes to {q}, i pick {v}", "nothing compares to {v}",
                    "i'm a big fan of {v}", "my top {q} is {v}", "{v} is my go-to {q}",
                    "i'd pick {v} over any other {q}", "{v} wins every time", "i can't get enough of {v}",
                    "my number one {q} is {v}")
# Answers to the bot's question: a lead before the slot's own answer and a tail after it, so that the
# model learns which words of an answer are the value ("oh, easily Pickles" is "Pickles").
_ANSWER_LEADS = ("oh, ", "well, ", "hmm, ", "definitely ", "probably ", "i guess ", "easy: ", "that's easy, ",
                 "i'd say ", "let me think... ", "for me, ", "honestly, ", "haha, ", "obviously ", "ok so ")
_ANSWER_TAILS = ("", "", "!", ", of course", ", i think", " :)", ", why?", ", for sure", ". what about you?")
_TELL_LEADS = ("oh, ", "by the way, ", "fun fact: ", "just so you know, ", "well, ", "so ",
               "i should tell you, ", "fyi, ", "hey, ", "ok so ")
_TELL_TAILS = (", what about you?", ". and you?", " :)", ", by the way", ". just so you know",
               ", haha", ". anyway")


# Words a person drops in without changing what they say.
_FILLERS = ("really", "actually", "um", "just", "well", "so", "honestly", "basically", "oh", "also", "anyway")


def shake(rng: random.Random, template: str, share: float) -> str:
    """``template``, ``share`` of the time with one word left out or one filler word put in
    (placeholders untouched), unless that would come near a held-out phrasing. Trained on, the
    model learns which words carry a telling or an asking rather than each phrasing word for word."""
    if rng.random() >= share:
        return template
    words = template.split(" ")
    plain = [i for i, word in enumerate(words) if "{" not in word]
    if len(words) >= 4 and plain and rng.random() < 0.5:
        del words[rng.choice(plain)]
        shaken = " ".join(words)
        return shaken if allowed(shaken) else template
    return with_other_word(rng, template, _FILLERS)


def _words(template: str) -> list[str]:
    return re.findall(r"\{\w\}|[\w']+", template.lower())


def _runs(template: str, n: int = 4) -> set[tuple[str, ...]]:
    words = _words(template)
    return {tuple(words[i:i + n]) for i in range(len(words) - n + 1)}


@lru_cache(maxsize=None)
def _heldout_runs() -> frozenset[tuple[str, ...]]:
    return frozenset(run for slot in SLOTS for template in slot.heldout_tell + slot.heldout_answers
                     + slot.heldout_ask for run in _runs(template))


@lru_cache(maxsize=None)
def _heldout_whole() -> frozenset[tuple[str, ...]]:
    return frozenset(tuple(_words(t)) for s in SLOTS for t in s.heldout_tell + s.heldout_answers + s.heldout_ask)


def allowed(template: str) -> bool:
    """Whether a training phrasing keeps clear of every held-out one: no run of four words in
    common (and, when shorter than four words, not equal to one)."""
    return not (_runs(template) & _heldout_runs()) and tuple(_words(template)) not in _heldout_whole()


def _favourite(slot: Slot) -> bool:
    return slot.name.startswith("favourite_")


@lru_cache(maxsize=None)
def ask_phrasings(slot: Slot) -> T:
    """The composed phrasings that ask ``slot`` back (the slot's own ``ask`` list aside)."""
    clauses = _FAVOURITE_CLAUSES if _favourite(slot) else _CLAUSES.get(slot.name, ())
    nouns = _FAVOURITE_NOUNS if _favourite(slot) else _NOUNS.get(slot.name, ())
    composed = [lead.replace("{}", c) for c in clauses for lead in _CLAUSE_LEADS]
    composed += [lead.replace("{}", n) for n in nouns for lead in _NOUN_LEADS]
    return tuple(t for t in dict.fromkeys(composed) if allowed(t) and t not in slot.ask)


@lru_cache(maxsize=None)
def tell_cores(slot: Slot) -> T:
    """The statements that tell ``slot``: its own ``tell`` list and the extra ones."""
    extra = _FAVOURITE_TELLS if _favourite(slot) else _TELLS.get(slot.name, ())
    return tuple(t for t in dict.fromkeys(slot.tell + extra) if allowed(t))


@lru_cache(maxsize=None)
def own_phrasings(slot: Slot) -> tuple[T, T]:
    """The slot's own asking and answer phrasings that keep clear of the held-out ones."""
    return tuple(t for t in slot.ask if allowed(t)), tuple(t for t in slot.answers if allowed(t))


def draw_ask(rng: random.Random, slot: Slot, shaken: float = 0.0, other_words: Sequence[str] = ()) -> str:
    """A training asking of ``slot``: its own phrasings 40 % of the time, composed ones otherwise;
    ``shaken`` of them with a word left out or put in (:func:`shake`), and, as often again, one of
    ``other_words`` (words of other talk) put in (:func:`with_other_word`)."""
    own, composed = own_phrasings(slot)[0], ask_phrasings(slot)
    asking = shake(rng, rng.choice(own if rng.random() < 0.4 or not composed else composed), shaken)
    return with_other_word(rng, asking, other_words) if other_words and rng.random() < shaken else asking


def with_other_word(rng: random.Random, template: str, words: Sequence[str]) -> str:
    """``template`` with one of ``words`` put in somewhere, unless that would come near a held-out
    phrasing (:func:`shake` puts in filler words this way). Asked in words it never saw, the model
    said one of them back as the fact ("Your favourite drink is all."); askings with a word of other
    talk in them teach that the answer is what was told before, not a word of the question."""
    words_now = template.split(" ")
    words_now.insert(rng.randrange(len(words_now) + 1), rng.choice(words))
    changed = " ".join(words_now)
    return changed if allowed(changed) else template


def _dress(rng: random.Random, core: str, lead: float = 0.5) -> str:
    """``core`` with a lead before it (share ``lead`` of the time) and a tail after it 40 % of the
    time, unless that would come near a held-out phrasing."""
    for _ in range(10):
        text = (rng.choice(_TELL_LEADS) if rng.random() < lead else "") + core
        text += rng.choice(_TELL_TAILS) if rng.random() < 0.4 else ""
        if allowed(text):
            return text
    return core


def draw_tell(rng: random.Random, slot: Slot, shaken: float = 0.0) -> str:
    return _dress(rng, shake(rng, rng.choice(tell_cores(slot)), shaken))


def draw_answer(rng: random.Random, slot: Slot) -> str:
    """An answer to the bot's question: the slot's own, half the time with an answer's lead and
    tail around it (:data:`_ANSWER_LEADS`), unless that would come near a held-out phrasing."""
    core = rng.choice(own_phrasings(slot)[1])
    if rng.random() < 0.5:
        for _ in range(10):
            text = rng.choice(_ANSWER_LEADS) + core + rng.choice(_ANSWER_TAILS)
            if allowed(text):
                return text
    return _dress(rng, core, lead=0.1)
