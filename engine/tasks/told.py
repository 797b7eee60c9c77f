"""Whether a fact a reply states about the user was told in the conversation.

Asked about a fact it was never told, or asked in words it has not learnt to link to the telling,
the memory model often states one anyway: a word of the question itself ("Name the drink I prefer
above all others" -> "Your favourite drink is all."), a word of no turn at all ("Your snake is
called 97."), or nothing ("Your horse is called?"). Nothing the bot knows about the user can come
from anywhere but what the user said. So where the model itself offers, among its candidate
replies, to say that it was not told (an :data:`UNTOLD_MARKERS` reply: the question is about a fact
of the user's, by the model's own reading), a candidate that states a value (:func:`stated_value`,
in the frames the model was trained to state facts in) none of whose words the user said before
the question, nor a stored pair holds, loses :data:`UNTOLD_VALUE` in the reranking. The network
still decides between telling and declining wherever the value was said; this only keeps it from
asserting what nobody said.
"""
from __future__ import annotations

import re
from dataclasses import replace
from typing import Callable, Iterable, Optional, Sequence

import torch

from engine.decoding import Hypothesis
from engine.knowledge_index import STOP_WORDS
from engine.text import tokenize

# What a candidate reply loses (per-token units, as the reranking's scores) for stating a value
# nobody told. Session 22, the validation sets: see docs/experiments.md.
UNTOLD_VALUE = 3.0

# The start of the reply the model was trained to give about a fact it was never told ("you didn't
# tell me {t}."); the model says the rest. Where a candidate states a value nobody told and none
# declines, the model's own decline joins them (:data:`DECLINE_FLOOR`).
DECLINE = "you didn't tell me"
# ... if the model gives its tokens at least this geometric-mean probability (the forced words
# included). Session 22, the validation sets: see docs/experiments.md.
DECLINE_FLOOR = 0.0

# Replies that decline because a fact was never told: the part of the evaluation's abstention markers
# that speaks of telling (chitchat says "i don't know" and "not sure" about anything).
UNTOLD_MARKERS = ("haven't told me", "have not told me", "never told me", "didn't tell me", "did not tell me",
                  "never said")

_THING = r"[\w' ]+?"
_DAY = r"\w+day"
# The frames in which the memory model states a fact (the slots' ``state`` templates of
# engine.data.memory_facts, widened to the spellings and mixtures the model also writes: "your list
# is called ...", "your favorite ..."); group ``v`` is the value. Tried in order, on one sentence in
# lower case without its end mark.
_FRAMES = tuple(re.compile(pattern) for pattern in (
    rf"^(?:you said )?your {_THING} is called (?P<v>.+)$",
    rf"^(?:you said )?your {_THING}'s name is (?P<v>.+)$",
    r"^you named your \w+ (?P<v>.+)$",
    rf"^(?:you said )?your plans? for {_DAY} (?:is|are) (?:to )?(?P<v>.+)$",
    rf"^(?:you said )?your (?:favou?rite|best) {_THING} is (?P<v>.+)$",
    rf"^you said (?P<v>.+?) is your favou?rite {_THING}$",
    r"^(?:you said )?your name is (?P<v>.+)$",
    r"^you mentioned your (?:best )?friend (?P<v>.+)$",
    r"^(?:you said )?you live in (?P<v>.+)$",
    r"^your home is in (?P<v>.+)$",
    rf"^(?:you said )?you(?:'re| are) going to (?P<v>.+?) on {_DAY}$",
    rf"^on {_DAY},? you(?:'re| are) going to (?P<v>.+)$",
    rf"^you said you would (?P<v>.+?) on {_DAY}$",
    r"^(?:you said )?(?:you're|you are|you work as) an? (?P<v>.+)$",
    r"^(?:you said )?(?:you're|you are) (?P<v>.+?)(?: years old)?$",
    rf"^it's (?P<v>.+?)(?:, your {_THING})?$",
    r"^you love (?P<v>.+)$",
    r"^in (?P<v>.+)$",
))
_SENTENCES = re.compile(r"[^.!?]+")


def stated_value(reply: str) -> Optional[str]:
    """The value ``reply`` states about the user in one of the frames above ("Your dog is called
    Rex." -> "rex"; "Sounds fun! You live in Lisbon." -> "lisbon"), '' for a frame with nothing in
    it, None where no sentence states one."""
    text = " ".join(reply.lower().replace("\u2019", "'").split())
    for sentence in _SENTENCES.findall(text):
        sentence = sentence.strip(" ,;:")
        for frame in _FRAMES:
            found = frame.match(sentence)
            if found:
                return found.group("v").strip(" ,;:")
    if re.match(r"^\W*your [\w' ]+ is called\W*$", text):  # the frame with the value left out
        return ""
    return None


def content_words(text: str) -> set[str]:
    """``text``'s words that could name a fact: not a stop word, with a letter or digit."""
    return {word for word in tokenize(text) if word not in STOP_WORDS and any(ch.isalnum() for ch in word)}


def told_words(earlier: Iterable[str], turn: str, known: Callable[[str], bool]) -> set[str]:
    """The words (lower case) the user has told the bot: those of ``earlier`` (the user's earlier
    turns still in the memory, and stored pairs), and of the message ``turn`` being answered those
    of its sentences before the last (the question) and, in the last, the words outside the
    vocabulary (not ``known``) and those written capitalised after its first word ("is my name
    Priya?")."""
    told = {word.lower() for word in earlier}
    sentences = _SENTENCES.findall(turn)
    for sentence in sentences[:-1]:
        told.update(tokenize(sentence))
    if sentences:
        written = tokenize(sentences[-1], lower=False)
        told.update(word.lower() for i, word in enumerate(written)
                    if not known(word.lower()) or (i > 0 and word[:1].isupper() and word.lower() not in STOP_WORDS))
    return told


def declines(reply: str) -> bool:
    text = " ".join(reply.lower().replace("\u2019", "'").split())
    return any(marker in text for marker in UNTOLD_MARKERS)


def states_untold(reply: str, told: set[str]) -> bool:
    """Whether ``reply`` states a value none of whose content words is ``told``."""
    value = stated_value(reply)
    return value is not None and not content_words(value) & told


def untold_values(hypotheses: Sequence[Hypothesis], texts: Sequence[str], told: set[str],
                  penalty: Optional[float] = None) -> list[Hypothesis]:
    """``hypotheses`` (whose replies read ``texts``), each stating a value none of whose content
    words is ``told`` losing ``penalty`` from its ``prior``, where one of them declines for want of
    being told; unchanged otherwise (see the module's docstring). ``penalty``: default
    :data:`UNTOLD_VALUE`."""
    penalty = UNTOLD_VALUE if penalty is None else penalty
    if penalty <= 0 or not any(declines(text) for text in texts):
        return list(hypotheses)
    out = []
    for hypothesis, text in zip(hypotheses, texts):
        if states_untold(text, told):
            hypothesis = replace(hypothesis, prior=hypothesis.prior - penalty)
        out.append(hypothesis)
    return out


def forced(step, prefix: Sequence[int]):
    """``step`` (a search's ``step_fn``) that lets its first ``len(prefix)`` calls choose only the
    prefix's tokens, each with the log-probability the model gives it."""
    calls = [0]

    def forcing(tokens: torch.Tensor, state):
        log_probs, attention, state = step(tokens, state)
        position, calls[0] = calls[0], calls[0] + 1
        if position < len(prefix):
            token = prefix[position]
            kept = log_probs[:, token].clone()
            log_probs = torch.full_like(log_probs, float("-inf"))
            log_probs[:, token] = kept
        return log_probs, attention, state
    return forcing
