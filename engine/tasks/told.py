"""Whether a fact a reply states about the user was told in the conversation, and told about what
is asked.

Asked about a fact it was never told, or asked in words it has not learnt to link to the telling,
the memory model often states one anyway: a word of the question itself ("Name the drink I prefer
above all others" -> "Your favourite drink is all."), a word of no turn at all ("Your snake is
called 97."), a fact told about something else ("Your favourite sport is kvass." after "my
favourite drink is kvass"), or nothing ("Your horse is called?"); and where it was told the
fact in words it does not link, it often declines though the right value is among its candidates.
Nothing the bot knows about the user can come from anywhere but what the user said. So in the
reranking of a reply to a turn that speaks of the user, a candidate that states a value
(:func:`stated_value`, in the frames the model was trained to state facts in) is weighed by where
the value was said (:func:`ground`): told in a sentence that speaks of what the question asks about
(it, or the bot's question it answered, shares a word with the question), it gains; where the model
itself offers to say it was not told (an :data:`UNTOLD_MARKERS` reply: the question is about a fact
of the user's, by the model's own reading), a value nobody said loses much and one told about
something else loses some. A value stated as another kind of thing than it was told as ("Your dog
is called Miso." after "my cat is called Miso"; :func:`misplaced`), or as a kind of thing the
user spoke of nowhere ("Your snake is called 97."; :func:`unheard_kind`), counts as one nobody said.
Where a candidate states a value nobody said and none declines, the model's own decline is
searched for and joins them; where a candidate declines, or states a wrong value, of a kind of
thing the user told a value of ("which fruit tops my list?" after "no fruit beats peaches in my
book"), the model's best replies that start the way it was trained to state that kind ("your
favourite fruit is"; :func:`restart`) join them. The network still chooses between its
candidates; this weighs what they assert by what the user said.
"""
from __future__ import annotations

import itertools
import re
from dataclasses import replace
from typing import Callable, Iterable, NamedTuple, Optional, Sequence

import torch

from engine.data.memory_facts import KIND_WORDS, NOVEL_FAVOURITES, SLOTS, UNTOLD_MARKERS, plain, says_any
from engine.decoding import Hypothesis
from engine.knowledge_index import STOP_WORDS
from engine.text import tokenize

# What a candidate reply loses (per-token units, as the reranking's scores) for stating a value
# nobody told. Session 22, the validation sets: see docs/experiments.md.
UNTOLD_VALUE = 6.0

# What a candidate gains (per-token units) for stating a value told in a sentence that speaks of
# what the question asks about (:func:`told_about`): "my favourite drink is kvass" answers "which
# drink tops my list?", not "which sport tops my list?". Session 22, the validation sets: see
# docs/experiments.md.
ABOUT_VALUE = 2.0
# What a candidate loses, where the model offers to decline and the question says what it asks
# about, for stating a value told about something else ("your favourite sport is kvass" after "my
# favourite drink is kvass"). Session 22, the validation sets: see docs/experiments.md.
ELSEWHERE_VALUE = 1.0
# What a candidate gains besides (per-token units) for stating whole a told value another candidate
# states a part of ("Your favourite subject is ancient greek." beside "... is greek."; :func:`_whole`).
WHOLE_VALUE = 1.0
# What a candidate loses (per-token units) for declining to state a kind of thing or a topic the user
# told a value of, where another candidate states a value told about what is asked.
DECLINE_TOLD = 2.0
# What a candidate gains besides (per-token units), to a question that asks a name (the user's, a
# friend's, a pet's), for stating one the user wrote as a name ("Laura" of "that would be good old
# Laura", not "good").
NAME_VALUE = 1.0
# Values a restarted reply is scored with at most (:func:`told_values`).
VALUES_TRIED = 8
# Words that frame a fact rather than say what it is about: "name" in "my cat's name is Miso" does
# not make it an answer to "what's my dog's name?".
FRAME_WORDS = frozenset("favourite favorite fave name names named called call calls best like likes love loves "
                        "most prefer list".split())

# Words of asking back, not of what is asked about ("do you remember my name? just checking.").
ASKING_WORDS = frozenset("remember remind recall know knew forgot forget tell say said mention mentioned again "
                         "earlier before wonder curious curiosity check checking test time quiz question quick "
                         "hmm um ok okay hey answer listening catch idea help right still thing one sure please "
                         "let's see told way".split())

# The start of the reply the model was trained to give about a fact it was never told ("you didn't
# tell me {t}."); the model says the rest. Where a candidate states a value nobody told and none
# declines, the model's own decline joins them.
DECLINE = "you didn't tell me"


def decline_starts(asked: str) -> list[str]:
    """The starts of a decline of what ``asked`` asks, best first, the first the vocabulary can say
    to be used: "you didn't tell me your sister's name." or "you didn't tell me your dog" (where the
    vocabulary has no "dog's"; the model goes on, "name.", written "dog's name" by the chat) to
    "what's my dog called?" or "what's my dog's name?" (a name of one someone or thing of the
    user's), then :data:`DECLINE`; "you didn't tell me how old your son is." to "how old is my son?"."""
    question = [word for word in last_sentence(asked) if word != "?"]
    if question[:2] == ["how", "old"] and question[2:4] in (["is", "my"], ["are", "my"]) and len(question) == 5 and (
            _theirs(question[4])) or question[:2] == ["how", "old"] and question[2:4] in (["is", "the"], ["are", "the"]
                                                                                         ) and len(question) == 5 and (
            question[4].isalpha() and not _someone(question[4])):  # "how old is my son?": "you didn't tell me how old
        # your son is."; "how old is the boiler?": "... how old your boiler is."
        return [f"{DECLINE} how old your {question[4]} {question[2]}.", DECLINE]
    if question[:1] not in (["what's"], ["whats"], ["what"]) or not set(question) & _NAME_ASKED:
        return [DECLINE]
    theirs = [i for i, word in enumerate(question) if i and question[i - 1] == "my"]
    at = theirs[0] if len(theirs) == 1 else 0
    while at and question[at].endswith("'s") and question[at + 1:at + 2] and _theirs(question[at + 1]):
        at += 1  # "what's my sister's boyfriend called?": his name, not hers
    whose = question[at][:-2] if question[at].endswith("'s") else question[at]
    owners = question[theirs[0]:at] if at else []
    if not (at and whose.isalpha() and _theirs(whose)):
        return [DECLINE]
    whose = " ".join([*owners, whose])
    return [f"{DECLINE} your {whose}'s name.", f"{DECLINE} your {whose}", DECLINE]


def untold_decline(asked: str, names: set[tuple[str, ...]] = frozenset()) -> Optional[list[str]]:
    """The whole decline of what ``asked`` asks, the question said as the user's (lower-case words, no
    end mark), where its last sentence asks how old, how much, how many, how long, how far, how big, how
    often, when, where, what colour or what time of one thing or someone ("how old is the boiler?" ->
    "you didn't tell me how old the boiler is", "when did we buy it?" -> "you didn't tell me when you
    bought it", "what colour were the candles?" -> "... what colour the candles were"; one of ``names``:
    "how old is bramble?" -> "... how old bramble is"); so too how many of a thing ("how many people are in the
    club?" -> "... how many people are in the club"), what or which thing ("what car do i drive?" -> "... what car
    you drive"; not of a name), and with "have" ("how much have i raised?" -> "... how much you have raised");
    who ("who are the fitters?" -> "... who the fitters are", "who runs the food bank?" as it is, "who offered me
    a job?" -> "... who offered you a job") and what "the" someone is called ("what is the surgeon called?" ->
    "... what the surgeon is called"); None for another question, or one it cannot turn so."""
    question = [word for word in last_sentence(asked) if word != "?"]
    at = 3 if question[:3] in (["what", "are", "my"], ["what", "is", "my"]) else 2 if question[:2] in (
        ["what's", "my"], ["whats", "my"]) else 0
    if at and len(question) - at in (1, 2) and all(word.replace("'", "").isalpha() for word in question[at:]) and (
            not set(question) & (_NAME_ASKED | _FAVOURING) or question[at + 1:] == ["name"] and question[at].endswith(
                "'s") and _someone(question[at])):  # "what is my grandma's name?": "... your grandma's name"
        return [*tokenize(DECLINE), "your", *question[at:]]  # "what are my hours?": "... your hours"
    if at and len(question) - at == 3 and (question[at].endswith("'s") and _someone(question[at]) and question[
            at + 1] in _FAVOURING or _someone(question[at]) and question[at + 1].endswith("'s") and question[
            at + 1][:-2].isalpha()) and question[at + 2].isalpha() and question[at + 2] not in _NAME_ASKED:
        return [*tokenize(DECLINE), "your", *question[at:]]  # "what is my nephew's favourite colour?", "what is my
        # daughter isla's temperature?"
    if at and len(question) - at == 2 and question[-1] in ("called", "named") and question[at].isalpha() and (
            _someone(question[at])):  # "whats my boss called": "you didn't tell me what your boss is called"
        return [*tokenize(DECLINE), "what", "your", question[at], "is", question[-1]]
    lead = 2 if question[:2] in _DECLINED_LEADS else 1 if question[:1] in (["when"], ["where"]) else 0
    if question[:1] == ["who"] and len(question) > 1 and question[1].isalpha() and question[1] not in (
            _AUXILIARIES | _DETERMINERS) and all(word.replace("'", "").isalpha() for word in question):
        return [*tokenize(DECLINE), *_as_theirs(question)]  # "who runs the food bank": as it is
    if question[:2] == ["how", "many"] and len(question) == 5 and question[3] not in _AUXILIARIES and question[-1] in (
            "there", "here") and all(word.isalpha() for word in question):
        return [*tokenize(DECLINE), *question]  # "how many people volunteer there": as it is
    if question[:1] == ["who"] and question[1:2] and question[1] in _BEING_AUXILIARIES and question[2:3] and (
            question[2] not in _DETERMINERS | _NAMING_CUES) and all(word.isalpha() for word in question):
        return [*tokenize(DECLINE), *_as_theirs(question)]  # "who is teaching me": "who is teaching you"
    if question[:1] == ["who"] or question[:1] == ["what"] and question[1:2] and question[1] in (
            _BEING_AUXILIARIES) and question[2:3] == ["the"] and question[-1] in ("called", "named"):
        lead = 1  # "who are the fitters": "who the fitters are"; "what is the surgeon called": "what the surgeon
        # is called"
    if question[:3] in (["what", "am", "i"], ["what", "are", "we"]) and question[3:4] and question[3].endswith(
            "ing") and len(question) <= 5:
        lead = 1  # "what am i wearing": "you didn't tell me what you are wearing"
    if question[:2] in (["what", "does"], ["what", "did"]) and (question[-3:] in (["do", "for", "work"], [
            "do", "for", "money"]) or question[-4:] == ["do", "for", "a", "living"]):
        lead = 1  # "what does he do for work": "you didn't tell me what he does for work"
    if question[:2] in (["what", "did"], ["what", "do"], ["what", "does"]) and question[2:3] and (
            question[2] in _PRONOUN_SUBJECTS | _DETERMINERS) and question[-2:-1] == ["for"] and question[-1] in _MEALS:
        lead = 1  # "what did i have for breakfast": "you didn't tell me what you had for breakfast"; "what did my son
        # have for lunch": "... what your son had for lunch"
    if question[:1] == ["how"] and question[1:2] and question[1] in _AUXILIARIES and any(
            word in _TRAVELLING and question[at + 1:at + 2] in (["there"], ["here"], ["home"], ["back"], ["to"])
            for at, word in enumerate(question[3:5], 3)):
        lead = 1  # "how am i getting there": "you didn't tell me how you are getting there"
    counted = next((at for at in (3, 4) if question[at:at + 1] and question[at] in _AUXILIARIES and all(
        word.isalpha() and word not in _AUXILIARIES for word in question[2:at])), None)
    if question[:2] in (["how", "many"], ["how", "much"]) and counted:
        lead = counted  # "how many people are in the club", "how many lessons did i have", "how much redundancy pay
        # did he get"
    elif not lead and question[:1] in (["what"], ["which"]) and question[1:2] and question[1].isalpha() and (
            question[1] not in _AUXILIARIES | _NOT_A_KIND) and question[2:3] and question[2] in _AUXILIARIES and not (
            set(question) & (_NAME_ASKED | _FAVOURING | _NAMING_CUES)):  # not "which name did i give my dog?"
        lead = 2  # "what car do i drive": "you didn't tell me what car you drive"
    aux = question[lead] if question[lead:lead + 1] and question[lead] in _AUXILIARIES else None
    if not lead or aux is None or set(question) & SECOND_PERSON:
        return None
    rest = question[lead + 1:]
    if question[:1] == ["which"] and lead == 2 and aux in _BEING_AUXILIARIES and rest[:1] and _doing_word(
            rest[0]) and all(word.isalpha() for word in rest):  # "which shop is fixing it": as it is
        return [*tokenize(DECLINE), *_as_theirs(question)]
    if lead == counted and aux in _BEING_AUXILIARIES and aux != "am" and rest and all(
            word.isalpha() for word in rest) and rest[0] not in _PRONOUN_SUBJECTS | _DETERMINERS:  # "how many people
        # are in the club": as it is
        return [*tokenize(DECLINE), *question[:lead + 1], *rest]
    named = next((len(name) for name in names if tuple(rest[:len(name)]) == name), 0)  # "how old is bramble?"
    if named or rest[:1] and rest[0] in _PRONOUN_SUBJECTS:
        size = named or 1
    elif rest[:1] and rest[0] in _DETERMINERS and aux in _BEING_AUXILIARIES:  # "my best friend aisha" whole, to
        size = next((i for i, word in enumerate(rest) if i > 1 and (  # a doing or a time: "where is my sister going"
            word.endswith(("ing", "ed")) and word not in _THINGS_LIKE_DOINGS or word in _TIME_WORDS | _AFTER_THE_SUBJECT
            or (question[0] == "who" or i == len(rest) - 1) and word in _AFTER_THE_VERB)), len(rest))  # "who is the
        # party for", "which hospital is my dad in"
    elif rest[:1] and rest[0] in _DETERMINERS:  # "the entry" of "how much did the entry cost", "my mum" of "how
        stop = next((i for i, word in enumerate(rest) if i > 1 and word in _AFTER_THE_VERB), len(rest))  # long did
        size = stop - 1 if stop > 2 else 0  # my mum stay in hospital"
        size = next((i for i, word in enumerate(rest[:size + 1]) if i > 1 and word in _BARE_VERBS), size)  # "my car"
        # of "when will my car be ready"
        size = next((at + len(name) for name in names for at in range(1, len(rest)) if tuple(
            rest[at:at + len(name)]) == name and at + len(name) < len(rest)), size)  # "my sister grace" of "when did
        # my sister grace start lessons"
    else:
        size = 0
    if size < 1 or not all(word.replace("'", "").isalpha() for word in rest):
        return None
    whom = [_SAID_AS_THEIRS.get(word, word) for word in rest[:size]]
    after = [_SAID_AS_THEIRS.get(word, word) for word in rest[size:]]  # "... you gave your hamster"
    if aux in _BEING_AUXILIARIES:  # "how old is the boiler": "how old the boiler is"
        verb = ["are" if aux == "am" else "were" if aux == "was" and whom == ["you"] else aux]
        return [*tokenize(DECLINE), *question[:lead], *whom, *verb, *after]
    if not after or after[0] in _DETERMINERS:
        return None
    verb = after[0]
    if aux == "did":  # "when did we buy it": "when you bought it"
        said = ["had" if verb == "have" else _PAST_OF.get(verb, verb if verb in _SAME_PAST else verb + (
            "d" if verb.endswith("e") else "ed"))]
    elif aux in ("have", "has"):  # "how long have i been volunteering": "how long you have been volunteering"
        said = ["have" if whom == ["you"] else aux, verb]
    elif aux == "do" or whom == ["you"]:  # "how often do i water them": "how often you water them"
        said = [verb]
    elif aux == "does":  # "what time does my sister land": "what time your sister lands"
        said = ["has" if verb == "have" else verb + ("es" if verb.endswith(("s", "sh", "ch", "o")) else "s")]
    else:  # "how long will it take": "how long it will take"
        said = [aux, verb]
    return [*tokenize(DECLINE), *question[:lead], *whom, *said, *after[1:]]


_DECLINED_LEADS = [["how", word] for word in "old much many long far big often tall".split()] + [
    ["what", "colour"], ["what", "color"], ["what", "time"]]
_AUXILIARIES = frozenset("is are was were am did does do will have has".split())
_BEING_AUXILIARIES = frozenset("is are was were am".split())
_DETERMINERS = frozenset("the my our his her their it i we he she they".split())
_NOT_A_KIND = frozenset("else kind sort type".split()) | _DETERMINERS  # "what else", "what kind of"
_PRONOUN_SUBJECTS = frozenset("i we it he she they".split())
_TIME_WORDS = frozenset("now today tonight tomorrow then".split())  # "how old is my son now?"
_AFTER_THE_VERB = frozenset("in at on to for with from by of about into the a an my our his her their it them him "
                            "me us up out off down back".split())  # what follows a question's verb: "stay in
# hospital", "get up"
# Words that follow the someone or thing a question of being asks of: "where was my cat last seen", "when was he
# born".
_AFTER_THE_SUBJECT = frozenset("last first just already still usually born seen taken given stolen found".split())
_MEALS = frozenset("breakfast lunch dinner tea supper brunch pudding dessert".split())
_BARE_VERBS = frozenset("be have get go come".split())  # "when will my car be ready": "... your car will be ready"
_SAME_PAST = frozenset("cost put let set hurt shut spread read bet burst hit cut quit split".split())
_SAID_AS_THEIRS = {"i": "you", "we": "you", "my": "your", "our": "your"}  # the rest said as asked


def _as_theirs(words: list[str]) -> list[str]:
    """A whole question said back as the user's: "me" and "us" as "you" too ("who is teaching me" ->
    "who is teaching you")."""
    return [{"me": "you", "us": "you"}.get(word) or _SAID_AS_THEIRS.get(word, word) for word in words]


_THING = r"[\w' ]+?"
_DAY = r"\w+day"
# The frames in which the memory model states a fact (the slots' ``state`` templates of
# engine.data.memory_facts, widened to the spellings and mixtures the model also writes: "your list
# is called ...", "your favorite ..."); group ``v`` is the value. Tried in order, on one sentence in
# lower case without its end mark.
_FRAMES = tuple(re.compile(pattern) for pattern in (
    rf"^(?:you said )?your {_THING} is called (?P<v>.+)$",
    rf"^(?:you said )?your {_THING}'s name is (?P<v>.+)$",
    rf"^(?:you said )?your {_THING} name is (?P<v>.+)$",  # the model's slip: "your hamster name is tiny"
    r"^you named your \w+(?:'s)? (?P<v>.+)$",
    rf"^(?:you said )?your plans? for {_DAY} (?:is|are) (?:to )?(?P<v>.+)$",
    rf"^(?:you said )?your (?:favou?rite|best) {_THING} is (?P<v>.+)$",
    rf"^you said (?P<v>.+?) is your favou?rite {_THING}$",
    r"^(?:you said )?your name is (?P<v>.+)$",
    r"^you mentioned your (?:best )?friend (?P<v>.+)$",
    r"^(?:you said )?you live in (?P<v>.+)$",
    r"^your home is in (?P<v>.+)$",
    rf"^(?:you said )?you(?:'re| are) going to (?P<v>.+?) on {_DAY}$",
    rf"^on {_DAY},? you(?:'re| are) going to (?P<v>.+)$",
    rf"^you said you would (?P<v>.+?)(?: on {_DAY})?$",
    r"^(?:you said )?(?:you're|you are|you work as) an? (?P<v>.+)$",
    # Frames that chitchat says too ("You're welcome!", "It's fine."): not read as a fact left empty.
    r"^(?:you said )?(?:you're|you are) (?P<v>.+?)(?: years old)?$",
    rf"^it's (?P<v>.+?)(?:, your {_THING})?$",
    r"^you love (?P<v>.+)$",
    r"^in (?P<v>.+)$",
))
_OWN_FRAMES = len(_FRAMES) - 4  # the frames before those chitchat says too
_SENTENCES = re.compile(r"[^.!?]+")


def last_sentence(text: str) -> list[str]:
    """The tokens of the last sentence of ``text`` ("ok. what time do you wake up?" -> "what time
    do you wake up"); [] for none."""
    return tokenize((_SENTENCES.findall(plain(text)) or [""])[-1])


def _sentences_of(reply: str) -> list[str]:
    """``reply``'s sentences in lower case (:func:`plain`), without their end marks and the commas
    or colons around them, as the frames read them."""
    return [sentence.strip(" ,;:") for sentence in _SENTENCES.findall(plain(reply))]


def _stated_as(frame: re.Pattern, reply: str) -> bool:
    """Whether a sentence of ``reply`` begins as ``frame`` does ("You live in ...": :data:`_AS_HOME`)."""
    return any(frame.match(sentence) for sentence in _sentences_of(reply))


def stated_value(reply: str) -> Optional[str]:
    """The value ``reply`` states about the user in one of the frames above ("Your dog is called
    Rex." -> "rex"; "Sounds fun! You live in Lisbon." -> "lisbon"), '' for a frame of the model's
    own with nothing in it ("You named your horse.", "You said you live in?"), None where no
    sentence states one."""
    sentences = _sentences_of(reply)
    for sentence in sentences:
        for frame in _FRAMES:
            found = frame.match(sentence)
            if found:
                return found.group("v").strip(" ,;:")
    for sentence in sentences:  # a frame with the value left out ("You named your horse.")
        for frame in _FRAMES[:_OWN_FRAMES]:
            found = frame.match(sentence + " \0")
            if found and found.group("v") == "\0":
                return ""
    return None


def states_unasked(reply: str, turn: str) -> bool:
    """Whether ``reply`` states a value of the user's in a frame of the model's own (not one that
    chitchat says too: "You're welcome!") to a ``turn`` that asks the bot's advice ("what should i
    cook tonight?": "Your favourite cook is vegetarian." is no advice) or, where it names something,
    to a turn that speaks of neither the user nor the bot and does not say that value ("who is the
    party for?": "Your name is ninety."; not "what's happening on Friday?": "Your plan for Friday is
    to ...")."""
    words = tokenize(turn)
    advice = bool(set(last_sentence(turn)) & _SEEKING_ADVICE)
    if not advice and set(words) & (FIRST_PERSON | FIRST_PLURAL | SECOND_PERSON):
        return False
    said = content_words(turn)
    for sentence in _sentences_of(reply):
        for frame in _FRAMES[:_OWN_FRAMES]:
            found = frame.match(sentence)
            if found and (advice or _NAMES_IT.search(sentence) and not content_words(found.group("v")) <= said):
                return True
    return False


_SPELLINGS = {"color": "colour", "colors": "colours", "favorite": "favourite", "favorites": "favourites"}
_OTHER_SPELLING = {one: other for other, one in _SPELLINGS.items()}


def content_words(text: str) -> set[str]:
    """``text``'s words that could name a fact: not a stop word, with a letter or digit; a
    possessive as its noun ("lizard's" -> "lizard"); in one spelling ("color" as "colour")."""
    return _token_content(tokenize(text))


def _token_content(words: Iterable[str]) -> set[str]:
    out, words = set(), [word.lower() for word in words]
    for i, word in enumerate(words):
        if word == "live" and (i and words[i - 1] in _SEEN_LIVE or words[i + 1:i + 2] and words[i + 1] in _LIVE_THINGS):
            continue  # "i saw them live in Manchester", "live music": no home
        word = word[:-2] if word.endswith(("'s", "\u2019s")) and len(word) > 2 else word
        if word not in STOP_WORDS and any(ch.isalnum() for ch in word) or word == "may" and i and (
                words[i - 1] in _BEFORE_A_MONTH):  # "it should be done by may": the month, not "i may"
            out.add(_SPELLINGS.get(word, word))
    return out


_BEFORE_A_MONTH = frozenset("by in until till since of before after early late mid from".split())


_SEEN_LIVE = frozenset("them it him her us play played playing perform performed performing sing sang".split())
_LIVE_THINGS = frozenset("music gig gigs show shows band bands concert concerts stream streams sport sports".split())


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
    """Whether ``reply`` says it was not told (:data:`UNTOLD_MARKERS`) and states no value ("You
    said you would go hiking on friday. You never told me." both states and declines: it is no
    decline)."""
    return says_any(reply, UNTOLD_MARKERS) and stated_value(reply) is None


def declines_other(reply: str, asked: str) -> bool:
    """Whether ``reply`` declines (:func:`declines`) something ``asked`` does not ask: a favourite
    where it asks a name ("You didn't tell me your favourite dog." to "what's my dog called?"), or
    someone of the user's other than the one it asks of ("I don't know your friend's name." to
    "what's my sister called?", :func:`of_another_someone`; "... your name." to "what's my boss
    called?"; "... your friend's name" to "what app do i use?"), or where the user is where it asks no
    place ("I don't know where you live." to "what job did i get?")."""
    favourite, said, question = {"favourite", "favorite"}, tokenize(reply), tokenize(asked)
    return declines(reply) and (bool(set(said) & favourite) and not set(question) & favourite
                                and bool(set(question) & _NAMED)  # "what's my dog called?", not "which colour ..."
                                or of_another_someone(reply, asked) or _user_named_for_another(reply, asked)
                                or any(map(_someone, said)) and not any(map(_someone, question))
                                # "... how old you are." to "what's my daughter called?"
                                or bool(set(question) & _NAMED) and any(map(_someone, question))
                                and not any(map(_someone, said)) and not set(said) & _NAMED - {"call", "calls"}
                                # "... how old you are." to "how old is my son?"
                                or question[:2] == ["how", "old"] and any(map(_someone, question))
                                and not any(map(_someone, said))
                                # "I don't know where you live ..." to "what job did i get?"
                                or "where" in said and not set(question) & _ASKS_A_PLACE)


_ASKS_A_PLACE = frozenset("""where wheres where's live lives living lived from city town country village place
county street address""".split())


def states_untold(reply: str, told: set[str]) -> bool:
    """Whether ``reply`` states a value none of whose content words is ``told``."""
    value = stated_value(reply)
    return value is not None and not content_words(value) & told


class Telling(NamedTuple):
    """One sentence of the user's: its content words, the content words it speaks of (:func:`tellings`),
    the kinds of thing (:func:`kinds`) it names and its turn names (its other sentences, and the
    bot's question it answers), whether it says a word besides kinds, :data:`FRAME_WORDS` and
    :data:`ASKING_WORDS` (a value: "no fruit beats peaches in my book", not "i don't have a
    favourite colour"), its words in order, in lower case, the topics it speaks of and the words
    it takes back (:func:`tellings`)."""

    said: set[str]
    about: set[str]
    kinds: set[str]
    turn_kinds: set[str]
    valued: bool
    words: tuple[str, ...]
    topics: set[str] = set()
    denied: set[str] = set()


# How the user's own name is introduced in the slots' training sentences ("hi, i'm Sam", "call me
# Sam", "i go by Sam"): a name the user wrote capitalised just after one of them tells their name.
INTRODUCING = (("i'm",), ("im",), ("i", "am"), ("call", "me"), ("calls", "me"), ("go", "by"))


def _introduces(words: Sequence[str], names: set[tuple[str, ...]]) -> bool:
    """Whether ``words`` (lower case) say a name of ``names`` right after an introduction, or are
    "it's" and a name and "here", or begin "this is" and a name ("hey, it's Carla here")."""
    lengths = {len(name) for name in names}
    talk = [word for word in words if word not in _FILLERS | {",", "hello", "hi", "hey"}]
    return any(tuple(words[i:i + len(lead)]) == lead and tuple(words[i + len(lead):i + len(lead) + n]) in names
               for i in range(len(words)) for lead in INTRODUCING for n in lengths) or any(
        talk[:1] == ["it's"] and tuple(talk[1:1 + n]) in names and talk[1 + n:] == ["here"]
        or talk[:2] == ["this", "is"] and tuple(talk[2:2 + n]) in names and len(talk) == 2 + n for n in lengths)


_I_AM = (("i'm",), ("im",), ("i", "am"))


def _tells_age(words: Sequence[str]) -> bool:
    """Whether ``words`` (lower case) say an age as people do: "i'm 34", "i am 34 years old", "i'm learning to
    swim at 45" (what the user does at an age of 13 or more, said last; not "i finish at 5", a time)."""
    for lead in _I_AM:
        if tuple(words[:len(lead)]) == lead:
            rest = [word for word in words[len(lead):] if word not in ("years", "year", "old", "now")]
            if len(rest) == 1 and rest[0].isdigit():
                return True
            break
    bare = [word for word in words if word not in (".", "!", "?", "years", "old")]
    return bool(bare[:1]) and bare[0] in _USER_DOING and bare[-2:-1] == ["at"] and bare[-1].isdigit() and (
        13 <= int(bare[-1]) <= 110)


# Where someone is from, said as what they are ("he's Italian" to "where is he from?").
_CUISINES = frozenset("caribbean cajun tapas sushi vegan vegetarian seafood fusion tex-mex".split())
_NATIONALITIES = frozenset("""italian french spanish portuguese german dutch belgian swiss austrian polish czech
irish scottish welsh english british american canadian mexican brazilian argentinian colombian chilean peruvian
australian kiwi indian pakistani bangladeshi chinese japanese korean vietnamese thai filipino indonesian turkish
greek russian ukrainian romanian bulgarian hungarian swedish norwegian danish finnish icelandic nigerian ghanaian
kenyan ethiopian egyptian moroccan iranian iraqi syrian lebanese israeli jamaican""".split())


_BACK_FROM = frozenset("back away home off out".split())
_NO_ORIGIN = frozenset("""work school home holiday holidays uni university college hospital there here abroad
    scratch memory experience""".split())


_SINCE_THEN = re.compile(r"(?:(?:\w+ )+ago|in (?:19|20)\d\d|when i was \w+|as a (?:child|kid|baby))")


def _from_place(words: Sequence[str], names: set[tuple[str, ...]]) -> bool:
    """Whether ``words`` (lower case) of a sentence about the user ("i", "i'm" ...) say they are from a
    place: "from" and then a name the user wrote capitalised (``names``): "i'm a nurse from Berlin", or
    a word that ends the sentence and is no place of coming back (:data:`_NO_ORIGIN`): "i'm a dentist
    from seville", not "i'm just back from work"."""
    if not words or words[0] not in ("i", "i'm", "im", "originally"):
        return False
    at = len(words) - 2  # or a word that ends it, where "from" is no coming back: "i'm a dentist from Seville"
    if "from" in words[1:-1] and at > 0 and words[at] != "from":  # or that a time ends: "i moved here from poland
        at = words.index("from", 1)  # ten years ago"
        at = at if _SINCE_THEN.fullmatch(" ".join(words[at + 2:])) else len(words) - 2
    last = words[at + 1] if at > 0 and words[at] == "from" and words[at - 1] not in _BACK_FROM else ""
    return any(within(("from", *name), words) for name in names) or (
        last.isalpha() and last not in STOP_WORDS | _NO_ORIGIN and _stem(words[1]) not in _GOES | {"come", "get"})


def tellings(turns: Sequence[tuple[Sequence[str], Sequence[str]]],
             names: set[tuple[str, ...]] = frozenset()) -> list[Telling]:
    """For each sentence of the user's earlier turns (``turns``, oldest first: each the user's words
    and the bot's words just before them), each clause of it about the user a sentence of its own
    (:func:`_joins_clauses`): a :class:`Telling`, with what it speaks of: its own
    words, the bot turn's, and those of any earlier sentence it shares a word with other than
    :data:`FRAME_WORDS`, as "sorry, i meant rambutan, not salak" speaks of what "my favourite fruit
    is salak" did, and "one is called Rex" not of what "my cat is called Miso" did; the topics
    (:func:`topics`) of its words and its turn's; what it takes back ("not Bea, Zephyrine!":
    "bea"); and where it takes back a word of an earlier sentence, that one's topics and kinds
    besides ("sorry, i meant rambutan, not salak" tells a fruit); a sentence that names the pet the
    sentence before spoke of tells of its kind (:func:`_names_it`). A sentence of no kind or topic
    that says one of ``names`` (names the user wrote capitalised, in lower-case words) right after
    "i'm", "i am", "call me" or "i go by" tells the user's name ("hi, i'm Sam")."""
    out: list[Telling] = []
    turn_of: list[int] = []  # the turn each of ``out`` was said in
    for number, (user, bot) in enumerate(turns):
        before = _token_content(bot)
        asking = before if any(word == "?" for word in bot) else set()
        turn_kinds = kinds(_token_content(user) | asking)
        turn_topics = topics(_token_content(user) | asking)
        sentence: list[str] = []
        words_of_turn = list(user) + ["."]
        joins = {i for i in range(len(words_of_turn)) if _joins_clauses(words_of_turn, i)}
        for i, word in enumerate(words_of_turn):
            if word not in (".", "!", "?") and i not in joins:
                sentence.append(word)
                continue
            if sentence:
                words = _token_content(sentence)
                # a clause of a turn of several speaks of its own topics (and those the bot asked of)
                of = topics(words) | (topics(asking) if joins else turn_topics)
                about, around = words | before, set(turn_kinds)
                lowered = [word.lower() for word in sentence]
                if not of and not kinds(words) and _introduces(lowered, names):
                    of.add("name")
                if not of and _tells_age(lowered):
                    of.add("age")
                if _from_place(lowered, names) or _moves(lowered):
                    of.add("home")
                if out and _names_it(lowered) and out[-1].kinds & _PETS:  # "i adopted a dog. her name is Bella"
                    about |= out[-1].about
                    around |= out[-1].kinds & _PETS
                if tuple(lowered[:2]) in _NAMING_LEADS:  # "her name is Siobhan": not the user's name, but
                    of = (of - {"name"}) | (out[-1].topics & {"friend"} if out else set())  # their friend's
                asks = word == "?" or lowered[:1] and lowered[0] in _WH_LEADS
                denied = _denied(sentence) if not asks else set()  # "how many cups did i used to drink?" takes
                for earlier in out:  # nothing back
                    shared = (earlier.said - FRAME_WORDS) & words
                    if shared:
                        about |= earlier.about
                    if shared & denied:  # a correction: of what it corrects (not "beats" of "no food beats ...")
                        of |= earlier.topics
                        around |= earlier.kinds | earlier.turn_kinds
                if _corrects(lowered) and not kinds(words) and not topics(words):
                    words = words - _CORRECTING
                    earlier = next((t for t, turn in zip(reversed(out), reversed(turn_of))
                                    if turn >= number - 1 and t.valued and (t.kinds or t.turn_kinds or t.topics)),
                                   None)
                    if words and earlier is not None:  # "no wait, it's green": of what it corrects, and green
                        old = {word for word in earlier.said - words - FRAME_WORDS - ASKING_WORDS
                               if not kinds([word]) and not topics([word])}
                        about = (about - _CORRECTING) | earlier.about
                        of |= earlier.topics
                        around |= earlier.kinds | earlier.turn_kinds
                        denied |= old
                        words = words | old  # the last sentence to say it takes it back
                for earlier in out if _new_home(lowered) else ():  # "i live in Leeds" ... "actually i moved to York"
                    if (earlier.valued and "home" in earlier.topics and not earlier.kinds and not _origin(earlier.words)
                            and not _from_place(earlier.words, names)):  # "i'm a dentist from Seville": no home
                        old = earlier.said - words - FRAME_WORDS - ASKING_WORDS - TOPICS["home"][1]
                        denied |= old
                        words = words | old  # the last sentence to say it takes it back
                valued = any(not kinds([word]) for word in words - FRAME_WORDS - ASKING_WORDS - denied)
                out.append(Telling(words, about, kinds(words), around, valued, tuple(lowered), of, denied))
                turn_of.append(number)
            sentence = []
    return out


def _origin(words: Sequence[str]) -> bool:
    """Whether a sentence (lower-case ``words``) says where the user grew up or was born, which a
    move does not take back ("i grew up in Wales. then i moved to Bristol")."""
    return within(("grew", "up"), words) or bool({"born", "raised"} & set(words))


def _names_it(words: Sequence[str]) -> bool:
    """Whether ``words`` (lower case) name someone spoken of just before: "her name is Bella", "he's
    called Kiwi", "we named her Luna", "we called him Pilot"."""
    return tuple(words[:2]) in _NAMING_LEADS or bool(set(words[:3]) & _NAMING_CUES) and bool(
        set(words[2:4]) & {"her", "him", "it"})


_NAMING_LEADS = frozenset([(who, name) for who in ("his", "her", "its") for name in ("name", "name's")]
                          + [(who, way) for who in ("he's", "she's", "it's") for way in ("called", "named")])


# A user has one home at a time: a later sentence that says they moved (:func:`_new_home`) takes
# back what an earlier one told of it.
_CHANGE_WORDS = frozenset("now moved relocated anymore".split())


def _moves(words: Sequence[str]) -> bool:
    """Whether ``words`` (lower case) say the user moved home: "i moved to York", "we relocated to
    Perth", "i've just moved into a flat"; not "we're moving to Porto next month", which is still to come."""
    return any(words[i] in ("moved", "relocated") and words[i + 1] in ("to", "back", "into")
               for i in range(len(words) - 1)) and bool(set(words[:2]) & {"i", "i'm", "im", "we", "we're", "just"})


def _new_home(words: Sequence[str]) -> bool:
    """Whether ``words`` (lower case) say the user lives somewhere new: they moved (:func:`_moves`),
    or they live somewhere with a correction's lead or a word of change ("actually i live in York",
    "i live in York now"; not "i work from home now")."""
    plain = [word for word in words if any(ch.isalnum() for ch in word)]
    lives = bool(set(plain) & {"live", "lives", "living"}) and bool(set(plain[:2]) & {"i", "we", "actually"})
    changes = tuple(plain[:1]) in _CORRECTION_LEADS or bool(set(plain) & _CHANGE_WORDS)
    return _moves(words) or lives and changes


# The words that open a clause about the user: "and" just before one joins two tellings in one
# sentence ("my name is Marco and i live in Rome"), each of its own topic. ("but" is left alone:
# "i said Zephyrine but i meant Anouk" is one correction.)
_OPENS_CLAUSE = frozenset(("i", "i'm", "im", "i've", "i'd", "my", "we", "we're", "our"))


def _joins_clauses(words: Sequence[str], i: int) -> bool:
    """Whether ``words[i]`` is an "and" that joins two clauses about the user (:data:`_OPENS_CLAUSE`),
    or two things of the user's of two kinds ("a dog called Biscuit and a cat called Luna"), or a
    sentence and what "he's" or "she's" ("my husband is called Marco and he's Italian"), or a
    comma between two clauses about the user ("i'm Hana, i'm a midwife", "name's Callum, i'm a
    plumber"; not "well, i think" nor "come Tuesday, i'm going to ...")."""
    if words[i].lower() not in ("and", ",") or i + 1 >= len(words):
        return False
    if words[i].lower() == "and" and i and words[i - 1].lower() in ("me", "i") and (
            i == 1 or words[i - 2] in (".", "!", "?", ",")):
        return False  # "me and my partner are going to Rome": one subject
    after = [word.lower() for word in words[i + 1:i + 4]]
    if (words[i].lower() == "and" and after[:1] in (["i"], ["me"]) and after[1:2] and after[1].isalpha()
            and words[0].lower() in ("my", "our") and i <= 3):
        return False  # "my partner and i are trying for a baby": one subject (not "i'm a vet and i have ...")
    if words[i] == "," and after[:1] and after[0] in _LEAD_WORDS and _corrects(
            [word.lower() for word in words[i + 1:] if word != ","]) and any(
            word.lower() not in _LEAD_WORDS | {","} for word in words[:i]):
        return True  # "my favourite colour is orange, no wait, it's burgundy": a correction of its own (not the
        # "no" of "wait, no, it's on tuesday", all of which corrects)
    if words[i] == ",":
        start = max((j + 1 for j in range(i) if words[j] in (".", "!", "?", ",")), default=0)
        return after[0] in _OPENS_CLAUSE and i - start >= 2 and words[start].lower() in _OPENS_CLAUSE | {"name's"}
    return (after[0] in _OPENS_CLAUSE or after[0] in ("a", "an") and bool(kinds(after[1:]))
            or after[0] in ("he's", "she's") and i > 2)  # "my husband is called Marco and he's Italian"


# How a user starts to put right what they just said ("no wait, it's green", "actually, Vancouver",
# "oops, i meant 34"): such a sentence, naming no kind of thing or topic of its own, corrects the
# last sentence that told a value, in the same turn or the one before.
_CORRECTING = frozenset(("no", "wait", "actually", "oops", "mean", "meant", "sorry"))
_CORRECTION_LEADS = (("no", "wait"), ("wait",), ("actually",), ("oops",), ("no",), ("sorry",))
_LEAD_WORDS = frozenset(word for lead in _CORRECTION_LEADS for word in lead)  # several too: "actually no"
_ONLY_WITH_A_WAY = frozenset(("no", "sorry"))  # "no, it's green", but not "no worries"
_CORRECTED_AS = (("it's",), ("its",), ("it", "is"), ("i", "meant"), ("i", "mean"), ("make", "that"))
_CORRECTED_WORDS = 3  # "no wait, it's green", not "wait i need to hear this spiritual experience"
_NO_VALUE = frozenset("i i'm you it that this we they he she not don't no yes what why how lol haha".split())


def _corrects(words: Sequence[str]) -> bool:
    """Whether ``words`` (lower case) put a value right: a lead (:data:`_CORRECTION_LEADS`, one or
    several: "actually no,"), maybe "it's" or "i meant" (:data:`_CORRECTED_AS`), then the value
    alone, of a few words (:data:`_CORRECTED_WORDS`) none of them a pronoun or a negation: "no
    wait, it's green", "actually, Vancouver", "oops, i meant 34", "no, it's green", "actually no,
    it's orange"; not "wait i don't get it", "no i don't" nor "no worries"."""
    plain = [word for word in words if any(ch.isalnum() for ch in word)]
    leads = list(itertools.takewhile(lambda word: word in _LEAD_WORDS, plain))  # "actually no, it's orange"
    if not leads:
        return False
    rest = plain[len(leads):]
    start = next((len(way) for way in _CORRECTED_AS if tuple(rest[:len(way)]) == way), 0)
    value = rest[start:]
    return ((start > 0 or not set(leads) <= _ONLY_WITH_A_WAY) and 0 < len(value) <= _CORRECTED_WORDS
            and not set(value) & _NO_VALUE)


# How a user takes a value back: "not Vexmoor, Brisbane!", "sorry, i meant 61, not 108.", "i said
# Zephyrine but i meant Anouk." (the corrections of engine.data.memory_facts).
_NOT = frozenset(("not", "isn't", "wasn't", "aren't"))
_DENIED_MOST = 4  # words after a "not" that it can deny, up to the first punctuation
_RELATIVE = frozenset(("who", "that", "which", "whose"))  # a clause of another's: "... who used to be a sculptor"
_NOT_DENYING = frozenset("allowed able going sure supposed like have eat drink want need".split())  # "i'm not
# allowed ...": what they don't do, not a value taken back


def _denied(sentence: Sequence[str]) -> set[str]:
    """The content words a sentence (its words) takes back: the few after "not" or "used to (be)"
    up to a comma ("my favourite colour used to be blue": no longer), and those between "i said"
    and "but"."""
    words = [word.lower() for word in sentence]
    out: set[str] = set()
    for i, word in enumerate(words):
        if word in _NOT and (words[i + 1:i + 2] and (_doing_word(words[i + 1]) or words[i + 1] in _NOT_DENYING)):
            continue  # "i'm not eating any sugar or bread": what they don't do, not a value taken back
        if word in _NOT or words[i - 1:i + 1] == ["used", "to"] and i > 1 and words[i - 2] not in _RELATIVE or (
                i == 1 and words[:2] == ["used", "to"]):  # not "a guy called Bernard who used to be a sculptor"
            after = []
            for next_word in words[i + 1:i + 1 + _DENIED_MOST]:
                if not any(ch.isalnum() for ch in next_word):
                    break
                after.append(next_word)
            out |= _token_content(after)
    for i in range(len(words) - 1):
        if words[i:i + 2] == ["i", "said"] and "but" in words[i + 2:]:
            out |= _token_content(words[i + 2:words.index("but", i + 2)])
    return out


def _corrected(told: list[Telling]) -> list[Telling]:
    """``told`` with the last sentence whose words a later one takes back as "X, not Y" or "not Y,
    X" (:func:`_put_right`) saying X where it said Y: "i'm going to Iceland in february" after
    "actually it's march, not february" -> "i'm going to iceland in march"."""
    out = list(told)
    for at, later in enumerate(told):
        right = _put_right(later.words) if later.denied else None
        if right is None:
            continue
        wrong, value = right
        for i in reversed(range(at)):  # the newest that says it, as :func:`taken_back` reads
            words = out[i].words
            found = next((j for j in range(len(words) - len(wrong) + 1) if words[j:j + len(wrong)] == wrong), None)
            if found is not None:
                words = words[:found] + value + words[found + len(wrong):]
                out[i] = out[i]._replace(words=words, said=out[i].said - later.denied | _token_content(value),
                                         about=out[i].about - later.denied | _token_content(value))
                break
    return out


_LEADS_A_VALUE = frozenset("in on at to from for by called named".split())


def _put_right(words: Sequence[str]) -> Optional[tuple[tuple[str, ...], tuple[str, ...]]]:
    """(what was wrong, what is right) of a sentence that puts a value right, "(actually) (it's) X,
    not Y", "not Y, X" or "... in X not Y" (X after "in", "to", "called" ...: :data:`_LEADS_A_VALUE`),
    each of a few words (:data:`_CORRECTED_WORDS`); else None."""
    words = tuple(words)
    if "not" not in words:
        return None
    at = words.index("not")
    wrong = tuple(itertools.takewhile(lambda word: any(ch.isalnum() for ch in word), words[at + 1:]))
    before = [word for word in words[:at] if any(ch.isalnum() for ch in word)]
    while before and (before[0] in _LEAD_WORDS or before[0] in ("it's", "its", "it", "is", "i", "meant", "mean")):
        before.pop(0)
    if before and words[at - 1:at] != (",",):
        # "actually we're moving in september not the summer": the words after its last "in", "to" ...
        lead = max((i for i, word in enumerate(before) if word in _LEADS_A_VALUE), default=None)
        if lead is None or not 1 <= len(before) - lead - 1 <= _CORRECTED_WORDS:
            return None  # "i do not like it" puts nothing right
        before = before[lead + 1:]
    value = tuple(before) if before else tuple(
        itertools.takewhile(lambda word: any(ch.isalnum() for ch in word), words[at + 2 + len(wrong):]))
    if not wrong or not value or len(wrong) > _CORRECTED_WORDS or len(value) > _CORRECTED_WORDS:
        return None
    return wrong, value


def as_it_was(told: list[Telling], asked: str) -> list[Telling]:
    """Where ``asked`` asks what used to be ("where did i use to live?"), the sentences of ``told``
    that say what used to be, with what they take back kept ("i used to live in Dublin but now i
    live in Leeds"); else none. A question of what someone did asks what used to be too ("who did
    he belong to?" after "he used to belong to my grandad"), unless it asks what the user said, or how or
    when."""
    question = tokenize(asked.lower())
    did = "did" in question[:3] and not set(question) & _RECALLING and question[:1] not in (["how"], ["when"])
    # (not "how long did he work down the pit?", which "he worked down the pit for 30 years" answers)
    if not (within(("use", "to"), question) or within(("used", "to"), question) or did):
        return []
    return [telling._replace(denied=set(), valued=True) for telling in told if within(("used", "to"), telling.words)]


def taken_back(reply: str, told: list[Telling]) -> bool:
    """Whether the value ``reply`` states was taken back (:func:`_denied`), in part or whole, in the
    last sentence of ``told`` that says it: "Not Vexmoor, Brisbane!" takes Vexmoor back, and
    "actually, York" after "i live in Leeds" takes back "york Leeds" as well as "Leeds"."""
    value = stated_value(reply)
    return _taken_back(content_words(value) if value else set(), told)


def _taken_back(words: set[str], told: list[Telling]) -> bool:
    last = next((t for t in reversed(told) if words & t.said), None)
    return last is not None and bool(words & last.denied)


def kinds(words: Iterable[str]) -> set[str]:
    """The :data:`KIND_WORDS` among ``words`` (lower case), a plural as its singular ("dogs"), in
    one spelling ("color" as "colour", as :func:`content_words` spells it)."""
    out = set()
    for word in words:
        word = word[:-1] if word not in KIND_WORDS and word.endswith("s") else word
        if word in KIND_WORDS:
            out.add(_SPELLINGS.get(word, word))
    return out


def misplaced(reply: str, told: list[Telling], asked: str = "") -> bool:
    """Whether ``reply`` states a value as something other than what the user told it as, by any of the
    rules below (each a function of its own, with its examples): as another topic than the question
    ``asked`` is about, as the user's name where a friend's was told or the other way round, as a
    topic where it was told as a favourite thing, as one kind of thing where it was told as another,
    as what the user is where they told it as where they are, as what they work as where it was told
    as no job, as no time or place to a question of when or where (no colour to one of what colour),
    as where they live where they told it as where they are going, back from, grew up, wish to live
    or are about to move to, when or where they are from, as a topic where it was told as a kind of
    thing, as a favourite where none was spoken of, as the user's name where it was told as
    another's, as a name where it was told as a number, a place, a state, a doing or a thing, as who
    the user is where it was told as a thing of theirs, to a question of the user's name where it was
    told as no name and a name was, or of someone of theirs to a question about another, or as what
    the user is called where they said they are called otherwise, cut off where its sentence goes on,
    as a name to a question of yes or no, as their home where it was told as no place, as the user's
    name to a question of the name of someone or something of theirs, as what they would do where it
    was told as no plan, without the word that told which one the thing asked is, or as one of
    several told together where all are asked, or as what they are where it was told as a thing they
    have or are doing or as the name of a thing, or as the name of something of theirs where it was
    told as the user's own or another someone's, or as a favourite where it was told as what the
    favourite does or as when something was, or as a favourite of another kind than it was told as. A
    reply that states no value (:func:`stated_value`) is never misplaced."""
    value = stated_value(reply)
    if not value:
        return False
    words = content_words(value)
    telling_it = [telling for telling in told if words & telling.said]
    return (_other_topic(reply, asked) or _other_person(reply, asked, words, telling_it)
            or _favourite_as_topic(reply, asked, telling_it) or _other_kind(reply, asked, telling_it, told)
            or _told_as_other_topic(reply, asked, telling_it) or _someone_elses(reply, asked)
            or _asked_of_another(asked, telling_it, told) or _never_what_they_are(reply, value, asked, telling_it)
            or _where_as_what(reply, value, telling_it) or _never_as_a_job(reply, value, asked, telling_it)
            or _not_as_asked(reply, asked)
            or _trip_as_home(reply, telling_it) or _time_as_theirs(reply, value)
            or _from_as_home(reply, value, asked, telling_it) or _origin_as_home(reply, telling_it)
            or _someone_elses_name(reply, value, telling_it) or _user_named_for_another(reply, asked)
            or _kind_as_topic(reply, asked, telling_it) or _favourite_unsaid(reply, value, asked, telling_it)
            or _number_as_name(reply, set(tokenize(value)))
            or _told_after_as_name(reply, value, telling_it, _BEFORE_A_PLACE, _ANSWERS_TO, asked)
            or _told_after_as_name(reply, value, telling_it, _BEFORE_A_STATE, (), asked)
            or _told_after_as_name(reply, value, telling_it, _BEFORE_A_TIME, (), asked)
            or _doing_as_name(reply, value, telling_it) or _theirs_as_them(reply, value, telling_it)
            or _name_told_elsewhere(asked, telling_it, told)
            or _thing_as_doing(reply, value, telling_it) or of_another_someone(reply, asked)
            or _not_what_they_call(reply, value, asked, told) or _cut_off(value) or _names_unasked(reply, asked)
            or _home_unplaced(reply, value, telling_it) or _would_unplanned(reply, value, telling_it)
            or _the_users_as_mine(reply, value) or _which_one_unsaid(value, asked, telling_it)
            or _one_of_many(value, asked, telling_it, reply) or _had_as_been(reply, value, telling_it)
            or _doing_dropped(reply, value, telling_it) or _name_as_being(reply, value, telling_it)
            or _users_name_as_theirs(reply, value, asked, telling_it) or _named_for_another(reply, value, telling_it)
            or _favourites_deed_as_it(reply, value, telling_it) or _when_as_favourite(reply, value, telling_it)
            or _favourite_of_another_kind(reply, asked, telling_it)
            or _beside_the_asked(value, asked, telling_it) or _with_as_name(reply, value, telling_it))


def _with_as_name(reply: str, value: str, telling_it: list[Telling]) -> bool:
    """The user's name where every sentence telling the value said it after "with": "Your name is Vodafone." after
    "i'm with Vodafone at the moment" (one is never with oneself)."""
    first = tokenize(value)[:1]
    return bool(first) and bool(telling_it) and bool(_YOUR_NAME.match(plain(reply))) and all(
        _said_after(first[0], telling.words, ("with",)) for telling in telling_it)


def _beside_the_asked(value: str, asked: str, telling_it: list[Telling]) -> bool:
    """A value told after the same small word as the thing the question asks of, in one sentence: what
    stands beside the thing asked, not what it was told with: "It's chemistry." to "what did i get in
    biology?" after "i got an A in chemistry and a B in biology"."""
    question, said = last_sentence(asked), tokenize(value)
    asked_after = {(word, after) for word, after in zip(question, question[1:])
                   if word in _PLACED and after.isalpha() and after not in STOP_WORDS}
    return any((before, said[0]) in pairs and said[0] != after and (before, after) in pairs
               for telling in telling_it for pairs in [set(zip(telling.words, telling.words[1:]))]
               for before, after in asked_after) if said else False


def _one_of_many(value: str, asked: str, telling_it: list[Telling], reply: str = "") -> bool:
    """A value that is one of several told together ("Ruby and Alfie") where the question asks of
    them all: "Your kids is called Alfie." to "what are my kids called?" after "my kids are called
    Ruby and Alfie"; or a ``reply`` that names one someone where the question asks the names of
    several ("Your son is called Arlo." to "what are my kids called?")."""
    question = last_sentence(asked)
    plural = _plural_someones(question) if "me" not in question else set()  # not "what do my friends call me?"
    if plural and set(question) & _NAMED and reply and not set(tokenize(reply)) & (
            plural | {word[:-1] for word in plural}):
        return True  # "Your son is called Arlo." to "what are my kids called?": one of them
    many = {"are", "were"} & set(question) or any(
        word.endswith("s") and (kinds([word]) or word[:-1] in KIN) for word in question) or set(question) & _MANY
    if not many:
        return False
    said = tuple(tokenize(value))
    for telling in telling_it:
        words = telling.words
        namings = sum(word in ("called", "named") for word in words)  # "a pug called Waffles and a lab called Bear"
        for i in range(len(words) - len(said) + 1):
            if tuple(words[i:i + len(said)]) == said and (
                    words[i - 1:i] == ("and",) or words[i + len(said):i + len(said) + 1] == ("and",) or namings > 1):
                return True
    return False


_ORDINALS = frozenset("""first second third fourth fifth sixth seventh eighth ninth tenth eleventh twelfth thirteenth
    fourteenth fifteenth twentieth top bottom ground""".split())


def _numbered(word: str) -> bool:
    """Whether ``word`` tells which one of many by its number: "4", "4th", "fourth", "204b"."""
    return word in _ORDINALS or word[:1].isdigit()


_NO_WHICH = frozenset("other single one any every each same whole own only".split())  # "one single drink"


def _which_one_unsaid(value: str, asked: str, telling_it: list[Telling]) -> bool:
    """A value that leaves out the word by which the user told which one the thing asked about is,
    a number or a word before it ("You said you live in a flat." to "which floor do i live on?"
    after "i've just moved into a flat on the fourth floor"; so too "room 204", "platform 9", "the
    38 bus"; "You said you're a nurse." to "what ward do i work on?" after "i'm a nurse on a
    cardiac ward", "a children's ward"; not a word before a kind of favourite thing: "if i had to pick one single drink
    it would be kvass")."""
    question = last_sentence(asked)
    if question[:1] not in (["which"], ["what"]) or len(question) < 2 or question[1] in STOP_WORDS | _YES_NO:
        return False  # "which floor ...", not "what is ..."
    thing, said = _stem(question[1]), set(tokenize(value))
    for telling in telling_it:
        words = telling.words
        for i, word in enumerate(words):
            if _stem(word) != thing:
                continue
            number = [near for near in words[max(i - 1, 0):i] + words[i + 1:i + 2] if _numbered(near)]
            number += [near for near in words[max(i - 1, 0):i] if near.replace("'", "").isalpha() and not kinds([word])
                       and near not in STOP_WORDS | FRAME_WORDS | _FAVOURITE_WORDS | _NO_WHICH]  # "a cardiac ward"
            if number and not said & {word, *number}:
                return True
    return False


def _the_users_as_mine(reply: str, value: str) -> bool:
    """A home or a name stated with the user's own "my" ("Your home is in Bristol with my partner.":
    the bot says "your"; a plan keeps the words it was told in, "renew my passport")."""
    return bool(set(tokenize(value)) & _THE_USERS) and any(
        _AS_HOME.match(sentence) or _NAMES_IT.search(sentence)
        for sentence in _sentences_of(reply))


_THE_USERS = frozenset(("my", "me", "mine", "myself", "i", "i'm"))


def _thing_as_doing(reply: str, value: str, telling_it: list[Telling]) -> bool:
    """A thing stated as what the user would do or as who they are ("You said you would coffee."
    after "i'm meeting my friend for coffee", "You are Google." after "i've got a job offer from
    Google"): every sentence telling it said its first word after "for", "a", "from" ...
    (:data:`_BEFORE_A_THING`)."""
    first = tokenize(value)[:1]
    if not first or not telling_it:
        return False
    sentences = _sentences_of(reply)
    if any(_WOULD.match(sentence) for sentence in sentences):
        before = _BEFORE_A_THING
    elif any(_YOU_ARE.match(sentence) for sentence in sentences) and not _numbers(set(first)):
        before = _BEFORE_A_NAME  # not a number: "alive for 94 years" is an age
    else:
        return False
    return all(_said_after(first[0], telling.words, before) for telling in telling_it)


_WOULD = re.compile(r"^(?:you said )?you would ")
_BEFORE_A_THING = frozenset("for a an the my our some his her their".split())
_BEFORE_A_NAME = frozenset("from with by since about of at for".split())  # "an offer from Google": not the user


def _said_after(word: str, words: Sequence[str], before: Iterable[str], not_two_before: Iterable[str] = ()) -> bool:
    """Whether ``word`` follows one of ``before`` somewhere in ``words`` (lower case), and not two
    words after one of ``not_two_before`` ("answers to Rex" is no place)."""
    return any(said == word and i and words[i - 1] in before and words[max(i - 2, 0)] not in not_two_before
               for i, said in enumerate(words))


def _name_as_being(reply: str, value: str, telling_it: list[Telling]) -> bool:
    """A thing's name stated as what the user is ("You said you're an Overstory." after "i'm reading a
    book called The Overstory"): every sentence telling it said it right after "called", "named" or
    "titled" (or after one and an article), of no one who is the user ("i'm called Hattie")."""
    first = tokenize(value)[:1]
    return bool(first) and bool(telling_it) and _states_being(reply) and all(
        any(said == first[0] and (i > 0 and words[i - 1] in _NAMING_WORDS and words[i - 2:i - 1] not in _SELF
                                  or i > 1 and words[i - 1] in _ARTICLES and words[i - 2] in _NAMING_WORDS
                                  and words[i - 3:i - 2] not in _SELF)
            for i, said in enumerate(words))
        for words in (telling.words for telling in telling_it))


_NAMING_WORDS = frozenset(("called", "named", "titled"))
_SELF = (("i'm",), ("im",), ("am",), ("i",))


def _names_as_told(reply: str) -> bool:
    """Whether ``reply`` states a value as the name of someone or something ("... is called ...",
    "Your name is ...", "Your best friend is ...", "You mentioned your friend ...", "It's ..., your
    doctor." of someone of theirs, but not "It's red, your car.")."""
    return bool(_NAMES_IT.search(plain(reply))) or _stated_as(_FRIEND_IS, reply) or any(
        _someone(match.group(1)) for match in map(_ITS_SOMEONE.match, _sentences_of(reply)) if match)


_FRIEND_IS = re.compile(r"^(?:you said )?(?:your best friend is|you mentioned your (?:best )?friend)\b")
_ITS_SOMEONE = re.compile(r"^it's [\w' ]+, your ([\w']+)$")


def _number_as_name(reply: str, value: set[str]) -> bool:
    """A number stated as a name: "Your rabbit is called two." after "i have a cat and two rabbits",
    "Your name is ninety."."""
    return bool(value) and all(word.replace(",", "").replace(".", "").isdigit() or set(word.split("-")) <= NUMBER_WORDS
                               for word in value) and _names_as_told(reply)  # not "BB8" nor "K9", which are names


def _told_after_as_name(reply: str, value: str, telling_it: list[Telling], before: Iterable[str],
                        not_two_before: Iterable[str] = (), asked: str = "") -> bool:
    """A value stated as a name (or stated at all to a question of a name, ``asked``: "Your best
    friend is Toronto." to "what's my best friend called?") where every sentence telling it said its
    first word after one of ``before`` (and not two after one of ``not_two_before``,
    :func:`_said_after`): a place after "to", "in", "at" ... (:data:`_BEFORE_A_PLACE`: "Your
    brother's name is Berlin." after "my brother Kofi is moving to Berlin in march"), how someone
    is after "been", "feeling", "so" ... (:data:`_BEFORE_A_STATE`: "Your cat is called sick." after
    "my cat Pickle has been sick"), a time after "on", "every" ... (:data:`_BEFORE_A_TIME`: "Your cat is
    called thursday." after "i take my cat to the vet on thursday")."""
    first = tokenize(value)[:1]
    as_name = _names_as_told(reply) or _asks_a_name(last_sentence(asked))
    return (bool(first) and bool(telling_it) and as_name
            and all(_said_after(first[0], telling.words, before, not_two_before) for telling in telling_it))


def _asks_a_name(question: Sequence[str]) -> bool:
    """Whether a question (its lower-case words) asks a name: "what's my best friend called?", "what do
    my friends call me?", not "which place do i call home?"."""
    return bool(set(question) & (_NAMED - {"call", "calls"})) or any(
        word in ("call", "calls") and question[i + 1:i + 2] in (["me"], ["him"], ["her"], ["them"], ["it"])
        for i, word in enumerate(question))


_BEFORE_A_PLACE = frozenset("to in at from near into".split())
_BEFORE_A_TIME = frozenset("on every until till since".split())  # "Your cat is called thursday.": "on thursday"
_ANSWERS_TO = frozenset("answers answer answered responds listens".split())


_BEFORE_A_STATE = frozenset("been feeling feel felt so very really quite bit".split())


def _doing_as_name(reply: str, value: str, telling_it: list[Telling]) -> bool:
    """A doing or a thing stated as a name ("Your cat's name is scratching.", "Your cat is called
    sofa." after "my cat Luna keeps scratching the sofa"), or what the user is ("Your cat is called
    allergic." after "i'm allergic to cats"): no sentence telling it said it after "called", "named"
    or "name is" (:data:`NAME_LEADS`), and its first word ends in "-ing" or every one said it after
    "the", "a", "an", "i", "we" or "they" or a word of doing ("i run a dog walking business"), or as
    what someone is about something (:func:`_trait`), or as a pastime taken up ("i've taken up pottery")."""
    first = tokenize(value)[:1]
    if not first or not telling_it or not _names_as_told(reply):
        return False
    word = first[0] if first[0] not in _ARTICLES else (tokenize(value)[1:2] or first)[0]  # "the ginger"
    told = [telling for telling in telling_it if telling.words[:1] and telling.words[0] not in _QUESTION_LEADS]
    return not any(word in words_after(NAME_LEADS, telling.words) for telling in telling_it) and (
        word.endswith("ing") and len(word) > 5 or word in _PASTS  # "Your laptop is called broke."
        or all(_said_after(word, telling.words, _ARTICLES) for telling in telling_it)
        or bool(told) and all(_said_after(word, telling.words, _DOERS_OF) for telling in told)  # "i run a ..."
        or bool(told) and all(any(w == word and i and telling.words[i - 1].endswith("ing")
                                  for i, w in enumerate(telling.words)) for telling in told)  # "a dog walking business"
        or all(_said_after(word, telling.words, _BEFORE_A_DEED) for telling in telling_it)  # "has just learnt"
        or all(_said_after(word, telling.words, ("up",)) and _said_after("up", telling.words, _TAKEN_UP)
               for telling in telling_it)  # "Your teacher is called pottery." after "i've taken up pottery"
        or all(_trait(word, telling.words) for telling in telling_it
               if telling.words[:1] and telling.words[0] not in _QUESTION_LEADS))  # not "what am i allergic to?"


_DOERS_OF = frozenset(("i", "we", "they"))  # who does what follows them: "i run a dog walking business"
_BEING_WORDS = frozenset("i'm im am is are was were she's he's".split())
_I_BEING = frozenset(("i'm", "im", "am"))
_OF_A_TRAIT = frozenset("to of about with at for by".split())


def _trait(word: str, words: Sequence[str]) -> bool:
    """Whether a sentence (lower-case ``words``) says ``word`` as what someone is about something:
    after "i'm", "is" or the like and before "to", "of", "about" ("i'm allergic to cats", "she's
    scared of dogs")."""
    return any(said == word and i and words[i - 1] in _BEING_WORDS and words[i + 1:i + 2]
               and words[i + 1] in _OF_A_TRAIT for i, said in enumerate(words))


_ARTICLES = frozenset(("the", "a", "an"))
_TAKEN_UP = frozenset("take takes took taken taking give gives gave given giving".split())  # a pastime taken up
_BEFORE_A_DEED = frozenset(("just", "already", "never", "has", "have", "had"))  # "Your grandson's name is learnt."


def _name_told_elsewhere(asked: str, telling_it: list[Telling], told: list[Telling]) -> bool:
    """A value stated to a question of the user's name ("It's custard tarts." to "what's my name?")
    that no sentence telling it told as their name where another sentence did ("hey, it's Carla
    here" ... "my speciality is custard tarts")."""
    return (topics(_asked_words(asked)) == {"name"} and bool(telling_it)
            and not any("name" in telling.topics for telling in telling_it)
            and any("name" in telling.topics for telling in told))


def _theirs_as_them(reply: str, value: str, telling_it: list[Telling]) -> bool:
    """A thing of the user's stated as who they are ("You are custard tarts." after "my speciality
    is custard tarts"): every sentence telling it began with "my" or "our", said it after "is",
    "are" or "was" and spoke of no topic (not "my age is 36": "You are 36.")."""
    first = tokenize(value)[:1]
    return (bool(first) and bool(telling_it) and _stated_as(_YOU_ARE, reply)
            and not _numbers(set(first))
            and all(telling.words[:1] in (("my",), ("our",)) and not telling.topics
                    and _said_after(first[0], telling.words, ("is", "are", "was")) for telling in telling_it))


# What a name follows where the user names someone ("my daughter is called Ingrid", "call me Ted");
# all but "call me" name a thing too (:data:`_NAMES_IT`).
_CALL_ME = ("call", "me")
NAME_LEADS = (("called",), ("named",), ("name", "is"), ("name's",), ("call", "her"), ("call", "him"),
              ("calling", "her"), ("calling", "him"), _CALL_ME)
_NAMES_IT = re.compile(r"\b(?:" + "|".join(" ".join(lead) for lead in NAME_LEADS if lead != _CALL_ME) + r")\b")


def _kind_as_topic(reply: str, asked: str, telling_it: list[Telling]) -> bool:
    """A value stated as a topic (:func:`topics`: "You said you live in a red.") to a question of no
    topic that says what it asks ("what kind of car do i drive?"; not "do you remember it?") where
    every sentence telling it named a kind of thing (:func:`kinds`) and no topic ("my car is a red
    Volvo")."""
    said, question = topics(content_words(reply)), _asked_words(asked)
    return (bool(said) and bool(telling_it) and bool(question - FRAME_WORDS - ASKING_WORDS)
            and not topics(question) and all(telling.kinds and not telling.topics for telling in telling_it))


def _favourite_unsaid(reply: str, value: str, asked: str, telling_it: list[Telling]) -> bool:
    """A value stated as a favourite ("Your favourite food is amazing.") to a question that asks
    no favourite (none of :data:`FRAME_WORDS`: "what did i think of the food?"; or only those of a
    name, where every sentence telling it named it: "what's my goldfish called?" after "my
    goldfish is called Bubbles") where no sentence telling it, nor the bot's question it answered,
    said "favourite" ("the food was amazing")."""
    question, first = _asked_words(asked), tokenize(value)[:1]
    named = bool(first) and all(first[0] in words_after(NAME_LEADS, telling.words) for telling in telling_it)
    return (bool(_FAVOURITE.search(plain(reply))) and bool(telling_it)
            and (not question & FRAME_WORDS or named and question & FRAME_WORDS <= _NAMED)
            and bool(question - ASKING_WORDS)
            and not any(telling.about & _FAVOURITE_WORDS for telling in telling_it))


def _when_as_favourite(reply: str, value: str, telling_it: list[Telling]) -> bool:
    """A value stated as a favourite ("Your favourite bread is lockdown.") that every sentence telling
    it said as when something was ("i've been learning to bake bread during lockdown")."""
    first = tokenize(value)[:1]
    return (bool(first) and bool(telling_it) and bool(_FAVOURITE.search(plain(reply)))
            and all(_said_after(first[0], telling.words, ("during", "since", "until", "till"))
                    for telling in telling_it))


def _favourite_of_another_kind(reply: str, asked: str, telling_it: list[Telling]) -> bool:
    """A value stated as the favourite ``asked`` of ("Your favourite song is Terry Pratchett.", "You love
    Terry Pratchett." to "what's my favourite song?") that every sentence telling it said as a favourite
    of another kind ("my favourite author is Terry Pratchett")."""
    wanted = _favourite_kinds(tokenize(asked))
    said = plain(reply).lower()
    return (bool(wanted) and bool(telling_it) and bool(_FAVOURITE.search(said) or _THE_USERS_FAVOURITE.match(said))
            and all(told_of and not told_of & wanted
                    for told_of in (_favourite_kinds(telling.words) for telling in telling_it)))


def _favourite_kinds(words: Sequence[str]) -> set[str]:
    """The stems of the kinds a sentence or question (lower-case ``words``) speaks of a favourite of:
    "my favourite author is ..." -> {"author"}; none of "my favourite is ..."."""
    return {_stem(after) for word, after in zip(words, words[1:]) if word in _FAVOURITE_WORDS and after.isalpha()
            and after not in _BEING_WORDS | {"thing", "one", "things", "ones"}}


def _favourites_deed_as_it(reply: str, value: str, telling_it: list[Telling]) -> bool:
    """A value stated as a favourite ("You said brownies is your favourite bakery.") that every
    sentence telling it said as what the favourite does or has, after its name ("my favourite bakery
    does gluten free brownies")."""
    first = tokenize(value)[:1]
    if not first or not telling_it or not _FAVOURITE.search(plain(reply)):
        return False
    return all(bool(match) and first[0] in telling.words[telling.words.index(match.group(1).split()[-1]) + 1:]
               for telling in telling_it for match in [_FAVOURITE_DOES.search(" ".join(telling.words))])


# What a favourite does or has: "my favourite bakery does ...", "my favourite band has a new album".
_FAVOURITE_DOES = re.compile(r"\bfavou?rite (?:[\w']+ ){1,2}?((?:does|do|did|makes|made|sells|sold|serves|served"
                             r"|has|had|plays|played|won|wins|brought|released))\b"
                             r"(?! (?:to be|been|always been|got to be|gotta be)\b)")  # "has to be": is
_FAVOURITE = re.compile(r"\bfavou?rite\b")
_FAVOURITE_IS = re.compile(r"^my (?:favou?rite|fave)(?: one)? is\b")  # "my favourite is a sourdough"
_NAMED = frozenset("name names named called call calls".split())
_NAME_ASKED = frozenset(("name", "called", "named"))  # what a question of a name says
_FAVOURITE_WORDS = frozenset("favourite favorite fave favourites favorites".split())
_FAVOURING = _FAVOURITE_WORDS | frozenset("love loves loved adore adores best prefer prefers".split())


_GOING = frozenset("going go goes went trip travel travelling traveling flying fly flew visit visiting visited "
                   "holiday vacation booked".split())
_LIVING = frozenset("live lives living lived home moved move from".split())


def _trip_as_home(reply: str, telling_it: list[Telling]) -> bool:
    """A value stated as where the user lives ("You said you live in Colorado.") that every sentence
    telling it said as where they are going or are back from ("i'm going skiing in Colorado next
    week", "we flew to Lima", "i just got back from Iceland") and none as where they live, or as
    where they wish or are about to live ("i want to move to Valencia one day", "i'm moving to
    Canada next year")."""
    return bool(telling_it) and _stated_as(_AS_HOME, reply) and all(
        (set(telling.words) & _GOING or _back_from(telling.words))
        and not set(telling.words) & _LIVING - _back_from(telling.words)
        or any(within(wish, telling.words) for wish in _WISHES) for telling in telling_it)


_WISHES = (("want", "to"), ("wants", "to"), ("would", "like", "to"), ("i'd", "like", "to"), ("hope", "to"),
           ("moving", "to"), ("going", "to", "move"),
           ("dream", "of"), ("one", "day"), ("someday",))


# Words after which a doing is one the user means to do ("i'll meet Sam", "i want to visit Rome", "then see").
_BEFORE_A_PLAN = frozenset("""to i we i'll ill we'll will would i'd we'd gonna wanna should could might can shall must
and then or also""".split())


def _would_unplanned(reply: str, value: str, telling_it: list[Telling]) -> bool:
    """A value stated as what the user would do ("You said you would Spanish.") whose first word
    every sentence telling it said after a word that begins no plan ("i'm learning Spanish on
    Duolingo"; "i'm going to Paris": a "to" of going; "i'm training to be a paramedic": of learning; not "i'll
    meet Sam for lunch" or "i want to visit Rome")."""
    if not _stated_as(_WOULD, reply):
        return False
    first = tokenize(value)[:1]
    spots = [telling.words[max(i - 2, 0):i] for telling in telling_it for i, word in enumerate(telling.words)
             if first and word == first[0] and i]
    going_to = first and first[0] not in _DOINGS  # "going to Paris", not "going to see Coldplay"
    return bool(spots) and all(spot[-1].isalpha() and (spot[-1] not in _BEFORE_A_PLAN or spot[-1] == "to" and (
        going_to and spot[:1] and spot[0] in _GOING or spot[:1] and spot[0] in _LEARNING_TO)) for spot in spots)


_LEARNING_TO = frozenset("training learning studying trying".split())  # "i'm training to be a paramedic": no plan


def _from_as_home(reply: str, value: str, asked: str, telling_it: list[Telling]) -> bool:
    """A value stated as where the user lives, to a question not of where they are from, that every
    sentence telling it said as where they are from beside where they live: "You live in Harare."
    to "where do i live?" after "i'm from Harare but i live in London now"."""
    first = tokenize(value)[:1]
    return (bool(telling_it) and bool(first) and not _WHERE_FROM.search(asked.lower())
            and _stated_as(_AS_HOME, reply)
            and all(within(("from", first[0]), telling.words)
                    and (within(("live", "in"), telling.words) or within(("living", "in"), telling.words))
                    for telling in telling_it))


def _origin_as_home(reply: str, telling_it: list[Telling]) -> bool:
    """A value stated as where the user lives ("You said you live in a small town.") that every
    sentence telling it said as where they grew up or were born (:func:`_origin`) and not as where
    they live."""
    return (bool(telling_it) and _stated_as(_AS_HOME, reply)
            and all(_origin(telling.words) and not set(telling.words) & {"live", "living", "lives"}
                    for telling in telling_it))


def _someone_elses_name(reply: str, value: str, telling_it: list[Telling]) -> bool:
    """A value stated as the user's own name or as who they are ("Your name is Sam.", "You said
    you're Aisha.") that no sentence telling it introduced them by and every one told as the name
    of someone or something else ("the youngest is called Sam", "my dog's name is Rex", "i'm
    meeting my friend Aisha for coffee")."""
    if not telling_it or not any(_YOUR_NAME.match(sentence) or _YOU_ARE.match(sentence)
                                 for sentence in _sentences_of(reply)):
        return False
    first = tokenize(value)[:1]
    return all(_after_someone(first, telling.words) or _called_after_another(first, telling.words)
               or telling.words[:1] not in (("i'm",), ("im",), ("i",))
               and not any(within(lead, telling.words) for lead in _INTRODUCED)
               and (within(("is", "called"), telling.words) or within(("name", "is"), telling.words)
                    or "named" in telling.words) for telling in telling_it)


def _named_for_another(reply: str, value: str, telling_it: list[Telling]) -> bool:
    """A name stated as that of someone of the user's ("Your daughter's name is Arlo.") where every
    sentence telling it named it after another of theirs, the nearest before it ("my son is called
    Arlo and he's 8"; :func:`_someone`)."""
    first = tokenize(value)[:1]
    said = {_whom(word) for word in tokenize(reply) if _someone(word)}
    if not first or not said or not telling_it or not _names_as_told(reply):
        return False
    nearest = [next((_whom(word) for word in reversed(words[:words.index(first[0])]) if _someone(word)), None)
               for words in (telling.words for telling in telling_it)
               if first[0] in words and words[:1] and words[0] not in _QUESTION_LEADS]  # not "how old is arlo?"
    return bool(nearest) and all(whom is not None and whom not in said for whom in nearest)


def _users_name_as_theirs(reply: str, value: str, asked: str, telling_it: list[Telling]) -> bool:
    """The user's own name stated as the name of someone or something of theirs ("Your dog is called
    Hattie.", "It's Hattie, your dog." to "what's my dog called?" after "everyone calls me Hattie"):
    every sentence telling it named the user, right after "my name is", "call me", "i'm called" ... ."""
    question, first = last_sentence(asked), tokenize(value)[:1]
    return (bool(first) and bool(telling_it) and bool(set(question) & _NAMED)
            and any(map(_theirs, question))
            and not within(("your", "name"), tokenize(reply))
            and all(any(within((*lead, first[0]), telling.words) or within((*lead, "is", first[0]), telling.words)
                        for lead in _INTRODUCED) for telling in telling_it))


def _user_named_for_another(reply: str, asked: str) -> bool:
    """The user's own name stated ("Your name is Rolo.", "It's Hannah, your name.") to a question of
    the name of someone or something of theirs ("what's my puppy's name?", "what's his name?" asked
    of the puppy), by a reply that names none of them."""
    question, said = last_sentence(asked), tokenize(reply)
    return (bool(set(question) & _NAMED) and any(_someone(word) for word in question)
            and within(("your", "name"), said) and not any(_someone(word) for word in said))


def _called_after_another(value: Sequence[str], words: Sequence[str]) -> bool:
    """Whether ``value`` (its first word, a list of it) is what ``words`` (lower case) call something or someone
    other than the user ("i'm playing a butler called Jeeves"; not "i'm called Jo", "everyone calls me Jo")."""
    return bool(value) and any(word == value[0] and i > 1 and words[i - 1] in ("called", "named") and words[
        i - 2] not in ("i'm", "im", "am", "i", "me", "be", "been", "get", "got", "gets", "was", "is")
                               for i, word in enumerate(words))


def _after_someone(value: Sequence[str], words: Sequence[str]) -> bool:
    """Whether ``value`` (its first word, a list of it) follows someone of the user's in ``words``
    ("my friend Aisha")."""
    return bool(value) and any(word == value[0] and i and _someone(words[i - 1]) for i, word in enumerate(words))


_YOUR_NAME = re.compile(r"^(?:you said )?your name is ")
_YOU_ARE = re.compile(r"^(?:you said )?(?:you're|you are) (?!an? |the )")
_INTRODUCED = (*INTRODUCING, ("my", "name"), ("named", "me"), ("called", "me"))  # "they named me Drugan"


def _time_as_theirs(reply: str, value: str) -> bool:
    """A time (:data:`_TIME`) stated as where the user lives or what they are or do ("You said you
    live in mondays.", "You work as a mondays." after "i work from home on mondays and fridays"),
    or a number as where they live ("You said you live in 6.")."""
    sentences = _sentences_of(reply)
    return (bool(_TIME.fullmatch(value.removeprefix("a ").removeprefix("an ")))
            and any(_AS_THE_USER.match(sentence) for sentence in sentences)
            or value.isdigit() and any(_AS_HOME.match(sentence) for sentence in sentences))


def _back_from(words: Sequence[str]) -> set[str]:
    """{"from"} where ``words`` come "back from" somewhere (a trip, not a home), else none."""
    return {"from"} if within(("back", "from"), words) else set()


_AS_HOME = re.compile(r"^(?:you said )?(?:you live in|your home is|in) ")


def _not_as_asked(reply: str, asked: str) -> bool:
    """A reply that says no time (:data:`_TIME`) to a question of when ("You are 10." to "when is my
    interview?" after "i have a job interview tomorrow at 10"), no place (:data:`_PLACE`) to a
    question of where ("You said you're tired." to "where do i work?"), no number to one of how many
    (:data:`_AMOUNT`: "Your parrot is called Kiwi." to "how many words can my parrot say?"), no
    age to one of how old (:data:`_AGE`: "You are old.") or no price to one of a price (:data:`_MONEY`:
    "You said your goal is to run 5k without stopping." to "how much does it cost?"), or that names
    something to a question of where, when, how many, how old, what colour or what kind ("Your
    interview is called thursday.", "Your bike is called green.", "Your rabbit is called adopted
    two.", "Your puppy is called Rolo." to "what breed is my puppy?") or what someone does ("Your dog
    is called barks." to "what does my neighbour's dog do?", "Your cat is called sixteen and deaf." to
    "what does my cat love?", "Your best friend is Chloe." to "what does she do?"); or no
    colour to a question of what colour a thing of the user's is, not of a favourite ("It's Volvo,
    your car." to "what colour is my car?" after "my car is a red Volvo"); or a home to a question
    of who ("Your home is in Manchester." to "who do i live with?" after "i live with my partner
    Sam in Manchester") or to one of what or which that asks no home ("You said you live in a
    choir." to "what am i in?" after "i'm in a choir"), or to one of where they grew up or were born
    ("You said you live in Bristol." to "where did i grow up?" after "i live in Bristol but i
    grew up in Cornwall"), or what they work as to one of what kind of other thing ("You work as a
    chef." to "what kind of restaurant do i work at?"). A question of what time asks when, here."""
    question = last_sentence(asked)
    answer, said = _answer_of(question), " ".join(tokenize(reply))
    # "what time is my test?": "Your test is tomorrow." says when
    answer = _TIME if answer in (_CLOCK, _WHEN_ONCE, _WHEN_NOT_LONG, _DURATION) else answer  # "how long ...?": any time
    colour = bool(set(question) & {"colour", "color"}) and not set(question) & FRAME_WORDS
    kind = bool(set(question) & _KIND_CUES) and not set(question) & _NAMED  # "what breed is my puppy?"
    # "what kind of restaurant do i work at?": not "You work as a chef."
    kind_of = {question[i + 2] for i, word in enumerate(question[:-2])
               if word in _KIND_CUES and question[i + 1] == "of"}
    doing = (question[:1] == ["what"] and question[1:2] in (["does"], ["did"], ["do"], ["can"], ["will"])
             and not set(question) & _NAMED)  # "what does my neighbour's dog do?", "what does my cat love?"
    return (answer in (_TIME, _PLACE, _AMOUNT, _AGE, _MONEY) and not answer.search(said)  # "how much does it cost?"
            or (answer in (_TIME, _PLACE, _AMOUNT, _AGE, _MONEY) or colour or kind or doing)
            and bool(_NAMING_IT.search(said))
            or doing and _stated_as(_FRIEND_IS, reply)  # "Your best friend is Chloe." to "what does she do?"
            or colour and not set(tokenize(reply)) & _COLOURS
            or question[:1] == ["who"] and _stated_as(_AS_HOME, reply)
            or question[:1] in (["what"], ["which"]) and _stated_as(_AS_HOME, reply)  # "what am i in?"
            and not set(question) & (TOPICS["home"][1] | _OF_HOME)
            or kind and _stated_as(_AS_WORKING, reply) and bool(kind_of) and not kind_of & _JOB_CUES
            or question[:1] == ["where"] and _stated_as(_AS_HOME, reply)  # "where did i grow up?"
            and bool(set(question) & _ELSEWHERE) and not set(question) & TOPICS["home"][1])


# A question of where that asks of somewhere other than a home: "where did i grow up?", "where was i born?"
_ELSEWHERE = frozenset("grow grew raised born".split())


_NAMING_IT = re.compile(r"\b(?:is called|name is|you named)\b")
# Words of a question about a home besides the home topic's (:data:`TOPICS`).
_OF_HOME = frozenset("hometown country county state from place area region".split())


_AS_A_JOB = re.compile(r"^(?:you said )?(?:you work as|you're an?|you are an?) ")
_PLACED = frozenset(("at", "in", "on", "into", "for", "from"))


def _where_as_what(reply: str, value: str, telling_it: list[Telling]) -> bool:
    """A value stated as what the user works as or is ("You work as a bakery.") that every sentence
    telling it said as where they are (:func:`_placed`): "i'm a nurse at the children's hospital",
    "i just started a new job at a bakery", "i volunteer at an animal shelter"."""
    if not telling_it or not _stated_as(_AS_A_JOB, reply):
        return False
    first = tokenize(value)[:1]
    if not first:
        return False
    for telling in telling_it:
        words = telling.words
        at = [i for i, word in enumerate(words) if word == first[0]]
        if not at or not all(_placed(words, i) for i in at):
            return False
    return True


def _names_unasked(reply: str, asked: str) -> bool:
    """A name stated ("Your cat is called sad.") to a question of yes or no or of how about the user
    ("do i love cats?", "how is my dog now?"), which asks none."""
    question = last_sentence(asked)
    return (question[:1] != [] and question[0] in _YES_NO | {"how"} and bool(set(question) & FIRST_PERSON)
            and not set(question) & (_NAMING_CUES | TOPICS["name"][1])  # "how was i introduced to you?"
            and bool(_NAMING_IT.search(" ".join(tokenize(reply)))))


_YES_NO = frozenset("do does did am is are was were have has can could will would".split())


def _home_unplaced(reply: str, value: str, telling_it: list[Telling]) -> bool:
    """A value stated as the user's home ("You said you live in fish." after "my grandad is teaching
    me to fish") that no sentence telling it said as a place (:func:`_placed`), spoke of a home in or
    corrected."""
    first = tokenize(value)[:1]
    return (bool(first) and bool(telling_it) and _stated_as(_AS_HOME, reply)
            and not any("home" in telling.topics or _begins_correcting(telling.words)  # "no wait, it's York"
                        or any(_placed(telling.words, i) for i, word in enumerate(telling.words) if word == first[0])
                        for telling in telling_it))


_LEADS_ON = frozenset("because and but or so which that to of with for the a an my your".split())


def _cut_off(value: str) -> bool:
    """A value that stops where its sentence goes on ("Your cat is called sad because." of "... which
    is sad because i love them"): it ends with a word that leads on to more (:data:`_LEADS_ON`)."""
    words = tokenize(value)
    return bool(words) and words[-1] in _LEADS_ON


_AS_WORKING = re.compile(r"^(?:you said )?you work as ")
_BEFORE_A_JOB = frozenset(("a", "an", "as", "the", "i'm", "im", "am", "is"))
# What one does to a thing, not what one works as: "i drive a taxi", "i own a bakery".
_DONE_WITH = frozenset("drive drives ride rides own owns have has got bought use uses sell sells rent rents run runs "
                        "manage manages bake bakes make makes cook cooks build builds fix fixes repair repairs teach "
                        "teaches clean cleans write writes paint paints grow grows design designs".split())


def _never_as_a_job(reply: str, value: str, asked: str, telling_it: list[Telling]) -> bool:
    """A value stated as what the user works as that no sentence telling it said after "a", "an",
    "as", "the" or "i'm" ("You work as an honest." after "i hate my job to be honest"), or that every
    one said as a thing they drive, own or use ("You work as a taxi." after "i drive a taxi"; so
    too "You're a bus." to "what do i do for work?" after "i drive a bus for a living"), or as a thing
    of theirs ("You work as a truffle risotto." after "my signature dish is a truffle risotto")."""
    first = tokenize(value)[:1]
    working = _stated_as(_AS_WORKING, reply)
    being = "job" in topics(_asked_words(asked)) and _stated_as(_BEING, reply)  # not "sorry, i meant actuary"
    if not first or not telling_it or not (working or being):
        return False
    return (working and not any(_said_after(first[0], telling.words, _BEFORE_A_JOB) for telling in telling_it)
            or all(_done_with(first[0], telling.words) for telling in telling_it)
            # "You work as a truffle risotto." after "my signature dish is a truffle risotto"
            or working and all(telling.words[:1] in (("my",), ("our",)) and not set(telling.words[:4]) & _JOB_CUES
                               and _said_after(first[0], telling.words, ("is", "was", "a", "an"))
                               for telling in telling_it))


def _done_with(word: str, words: Sequence[str]) -> bool:
    """Whether a sentence (lower-case ``words``) says ``word`` as a thing driven, owned or used
    (:data:`_DONE_WITH` and an article: "i drive a taxi"; or of several, with none: "i bake cakes")."""
    return any(said == word and (i > 1 and words[i - 1] in _ARTICLES and words[i - 2] in _DONE_WITH
                                 or i > 0 and words[i - 1] in _DONE_WITH and word.endswith("s"))
               for i, said in enumerate(words))


def _placed(words: Sequence[str], at: int) -> bool:
    """Whether the word ``at`` of a sentence (lower-case ``words``) ends a place: "at", "in", "for"
    or "from" and up to three words before it ("at the bakery", "at an animal shelter")."""
    return any(words[i] in _PLACED and all(word.replace("'", "").isalpha() and word not in _OPENS_CLAUSE
                                           for word in words[i + 1:at])
               for i in range(max(0, at - 4), at))


# The people of a user's life besides a friend (whose name is a topic of its own): a question about
# one ("what does my sister do?") asks nothing about the user.
KIN = frozenset("""sister sisters brother brothers mom mum mother dad father parents wife husband son
sons daughter daughters boyfriend girlfriend partner fiance fiancee aunt uncle cousin niece nephew grandma
grandpa grandmother grandfather granny grandad granddad gran nan nana grandparents stepdad stepmom stepmum
boss neighbour neighbor colleague coworker roommate flatmate housemate kid kids child children baby teacher in-laws
nephews nieces cousins aunts uncles grandson granddaughter grandsons granddaughters grandkids grandchildren
grandchild twins manager mate supervisor tutor coach landlord landlady mentor instructor trainer therapist doctor
dentist physio lecturer professor headteacher teammate teammates classmate classmates bandmate bandmates colleagues
coworkers neighbours neighbors flatmates housemates roommates stepson stepdaughter stepbrother stepsister godson
goddaughter godmother godfather""".split())
# Those who do a service for the user, someone of theirs ("the builder is called Marek"), but what someone may be
# too ("he's a plumber" says what he does, not who he is).
_SERVICE = frozenset("""builder builders plumber electrician mechanic decorator gardener cleaner childminder nanny
hairdresser barber accountant solicitor lawyer surgeon consultant midwife sensei carer counsellor optician
engineer architect surveyor artist tattooist physio physiotherapist dentist photographer tutor conductor landlady
caterer florist comedian singer speaker presenter""".split())
_AS_THE_USER = re.compile(r"^(?:you said )?(?:you're|you are|you work as|you live in|your name is|your home is)\b")


_BEING = re.compile(r"^(?:you said )?(?:you're|you are) ")
_PLANNED = re.compile(r"^(?:you said )?(?:you're|you are) going to ")


def _never_what_they_are(reply: str, value: str, asked: str, telling_it: list[Telling]) -> bool:
    """A value stated as what the user is ("You said you're peanuts.", "You said you're a Volvo.") to
    a question of no topic (:func:`topics`: "what am i allergic to?", "what kind of car do i drive?",
    not "what's my age?") where no sentence telling it said so: each is of no topic and none says
    it right after "i'm" or "i am" (and "a" or "an"): "i'm allergic to peanuts", "i'm reading a book
    about Rome", "i drive a red Toyota"; not "i'm a nurse" or "i'm 34" (an age named by the way, "i
    drive an old van", is no topic: :func:`_sure_topics`). Work is a topic that says what the user
    is only of a value told as one ("i work as a nurse", "i'm a chef at a hotel", "i'm a software
    tester at work"), not of one told by the way ("i hurt my back lifting boxes at work" -> "You
    said you're a boxes."), nor of one they would train as ("i'm thinking about training as a midwife").
    A plan ("you're going to ...") is no such statement."""
    if not telling_it or topics(_asked_words(asked)) or not _states_being(reply):
        return False
    value_words = tuple(tokenize(value))
    return all(not _sure_topics(telling) - {"job"} - (  # "my dentist is called Dr Shah" names my dentist, not me
        {"name"} if _said_after(value_words[0], telling.words, ("my", "our")) else set()) and not any(
        within((*lead, *article, *value_words[:1]), telling.words)
        and not (lead == ("as",) and within(("as", *article, *value_words[:1]), _becoming_cut(telling.words)))
        for lead in (*_I_AM, ("as",)) for article in ((), ("a",), ("an",)))
        and not (_sure_topics(telling) and _said_after(value_words[0], telling.words, _ARTICLES))
        for telling in telling_it)


def _becoming_cut(words: Sequence[str]) -> tuple[str, ...]:
    """``words`` from their "training as" (or "qualify as" ...) on: what the user would become, not is
    ("i'm thinking about training as a midwife"); () where they say none."""
    at = next((i for i in range(1, len(words)) if words[i] == "as" and words[i - 1] in _BECOMING), None)
    return tuple(words[at:]) if at is not None else ()


_BECOMING = frozenset("training train retrain retraining qualify qualifying qualified study studying".split())


def _states_being(reply: str) -> bool:
    """Whether a sentence of ``reply`` states what the user is ("You said you're ..."), not a plan
    ("you're going to ...")."""
    return any(_BEING.match(sentence) and not _PLANNED.match(sentence) for sentence in _sentences_of(reply))


def _had_as_been(reply: str, value: str, telling_it: list[Telling]) -> bool:
    """A thing the user has stated as what they are ("You said you're a bearded dragon." after "i
    have a bearded dragon called Spike"): every sentence telling it said it right after "have",
    "has", "got" or "own" (and "a" or "an")."""
    if not telling_it or not _states_being(reply):
        return False
    words = tuple(tokenize(value))
    first = words[1:2] if words[:1] in (("a",), ("an",)) else words[:1]
    return bool(first) and all(any(within((had, *article, *first), telling.words) for had in _HAD
                                   for article in ((), ("a",), ("an",))) for telling in telling_it)


_HAD = ("have", "has", "had", "got", "own", "owns")


def _doing_dropped(reply: str, value: str, telling_it: list[Telling]) -> bool:
    """What the user is doing stated as what they are ("You said you're a couch." after "i'm doing a
    couch to 5k"): every sentence telling it said a word of doing ("-ing") between "i'm" and it."""
    if not telling_it or not _states_being(reply):
        return False
    words = tuple(tokenize(value))

    def dropped(said: Sequence[str]) -> bool:
        return any(said[i] in ("i'm", "im", "we're") and said[i + 1].endswith("ing") and tuple(
            said[at:at + len(words)]) == words for i in range(len(said) - 2)
            for at in [i + 2 + (said[i + 2] in _ARTICLES)])  # "i'm doing a couch to 5k": a couch

    return bool(words) and all(dropped(telling.words) for telling in telling_it)


def _of_a_frame(asked_words: set[str]) -> bool:
    """Whether a question's words (:func:`_asked_words`) ask of a topic or a kind of thing
    (:func:`topics`, :func:`kinds`), which the frames the model was trained on state."""
    return bool(topics(asked_words) or kinds(asked_words))


def _topic_of_neither(reply: str, asked: str, telling_it: list[Telling]) -> bool:
    """A value stated as a topic (:func:`topics`: "You said you live in Norway.", "Your mom is
    called apple.") to a question of no topic ("where am i going?", "when does my laptop arrive?",
    "what did my mom bake?") where no sentence telling it spoke of that topic ("i'm going to Norway
    next month", "it arrives on friday", "my mom baked an apple pie for my birthday"): the reply
    makes up what the value is."""
    said = topics(content_words(reply))
    return (bool(said) and bool(telling_it) and not topics(_asked_words(asked))
            and not any(telling.topics & said for telling in telling_it))


def _someone_elses(reply: str, asked: str) -> bool:
    """A value stated as the user's own ("You said you're Olga.", "You work as a pilot.", "You live in Glasgow.")
    to a question about someone of theirs (:func:`_someone`: "what does my sister do?", "where does my friend
    ayesha live?"), or as the user's
    favourite to one of the favourite of someone of theirs ("Your favourite flower is peonies." to
    "what are my wife's favourite flowers?"), by a reply that names none of them ("Your sister is
    called Olga." says whose it is)."""
    if any(map(_someone, content_words(reply))):
        return False
    question = tokenize(asked)
    theirs = any(word in _FAVOURITE_WORDS and i and (question[i - 1].endswith("'s") or question[i - 1] in (
        "his", "her", "their")) for i, word in enumerate(question))  # "my daughter freya's favourite subject"
    return (any(map(_someone, _asked_words(asked))) and _stated_as(_AS_THE_USER, reply)
            or theirs and _stated_as(_THE_USERS_FAVOURITE, reply))  # "what are my wife's favourite flowers?"


_THE_USERS_FAVOURITE = re.compile(r"^(?:you said )?(?:your (?:favou?rite|fave)|you love|you like)\b"
                                  r"|^it's [\w' ]+, your (?:favou?rite|fave)\b")


_CALLED = (("call", "me"), ("calls", "me"))


def _not_what_they_call(reply: str, value: str, asked: str, told: list[Telling]) -> bool:
    """A name stated to a question of what the user is called ("what do people call me?") that
    is not the one they said they are called by ("You said your name is Rosalind." after "i'm
    Rosalind, but everyone calls me Ros")."""
    if not within(("call", "me"), tokenize(asked)):
        return False
    called = {word for telling in told for word in words_after(_CALLED, telling.words)}
    return bool(called) and not set(tokenize(value)) & called


def of_another_someone(reply: str, asked: str) -> bool:
    """A value stated of someone of the user's ("Your best friend is Omar.") to a question about
    another ("what's my best friend omar's fiancee called?": the fiancee, the last someone it
    names; :func:`_someone`), or of the user's own where it is another's ("Your best friend is Alfie."
    to "who is my son's best friend?")."""
    whose = [_whom(word) for word in tokenize(asked) if _someone(word)]
    said = {_whom(word) for word in tokenize(reply) if _someone(word)}
    # "Your best friend is Alfie." to "who is my son's best friend?": the son's, said of the user
    owners = [_whom(word) for word in tokenize(asked) if _someone(word) and word.endswith("'s")]
    of_whom = bool(owners) and owners[-1] != whose[-1] and owners[-1] not in said
    return bool(whose) and bool(said) and (whose[-1] not in said or of_whom)


def _whom(word: str) -> str:
    """Someone of the user's a word names (:func:`_someone`), as one word: "mum's" -> "mother", "pal" ->
    "friend", "gran" -> "grandmother" (:data:`_SAME_ONE`)."""
    word = word[:-2] if word.endswith("'s") else word
    return "friend" if word in TOPICS["friend"][1] else _SAME_ONE.get(word, word)


# Words for one someone: "what's my gran called?" asks of "my grandmother" (as a word in common too: _SAME_STEM).
_ONE_SOMEONE = {**dict.fromkeys("gran granny grandma nan nana".split(), "grandmother"),
                **dict.fromkeys("grandad granddad grandpa".split(), "grandfather"), "barber": "hairdresser"}
_SAME_ONE = {**_ONE_SOMEONE, "mum": "mother", "mom": "mother", "dad": "father", "stepmom": "stepmum"}


def _told_as_other_topic(reply: str, asked: str, telling_it: list[Telling]) -> bool:
    """A value stated as a topic (:func:`topics`; where the reply names none, the question
    ``asked``'s: "In 27." to "where do i live?") where every sentence telling it told it as
    others ("You said you live in 34." after "i'm 34"; "You live in Marco." after "my name is Marco
    and i live in Rome"). A sentence of no topic says nothing either way, nor an age it names by the
    way ("i've been living in Tromsø for years"), unless it tells one (:func:`_tells_age`)."""
    said_as = topics(content_words(reply)) or topics(_asked_words(asked))
    return bool(said_as) and bool(telling_it) and all(
        _sure_topics(t) and not _sure_topics(t) & said_as for t in telling_it)


def _sure_topics(telling: Telling) -> set[str]:
    """The topics ``telling`` speaks of, but an age it names by the way ("i've been living in
    Tromsø for years", "i collect old coins") where it tells none (:func:`_tells_age`)."""
    return telling.topics - ({"age"} if not _tells_age(telling.words) else set())


def _asked_of_another(asked: str, telling_it: list[Telling], told: list[Telling]) -> bool:
    """A value every sentence telling it told as a topic (:func:`topics`: "i'm 19" an age), stated
    to a question of no topic and no kind ("what do i study?") that another sentence of the user's
    tells a value of ("i study biology")."""
    asked_words = _asked_words(asked)
    if not telling_it or _of_a_frame(asked_words) or not all(t.topics for t in telling_it):
        return False
    question = asked_words - FRAME_WORDS - ASKING_WORDS
    return any(t.valued and t not in telling_it and t.said & question for t in told)


# How a sentence of the user's is said back to them ("i study biology" -> "you study biology").
_SAID_BACK = {"i": "you", "i'm": "you're", "im": "you're", "me": "you", "my": "your", "mine": "yours",
              "myself": "yourself", "am": "are", "i've": "you've", "i'd": "you'd", "i'll": "you'll", "we": "you",
              "we're": "you're", "we've": "you've", "we'd": "you'd", "we'll": "you'll", "our": "your", "ours": "yours",
              "us": "you"}
_QUESTION_LEADS = frozenset("what what's whats which who who's whom whose when when's where where's why how how's "
                            "do does did is am are was were can could would will should shall have has any".split())
# What someone can do is no advice asked: "how many words can he say?".
_WH_LEADS = _QUESTION_LEADS - _YES_NO  # a question of what, who, where ..., not of yes or no
_ABLE = frozenset(("can", "could"))
_THIRD_PERSON = frozenset(("he", "she", "it", "they", "my", "our"))


def _wished(question: Sequence[str]) -> bool:
    """Whether a question (lower-case words) asks what someone would like or prefer ("what breed would i
    like?", "what would my partner prefer?"), which they may have said, not advice."""
    return any(word == "would" and set(question[i + 1:i + 4]) & _WISH_WORDS for i, word in enumerate(question))


_WISH_WORDS = frozenset("like prefer love want rather".split())


def _able(question: Sequence[str], names: set[tuple[str, ...]] = frozenset(),
          told: Sequence[Telling] = ()) -> bool:
    """Whether a question (lower-case words) asks what someone else can do ("how many words can he
    say?", "what can my parrot say?", "what can rio say?" where Rio is one of ``names``), what the
    user can see, hear or smell ("what can i see from it?" after "it has a view of the river") or
    what they said they can do (``told``: "what can i play?" after "i can play Wonderwall now"), and
    nothing else it might ask advice by ("should", "would", "will")."""
    said_able = {tuple(telling.words[i + 1:i + 2]) for telling in told for i in range(1, len(telling.words) - 1)
                 if telling.words[i] in _ABLE and telling.words[i - 1] in ("i", "we")}  # "i can play ..."
    return (not set(question) & (_ADVICE - _ABLE)
            and all(i + 1 < len(question) and (question[i + 1] in _THIRD_PERSON or (question[i + 1],) in names
                                                or question[i + 1] in ("i", "we") and (
                                                    question[i + 2:i + 3] in _SENSED
                                                    or tuple(question[i + 2:i + 3]) in said_able))
                    for i, word in enumerate(question) if word in _ABLE))


_SENSED = (["see"], ["hear"], ["smell"])


# Words of a question that asks for advice, not for what was told ("what should i cook tonight?").
_ADVICE = frozenset("should shall could can would will might".split())
_FUTURE = frozenset(("will", "would", "can", "could", "might"))  # in a question of where or when, no advice
# Words of talk, not of what is talked about: no word a question shares with a sentence of the
# user's, and none to begin a sentence said back with.
_FILLERS = frozenset("yeah yep yes yup no nope nah oh ohh well hm hmm haha hahaha lol ok okay so um uh ah wow "
                     "anyway really think thought guess believe suppose mean".split())
# Words too vague to say what a question is about ("which drink do i like above all others?").
_VAGUE = frozenset("other others another thing things stuff".split())
_ASKING_HOW = {("how", "do"), ("how", "does"), ("how", "to")}  # "how do i prepare for an exam?" ("how do i feel" asks)


def _greets(question: Sequence[str]) -> bool:
    """Whether a question (lower-case words) asks after someone as a greeting: "how is it going?",
    "how's it going", "how are things going?"."""
    words = [word for word in question if word.isalpha() or "'" in word]
    return (words[:1] in (["how"], ["how's"]) and words[-1:] == ["going"] and len(words) > 2
            and set(words[1:-1]) <= {"is", "it", "are", "things", "everything", "life", "all"})


# Words by which a question to the bot asks it to recall ("do you remember what i study?").
_RECALLING = frozenset("remember recall remind know knew forgot forget tell told say said mention mentioned".split())
# Words of a question that asks what happened to something, not what it is ("what happened to my
# car?" after "my car broke down": no favourite car is asked).
_THEN_STEMS = frozenset("afterwards afterward after later then tonight tomorrow weekend".split())  # what comes next,
# as its stem or not
_EVENTS = frozenset("happen happened happens happening wrong".split())
# Asking words that are also what was done, where a question says nothing else ("what did i forget?"
# after "i forgot my keys at the office").
_ACTS = frozenset("forgot forget remember remembered mentioned see saw tell catch prefer prefers".split())  # "what did
# we see?"
# The longest sentence said back whole (:func:`told_back`).
TOLD_BACK_WORDS = 15


def told_back(told: list[Telling], asked: str, most: int = 2,
              names: set[tuple[str, ...]] = frozenset(), loose: bool = False) -> list[tuple[str, ...]]:
    """For a turn ``asked`` that ends in a question of the user's (or a request: "remind me ...")
    that asks no advice, the sentences of ``told`` that speak of it (share a word with it, or a
    word's stem, :func:`_stem`, other than :data:`FRAME_WORDS`, :data:`ASKING_WORDS`, talk such as
    "yeah" and vague words such as "others"), said back to the user, newest first, ``most`` of
    them. A question of a topic (:func:`topics`) or of a kind the user told a value of
    (:func:`kinds`, :func:`told_kinds`), which the frames answer, hears back only a sentence that
    shares two such words with it ("what day do i work from home?" after "i work from home on
    fridays"), unless it is about someone of theirs (:data:`KIN`: "where does my brother live?") or
    asks what happened (:data:`_EVENTS`: "what happened to my car?"); a question of where or when
    counts a place or a time in the sentence as a word in common (:data:`_ANSWERS`: "where do i
    work?" after "i just started a new job at a bakery"), and so do a question of how many and a
    number, of what someone does and what they are, of what a thing is about and "about", and of
    what the user has to do and "have to" (:func:`_answer_of`); "what game do i play?",
    where no favourite game was told, hears back any. A "he" or "she" that begins a sentence is
    the someone of the user's the sentence before began with (:func:`_with_subjects`). Of the
    sentences that speak of it, those that share the most words with it (and of those, any that
    says what is asked as :func:`_answer_of` reads it, then those that say the most words of it as
    they are written: "i study history" before "i'm a student" to "what do i study?"); a number is a word in
    common with a question of an age ("how old is she?" after "my daughter is learning to swim.
    she's five"), and so on (:data:`_IMPLIED`: a pet's kind, what the user works as, a colour).
    "what do i study?" after
    "i'm 19 and i study biology" -> "you said you study biology"; "when am i going to Japan?" after
    "i'm planning a trip to Japan in april" -> "you said you're planning a trip to japan in april";
    "what did i pass?" after "i passed my driving test" -> "you said you passed your driving
    test"; "we" is the user with others ("what did we adopt?" after "we adopted a kitten" -> "you
    said you adopted a kitten"). A question about no one of the conversation (no "i", no "you")
    asks back what was said of someone the user named: of the sentences that begin with one of
    ``names`` (names the user wrote capitalised, in lower-case words) or "my" and someone of
    theirs: "who is starting school?" after "i have two kids, Mia and Leo. Mia is starting school
    tomorrow" -> "you said mia is starting school tomorrow"; or of a sentence of the user's that
    says where or when as asked ("where is the party?" after "we're having a party at the park").
    A question of where or when with no word of its own ("where was i?") hears back the newest
    sentences that say where or when, and "what happened?" the newest of the last few
    (:data:`_JUST_TOLD`) that tells of something that happened (:data:`_HAPPENED`; "what's wrong
    with me?" an ailment where one was told, :data:`_AILING`, and "what's wrong with her?" either,
    :data:`_TROUBLE`), "what do i do there?" the newest of them that
    says what the user does (:data:`_DOES_THERE`), and "what does it have?" a sentence that began
    with "it" and does what is asked ("it has a big garden"). "how long", "how many", "how much"
    and "how often" ask a time or a number, not their second word ("how long has it been?" after
    "it's been nine days since my last cigarette"); "am i vegetarian?" is a question. "what time"
    asks a time of day (:data:`_CLOCK`; of an "appointment": any), "since when?" a since
    (:data:`_SINCE`), "for how long?" as "how long?", "how old was i?" an age then
    (:data:`_AGE_THEN`), "what am i at the wedding?" a role (:data:`_ROLE`), "what do i think?" a
    thought, "what am i reading next?" a sentence that ends in "next", "who is it by?" and "who
    wrote it?" a "by", "when is the race?" a time but not how often, "what did we do?" the newest
    deed, "why" what happened next to whom the sentence before spoke of or what it was for ("it's
    for my birthday"); a sentence that goes on
    from the one before answers how many, how long or where where that one says none ("i'm saving
    up for a car. i've got about 3000 so far"); of those that speak of a job or a kind, one that
    says it (:data:`_SAYS_WHAT_IS_ASKED`: "it's a cockapoo") comes first, and of a "what did"
    question, one of a thing done; "what's the tattoo of?" hears back a sentence that says what the
    tattoo is ("it's going to be a swallow"), and "what don't we have?" one of a lack. Not a
    sentence that asks something, speaks to the bot, takes a value back or says one taken back later
    ("i live in Leeds" after "actually i moved to York"), or is longer than :data:`TOLD_BACK_WORDS`.
    The names of several asked together ("what are my kids called?") are said back in one sentence.
    A question of the name of someone of theirs hears back only a sentence that names them
    (:func:`_names_someone`: not "i'm flying out with my girlfriend", nor "a charity called Mind" to
    "what's my sister's name?"), one of a favourite only a sentence of a favourite or a love, and one
    of how many times, a price or how long the user has been doing something only a sentence that
    says it; "what is gareth like?" hears what he is, not what he is called. Session 41 added: "who
    teaches me?" and "who is headlining?" hear the one named by the doer's word ("my teacher", "the
    headliner", :func:`_agents`); "what colour are the cupboards?" a colour (:data:`_COLOURED`), "what
    year is the van?" a year, "how big is it?" a size, "which school does oliver go to?" a place;
    "how many people are in the club?" and "how many grandchildren do i have?" "there are eight of
    us" and "three of them"; "what does clive drive?" and "who did i report it to?" the sentence that
    does the verb asked; "what did i make it with?" the sentence with the "with"; "why did i use
    lentils?" what went before a "so"; "who is not keen?" the sentence that denies it; "how long
    since my last drink?" a lack for a time; a sentence that says how long, how many or where goes on
    from the newest of a few before it that speaks of what is asked (:data:`_GOES_ON_FROM`). Session 42
    added: "who interviewed me?" hears the sentence that names the doer ("the interviewer was called
    Helen"), "what team does my son play for?" the naming of the team the sentence before spoke of, "what
    can't i do?" a "can't", "how long should it take?" what was told, "what would i be?" an "i'd be a",
    "what is my favourite?" a "my favourite is", "where does she work?" a "for a tech company", "why is she
    moving out?" what she does just after the sentence that says it; a price goes on from the sentence
    before ("lessons are on thursdays. they cost 25 pounds each"); a favourite of another kind, an age of
    no one told, a "the doctor thinks" as a reason and "it's a red Trek" to "where did i buy it?" are not
    heard; a place named breaks a tie. Session 43 added: "whose wedding is it?" hears a possessive ("it's his
    cousin's wedding"); "what did the vet say?" what the vet said; "what do i do there?" what the user does,
    not did once; "how did i do it?" the newest deed; "what did we do with them?" too; "what would my partner
    prefer?" and "what breed would i like?" what they said they would; "what was the weather like?" the
    weather told; "what kind of house is it?" "it's a bungalow"; "why am i going?" goes on from a flight;
    "where do i climb?" from "i go to an indoor wall in sheffield"; a weight, a price, an age ("a year
    old") or a time of a taking is heard only from a sentence that says one ("how old is the boiler?" not
    from "our boiler broke down", "how much did the entry cost?" not from "my best time for 10k"). Session 44
    added: "which city did we move to?" asks where (:func:`_as_where`); "what did she hurt?" hears a part of
    the body said as someone's; "whose hen do is it?" "it's for my friend Leanne"; "how is she getting here?"
    a way of travel; "what is happening afterwards?"; "what happened to me?" leaves out a sentence that says how
    long; "what did gemma call the baby?" asks a name; "how does it feel?" a verdict; "are they boys or
    girls?" is of a thing of theirs; a time of day, a size, a when, a length or a count is heard only from a
    sentence that says one. Session 45 added: "who ...?" hears only a sentence that speaks of someone the
    question does not (:func:`_points_to_someone`: not "the fitters start on monday" to "who are the fitters?"),
    and the one who does it by their post ("who runs the food bank?": "the manager there is called Pauline";
    "who am i marrying?": "my fiance is called Priyesh", "his name is Daniel" just after "i just got engaged");
    "what phone do i have?" only a sentence that says which (:func:`_says_which`, or "it's a ford fiesta" just
    after the car); "where is the phone now?" where it was put last; "which tooth is it?" and "what make is
    it?" "it's my back molar", "it's a Bosch"; "why was my car towed?" what the user did just after; "what will i
    be doing?" an "i'll be working"; "how long?" no "in february". Session 47 added: "who is ill?" hears an ailment;
    "what is wrong with it?" a fault or "it was the alternator"; "what make is my laptop?" "it's a dell" just
    after the laptop; "what book am i reading?" "i'm reading ..."; "which city" and "which hospital" one place,
    said as one; "how did he do it?" his newest deed; "what did they call him?" the naming; "how do i get to work
    now?" a way of travel; a question of something of someone's ("what did he have for lunch?") nothing of them
    alone; "what is my salary?" only a sum; "when will it be finished?" no "for two months"; "where did we get
    her from?" only a "from"; "who sings in the band?" not the band's naming.
    """
    text = plain(asked).rstrip()
    last = last_sentence(text)
    since = last[:2] == ["since", "when"]
    last = last[1:] if since or last[:2] == ["for", "how"] else last  # "since when?": when; "for how long?"
    where = _as_where(last)  # "which city did we move to?" asks where
    which_place = last[:1] == ["which"] and (where != last or last[1:2] != [] and last[1] in (
        _PLACES_NAMED | _INSTITUTIONS))  # "which city is he moving to?", "which hospital are we going to?": one place
    last = where
    lead = next((word for word in last if word not in _FILLERS | {",", "and", "but", "so"}), "")
    if lead not in _REQUESTS and (not text.endswith("?") or lead not in _QUESTION_LEADS):
        return []  # no question put as one ("did you pass? i am thinking", "i think byu has dances?")
    said, answer = set(last), _SINCE if since else _answer_of(last)  # "where": "at a bakery"
    bare = [word for word in last if word != "?"]  # the question's words, less its question mark
    answer = _WORKS_AT if answer is _PLACE and said & _WORKING else answer  # "where does she work?": "she works for
    # a tech company" too
    # "what kind of class is it?": "it" of a question of what, where, when or how is a thing of the user's
    # and so is "they" of a kind of thing ("what kind of dogs are they?")
    plural_kinds = kinds(word for word in said if word.endswith("s"))
    # so too in a question of which of two ("is it a boy or a girl?" after "we're having a baby girl")
    its = (bool(said & _IT) or bool(said & {"they", "them"}) and bool(plural_kinds or said & _KIND_CUES)) and (
        lead in _WH or lead in ("is", "was") and (
            "or" in said or last[1:2] == ["it"] and last[2:3] in (["a"], ["an"], ["the"], ["my"])))  # "is it a secret?"
    its = its or lead in ("are", "were") and last[1:2] == ["they"] and "or" in said  # "are they boys or girls?"
    # (not "is it fun?", which asks the bot's view)
    of_others = not said & (FIRST_PERSON | FIRST_PLURAL | SECOND_PERSON) and not its  # "who is starting school?"
    if (not said & (FIRST_PERSON | FIRST_PLURAL) and not of_others and not its
            or said & SECOND_PERSON and not said & _RECALLING
            or tuple(last[:2]) in _ASKING_HOW and not (last[2:4] == ["i", "feel"] or last[2:4] == ["we", "feel"]
                                                       or last[2:3] == ["it"] and last[3:4] == ["feel"])  # "how does
            # it feel?" after "it's really painful"
            and answer is not _KNOWN_FROM and answer is not _MEANS  # "how do i know her?", "how do i get to work
            # now?" ask what was told
            or _greets(last)  # "how is it going?"
            # "when will it be done?", "what can i play?" after "i can play Wonderwall"
            or said & (_ADVICE - _FUTURE if answer else _ADVICE) and not _able(last, names, told)
            and not within(("will", "i", "be"), last)  # "what will i be working as?" asks what was told
            and not within(("would", "i", "be"), last)  # "what would i be?" after "i'd be a team leader"
            and not _wished(last)  # "what would my partner prefer?" after "my partner would prefer a cat"
            and not _asks_thought(last)  # "what does the doctor think it might be?"
            and not (answer in (_TIME, _DURATION) and within(("should", "it"), last))  # "how long should it take?"
            # asks what was told
            and not any(within(("should", who, "be"), last) for who in ("it", "they", "he", "she"))  # "when should
            # it be finished?" asks what is expected, as told
            and not (any(within(("will", who), last) for who in ("i", "we")) and last[-1] not in _ASKS_ADVICE)
            # "what will i study?", "what will we learn to make?"
            and not (within(("will", "my"), last) and bare[-1:] == ["be"])
            # "what will my job be?"
            and not ((within(("will", "we"), last) or within(("might", "we"), last)) and said & _NAMING_CUES)):
        # "what will we call her?", "what might we call it?"
        return []  # the question is not of the user's ("have you been?"), or it asks advice
    asked_words = _asked_words(" ".join(last))
    asked_words -= _GOES if "wrong" in asked_words else set()  # "what went wrong?" asks what happened
    where_from = bool(_WHERE_FROM.search(" ".join(last)))  # "where am i from?" after "i'm from Gdansk"
    from_where = last[:1] == ["where"] and [word for word in last if word.isalpha()][-1:] == ["from"]
    how_much = _HOW_MUCH if last[:1] == ["how"] else set()  # "how long has it been?" asks a time, no "long"
    how_much |= {"since", "last"} if last[:2] == ["how", "long"] else set()  # "how long since my last one?"
    how_much |= _SAID_BESIDE.get(answer, frozenset())  # "who wrote it?" asks a "by", no "wrote"
    stems = ({_stem(word) for word in asked_words - FRAME_WORDS - ASKING_WORDS - _FILLERS - _VAGUE - how_much}
             or {_stem(word) for word in set(last) & _ACTS}  # "what did i forget?", "what did i tell her?"
             or {_stem(word) for word in asked_words & _NAMING_CUES})  # "what will we call her?"
    going_to = next((last[i + 2] for i in range(len(last) - 2) if last[i:i + 2] == ["going", "to"]
                     and last[i + 2].isalpha() and last[i + 2] in ASKING_WORDS), None)
    stems = stems - {"going"} | {_stem(going_to)} if going_to else stems  # "who am i going to see?": to see whom
    stems = stems - {"work", "school", "uni", "college", "office", "now"} if answer is _MEANS else stems  # "how do i
    # get to work now?" asks the way, which "i currently take the train" says
    framed = (not of_others and (topics(asked_words) or kinds(asked_words) & told_kinds(told))
              and not asked_words & (KIN | _EVENTS)
              and not (lead == "who" and last[1:2] in (["said"], ["told"]))  # "who said my dog has to rest?"
              and answer is not _MEANS)  # "how do i get to work now?" asks a way, not a job
    # Loose (where the model's own replies state nothing told): one word in common is enough where
    # the sentence says the kind of thing or topic asked ("which colour tops my list?" after "if i
    # had to pick one single colour it would be pink").
    kind_stems = {_stem(word) for word in asked_words if kinds([word]) or topics([word])}
    asked_kinds = kind_stems if loose else set()
    asks_name = bool(said & _NAME_ASKED) or lead == "what" and "call" in said and "me" not in said  # "what did
    # gemma call the baby?" (not "what do people call me?", which "everyone calls me Hattie" answers)
    name_of_theirs = asks_name and any(_someone(word) or word in _PERSON_NOUNS for word in last) and not said & {
        "i", "me"} and not (bare[-1:] in (["called"], ["named"]) and len(bare) > 3 and bare[-3].endswith("'s") and (
            _someone(bare[-3])) and not _someone(bare[-2]) and bare[-2] not in _PERSON_NOUNS | _NAME_WORDS)
    # "what's my sister called?", "what is the repair man called?" (not "what is my son's nursery called?")
    own_name = bare[-1:] == ["name"] and bare[-2:-1] and bare[-2].endswith("'s") and _someone(bare[-2]) or bare[
        -1:] in (["called"], ["named"]) and bare[-2:-1] and _someone(bare[-2])  # "what is my granny's name?"
    whom_asked = {_whom(word) for i, word in enumerate(last) if _someone(word) and not _someones(word)
                  and not (word.endswith("'s") and any(map(_someone, last[i + 1:i + 3])))}  # "my sister's boyfriend"
    if said & _CHILDREN_ASKED:  # "what are the twins called?": a naming of children, not "her husband is called Marco"
        whom_asked |= {_whom(word) for word in _CHILDREN_ASKED | _CHILD}
    whom_asked |= {word for word in (word[:-1] for word in last if _someones(word)) if word in _PETS}  # "kittens"
    favourite_asked = bool(said & _FAVOURITE_WORDS)
    framed_stems = kind_stems & stems if framed else set()
    of_theirs = any(map(_theirs, last))  # "what's my dog called?"
    asked_names = {name[0] for name in names if name[0] in said}  # "what kind of dog is bruno?"
    deed = _asks_deed(last)
    # "how did it break?": what was done, the newest told ("i dropped it on the stairs"); not "how did it go?"
    how_done = last[:3] in (["how", "did", "it"], ["how", "did", "that"], ["how", "did", "this"]) and (
        last[3:4] != ["?"] and last[3:4] and last[3] not in _HOW_IT_WAS)
    done_to_it = {word for word in last[3:] if word.isalpha() and word not in STOP_WORDS | {"get", "got"}}
    # the doing a question of what asks of ("passed" of "what have i passed?"), not a thing ("what was the score?")
    doer = next((i for i, word in enumerate(last) if i and (word in ("i", "we", "he", "she", "they") or (
        word,) in names or (last[i - 1] in ("my", "our") and _someone(word) or last[i - 1] == "the" and word.isalpha())
        and last[i + 1:i + 2] in (["say"], ["tell"]))), None)  # "what does clive drive?": clive's driving; "what
    # did my neighbour say?", "what did the vet say?"
    verb = _stem(last[doer + 1]) if doer is not None and last[doer + 1:doer + 2] not in ([], ["?"]) else ""
    if asked_words and asked_words <= _EVENTS or deed or how_done:  # "what happened?", "what did i just do?"
        doers = _DOERS.get(last[2]) if deed else None  # "what did we do?": what "we" did
        happened = [telling for telling in told if "happened" in telling.words[1:3]  # "it happened in the storm",
                    and telling.words[:1] and telling.words[0] not in _QUESTION_LEADS]  # not "what happened to it?"
        done = [telling for telling in told if doers is None or telling.words[:1] in doers] or told
        if how_done:  # "how did it happen?": "i sat on it by accident", not "the shop said it'll take two weeks"
            done = [telling for telling in done if not set(telling.words[1:4]) & _REPORTING] or done
        if not deed and lead == "what":  # "what happened to me?": "i've been made redundant", not "i worked at the
            done = [telling for telling in done if not _SINCE.search(" ".join(telling.words))] or done  # factory
            # for twenty years", which says how long, no happening
        told = happened[-1:] if lead == "when" and happened and not deed else _lately(done)
        just = [telling for telling in told if "just" in telling.words[:3]] if "just" in last else []
        told = just[-1:] or told  # "what have i just done?": "i've just got engaged", not "we're getting married"
        ailing = "wrong" in asked_words and any(_AILING.search(" ".join(t.words)) for t in told)
        faulty = "wrong" in asked_words and any(_WRONG_WITH.search(" ".join(t.words)) for t in told)  # "what is wrong
        # with it?": "the repair shop says the fan is broken", not "it's a dell i bought two years ago"
        answer = _AILING if ailing else _WRONG_WITH if faulty else _DEED_DONE if deed else _HAPPENED
        stems, most = set(), 1
        # "what's wrong with me?": "a sore throat"
        if lead == "when" and not deed and any(_TIME.search(" ".join(telling.words)) for telling in told):
            answer = _TIME  # "when did it happen?": the newest that says when ("my car got broken into last night")
        framed = False  # "what did we do for her birthday?": what was done, whatever the topic
    elif last[:2] in (["what", "do"], ["what", "did"]) and last[2:] in _DOING_THERE:  # "what do i do there?"
        told = _lately(told)  # what the user does, where a sentence says it, not what they did once ("we helped 80
        now = last[1] == "do" and any(_DOES_THERE_NOW.match(" ".join(telling.words)) for telling in told)  # families")
        answer, stems, most = _DOES_THERE_NOW if now else _DOES_THERE, set(), 1
    elif last[:3] in (["how", "did", "i"], ["how", "did", "we"]) and last[3:5] in (["do", "it"], ["do", "that"]):
        answer, stems, told, most = _DID_IT, set(), _lately(told), 1  # "how did i do it?" after "i broke my toe on
        # friday": "i kicked the leg of the bed", the newest deed told
    elif last[:2] == ["how", "did"] and bare[-2:] in (["do", "it"], ["do", "that"]) and len(bare) > 4 and all(
            word.isalpha() for word in bare[2:-2]):  # "how did my son oscar do it?" after "my son oscar broke his
        answer = re.compile(r"^(?:%s|he|she|they) %s" % (re.escape(" ".join(bare[2:-2])), _PAST_FORM))  # arm":
        stems, told, most = set(), _lately(told), 1  # "he fell off a trampoline", the newest deed of theirs told
    elif _asks_role(last, told):  # "what am i at the wedding?": "i'm her maid of honour"
        answer, stems, told, most = _ROLE, set(), _lately(told), 1
    elif last[:2] == ["how", "old"] and last[2:3] in (["was"], ["were"]):  # "how old was i?": "when i was eight"
        answer, stems = _AGE_THEN, set()
    elif _asks_thought(last):  # "what do i think is happening?": "i think i'm getting promoted"
        answer, stems = None, {"think:"}
    elif lead == "who" and bare[-1:] and bare[-1] in _ILL and len(bare) <= 4:  # "who is ill?": "my daughter isla
        answer, stems, most = _AILING, set(), 1  # has chickenpox", the newest that says an ailment
    elif asked_words & _EVENTS and answer is None:  # "what happened to my son?": what happened, of him
        answer = _TROUBLE if "wrong" in asked_words else _HAPPENED
    does_it = its and not stems and answer is None  # "what does it have?": what "it" does, as asked
    # "what do i have?": what the user said they have, as asked ("i have an allotment")
    doers = (_DOERS.get(last[2]) if not stems and answer is None and last[:2] == ["what", "do"]
             and last[-1:] in (["have"], ["own"]) else None)
    before = last[-1:] == ["before"] and not said & _RECALLING  # not "did i tell you before?"
    after = bare[-1:] == ["next"]  # "what am i reading next?"
    how_long = last[:2] == ["how", "long"]  # "how long have i been a firefighter?": "i've been doing it for ..."
    did = last[:2] == ["what", "did"]
    did_where = last[:2] == ["where", "did"]
    named_thing = _stem(bare[-2]) if lead == "what" and len(bare) > 2 and bare[-1] in ("called", "named") and (
        bare[-2] not in _IT | _PRONOUNS.keys() | {"they", "them"}) else None  # "what is the nursery called?"
    # "what did i make it with?": a sentence that says with what
    ends_in = bare[-1:] if bare[-1:] and bare[-1] in ("with", "for", "from", "about", "on", "in", "at") else []
    what_is_it = answer is None and (  # not "what time is it?"
        last[:1] in (["what"], ["which"]) and last[2:4] in (["is", "it"], ["was", "it"], ["are", "they"])
        and last[1] not in ("colour", "color", "size", "shape")  # "what colour is it?" asks a colour, not what it is
        or bare in (["what", "is", "it"], ["what's", "it"], ["what", "was", "it"]))
    make_of = lead == "what" and last[1:2] and last[1] in _MAKES and last[2:3] in (["is"], ["was"]) and last[3:4] in (
        ["my"], ["our"], ["the"])  # "what make is my laptop?"
    what_thing = bool(_WHAT_THING.match(" ".join(bare)))  # "what's the tattoo of?"
    would_be = bare in (["what", "would", "i", "be"], ["what", "will", "i", "be"])  # "i'd be a team leader"
    will_be_doing = bare in (["what", "will", "i", "be", "doing"], ["what", "will", "we", "be", "doing"])
    wished = set(last) & _WISH_WORDS if _wished(last) else set()  # "what would my partner prefer?"
    kind_of = next((_stem(last[i + 2]) for i in range(len(last) - 2) if last[i] in ("kind", "type", "sort")
                    and last[i + 1] == "of" and last[i + 2].isalpha()), None) if lead in ("what", "which") else None
    # "what is my favourite?" after "i collect vinyl records. my favourite is a first pressing of Blue"
    bare_favourite = bare[-2:-1] == ["my"] and bare[-1:] in (["favourite"], ["favorite"]) and lead in (
        "what", "what's", "whats", "which")
    has_or_says = last[:1] == ["what"] and bool(set(last[-2:]) & {"have", "say"})  # "what does she have?"
    who_is = last[:2] in (["who", "is"], ["who", "was"]) or last[:1] == ["who's"]
    favourite_of = {_stem(last[i + 1]) for i, word in enumerate(last[:-1])
                    if word in _FAVOURITE_WORDS and last[i + 1].isalpha()} & stems  # "my favourite bread"
    where_went = lead == "where" and bool(said & {"been", "went", "gone", "away", "visited", "travelled"})
    with_whom = lead == "who" and bare[-1:] == ["with"]
    # "what is gareth like?": what he is, not what he is called ("he's very patient"); not "what do i like?"
    like_what = lead in ("what", "what's", "whats") and bare[-1:] == ["like"] and not (
        said & {"do", "does", "did", "i", "we"})
    most_of = {word for i, word in enumerate(last) if _superlative(word) and not (  # not "my best friend"
        last[i + 1:i + 2] and _someone(last[i + 1]))} if lead in ("which", "what", "what's", "whats") else set()
    # "what festival am i going to?": what the festival is ("it's Green Man in wales"), not that there is one
    what_kind = _stem(last[1]) if lead in ("what", "which") and last[1:2] and _stem(last[1]) in stems else None
    # "who is he playing?": what is done to whom ("playing the wolf") answers it
    who_does = {verb} - {""} | {_stem(word) for word in bare[1:] if _doing_word(word)} if lead == "who" else set()
    going_to_where = lead == "where" and bool(said & _GOES) and not from_where and not where_from  # not whence
    beside = next((word for word in last[1:3] if word in _BESIDE), None) if last[:1] in (["what"], ["what's"], [
        "whats"], ["who"], ["who's"]) else None  # "what is above the kitchen?", "who lives next door?"
    for_which = answer is _FOR_THING and last[1] not in _AUXILIARIES and last[2:4] in _IS_IT  # "what job is it for?"
    # "what car do i drive?": a sentence that says which car ("i drive a ford focus", "my car is a red fiesta")
    which_one = (last[1], last[4]) if what_kind and last[2:3] in (["do"], ["did"]) and last[3:4] in (
        ["i"], ["we"]) and last[4:5] and last[4].isalpha() and last[4] in _OWNING else None
    # "what book am i reading?": "i'm reading war and peace", not "my book club is reading it too"
    doing_which = last[4] if what_kind and last[2:4] in (["am", "i"], ["are", "we"]) and last[4:5] and _doing_word(
        last[4]) and bare[5:] == [] else None
    # "which musical is it?", "which knee did i injure?": not a sentence that speaks of the thing as any one
    which_any = what_kind if lead == "which" and what_kind and last[1] not in _WHICH_OF_ANY and (
        answer is None and (bare[2:4] in _IS_IT or last[2:3] in (["do"], ["did"]) and last[3:4] in (["i"], ["we"]))
        or answer is _PLACE and last[1] in _PLACES_NAMED | _INSTITUTIONS) else None
    # ("which hospital is it at?": not "it finishes at christmas"; "which hospital is he in?": not "my dad has just had
    # a pacemaker fitted")
    # "who teaches me?": the one who does it, as the user named them ("my teacher is called Mrs Okafor"); "who do i
    # care for?": "i'm a carer for my husband"
    agent = {_stem(word): _agents(word) for word in last if lead == "who" and _stem(word) in stems}
    # "how many people are in the book club?": "there are eight of us"
    counted = (stems & {_stem(word) for word in said if word in _PEOPLE_COUNTED | _MANY or _someones(word)}
               if answer is _AMOUNT else set())  # "how many grandchildren do i have?": "there are three of them"
    if not stems and answer is None and not does_it and not doers and not would_be and not bare_favourite and not (
            its and what_is_it):  # "what kind are they?": "they're cherry tomatoes"
        return []
    owned = kinds(word for i, word in enumerate(last) if i and last[i - 1] in ("my", "our"))  # "what does my cat love?"
    why_cues = _WHY_CUES if lead in ("why", "where", "when") else {}  # "why am i going?" asks of a going
    implied = [(cued, says, cues is _KIND_CUES) for cues, says in _IMPLIED  # "think" counts, though a word of talk
               for cued in [{_stem(word) for word in asked_words & (cues | why_cues.get(cues, frozenset()))}]
               if cued and not (answer in (_AMOUNT, _AGE) and cues is _AGE_CUES)  # a number is one answer, not two
               and not (cues is _NAMING_CUES and kinds(asked_words) and not of_others)  # "what's my dog called?"
               and not (cues is _LIKING_CUES and kinds(asked_words) - owned)  # so too "which sport do i like?"
               and not (cues is _PLAYING_CUES and kinds(asked_words))  # and "what sport do i play?"
               and not (cues is _STUDY_CUES and lead != "where")]  # "what do i study?" asks no school
    # (in common, answers, says with what, does, verbatim, names a place), said back, corrects
    found: list[tuple[tuple[int, bool, bool, bool, int, bool], tuple[str, ...], bool]] = []
    told = _corrected(told)  # "i'm going to Iceland in february. actually it's march, not february": in march
    with_subjects = _with_subjects(told, names)
    # "what does jodie keep doing?" after "my flatmate keeps eating my food. her name is Jodie": jodie is my flatmate
    named_whom = {_stem(name): whom for _, words, _ in with_subjects for name in words_after(NAME_LEADS, words)[:1]
                  if name in asked_names
                  for whom in [next((_whom(word) for word in reversed(words[:words.index(name)]) if _someone(word)),
                                    None)] if whom}
    # "what is priya bringing?" after "my flatmate priya is vegetarian": priya, written in lower case, is my flatmate
    named_whom.update({_stem(word): _whom(words[i - 1]) for _, words, _ in with_subjects
                       for i, word in enumerate(words[:-1]) if i and word in said and _someone(words[i - 1])
                       and word.isalpha() and word not in STOP_WORDS and not _someone(word)
                       and words[i + 1] in _BEING_WORDS | {"has", "and", ","}})
    stemmed = [{_stem(word) for word in words} for _, words, _ in with_subjects]  # each sentence's stems, once
    # "which tooth is it?", "what car do i have?": a word a sentence or two before "it's ..." said
    spoken_lately = lambda stem, at: any(stem in stemmed[back] for back in range(max(0, at - 3), at))  # noqa: E731
    for at in reversed(range(len(with_subjects))):
        telling, words, subject = with_subjects[at]
        joined = " ".join(words)  # the sentence as the rules below read it
        if with_whom and not set(words) & {"with", "and"}:
            continue  # "who am i going with?": not "i'm going to Iceland in march"
        if how_done and set(telling.words) & done_to_it:
            continue  # "how did it get cracked?": not "my phone screen is cracked", which says what, not how
        own, says_it = {_stem(word) for word in telling.said} & stems, False
        own |= {_stem(one + other) for one, other in zip(words, words[1:])} & stems  # "haircut": "my hair cut"
        own |= {done for done, doers in agent.items() if doers & set(words)}  # "who teaches me?": "my teacher"
        own |= counted | {"us:"} if counted and _OF_US.search(joined) else set()
        one_of_them = answer is _PLACE and words[:1] in (["there's"], ["there"]) and "one" in words  # "a huge one"
        goes_on = answer is _AMOUNT and _bare_amount(words) or how_long or one_of_them or answer is _TROUBLE or (
            answer in (_AMOUNT, _MONEY) and bool(_MONEY.search(joined))) or (  # "lessons are on
            # thursdays. they cost 25 pounds each"
            answer is _PLACE and at and words[:1] in (["i"], ["we"]) and _did(words)  # "i broke my wrist skiing. i
            and with_subjects[at - 1][1][:1] in (["i"], ["we"]) and _did(with_subjects[at - 1][1])) or (
            answer is _PLACE and at and words[:2] in (["i", "go"], ["we", "go"]))  # fell ... in X"; "i've taken up
        # rock climbing. i go to an indoor wall in sheffield"
        # "why did i go to the doctor?": not "the doctor thinks i've torn a ligament", a thought, not a reason
        thinks = bool(subject) and len(words) > len(subject) and (words[len(subject)],) in _THINKS
        reason = lead == "why" and not thinks and (bool(subject) and (_did(words) or _has_been(words))  # "why is
                                    # he scared?": "he got bitten when ...", "why am i taking my cat to the vet?":
                                    # "she's been sneezing"
                                    or bool(_FOR_IT.match(joined))  # "why am i going?": "it's for ..."
                                    # "why am i sad?": "i'm a bit sad today. my best friend moved to Canada"
                                    # "why am i moving?": "my company is sending me to the toronto office"
                                    or at > 0 and words[:1] in (["my"], ["our"], ["the"])
                                    and (_did(words) or bool(set(words[2:]) & {"me", "us"})
                                         or _is_doing(words))  # "my landlord is putting the rent up"
                                    and with_subjects[at - 1][1][:1] in (["i'm"], ["im"], ["i"], ["we"], ["we're"])
                                    # "why was my car towed?": "my car got towed this morning. i parked in a loading
                                    # bay by mistake", what the user did just after what happened to a thing of theirs
                                    or at > 0 and words[:1] in (["i"], ["we"]) and _did(words)
                                    and with_subjects[at - 1][1][:1] in (["my"], ["our"])
                                    and bool(stems) and stems <= stemmed[at - 1])
        of_subject = own <= {_stem(word) for word in subject}  # "my cat has been sneezing": only the cat asked of
        # the sentence it goes on from: the one before, or the newest of a few before that speaks of what is asked
        # ("i'm a retained firefighter. i get paged when there's a call out. i've been doing it for six years")
        on_from = _goes_on_from(with_subjects, at, stems, answer) if not reason else at - 1
        if at and stems and (not own and goes_on and _says_as_asked(answer, words, stems) and not _says_as_asked(
                answer, with_subjects[on_from][1], stems) or reason and of_subject):
            # how many, how long or where goes on from the sentence before, where that says none: "i'm saving up
            # for a car. i've got about 3000 so far", "i'm scared of spiders. there's a huge one in the bath"; and
            # why, from what happened to whom the sentence before spoke of: "my son is scared of dogs. he got bitten"
            said_before = with_subjects[on_from][0].said
            going = {_stem(word) for word in _GOING} if said_before & _GOING else set()
            own = ({_stem(word) for word in said_before} | going) & stems
            # "why am i going?": "i'm flying to new york tomorrow. it's for work"
            says_it = reason and bool(own)  # the reason is what is asked
        elif lead == "why" and at + 1 < len(with_subjects) and words[:1] in (["my"], ["our"], ["the"]) and (
                _is_doing(words) or _did(words)) and stems and not stems & {_stem(word) for word in words} and (
                with_subjects[at + 1][1][:1] in (["i"], ["we"], ["i'm"], ["we're"])) and stems <= stemmed[at + 1]:
            # "why do we have to move?": "our landlord is selling the house. we have to move out by the end of march",
            # what someone of theirs does just before what is asked happens
            own, says_it = set(stems), True
        elif lead == "why" and at and subject and any(map(_someone, subject)) and stems and not thinks and (
                _did(words) or _is_doing(words)) and (stems <= stemmed[at - 1] or at > 1 and stems <= stemmed[
                    at - 2] and bool(_NAMES_IT.search(" ".join(with_subjects[at - 1][1])))) and (  # not "he's 91"
                # (nor across more than a naming: "my flatmate is moving out. her name is Priya. she's moving in ...")
                not stems <= {_stem(word) for word in words}) and (
                not _NAMES_IT.search(joined)):  # not "her name is Siobhan"
            # "why is she moving out?": "my flatmate is moving out. she's moving in with her boyfriend", of her, just
            # after the sentence that says what is asked
            own, says_it = set(stems), True
        if make_of and subject and _IS_A.search(joined) and {_stem(word) for word in subject} & stems:
            says_it, own = True, own | {_stem(word) for word in subject} & stems  # "what make is my laptop?": "it's
            # a dell" just after "my laptop keeps crashing"
        if what_is_it and subject and (_IS_A.search(joined)  # "what phone is it?": "it's an iphone 15"
                                       or words[len(subject):len(subject) + 1] in (["is"], ["was"], ["are"])
                                       and last[1] not in _MAKES):  # "what make is it?": "it's a Bosch", not "it's
            # only two years old"
            says_it, own = True, own | {"it:"}  # what "it" is, which a question of a kind asks too
        # "what car do i have?": "it's a ford fiesta", a sentence or two after "my car's making a weird noise"
        it_says_which = bool(which_one) and not subject and words[:1] == ["it's"] and words[1:2] and (
            words[1] in ("a", "an", "my", "our", "your") or any(words[1:1 + len(name)] == list(name) for name in names)
        ) and len(words) <= 6 and spoken_lately(_stem(which_one[0]), at)  # "it's Hamilton" after "... a musical",
        # "it's my back molar on the left" after "i cracked a tooth"
        if doing_which and words[:2] in (["i'm", doing_which], ["im", doing_which], ["we're", doing_which]) and (
                words[2:3] and words[2] not in _IT | _NOT_WHICH - {"the"} | {"them", "one", "something", "some"}):
            own, says_it = own | {what_kind, _stem(doing_which)}, True
        if it_says_which:
            own, says_it = own | {_stem(which_one[0]), "it:"}, True
        engaged = stems & stemmed[at - 1] if at else set()
        if lead == "who" and engaged and not subject and words[:3] in (["his", "name", "is"], ["her", "name", "is"]):
            # "who am i marrying?": "i just got engaged. his name is Daniel", whose "his" is of no one of theirs
            own, says_it = own | engaged, True
        if what_is_it and not subject and at and (words[:1] in (["it's"], ["its"]) or words[:2] == ["it", "is"]) and (
                last[1] in _MAKES and _IS_A.search(" ".join(["is", *words[1:]]))  # "what make is it?": "it's a Bosch"
                or spoken_lately(_stem(last[1]), at)):
            says_it, own = True, own | {"it:"}  # "which tooth is it?": "it's my back molar on the left", a sentence
            # or two after "i cracked a tooth"
        if framed and own and at and not own & framed_stems and not (  # "which cars am i looking at?": "i'm thinking of
                with_subjects[at - 1][0].about & _FAVOURITE_WORDS):  # (not of a favourite, which the frames say)
            own |= {_stem(word) for word in with_subjects[at - 1][0].said} & framed_stems  # buying an electric car.
            # i'm looking at a kia niro": the kind of the sentence before, which this one goes on about
        own |= {name for name, whom in named_whom.items() if any(_someone(word) and _whom(word) == whom
                                                                  for word in telling.words)} & stems  # as said
        literal = set(own)  # the words in common the sentence says itself
        names_user = of_theirs and bool(_NAMES_THE_USER.match(joined))  # "my name is Harriet"
        by_subject = ({_stem(word) for word in subject} | {  # "she's bringing garlic bread": my flatmate priya
            name for name, whom in named_whom.items() if any(_someone(word) and _whom(word) == whom
                                                             for word in subject)}) & stems
        if lead == "who" and any(word.endswith("'s") for word in subject):  # "who had a baby?": not "my sister's
            by_subject = set()  # baby weighed 8 pounds", of the baby, not of who had it
        if lead == "why" and "so" in words[2:] and {_stem(word) for word in words[words.index("so", 2) + 1:]} & stems:
            says_it, own = True, own | {"why:"}  # "why did i use lentils?": "she's vegetarian so i made it with
            # lentils"
        if what_kind and subject and _stem(subject[-1]) == what_kind and words[len(subject):len(subject) + 1] in (
                ["is"], ["was"]) and any(tuple(words[len(subject) + 1:len(subject) + 1 + len(name)]) == name
                                         for name in names | {("a",), ("an",), ("the",), ("called",), ("named",)}):
            says_it = True  # "my festival is green man in wales", not "my course is two evenings a week"
        if what_kind and at and words[:1] in (["the"], ["my"], ["our"]) and words[1:2] and (
                _stem(words[1]) == what_kind) and words[2:4] in (["is", "called"], ["is", "named"]):
            # "what team does my son play for?": "the team is called Hilltop Rangers", the one "my son plays in a
            # football team" spoke of
            own |= {_stem(word) for word in with_subjects[_goes_on_from(with_subjects, at, stems, None)][0].said} & (
                stems)
            says_it = True
        if kind_of and subject and _stem(subject[-1]) == kind_of and words[len(subject):len(subject) + 2] in (
                ["is", "a"], ["is", "an"], ["was", "a"], ["was", "an"]):
            own, says_it = own | {kind_of}, True  # "what kind of house is it?": "my new house is a bungalow"
        if what_thing and by_subject and words[len(subject):len(subject) + 1] in (["is"], ["was"], ["are"]):
            own |= by_subject  # "my tattoo is going to be a swallow" says what the tattoo is
            says_it = True
        for cued, says, with_a_word in implied:  # "how old is she?" after "she's five": a number speaks of an age
            if says is _says_number and answer in (_WHEN_ONCE, _TIME) and not answer.search(joined):
                continue  # "when is his birthday?": not "he was a train driver for 40 years", which says no when
            # what kind of car: a sentence that says "car", or speaks of it ("she's a border collie")
            if says(telling._replace(words=tuple(words))) and (own or by_subject or not with_a_word) and not (
                    cued <= _NAMING_STEMS and subject and stems - _NAMING_STEMS
                    and _stem(subject[-1]) not in stems) and not (  # "what's my girlfriend's name?": not "her salon
                    cued <= _NAMING_STEMS and names_user):  # is called"; "what's my sister called?": not "my name is"
                own |= cued
                if says in (_says_work_as, _says_living, _says_runs) and framed and answer is None:  # "what's my job?"
                    own |= {"job:"}
                if says is _says_kin_is_a and asked_words & {"job", "jobs"}:  # "what's my husband's job?"
                    own |= {"job:"}
                # "it's a cockapoo" to "what kind of puppy ...?" (a kind said as what it is, not "i love dogs"), not
                # to a question of where or when
                says_it = says_it or says in _SAYS_WHAT_IS_ASKED and answer is None and (
                    bool(_IS_A.search(joined)) if says is _says_kind  # the job, if the question asks no more
                    else not stems - own - by_subject - _WHICH_ONE)  # not "which year do i work with?"
        # "what's our dog's name?": the one naming it
        if asks_name and (loose or not framed and subject and _stem(subject[-1]) in stems) and (
                _NAMES_IT.search(joined)  # strict, only where it names the thing asked: not "her salon"
                or loose and within(("as", "a", "name"), words)) and not names_user:  # "what's my dog called?"
            own |= {"name:"}
        thinker = last[2:3] if last[2:3] in (["he"], ["she"], ["they"]) else ["i", "we"]
        someone = last[3:4] if last[2:3] in (["the"], ["my"], ["our"]) else []  # "the doctor thinks it's my thyroid"
        if "think:" in stems and telling.words[:1] and (telling.words[0] in thinker and (
                telling.words[1:2] in _THOUGHTS or telling.words[0] in _THEY and telling.words[1:2] in _THINKS)
                or someone and telling.words[1:2] == tuple(someone) and telling.words[2:3] in _THINKS):
            own |= {"think:"}  # "i think i'm getting promoted", "she thinks i've torn a ligament"
        if before and (telling.words[:1] == ("before",) or within(("first", "time"), telling.words)):
            own |= {"before:"}  # "where did i live before?": "before that i was in Madrid"; "it's my first time"
        if bare_favourite and _FAVOURITE_IS.match(joined):
            own |= {"favourite:"}
        if wished and (doer is None or _by_the_doer(words, last[doer])) and any(
                word in ("would", "'d") or word.endswith("'d") for word in words[:4]) and wished & set(words):
            own |= {"wish:"}  # "what breed would i like?": "i'd like a cocker spaniel", not "my landlord said it's ok"
        if would_be and telling.words[:2] in (("i'd", "be"), ("i", "would"), ("i'll", "be"), ("i", "will")) and (
                _IS_A.search(" ".join(("is", *telling.words[2:])))):
            own |= {"be:"}  # "what would i be?": "i'd be a team leader"
        if will_be_doing and (words[:2] in (["i'll", "be"], ["we'll", "be"]) and words[2:3] or words[:3] in (
                ["i", "will", "be"], ["we", "will", "be"]) and words[3:4]) and (
                _doing_word(words[words.index("be") + 1])):
            own |= {"be:"}  # "what will i be doing?": "i'll be working for a bank there", not "i'm moving to lisbon"
        if after and telling.words[-1:] == ("next",):
            own |= {"next:"}  # "i'm starting Lord of the Rings next", not "i just finished reading The Hobbit"
        placed_along = answer is _PLACE and bool(_ALONG.search(joined))  # "it was outside the library"
        unresolved_it = answer is not None and (words[:1] in (["it's"], ["its"]) or words[:2] in (
            ["it", "is"], ["it", "was"])) and (_says_as_asked(answer, words, stems) or placed_along)  # "it's at the
        # town hall"
        if its and answer is not None and (subject or unresolved_it) and telling.words[:1] in (
                ("it",), ("it's",), ("its",)) and (answer not in (_PLACE, _VERDICT) or _says_as_asked(
                    answer, words, stems) or placed_along):  # not "it's a red Trek"
            # to "where did i buy it?", nor "it was at the Apollo" to "how was it?"
            own |= {"it:"}  # "where is it?": the sentence that spoke of it ("it's at the town hall")
        if (does_it and telling.words[:1] in (("it",), ("it's",)) or doers and telling.words[:1] in doers
                and telling.words[1:2] not in (("don't",), ("do",))) and _does_as_asked(last, words):
            own |= {"does:"}  # "it has a big garden"
        if where_went and (_back_from(words) or set(words) & _GOING - {"booked"}):
            own |= {"went:"}  # "where have i been?": "i've just got back from a week in crete", not "we stayed in"
        own |= {word + ":" for word in most_of & set(words)}  # "what's my best time?": "my best time is 27 minutes"
        if favourite_of and at and _FAVOURITE_IS.match(joined) and favourite_of & {
                _stem(word) for word in with_subjects[at - 1][0].said}:  # "what's my favourite bread?": "i've been
            own |= favourite_of | {"favourite:"}  # learning to bake bread. my favourite is a sourdough with olives"
        if who_is and by_subject and _NAMES_IT.search(joined):
            own |= {"name:"}  # "who is my new neighbour?": "my new neighbour is called bartek", not "... a plumber"
        if "call" in said and asks_name and _NAMES_IT.search(joined):
            own |= {"name:"}  # "what did gemma call the baby?": "they called him Theo", not "gemma had a baby boy"
        # "who am i going with?": "with my brother", just after "i'm going hiking in the Alps"
        answers_with = with_whom and any(  # "with my brother", "i'm camping with three friends", "i'm with Vodafone"
            _SOMEONE.match(" ".join(words[i + 1:]))
            or any(tuple(words[i + 1:i + 1 + len(name)]) == name for name in names)
            for i, word in enumerate(words) if word == "with")
        own |= {"with:"} if answers_with else set()
        if like_what and (own or by_subject) and set(words) & _BEING_WORDS and not _NAMES_IT.search(joined):
            own |= {"like:"}  # "my instructor is very patient"
        shared = own | by_subject
        literal |= by_subject  # "her name is Olive" says "dog" by its "her"
        answers = bool((shared or not stems or answer is _DISTANCE) and answer and _says_as_asked(answer, words, stems)
                       or says_it or answers_with or placed_along and "it:" in own
                       or "call" in said and "name:" in own  # "what did they call the baby boy?": "they called him
                       # arlo", not "my friend zara just had a baby boy"
                       # "who interviewed me?": "the interviewer was called Helen", not "i had a job interview"
                       or any(doers & set(words) for doers in agent.values())
                       # "what did my neighbour say?": "he said he'll pay for it", not "he's called Graham"
                       or verb in ("say", "tell") and any(_stem(word) == verb for word in words)
                       or bool(most_of & set(words))  # "which exam is the hardest?": "chemistry is the hardest one"
                       # "who is she marrying?": "her fiance is called Ravi", a name, not "she's getting married"
                       or who_is and bool(shared) and bool(_NAMES_IT.search(joined))  # (not "who had a
                       # baby?": "my friend Lukas just had a baby girl", not "the baby girl's name is Mila")
                       # "who did i see?": a name the user wrote ("it was Arctic Monkeys"), not "who won the game?"
                       # nor a place ("the wedding will be in Lisbon")
                       # "what is above the kitchen?": "the bathroom is right above it", which says what is there
                       or bool(beside) and beside in words and words.index(beside) > 1
                       # "which school is he going to?": "his school is called Parkside Academy", which names it
                       or answer is _PLACE and last[:1] == ["which"] and bool(shared & {_stem(last[1])})
                       and bool(_NAMES_IT.search(joined))
                       or lead == "who" and last[1:3] in (["did", "i"], ["did", "we"], ["am", "i"], ["are", "we"])
                       and bool(set(last) & _SEEING) and bool(shared)
                       and any(within(name, words) and not _placed_name(name, words) for name in names))
        if answers and lead == "when" and answer is _TIME and _says_no_such(answer, lead, joined):
            answers = False  # "when will it be finished?": not "it's been going on for two months", how long
        if answers:
            shared |= {"?"}  # it says where, or when, as asked ("where was i?": the newest that says where)
        if where_from and _from_place(words, names) or from_where and set(words) & _NATIONALITIES:  # "he's Italian"
            shared, answers = shared | {"home", "?"}, True
        if subject and not own and not asked_words & _EVENTS and not answers and not (
                stems <= by_subject and _does_as_asked(last, words)):  # "what can rio say?": all of it is of him
            continue  # "he was there" speaks of the brother asked about, but not of what is asked
        of_them = {_stem(word) for word in subject or _subject(words, names) or []}
        if of_them and lead in ("what", "where", "which") and own and own <= of_them and stems - of_them - _GOT and (
                not answers and not says_it and not asked_words & _EVENTS) and not (
                last[1:2] in (["does"], ["did"]) and "do" in last[3:]):  # (but "what has theo got?", "what does my
            # husband do at night?": "my son theo has chickenpox", "my husband snores really loudly")
            continue  # "what did he have for lunch?", "what is her temperature?": not "my son theo just started at a
            # new nursery", "my daughter isla has chickenpox", which say nothing asked but whom they are of
        if (answer in _MEASURES or answer is _DURATION and said & {"been", "take", "takes", "last", "lasts"}
                or answer is _WHEN_ONCE and "birthday" in said  # "when is his birthday?": not "he has just retired"
                or _says_no_such(answer, lead, joined)  # "when is the walk?": not "my sponsored walk is 26
                # miles"; "how many exams does she have?": not "her first exam is maths on monday"
                or answer is _AGE and (any(map(_someone, last)) or asked_names
                                       or not _dates_an_age(words) and not set(words) & _AGED)) and not answers:
            continue  # "how long have i been volunteering?": not "i do volunteering at a food bank", which says not
            # how long; "how old is the boiler?": not "our boiler broke down this morning", which says no age
        if answer is _PLACE and lead == "where" and _TIME.search(joined) and not _PLACE.search(joined) and not (
                _ALONG.search(joined)) and not _says_a_name(words, names):
            continue  # "where is the christening?": not "the christening is in june", which says when, not where
        if last[1:2] and last[1] in _MAKES and lead == "what" and last[2:3] in (["is"], ["was"]) and not _IS_A.search(
                joined.replace("it's ", "it is ")) and not _says_a_name(words, names):
            continue  # "what make is the washing machine?": not "our washing machine is leaking", which says no make
        if named_thing and not name_of_theirs and not (
                _NAMES_IT.search(joined) and (named_thing in map(_stem, words) or words[:1] in _IT_OR_US)
                or _says_a_name(words, names, lambda word: _someone(word) or word in ("called", "named"))):
            continue  # "what is the nursery called?": not "my daughter started nursery this week", which names none,
            # nor "her key worker is called Jade", which names another
        if which_place and not answers and not _says_a_name(words, names, lambda word: word in _NAMING_CUES | {
                "her", "him", "them"}):
            continue  # "which hospital are we going to?": not "we're going to call her Nell", which says no place
        if for_which and not _FOR_THING.search(joined):
            continue  # "what job is it for?": not "i've got a job interview at the bank", which says for no job
        if which_one and not it_says_which and not _says_which(words, *which_one, names):
            continue  # "what phone do i have?": not "i dropped my phone in the bath", which says not what phone
        if which_any and (_as_any_one(words, which_any) or which_any not in map(_stem, words) and not _says_a_name(
                words, names, _someone) and words[:1] not in _IT_OR_US and not (
                answer is _PLACE and any(found.group().split()[1:2] == ["the"] for found in _PLACE.finditer(
                    joined)))):  # (a name, not "my friend ayesha"; a
            # place: "he's at the royal infirmary" to "which hospital is he in?")
            continue  # "which musical is it?": not "we're going to see a musical", nor "my friend is getting the
            # train down on friday" (but "it's Hamilton", "i drive the number 42")
        if from_where and set(last) & _GOT_FROM and not set(words) & {"from", "off", "through", "via", "at"}:
            continue  # "where did we get her from?": not "we've got a new puppy", which says from nowhere
        whence = [found.group() for found in _PLACE.finditer(joined)] if going_to_where else []
        if whence and all(place.startswith(("from ", "off ")) for place in whence) and not _back_from(words):
            continue  # "where am i going?": not "we fly from Manchester on the 2nd of june", which says whence (but
            # "we just got back from iceland" to "where did we go?")
        if lead == "who" and not _points_to_someone(words, names, last, stems, who_does):
            continue  # "who are the fitters?": not "the fitters start on monday", which names no one
        if name_of_theirs and (not _names_someone(words, names, whom_asked) or own_name and _names_theirs(words)):
            continue  # "what's my girlfriend called?": not "i'm flying out with my girlfriend", which names no one
        if favourite_asked and not (set(words) & _FAVOURING or own & favourite_of or by_subject & favourite_of):
            continue  # "what's my husband's favourite food?": not "i'm organising a party for my husband's 50th"
        if favourite_of and not (own | by_subject) & favourite_of and _favourite_kinds(words):
            continue  # "what's my favourite film?": not "my favourite band is Elbow", a favourite of another kind
            # (but "his favourite is the triceratops" after "my son is obsessed with dinosaurs")
        now = "now" in said and "now" in words  # "how many do i drink now?": "i used to drink five cups, now it's two"
        lacked_for = (how_long and bool(_DURATION.search(joined))  # "i've not had a drink for 12 days"
                      or answer in (_TROUBLE, _UNABLE)  # "what's wrong with smudge?": "my cat smudge hasn't been
                      # eating"; "what can't i do?": "i can't drive"
                      or bool(said & _NOT) and bool(telling.denied & stems)  # "who is not keen?": "my mum is not keen"
                      or last[1:2] in (["did"], ["was"], ["were"]) and within(("used", "to"), words) and bool(
                          said & {"use", "used"} or own - by_subject))  # "who did he
        # belong to?": "he used to belong to my grandad", which is so no longer
        if (not words or not (telling.valued or subject) or telling.denied and not now and not lacked_for
                or _taken_back(telling.said, told) and not lacked_for
                or len(shared) < (2 if framed and not loose else 1)
                or framed and loose and len(shared) < 2 and not literal & asked_kinds
                or loose and answer is not None and not answers  # "where do i live?": a place, not "with two friends"
                or words[0] in _QUESTION_LEADS or len(words) > TOLD_BACK_WORDS or set(words) & SECOND_PERSON
                or of_others and not (_of_someone_named(words, names) or answers or by_subject  # "the boat"
                                      or len(literal) > 1  # "what changed yesterday?"
                                      or literal and set(last) & set(words) & _THEY  # "they sent blue"
                                      or "think:" in own  # "what does she think?": "she thinks i've torn ..."
                                      or "weather" in own  # "what was the weather like?": "it rained the whole time"
                                      or "name:" in own  # "what did gemma call the baby?": "they called him Theo"
                                      or literal & _THEN_STEMS and bool(said & _EVENTS)  # "what is happening
                                      # afterwards?": "afterwards there's a lunch at the pub"
                                      or literal and what_thing  # "what's the role?": "it's for a ... role"
                                      or asked_names & set(words_after(NAME_LEADS, words))  # "a labrador called Bruno"
                                      or lead == "what" and len(stems) == 1 and literal  # "what burst?"
                                      or lead == "what's" and len(stems) == 1 and literal  # "what's leaking?"
                                      and words[:1] in (["my"], ["our"], ["the"])
                                      and (last[-1].endswith("ing") or len(last) == 2)  # "what's sore?"
                                      or lead in ("what's", "whats") and last[1:2] == ["for"] and len(stems) == 1
                                      and literal and bool(set(words[:1]) & _OPENS_CLAUSE)  # "what's for dinner?"
                                      or lead == "who" and len(stems) == 1 and literal  # "who is moving?": "my team"
                                      and words[:1] in (["my"], ["our"], ["the"])  # "the headliner is Fleet Foxes"
                                      or lead == "who" and literal and bare[-1:] == ["for"] and bool(subject)  # "who
                                      # is the party for?": "we're throwing him a party", him of my grandfather
                                      or asks_name and _NAMES_IT.search(" ".join(words))  # "what's the puppy called?"
                                      or words[:1] in (["the"], ["my"], ["our"])  # "the screen", "our boiler"
                                      and set(words[1:2]) & asked_words
                                      or words[:2] == ["all", "the"] and set(words[2:3]) & asked_words)):  # "all the
            # money goes to the air ambulance"
            continue
        words = ["my", *words] if words[:1] == ["name's"] else words  # "name's Callum": "your name's callum"
        words = words[words.index("that") + 1:] if words[:2] == ["remind", "me"] and "that" in words[2:5] and (
            words[words.index("that") + 1:]) else words  # "remind me later that i need to ring the bank": "you said
        # you need to ring the bank"
        words = ["i'm", *words] if _doing_word(words[0]) and words[1:2] not in (["is"], ["was"], ["starts"], [
            "finishes"]) else words  # "staying in an airbnb": "you're staying ..." (not "training is on wednesdays")
        back = [_SAID_BACK.get(word, word) for word in words]
        back = ["were" if word == "was" and i and words[i - 1] == "i" else word for i, word in enumerate(back)]
        back = ["am" if word == "am" and i and words[i - 1][:1].isdigit() else said
                for i, (word, said) in enumerate(zip(words, back))]  # "at 5 am"
        if all(said != ("you", "said", *back) for _, said, _ in found):
            verbatim = len(asked_words & {*words, *subject})  # "i study history", not "i'm a student"
            does = (has_or_says and _does_as_asked(last, words)  # "what does she have?": "she has dementia"
                    # "who owns the cafe?": "the owner is a guy called Tony", not "i've been made a manager at the cafe"
                    or any(doers & set(words) for doers in agent.values())
                    or did and _did(words)  # "what did i paint?": "i did a painting of my dog", not "i've been ..."
                    # "what's wrong with my phone?": "my phone screen is cracked", not "i dropped it in the car park"
                    or answer is _TROUBLE and bool(_STATE.search(" ".join(words)))
                    # "what have i passed?": "i've passed my driving test", not "i passed on my third attempt"
                    # "what do i want?": "i want something small", not "my sister wants a big party"
                    or lead in ("what", "who") and bool(verb) and _by_the_doer(words, last[doer]) and any(
                        _stem(word) == verb and (words[i + 1:i + 2] in _OBJECT_STARTS or any(
                            name[:1] == tuple(words[i + 1:i + 2]) for name in names) or (
                        "doing" in said and words[i + 1:i + 2] and _doing_word(words[i + 1])))  # "what do i love
                                              for i, word in enumerate(words)))  # doing?": "i love walking ..."
            # "where did he work?": "he worked at the car factory", not "he's looking for work in logistics"
            does = does or lead == "where" and did_where and not before and bool(verb) and any(
                _stem(word) == verb and _PAST_WORD.fullmatch(word) for word in words)
            with_it = bool(ends_in) and ends_in[0] in words[1:]  # "... so i made it with lentils"
            # "where did i study?": "i studied at Durham", a place named, before "a degree in history"
            named_place = answer is _PLACE and any(_placed_name(name, words) for name in names)
            found.append(((len(shared), answers, with_it, does, verbatim, named_place), ("you", "said", *back),
                          _begins_correcting(telling.words)))
    if not found and lead == "where" and going_to_where and last[1:3] in (["are", "we"], ["am", "i"]):
        # "where are we going camping?": "we'll be at a lake in the mountains", the newest that says where they'll be
        being = [telling.words for telling in told if _WILL_BE_AT.match(" ".join(telling.words))]
        if being:
            return [("you", "said", *(_SAID_BACK.get(word, word) for word in being[-1]))]
    if lead == "when" and last[1:2] in (["is"], ["was"], ["are"]):  # "when is my driving test?": "on thursday"
        dated = [entry for entry in found if _dated(entry[1])]  # before "it's at 9 in the morning", a time of day only
        found = dated or found  # (not "when does my shift start?", which "it starts at 10pm" answers)
    most_shared = max((n for n, _, _ in found), default=(0, False, False, False, 0, False))  # those that speak most
    best = [(said, correcting) for n, said, correcting in found if n == most_shared]
    if answer is _HAPPENED and lead == "what":  # "what happened to tariq?": "he's just been made redundant", not "he
        best = [entry for entry in best if not _SINCE.search(" ".join(entry[0]))] or best  # worked there for 22 years"
    if best and best[0][1]:  # "my exam is on thursday. actually no, it's on friday": the correction alone
        return [best[0][0]]
    if asks_name and _plural_someones(last) and len(best) > 1 and all(
            _NAMES_IT.search(" ".join(said)) for said, _ in best[:2]):
        # "what are my kids called?": "you said your son is called arlo and your daughter is called wren"
        (newer, _), (older, _) = best[:2]
        return [(*older, "and", *newer[2:])]
    # "where is the phone now?": where it was put last ("i've put it in a bag of rice"), not where it was dropped;
    # "which city is he moving to?": the newest that says one ("he's moving to toronto", not "... to canada")
    return [said for said, _ in best][:1 if lead == "where" and ("now" in said or which_place) or answer is _MEANS
                                      else most]  # "how do i get to work now?": the newest way told


def _dated(words: Sequence[str]) -> bool:
    """Whether a sentence (lower-case ``words``) says when more than a time of day: "on thursday", "in june", not
    "it's at 9 in the morning" (:data:`_CLOCK`)."""
    text = " ".join(words)
    clocks = [found.span() for found in _CLOCK.finditer(text)]
    return any(not any(start <= found.start() and found.end() <= end for start, end in clocks)
               for found in _TIME.finditer(text))


_CHILDREN_ASKED = frozenset("twins kids children boys girls sons daughters babies triplets".split())
_CHILD = frozenset("twin kid child boy girl son daughter baby triplet".split())
_KIDS = frozenset("girl girls boy boys".split())
_PEOPLE_COUNTED = frozenset("people us members guests players friends".split())  # who "there are eight of us" counts


def _agents(verb: str) -> set[str]:
    """The words that may name the one who does ``verb`` (a word of doing, "teaches", "care", "headlining"):
    "teaches" -> "teacher", "instructs" -> "instructor", "care" -> "carer", "headlining" -> "headliner"; and
    those who do it by their post (:data:`_DOERS_BY_POST`: "runs" -> "manager", "owner" ...)."""
    stem = _stem(verb)
    return {stem + "er", stem + "or", stem + "r"} | _DOERS_BY_POST.get(stem, set())


# Who does a deed by their post, not by a word made from the deed: "who runs the food bank?" -> "the manager
# there is called Pauline".
_DOERS_BY_POST = {"run": {"manager", "boss", "owner", "organiser", "organizer", "head"},
                  "teach": {"instructor", "tutor", "coach", "trainer", "lecturer"},
                  "marry": {"fiance", "fiancee", "partner", "boyfriend", "girlfriend"},
                  "manag": {"manager", "boss"}, "own": {"owner", "landlord", "landlady"},
                  "operat": {"surgeon", "surgeons"}, "treat": {"doctor", "dentist", "physio", "nurse", "vet"}}
# Words that speak of someone beside those of :func:`_someone`: who a "who" question can hear of; and bodies that
# do things as someone does ("the insurance is paying", "the police are looking for it").
_PERSON_NOUNS = frozenset("""guy man woman lady bloke girl boy lad lass people person someone somebody family
couple folks auntie aunty team company firm charity church police insurance insurer airline council agency hospice
club""".split())
_PERSON_WORDS = _PERSON_NOUNS | frozenset("he she they him her them his".split())
_ENDING_PREPOSITIONS = (["for"], ["with"], ["to"], ["from"], ["by"])  # "who is it for?"
_USER_DOING = frozenset("i i'm im i've i'll we we're we've we'll".split())
_WHOSE_DETERMINERS = frozenset("the my our a an his her their".split())


def _points_to_someone(words: Sequence[str], names: set[tuple[str, ...]], asked: Sequence[str],
                       stems: set[str], verbs: set[str] = frozenset()) -> bool:
    """Whether a sentence (lower-case ``words``) can answer a question of who (``asked``, its words; ``stems``,
    those it asks of): it names someone (one of ``names``, not as a place; "... is called ..."), speaks of
    someone the question does not (:func:`_someone`, :data:`_PERSON_WORDS`: "off a colleague", "my partner Tom",
    "my mother-in-law"), does one of the question's ``verbs`` (stems) to someone or something ("my son is playing
    the wolf" to "who is he playing?"; not where the question ends in "from", "for" ...), has someone the question
    does not speak of do what it asks ("an estate agent came round today" to "who came round today?"), names a
    doer ("run by a church"), has the user do it ("i'm cooking" to "who is cooking?"; not to "who am i marrying?"),
    or says the word a question that ends in one asks after ("the money goes to a hospice"
    to "who does the money go to?"). Not "the fitters start on monday" to "who are the fitters?", nor "i
    volunteer at a food bank" to "who runs the food bank?"."""
    of_asked = {_stem(_unowned(word)) for word in asked}
    bare = [word for word in asked if word != "?"]
    if bare[-1:] == ["from"] and not set(words) & {"from", "off", "through", "via", "by"}:
        return False  # "who did we adopt her from?": not "we adopted a rescue greyhound", which says from no one
    joined = " ".join(words)
    # a naming of the thing asked of: "the band is called The Night Owls" to "who sings in the band?" names the band,
    # no one (but "my instructor is called paul" to "who is my instructor?" names him)
    namings = list(_NAMES_IT.finditer(joined))
    of_the_asked = [naming for naming in namings if asked[1:2] not in (["is"], ["are"], ["was"], ["were"]) and (
        of_asked & {_stem(word) for word in joined[:naming.start()].split()[-2:] if word not in _BEING_WORDS})]
    named_thing = joined[of_the_asked[0].end():].split() if of_the_asked else []
    return (any(within(name, words) and (not _placed_name(name, words) or within(("from", *name), words))
                and not within(name, named_thing) for name in names)  # "a job offer from Google"
            or len(of_the_asked) < len(namings)
            or any((_someone(part) or _someones(part) or part in _KIDS | _PERSON_WORDS)
                   and _stem(part) not in of_asked and not (i and _stem(words[i - 1]) in stems and part in _GROUPS)
                   for i, word in enumerate(words)
                   for part in {_unowned(word), _unowned(word).split("-")[0]})  # "my in-laws", "my mother-in-law"
            # (not "my book club" to "who recommended the book?", the club of the thing asked)
            or bare[-1:] not in _ENDING_PREPOSITIONS and any(
                _stem(word) in verbs and words[i + 1:i + 2] in _OBJECT_STARTS
                for i, word in enumerate(words))  # "who is he playing?": "... playing the wolf" (not "who did we adopt
            # her from?": "we adopted a rescue greyhound")
            or bool(words[:1]) and words[0] in _WHOSE_DETERMINERS and words[1:2] and _stem(words[1]) not in of_asked
            and bool({_stem(word) for word in words[2:]} & stems)
            or bool(words[:1]) and words[0].isalpha() and words[0] not in STOP_WORDS | _USER_DOING  # "mia is starting
            and _stem(words[0]) not in of_asked and bool({_stem(word) for word in words[1:]} & stems)  # school"
            or any(word == "by" and after.isalpha() and (after in ("a", "an", "the") or after not in STOP_WORDS)
                   for word, after in zip(words, words[1:]))  # "run by a church", "it's by mary beard"
            or bool(words[:1]) and words[0] in _USER_DOING and bool({_stem(word) for word in words[1:3]} & stems)
            and not set(asked[1:3]) & {"i", "we"}  # not "i'm getting married" to "who am i marrying?"
            or bare[-1:] in _ENDING_PREPOSITIONS and bare[-1] in words)


_OWNING = frozenset("have drive use own ride get buy".split())  # "what car do i drive?" asks which car
_HAVING = frozenset("have has had got 've own owns".split())
_SAID_BEFORE_A_DEED = frozenset("just also usually still now only mostly always already recently 've have".split())
_IT_OR_US = tuple([word] for word in "it it's its i i'm i've im ive we we're we've were".split())
_WHICH_OF_ANY = frozenset("day days time month year week date one ones way".split())  # "which day is the party?"
_NOT_WHICH = frozenset("my our the a an his her their your new old little big own first same".split())


def _says_a_name(words: Sequence[str], names: set[tuple[str, ...]],
                 not_after: Callable[[str], bool] = lambda word: False) -> bool:
    """Whether a sentence (lower-case ``words``) says one of ``names``, not right after a word ``not_after`` holds
    of ("my friend ayesha" after someone of theirs, "is called jade" after a naming word)."""
    return any(words[i:i + len(name)] == list(name) and not (i and not_after(words[i - 1]))
               for name in names for i in range(len(words)))


def _as_any_one(words: Sequence[str], noun: str) -> bool:
    """Whether a sentence (lower-case ``words``) speaks of ``noun`` (a stem) only as any one of its kind, right after
    "a", "my", "the" ... and not said to be one or called something: "we're going to see a musical", "i've started
    running again after my knee injury"; not "i hurt my left knee", "my festival is green man"."""
    at = [i for i, word in enumerate(words) if _stem(word) == noun]
    return bool(at) and all(i and (words[i - 1] in _NOT_WHICH or words[i - 1] in ("in", "at", "to") and (
        words[i] in _INSTITUTIONS | _PLACES_NAMED)) and words[i + 1:i + 2] not in (
        ["is"], ["was"], ["called"], ["named"]) for i in at)  # "my grandad is in hospital": any one


def _says_which(words: Sequence[str], noun: str, verb: str, names: set[tuple[str, ...]] = frozenset()) -> bool:
    """Whether a sentence (lower-case ``words``) says which ``noun`` the user does ``verb`` of, as "what car do i
    drive?" asks: the user does it ("i drive a 2012 ford focus", "i've just got a pixel 8"), the noun is said to be
    one ("my car is a red fiesta"), called something ("his school is called Parkside Academy") or one of ``names``
    ("my musical is hamilton") or is said with a word that says which ("my knee operation", "a gluten allergy");
    not "i dropped my phone in the bath", "my phone contract ends next month" nor "i just finished my driving
    lessons"."""
    wanted = _HAVING if verb == "have" else {verb, *(past for past, now in _PASTS.items() if now == verb)}
    verb, noun = _stem(verb), _stem(noun)
    for i, word in enumerate(words):
        if word in ("i", "we", "i've", "we've"):
            rest = [said for said in words[i + 1:i + 4] if said not in _SAID_BEFORE_A_DEED or said in wanted][:1]
            if rest and (rest[0] in wanted or _stem(rest[0]) == verb):
                return True
    for i, word in enumerate(words):
        if _stem(word) != noun:
            continue
        if words[i + 1:i + 3] in (["is", "a"], ["is", "an"], ["was", "a"], ["was", "an"], ["is", "called"],
                                  ["was", "called"], ["is", "my"], ["is", "our"]) or words[i + 1:i + 2] in (
                ["is"], ["was"]) and any(
                words[i + 2:i + 2 + len(name)] == list(name) for name in names) or (
                i and words[i - 1] not in _NOT_WHICH and words[i - 1].isalpha() and words[i - 1] not in STOP_WORDS
                and words[i - 1] not in NUMBER_WORDS):
            return True
    return False


_PLACING = frozenset("put left moved taken hidden stored parked sent packed kept hung".split())  # where a thing is


def _said_to_be_someone(thing: Sequence[str], words: Sequence[str]) -> bool:
    """Whether a sentence (lower-case ``words``) says ``thing`` (its words, "the host") is someone: "the host is my
    friend sunita", "the owner is a guy called Mo"."""
    at = next((i for i in range(len(words)) if words[i] == thing[-1]), None)
    if at is None or words[at + 1:at + 2] not in (["is"], ["was"]):
        return False
    rest = [word for word in words[at + 2:at + 6] if word not in ("my", "our", "a", "an", "the", "best", "old")]
    return bool(rest) and (_someone(rest[0]) or rest[0] in _PERSON_NOUNS)


def _unowned(word: str) -> str:
    """``word`` without its "'s" ("mum's" -> "mum")."""
    return word[:-2] if word.endswith("'s") else word


_NAME_WORDS = frozenset("name names first full real middle last nick nickname".split())  # "my son's full name is ..."


def _names_theirs(words: Sequence[str]) -> bool:
    """Whether each naming in a sentence (lower-case ``words``) names a thing of someone's, not them: "my granny's
    care home is called meadow view" (not "my son's full name is ...", nor "my sister is called Ana")."""
    found = list(_NAMES_IT.finditer(" ".join(words)))
    for naming in found:
        before = " ".join(words)[:naming.start()].split()
        at = next((i for i in reversed(range(len(before))) if _someone(before[i])), None)
        if at is None or not before[at].endswith("'s") or not any(
                word.isalpha() and word not in _NAME_WORDS for word in before[at + 1:]):
            return False
    return bool(found)


def _names_whom(words: Sequence[str], whom: set[str]) -> bool:
    """Whether a sentence (lower-case ``words``) names something, "... is called ...", "her name is ...", and
    where ``whom`` is given, of them: the nearest someone before the naming is one of them, or no one is
    ("my daughter's name is Ella"; not "my daughter's fiance is called Ravi" of a daughter)."""
    for found in _NAMES_IT.finditer(" ".join(words)):
        before = " ".join(words)[:found.start()].split()
        nearest = next((_whom(word) for word in reversed(before) if _someone(word)), None)
        if not whom or nearest is None or nearest in whom or nearest in _PETS and whom & _PETS:  # "a labrador
            # called Bruno" of my dog
            return True
    return False


def _names_someone(words: Sequence[str], names: set[tuple[str, ...]], whom: set[str] = frozenset()) -> bool:
    """Whether a sentence (lower-case ``words``) names someone (one of ``whom``, where given: "my sister"
    for "sister", not "a charity called Mind"): "... is called ...", "her name is ..." (:func:`_names_whom`:
    not "my daughter's fiance is called Ravi" of her), a name the user wrote capitalised (``names``) but
    not as a place ("my brother lives in Sydney"), or a word just after someone of theirs that the sentence goes on
    from as from a name ("my flatmate priya is vegetarian"; "we have two girls, Lucia and Martina", not
    "three kids, two boys and a girl"), not "i'm flying out with my girlfriend"."""
    theirs = {_whom(word) for word in words if _someone(word) or word in _KIDS}
    spoken_of = [word for word in words if word in _SOMEONE_SPOKEN_OF and (word not in _GENDER or _may_be(word, whom))]
    if whom - _PETS and not (whom & theirs if theirs else spoken_of):  # not "his name is Alfie" of a daughter
        return False  # not "i did it for a charity called Mind"; but "they've called her Poppy" of the baby (a pet
        # is named by its breed too: "i have a labrador called Bruno")
    naming = bool(_NAMES_IT.search(" ".join(words)))
    if naming and not _names_whom(words, whom):
        return False  # "my daughter's fiance is called Ravi" names him, not her
    return (naming or any(within(name, words) and not _placed_name(name, words) and (not whom or _says_a_name(
        words, {name}, lambda word: _someone(word) and _whom(word) not in whom))  # not "our cat mochi had kittens"
                          for name in names)  # of the kittens
            or any(_someone(word) and not word.endswith("'s")  # not "my girlfriend's family"
                   and (not whom or _whom(word) in whom or word in _KIDS)  # not "my flatmate sol" of his girlfriend
                   and words[i + 1:i + 2] and words[i + 1].isalpha() and words[i + 1] not in STOP_WORDS
                   and (words[i + 2:i + 3] in ([],)
                        or words[i + 2] in _BEING_WORDS - _I_BEING | {"has", "and", ",", "'s"})
                   for i, word in enumerate(words))  # not "my teacher says i'm a natural"
            or any((_someone(word) or _someones(word) or word in _KIDS) and words[i + 1:i + 2] == [","]
                   and words[i + 2:i + 3] and words[i + 2].isalpha() and words[i + 2] not in STOP_WORDS | NUMBER_WORDS
                   for i, word in enumerate(words)))  # "we have two girls, Lucia and Martina"


def _is_doing(words: Sequence[str]) -> bool:
    """Whether a sentence (lower-case ``words``) says someone is doing something: "is" or "are" and a
    doing (:func:`_doing_word`), "my landlord is putting the rent up", not "he's 91"."""
    return any(word in ("is", "are") and _doing_word(after) for word, after in zip(words, words[1:]))


def _doing_word(word: str) -> bool:
    """Whether ``word``, opening a sentence of the user's, is a doing said with no one doing it
    ("studying civil engineering", "staying in an airbnb"): the user is."""
    return len(word) > 5 and word.endswith("ing") and word not in _NOT_DOING


_NOT_DOING = frozenset("""morning evening nothing something everything anything during wedding building ceiling
pudding sibling darling clothing painting feeling meeting""".split())


def _superlative(word: str) -> bool:
    """Whether ``word`` says the most of something ("hardest", "easiest", "best", "least")."""
    return word in _MOSTS or len(word) > 5 and word.endswith("est") and word not in _NOT_MOST


_MOSTS = frozenset(("best", "worst", "most", "least", "biggest", "oldest", "eldest", "youngest"))
_NOT_MOST = frozenset("""interest honest forest request contest harvest modest protest suggest invest arrest digest
manifest conquest everest budapest bucharest dishonest earnest""".split())


# A sentence that names the user: "my name is Harriet", "everyone calls me Hattie", "i'm called Jo".
_NAMES_THE_USER = re.compile(r"^(?:my name is|my name's|i'm called|i am called|call me|(?:\w+ )?calls me)\b")


_THOUGHTS = {(word,) for word in "think thought reckon guess expect suspect believe bet".split()}
_THOUGHT_WORDS = frozenset(word for word, in _THOUGHTS) | frozenset("said say says hope know".split())


_THINKS_WORDS = frozenset("says said thinks thought reckons reckoned".split())  # what another says of it
_THINKS = {(word,) for word in "thinks reckons guesses expects suspects believes says".split()}


def _asks_thought(question: list[str]) -> bool:
    """Whether a question (lower-case words) asks what the user thinks will be or is so ("what do
    i think is happening?", "what do i reckon?"), not what they thought of something ("what did i
    think of the food?", a verdict)."""
    at = 4 if question[2:3] in (["the"], ["my"], ["our"]) and question[3:4] and _someone(question[3]) else 3
    return (question[:1] == ["what"] and question[1:2] in (["do"], ["did"], ["does"])
            and (question[2:3] in (["i"], ["we"], ["he"], ["she"], ["they"]) or at == 4)  # "what does she think?"
            and tuple(question[at:at + 1]) in _THOUGHTS  # after "she thinks i've ...", "what does the doctor think?"
            and question[at + 1:at + 2] not in (["of"], ["about"]))


def _has_been(words: Sequence[str]) -> bool:
    """Whether a sentence (lower-case ``words``) tells of something that has gone on a while ("my cat
    has been sneezing a lot", "she's been off her food")."""
    return any(words[i:i + 2] in (["has", "been"], ["have", "been"], ["had", "been"]) for i in range(len(words) - 1))


def _did(words: Sequence[str]) -> bool:
    """Whether a sentence (lower-case ``words``) tells of something done and over ("i did a painting
    of my dog last week", "we went island hopping")."""
    return any(_PAST_WORD.fullmatch(word) for word in words) or "did" in words


def _bare_amount(words: Sequence[str]) -> bool:
    """Whether a sentence (lower-case ``words``) says a number of nothing it names ("i've got about
    3000 so far"), not a number of things ("we already have two girls")."""
    return any(match.group() and (match.end() == len(text) or text[match.end() + 1:].split()[0] in STOP_WORDS
                                  | _AFTER_A_VALUE)
               for text in [" ".join(words)] for match in _AMOUNT.finditer(text))


def _says_as_asked(answer: re.Pattern, words: Sequence[str], stems: set[str]) -> bool:
    """Whether a sentence (lower-case ``words``) says what a question asks (``answer``: a place, a
    time, a number ...); a place or a time only where it is not the thing asked about itself
    (``stems``): "to a concert" does not say where the concert is, "at Wembley" does; so too
    someone ("my grandma" does not say who is sending my grandma a card)."""
    found = answer.finditer(" ".join(words))
    if answer not in (_PLACE, _WORKS_AT, _TIME, _CLOCK, _WHEN_ONCE, _DURATION, _SOMEONE):
        return next(found, None) is not None
    return any(not {_stem(word) for word in match.group().split()} & stems for match in found)


_GOES = frozenset(("go", "goes", "went", "gone", "going"))
# Whom the user sees or meets ("who did i see?"), which a name they wrote answers ("who am i going with?" does not).
_SEEING = frozenset("see seeing saw seen meet meeting met watch watching watched".split())


def _placed_name(name: Sequence[str], words: Sequence[str]) -> bool:
    """Whether ``name`` (lower-case words) is said in ``words`` as a place: after "in", "at", "to"
    ... (:data:`_BEFORE_A_PLACE`)."""
    return any(tuple(words[i:i + len(name)]) == tuple(name) and i and words[i - 1] in _BEFORE_A_PLACE
               for i in range(len(words)))


_THEY = frozenset(("they", "he", "she"))  # someone a question of others and a sentence of the user's both speak of
# What a thing spoken of just before is for: "it's for my birthday", "my trip is for a wedding".
_FOR_IT = re.compile(r"^(?:it's|it is|its|it was|(?:my|our) [\w' ]+? (?:is|was)) (?:all |just |mostly )?"
                     r"(?:for|because)\b")
# A question of what a thing is ("what's the tattoo of?", "what was the job?"), which a sentence of
# "it" after one that spoke of it answers ("it was for a paralegal role").
_WHAT_THING = re.compile(r"^(?:what's|whats|what is|what was|what are|what were) (?:the |my |our |his |her |their )?"
                         r"[\w']+(?: of| like)?$")


def _asks_role(question: list[str], told: list[Telling]) -> bool:
    """Whether a question (lower-case words) asks what the user is at an event they spoke of ("what
    am i at the wedding?" after "my sister's wedding is next saturday", "what am i to the baby?"; not
    "what am i in the play?" where no play was spoken of)."""
    if [word for word in question if word.isalpha()] in (["what", "am", "i"], ["what", "am", "i", "in"]):
        return True  # "what am i?" after "i'm the captain of my rugby team", "what am i in?" after "i'm in a choir"
    if question[:3] not in (["what", "am", "i"], ["what", "was", "i"]) or question[3:4] not in (["at"], ["in"], ["to"]):
        return False  # "what am i to the baby?" after "my sister just had a baby girl. i'm her godmother"
    if question[3:5] == ["in", "charge"]:
        return False  # "what am i in charge of?": of what, not a role ("i'm in charge of the collection")
    event = {_stem(word) for word in content_words(" ".join(question[4:]))}
    return any(event & {_stem(word) for word in telling.said} for telling in told)


def _asks_deed(question: list[str]) -> bool:
    """Whether a question (lower-case words) asks what the user did ("what did i just do?", "what did
    we do?", "what did we do for her birthday?"), which the newest of the last few sentences of theirs
    that tells of something done answers."""
    words = [word for word in question if word.isalpha() and word != "just"]
    return words[:4] in (["what", "did", "i", "do"], ["what", "did", "we", "do"], ["what", "have", "i", "done"],
                         ["what", "have", "we", "done"]) and words[4:5] in ([], *_WHEN_DONE, ["with"])  # "... for her
    # birthday", "what did we do with them?"


_HOW_IT_WAS = frozenset("go went feel felt look looked taste tasted sound sounded seem seemed turn end".split())
_WHEN_DONE = tuple([word] for word in "for on at in yesterday today tonight last this to about".split())  # "what
# have i done to find her?", "what have we done about it?"
_REPORTING = frozenset("said says told tells thinks thought reckons reckoned".split())  # another's word, no deed
_DOERS = {"i": tuple((word,) for word in ("i", "i'm", "i've", "i'd", "we", "we're", "we've", "we'd")),
          "we": tuple((word,) for word in ("we", "we're", "we've", "we'd"))}


def _lately(told: list[Telling]) -> list[Telling]:
    """The last few (:data:`_JUST_TOLD`) sentences of ``told`` that tell something, not the
    questions asked since ("what colour is it?" before "what happened to it?")."""
    return [telling for telling in told if telling.words[:1] and telling.words[0] not in _QUESTION_LEADS][-_JUST_TOLD:]


_ASKS_ADVICE = frozenset(("do", "say", "wear", "get", "need", "bring", "cook", "eat", "buy"))  # "what will i do?"
_HOW_MUCH = frozenset(("long", "many", "much", "often", "far"))
# "what do i do there?" (after "i volunteer at an animal shelter"): the newest of the last few sentences
# that says what the user does ("i mostly walk the dogs").
_DOING_THERE = [[who, "do", where] for who in ("i", "we") for where in ("there", "then")]
# What the user is at an event ("i'm her maid of honour", "i'm the best man"), which answers "what am i at
# the wedding?".
_ROLE = re.compile(r"^(?:i'm|im|i am|i was) (?:in )?(?:the|a|an|her|his|their|our|one of) ")
_DOES_THERE = re.compile(r"^(?:i|we) ")


def _does_as_asked(question: Sequence[str], words: Sequence[str]) -> bool:
    """Whether a sentence (lower-case ``words``) does what the question's last word does ("say" of
    "what can rio say?" in "he can say hello"; "have" of "what does lily have?" in "she has ...", not
    in "she has been off school"); any
    does what "do" asks ("what does my puppy do?": "she chews everything")."""
    verb = next((word for word in reversed(question) if word.isalpha()), "")
    does = {_DOES_AS.get(word, word) for i, word in enumerate(words)
            if not (word in ("has", "had", "have") and tuple(words[i + 1:i + 2]) in _DONE_SINCE)}  # "has been"
    return verb in ("do", "like") or bool(verb) and verb in does  # "what's it like?": "it's really swollen"


_DOES_AS = {"has": "have", "had": "have", "says": "say", "said": "say", "does": "do", "did": "do"}


def _begins_correcting(words: Sequence[str]) -> bool:
    """Whether a sentence (lower-case ``words``) begins as a correction does ("actually no, it's on
    friday"), whatever follows (:func:`_corrects` asks more)."""
    return any(tuple(words[:len(lead)]) == lead for lead in _CORRECTION_LEADS) or _restates(words)


def _restates(words: Sequence[str]) -> bool:
    """Whether a sentence (lower-case ``words``) says again what the user meant, whole: "(sorry,) i
    mean i'm a vet nurse", "i meant my sister lives there"."""
    return tuple(words[:2]) in (("i", "mean"), ("i", "meant")) and tuple(words[2:3]) in _RESTATED


_RESTATED = (("i'm",), ("im",), ("i",), ("my",), ("we",), ("we're",), ("it's",), ("he's",), ("she's",))


# The animals a user names as pets (the pet-name slot's), which a question of a "pet" asks about.
_PETS = kinds(word for slot in SLOTS if slot.name == "pet_name" for word in slot.qualifiers) | {
    "puppy", "puppies", "kitten", "kittens", "pup", "bunny", "goldfish", "fish", "budgie", "tortoise", "hedgehog",
    "gerbil", "chinchilla", "pony", "canary", "cockatiel", "gecko", "iguana", "greyhound", "labrador", "spaniel",
    "terrier", "poodle", "retriever"}
_PET_WORDS = frozenset(("pet", "pets", "animal", "animals"))
# Animals of a farm or a garden, which "what animals did we have?" asks of ("we had sheep and chickens").
_KEPT_ANIMALS = frozenset("""sheep chicken chickens hen hens cow cows goat goats pig pigs duck ducks goose geese
    donkey donkeys alpaca alpacas llama llamas bees horses ponies cattle dragon lizard snake python axolotl frog
    tarantula ferret ferrets rat rats mouse mice guinea""".split())
_COLOURS = frozenset("""red orange yellow green blue purple violet pink brown black white grey gray silver gold
navy teal turquoise beige maroon ginger tabby tortoiseshell cream golden tan chestnut""".split())
# Instruments: "what instrument do i play?", "how long have i been playing?" after "i've been learning the cello".
_INSTRUMENTS = frozenset("""piano guitar violin viola cello bass drums drum ukulele flute clarinet saxophone sax
trumpet trombone tuba harp oboe bassoon banjo mandolin harmonica accordion keyboard keyboards organ recorder
bagpipes fiddle synth""".split())
# A goal: "what's my goal?" after "i want to get under 30 next time".
_GOAL_CUES = frozenset("goal goals aim aims target targets ambition ambitions".split())
_AIMS = (("want", "to"), ("wants", "to"), ("hope", "to"), ("hoping", "to"), ("trying", "to"), ("try", "to"),
         ("aim", "to"), ("aiming", "to"), ("aiming", "for"), ("going", "for"), ("like", "to"))
_PLAYING_CUES = frozenset("instrument instruments play plays playing played".split())
_PRICE_CUES = frozenset("cost costs price paid pay spend spent charge charged charges".split())
_SUMS_OF_MONEY = frozenset("""redundancy money rent salary wage wages deposit bonus refund loan mortgage budget cash
savings debt compensation pension allowance fee fees""".split())  # "how much rent do we pay?": a sum of money
# Words of doing that follow "to" ("i want to see the cherry blossoms"), where no place does.
_DOINGS = tuple("""see go be do get make have take buy find meet visit try learn start play watch eat cook work help
keep stay move live study read write finish fix call bring pick""".split())
# What answers a question of where or when, in a sentence of the user's: "at a bakery", "in the
# park", "on saturday", "at 5 am", "every evening", "in june", "tomorrow".
_COUNT = ("\\d+|a|an|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|"
          "sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety|a hundred|"
          "a few|few|several|a couple of")
_MONTHS = "january february march april may june july august september october november december"
# Where: "at a bakery", "in Leeds", "on the beach"; not a doing ("to see"), nor a when ("in june", "in the
# morning", "in two weeks").
_WHEN_WORDS = (r"(?:" + "|".join(_MONTHS.split()) + r"|(?:mon|tues|wednes|thurs|fri|satur|sun)days?"
               r"|morning|afternoon|evening|night|summer|winter|spring|autumn|weekend|week|month|year"
               r"|minutes?|hours?|days?|weeks?|months?|years?|one|two|three|four|five|six|seven|eight|nine|ten"
               r"|few|couple|several)\b")
# Not a "to" of what someone needs or wants to do ("i need to print my CV"), which says no place.
_NOT_A_DUTY = "".join(rf"(?<!{word} )"
                      for word in "need needs have has want wants trying hoping able".split())
_PLACE = re.compile(r"\b(?:off (?=ebay|amazon|gumtree|etsy|vinted|depop|facebook|marketplace|craigslist)"
                    r"|(?:at|in|into|to|from|near|on|round|around|across|off) (?:the|a|an|my|our) "
                    r"(?!" + _WHEN_WORDS + r")"
                    r"|(?:at|in|from|near|round|around|across|" + _NOT_A_DUTY + r"to) "
                    r"(?!(?:" + "|".join(_DOINGS) + r"|the|a|an|my|our|for|of|with|by|and|or|but"
                    r"|on|in|at|to|into|up|out)\b)(?!"
                    + _WHEN_WORDS + r"))[^\W\d][\w']*")
_TIME = re.compile(r"\b(?:(?:mon|tues|wednes|thurs|fri|satur|sun)days?|at \d+|\d+ ?(?:am|pm|o'clock)|every \w+"
                   r"|tomorrow|tonight|today|nights|weekends?|mornings|evenings|afternoons|(?:night|day) shifts?"
                   r"|midnight|midday|noon|(?:before|after) (?:work|school|dinner|lunch|breakfast)|during the day"
                   r"|at night|(?:by )?the end of the \w+|soon|later|(?:in )?a (?:week|month|fortnight)"
                   r"|the (?:day|night|morning|week|weekend) (?:before|after)"  # "we're driving up the day before"
                   r"|when (?:i|we|he|she|they|you) (?:was|were) \w+|as a (?:kid|child|baby|teenager|student)"
                   r"|on (?:my|our|your|his|her|their) (?:honeymoon|holidays?|birthday|anniversary|wedding day|way)"
                   r"|(?:for|in|over) the (?:summer|winter|spring|autumn|holidays)|in '?\d\d|in the (?:storm|night)"
                   r"|(?:in )?(?:1[89]|20)\d\d"
                   rf"|(?:in |for )?(?:{_COUNT}) (?:minutes?|hours?|days?|nights?|weeks?|months?|years?)"
                   r"|for (?:minutes|hours|days|weeks|months|years|ages|a while|a long time)"
                   r"|yesterday|next (?!time\b)\w+|last (?!time\b)\w+"
                   r"|(?:on )?the \d+(?:st|nd|rd|th)|christmas|easter|new year|halloween|thanksgiving|diwali|eid"
                   r"|on the (?:(?:twenty|thirty)[ -]?)?(?:first|second|third|fourth|fifth|sixth|seventh|eighth|ninth"
                   r"|tenth|eleventh|twelfth|\w+teenth|twentieth|thirtieth)"  # "i start on the fourth"
                   r"|all (?:morning|afternoon|evening)"  # "it gets sun all afternoon"
                   r"|this (?:morning|afternoon|evening|week|weekend|month|year|spring|summer|autumn|fall|winter)"
                   rf"|in (?:{'|'.join(_MONTHS.split())}|the (?:morning|afternoon|evening))"
                   r"|in (?:the )?(?:spring|summer|autumn|fall|winter)"
                   rf"|{'|'.join(_MONTHS.split())})\b")
# How long: "for a month", "ten years", "a 12 hour flight", "since 2019", "for ages".
_DURATION = re.compile(rf"\b(?:(?:{_COUNT}|about|around|nearly|almost|over|half an?) (?:minutes?|hours?|days?|nights?"
                       r"|weeks?|weekends?|months?|years?|fortnights?|decades?|terms?|seasons?)|since\b|until\b"
                       r"|for (?:ages|years|months|weeks|a while|a long time|life|good)"
                       r"|all (?:day|night|week|weekend|month|year|summer))\b")
# When, of one thing ("when is the race?"): a time, not how often ("three times a week", "every day").
_FOR_A_FEAST = r"(?:(?<!for )|(?=(?:christmas|easter|new year|halloween|thanksgiving|diwali|eid)\b))"  # "for easter"
_WHEN_ONCE = re.compile(r"(?<!times )(?<!once )(?<!twice )(?!every )(?!for )" + _FOR_A_FEAST
                        + rf"(?!(?:{_COUNT}) (?:minutes?|hours?|days?|nights?|weeks?|months?|years?)\b(?! ago))"
                        + r"(?:(?!(?:nights|mornings|evenings|afternoons|weekends)\b)|(?<!\d )"  # not "ten nights"
                        + "".join(rf"(?<!\b{word} )" for word in _COUNT.split("|")[3:]) + ")"
                        + _TIME.pattern)  # nor how long: "we're staying for two weeks", "it's ten nights"
_WHEN_NOT_LONG = re.compile(r"(?!for )" + _FOR_A_FEAST + _TIME.pattern)  # when something is done, not for how long
# Since when: "since the clocks changed", "for three weeks" (not "at 4am").
_SINCE = re.compile(rf"\bsince\b|\bfor (?:the (?:last|past) )?(?:{_COUNT}) "
                    r"(?:minutes?|hours?|days?|nights?|weeks?|months?|years?)\b"
                    r"|\bfor (?:ages|years|months|weeks|a while|a long time)\b")
# A time of day, which answers "what time ...?" ("it's at 9am"), not a day ("tomorrow").
_CLOCK = re.compile(r"\b(?:at (?:\d+|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve)\b"
                    r"|\d+ ?(?:am|pm|o'clock|[ap] m)|\d+[:.]\d\d|(?:half|quarter) (?:past |to )?\d+"
                    r"|noon|midday|midnight|lunchtime|dawn"
                    r"|in the (?:morning|afternoon|evening)|tonight)\b")
# Numbers in words, which say an age or how many.
NUMBER_WORDS = frozenset("""one two three four five six seven eight nine ten eleven twelve thirteen fourteen
fifteen sixteen seventeen eighteen nineteen twenty thirty forty fifty sixty seventy eighty ninety hundred
thousand""".split())
# A price: "for 80 quid", "£80", "2k", "1,200 dollars", "twelve pounds", "four hundred quid", "for free" ("how much
# did it cost?").
_OF_US = re.compile(r"\b(?:\d+|" + "|".join(sorted(NUMBER_WORDS)) + r") of (?:us|them)\b")
_MONEY = re.compile(r"(?:[£$€] [\d,.]+"
                    # not "run 5k", "my best time for 10k is 52 minutes", "a 10k race"
                    r"|(?<!run )(?<!ran )(?<!a )(?<!the )(?<!my )(?<!first )(?<!time for )(?<!best )\b[\d,.]+k"
                    r"(?! (?:run|race|time)\b)"
                    r"|\b(?:[\d,.]+|(?:a|" + "|".join(sorted(NUMBER_WORDS))
                    + r")(?: (?:and )?(?:" + "|".join(sorted(NUMBER_WORDS)) + r"))*) (?:quid|pounds?|dollars?|euros?"
                    r"|bucks|grand|cents?|pence)|for free|free of charge|for nothing"
                    r"|\b\d[\d,.]*(?= (?:a|an|per) (?:month|week|year|hour|night|day)\b)"  # "the rent is 850 a month"
                    r"|(?:(?<=\bpaid )|(?<=\bpay )|(?<=\bpays )|(?<=\bcost )|(?<=\bcosts )|(?<=\bcharge )|(?<=\bworth )"
                    r"|(?<=\bcharges ))(?:about |around |over |nearly |almost )?\d[\d,.]*"
                    r"(?! ?(?:years?|months?|weeks?|days?|hours?|minutes?|times?)\b)"  # "i paid 18,000 for it"
                    # a sum after "for" ("we bought it for 240,000"), not a year ("booked for 2027")
                    r"|(?<=\bfor )(?!(?:19|20)\d\d\b)(?:\d{1,3}(?:,\d{3})+|\d{3,})"
                    r"(?! ?(?:people|guests|of|miles|years|nights)\b))\b")
# How many or how much: "ten words", "$40", "a dozen eggs"; not a year or a date ("from Venice in 1920",
# "since 2019", "on the 14th"), nor a "one" that stands for a thing ("my favourite one is ...").
_AMOUNT = re.compile(r"\b(?<!in )(?<!since )(?<!from )(?<!the )(?<!favourite )(?<!favorite )(?<!this )(?<!that )(?:\d+|"
                     + "|".join(sorted(NUMBER_WORDS - {"one"} | {"dozen", "few", "several", "twin", "twins",
                                                              "triplets"}))
                     + r"|one(?= [a-z])(?! (?:is|was|of|and|but|i)\b)"
                     + r"|another (?=stone|pounds?|kilos?|kg|miles?|grand\b))\b")  # "to lose another stone"
# How many times: a number, or which time it is ("it's my third fail").
_TIMES = re.compile(_AMOUNT.pattern + r"|\b(?:once|twice|(?:" + "|".join(sorted(_ORDINALS))
                    + r") (?:time|fail|attempt|try|go))\b")
# How old someone was: "when i was eight", "at the age of 12".
_AGE_THEN = re.compile(r"\b(?:when (?:i|we|he|she|they) (?:was|were)|aged|at the age of|at age) (?:\d+|"
                       + "|".join(sorted(NUMBER_WORDS)) + r")\b")
# An age: a number on its own or of years ("she's twelve", "he's three years old", "turns 90 next
# month"), not a count of things ("three kids").
_AGE = re.compile(r"\b(?<!for )(?<!for about )(?<!for over )(?<!after )(?<!in )(?<!within )(?:\d+|"
                  + "|".join(sorted(NUMBER_WORDS))
                  + r")(?:-\w+)?"  # not "a postman for 35 years", which is how long
                  r"(?=\s*(?:$|[,.!?]|(?:years?|months?|weeks?|old|and|next|last|this|today|tomorrow|yesterday|soon"
                  r"|now|in|on)\b))"
                  r"|(?<='s )\d+(?:st|nd|rd|th)\b|\b\d+(?:st|nd|rd|th)(?= birthday)"  # "my husband's 40th", "his
                  r"|\ban? (?:year|month|week|day)(?: and a half)? old\b")  # 100th birthday"; "it's only a year old"
# What a user says of something they thought good or bad, or of how they feel: it answers "what did
# i think of the food?", "how am i feeling?" and "how was it?".
_OPINIONS = frozenset("""amazing great good bad terrible awful delicious wonderful fantastic loved hated boring fun
nice lovely horrible incredible excellent okay ok fine disappointing beautiful best worst brilliant gorgeous tasty
perfect dull meh average superb stunning interesting fascinating funny hard easy difficult exciting scary weird
strange cool awesome""".split())
_VERDICTS = _OPINIONS | frozenset("""nervous anxious happy sad tired excited scared worried stressed upset angry
exhausted lonely hate hates love loves enjoy enjoys dread dreading miss better worse gutted thrilled devastated
relieved proud well recovering grumpy itchy cranky miserable bored sleepy achy poorly unwell sick ill annoyed
furious frustrated embarrassed jealous heartbroken overwhelmed nauseous homesick painful sore agony""".split())
# A verdict said ("it was beautiful"), which answers "how was it?"; an opinion, "did i like it?".
_VERDICT = re.compile(r"\b(?:" + "|".join(sorted(_VERDICTS)) + r")\b")
_OPINION = re.compile(r"\b(?:" + "|".join(sorted(_OPINIONS)) + r")\b")
# Someone of the user's a sentence speaks of ("with my boss", "my sister", "two friends"), which
# answers "who".
_SOMEONE = re.compile(rf"\b(?:my|our|{_COUNT}) (?:best |close |old )?(?:"
                      + "|".join(sorted(KIN | _PETS | {"friend", "friends"})) + r")s?\b")  # "my two cats"
# Whose: "it's his cousin's wedding", "my sister's" (not "it's", "she's").
_OWNER = re.compile(r"\b(?!(?:it|that|there|what|he|she|who|where|here|let|how|everyone|nobody|today)'s\b)[a-z]+'s\b"
                    r"|\b(?:mine|ours|theirs|hers|his)\b(?! \w)"
                    r"|(?<=\bit's )(?:his|her|their)\b(?= \w)"  # "it's her birthday while we're there"
                    r"|\b(?:my|our|his|her|their) (?:" + "|".join(sorted(KIN | {"friend"})) + r") \w+s\b"  # "my
                    # cousin sams wedding", typed in haste; "it's for my friend Leanne" (a hen do, a party)
                    r"|(?:(?<=\bit's for )|(?<=\bis for )|(?<=\bwas for ))(?:my|our) (?:best |old )?(?:"
                    + "|".join(sorted(KIN | {"friend"})) + r")\b")
# Why: "for a conference", "because my wife wants more space", "to see the northern lights".
_WHY = re.compile(r"\b(?:because|since|so that|for (?:a|an|the|my|our|some|her|his|their) "
                  r"(?!(?:bit|while|little|few|couple|day|night|week|fortnight|month|year)\b)\w+"  # not "for a bit"
                  r"|for (?:university|uni|college|school|work)|to (?:"
                  + "|".join(("see", "visit", "meet", "celebrate", "help", "study", "work", "learn", "get", "be"))
                  + r")\b)")
# What the occasion is: what it is for, or a day kept ("it's my parents' 40th wedding anniversary").
_OCCASIONS = frozenset("birthday anniversary wedding retirement graduation christening engagement housewarming".split())
_OCCASION = re.compile(_WHY.pattern + r"|\b(?:" + "|".join(sorted(_OCCASIONS)) + r"|leaving do|hen do|stag do"
                       r"|baby shower)\b")
# How far: "5k", "ten miles", "a marathon", "about 5 kilometres".
_DISTANCE = re.compile(r"\b(?:\d+ ?(?:k|km|kms|miles?|kilometres?|kilometers?|metres?|meters?|yards?)"
                       r"|(?:" + "|".join(sorted(NUMBER_WORDS | {"a", "half", "a few"})) + r") (?:miles?|kilometres?"
                       r"|kilometers?|k|metres?|meters?|laps?)|(?:half )?marathons?)\b")
# How often: "every day", "twice a week", "on weekends".
_OFTEN = re.compile(r"\b(?:every \w+|daily|weekly|monthly|nightly|once|twice|\w+ times|most \w+|weekends"
                    r"|(?:mon|tues|wednes|thurs|fri|satur|sun)days|mornings|evenings|nights)\b")
# A weight: "she weighed 8 pounds", "seven pounds two ounces", "3.2 kilos".
_WEIGHT = re.compile(r"\b(?:[\d.,]+|" + "|".join(sorted(NUMBER_WORDS)) + r")(?: and a half)? ?(?:pounds?|lbs?|kilos?|kg"
                     r"|stone|ounces?|oz|grams?)\b")
_SIZE = re.compile(rf"\b(?:\d+|{_COUNT}) ?(?:foot|feet|ft|metres?|meters?|m|inch|inches|cm|mm|yards?)\b"
                   rf"|\b\d+ by \d+\b|\bby (?:\d+|{_COUNT})\b"  # "how big is it?": "it's 8 foot by 6", "our garden is
                   # tiny"
                   r"|\b(?:huge|massive|enormous|tiny|small|big|large|little|giant|spacious|pokey|cramped)\b"
                   r"|" + _WEIGHT.pattern)  # "how big was the biggest one?": "it was two pounds"
_YEAR = re.compile(r"\b(?:1[89]|20)\d\d\b")  # "what year is the van?": "it's a 2009 VW transporter"
_WORKING = frozenset(("work", "works", "worked", "working"))
_WORKS_AT = re.compile(_PLACE.pattern + r"|\bfor (?:a|an|the) [^\W\d][\w']*")  # where, or for whom, one works
_ANSWERS = {("where",): _PLACE, ("when",): _TIME, ("what", "time"): _CLOCK, ("what", "day"): _TIME,
            ("what", "days"): _TIME, ("which", "day"): _TIME, ("which", "days"): _TIME, ("how", "long"): _TIME,
            ("who",): _SOMEONE, ("whose",): _OWNER, ("how", "many"): _AMOUNT, ("how", "much"): _AMOUNT,
            ("how", "old"): _AGE, ("how", "far"): _DISTANCE, ("how", "big"): _SIZE, ("how", "tall"): _SIZE,
            ("how", "wide"): _SIZE, ("how", "high"): _SIZE,
            ("how", "was"): _VERDICT, ("how", "were"): _VERDICT, ("how", "is"): _VERDICT, ("how", "often"): _OFTEN,
            ("why",): _WHY}
# A price or a share: "how much is my pay rise?" after "i'll get a 10% pay rise".
_SUM = re.compile(_MONEY.pattern + r"|\b\d+(?:\.\d+)? ?(?:%|percent)")
# A count of any kind: a number, "one", which one ("my third child", not "first") or "a few" (how many)
_ANY_COUNT = re.compile(_AMOUNT.pattern + r"|\b(?:one|" + "|".join(sorted(_ORDINALS - {"first"})) + r")\b")
# A length said as a stretch of the year or the week, or as when it ends: "for the summer", "for a long weekend",
# "until sunday" (not "in february", which says when, not how long).
_FOR_A_TIME = re.compile(r"\b(?:for (?:the|a|an|one|two|three|four|the whole|the rest of the) (?:\w+ )?(?:summer|winter"
                         r"|spring|autumn|weekend|week|month|year|day|night|holidays?|term|season|fortnight)s?"
                         r"|until|till|through to)\b")


def _dates_an_age(words: Sequence[str]) -> bool:
    """Whether a sentence (lower-case ``words``) has a number that may say how old a thing is: an age ("it's
    fifteen years old"), a year ("it's a 2014 ford focus") or a time ago ("we got it ten years ago"); not "i've
    just adopted two guinea pigs", whose number counts them."""
    text = " ".join(words)
    return bool(_AGE.search(text) or _YEAR.search(text)) or "ago" in words and _numbers(set(words))


def _says_no_such(answer: Optional[re.Pattern], lead: str, sentence: str) -> bool:
    """Whether ``sentence`` (lower-case words, joined) says nothing that could answer a question whose answer is
    read as ``answer`` (:data:`_AT_THE_LEAST`; any "when" question a time): "when is the walk?" and "my sponsored
    walk is 26 miles", "how long is the festival?" and "it's in wales"."""
    needs = _AT_THE_LEAST.get(answer) or ((_TIME,) if lead == "when" and answer is _TIME else ())
    return bool(needs) and not any(not (lead == "when" and found.group().startswith(("for ", "since "))) for pattern
                                   in needs for found in pattern.finditer(sentence))  # "when will it be finished?":
    # not "it's been going on for two months", which says how long


_IT = frozenset(("it", "it's", "its"))
_WH = frozenset("what what's whats which where where's when how who who's".split())


def _answer_of(question: Sequence[str]) -> Optional[re.Pattern]:
    """What answers a question (its lower-case words) of where, when, who or how many
    (:data:`_ANSWERS`), of what someone does ("what does my sister do?": :data:`_DOES`) or what
    something is about ("what is my thesis about?": :data:`_ABOUT`) or what the user has to do
    (:data:`_DUTY`), or whether the user liked something (:data:`_OPINION`), or None."""
    words = [word for word in question if word != "?"]
    if words[:2] in (["what", "does"], ["what", "did"]) and len(words) > 3 and (
            words[-1:] == ["do"] and words[-2:-1] != ["to"]  # not "what does he want to do?", a wish, not a job
            or words[-3:] in (["do", "for", "work"], ["do", "for", "money"])
            or words[-4:] == ["do", "for", "a", "living"]):
        return _DOES if words[-1] == "do" else _DOES_FOR_WORK  # "what does my sister do?", "what does he do for work?"
    if words[:1] == ["what"] and set(words[1:2]) & _NOT_DO and words[-1:] in (["have"], ["has"], ["got"], ["eat"],
                                                                            ["drink"]):
        return _LACKING  # "what don't we have?" after "we have no hot water"
    if words[:1] == ["what"] and words[1:2] in (["can't"], ["cant"], ["cannot"]) and words[-1:] == ["do"]:
        return _UNABLE  # "what can't i do?" after "i can't drive at the moment"
    if words[:1] in (["what"], ["what's"], ["whats"]) and words[-1:] == ["about"]:
        return _ABOUT
    if words[:1] == ["what"] and words[-3:] in (["have", "to", "do"], ["need", "to", "do"]):
        return _DUTY
    if words[:1] in (["did"], ["do"]) and words[1:2] in (["i"], ["we"]) and words[2:3] in (["like"], ["enjoy"]):
        return _OPINION  # "did i like it?" after "it was amazing"
    if words[:1] in (["what"], ["what's"], ["whats"]) and words[-1:] == ["time"] and "my" in words[-4:-1]:
        return _TIME  # "what was my time?" after "i ran my first 5k today in 31 minutes", "what's my best time?"
    if words[:3] == ["how", "does", "it"] and words[3:] == ["feel"]:
        return _VERDICT  # "how does it feel?": "it's really painful"
    if question[:2] == ["how", "is"] and set(question) & _NAMING_CUES:
        return None  # "how is my ferret named?" asks a name, not how it is
    if words[:2] in (["what", "year"], ["which", "year"]) and words[2:3] in (["is"], ["was"]) and not (
            set(words) & {"i", "we"}) and words[-1:] != ["in"]:
        return _YEAR  # "what year is the van?": "it's a 2009 VW transporter", not "what year is my son in?"
    if words[:1] in (["what"], ["which"]) and words[1:2] and words[1] in _PLACES_NAMED | _INSTITUTIONS and (
            words[-1] in ("to", "at", "in", "from", "into")):
        return _PLACE  # "which school does oliver go to?": "he goes to Hillside Academy", not "secondary school"
    if words[:1] in (["what"], ["which"]) and words[1:2] in (["colour"], ["color"], ["colours"], ["colors"]) and (
            words[2:3] and words[2] in _YES_NO and not set(words) & _FAVOURING):
        return _COLOURED  # "what colour are the cupboards?" after "we chose dark green cupboards"
    if words[:1] in (["what"], ["which"]) and words[1:2] in (["flavour"], ["flavor"]) and (
            words[2:3] and words[2] in _YES_NO and not set(words) & _FAVOURING):
        return _FLAVOURED  # "what flavour is the cake?": "it's lemon drizzle", not "my aunt is making the cake"
    if words[:1] == ["what"] and words[-2:] == ["look", "like"]:
        return _LOOKS  # "what does she look like?" after "she's a grey tabby with a white chest"
    if words[:1] == ["who"] and words[-1:] == ["for"]:
        return _FOR_WHOM  # "who is it for?" after "it's for Cancer Research"
    if words[:1] in (["what"], ["what's"], ["whats"]) and words[-1:] == ["for"] and len(words) > 3:
        return _FOR_THING  # "what are we trying for?": "for a baby", not "for about a year"
    if words[:1] == ["how"] and set(words) & _TRAVELLING and ([word for word in words if word != "now"][-1:] in (
            ["there"], ["home"], ["back"], ["here"], ["work"], ["school"], ["uni"], ["college"]) or within(
                ("to", "the", "office"), words)):
        return _MEANS  # "how am i getting there?" after "i'm taking the train instead"; "how do i get to work now?"
        # after "i currently take the train"
    if words in (["what's", "the", "occasion"], ["what", "is", "the", "occasion"], ["what", "was", "the", "occasion"]):
        return _OCCASION  # "what's the occasion?" after "we're going to Rome for our anniversary"
    if words[:1] == ["who"] and (words[-1:] == ["by"] or words[1:2] and words[1] in _MADE):
        return _BY  # "who is it by?" after "my favourite album is Rumours by Fleetwood Mac", "who wrote it?"
    if words[:2] == ["how", "do"] and words[2:3] in (["i"], ["we"]) and words[3:4] == ["know"]:
        return _KNOWN_FROM  # "how do i know her?" after "i'm going with my friend Siobhan from uni"
    if words[:2] == ["how", "much"] and (set(words) & _PRICE_CUES and words[2:3] in (
            ["did"], ["do"], ["does"], ["will"], ["would"]) or words[-1:] == ["worth"]):
        return _MONEY  # "how much did we pay for it?": "for 4000 quid", not "it's a 1978 vw"; "how much is it worth?"
    if words[:2] == ["how", "much"] and set(words[2:4]) & _SUMS_OF_MONEY:
        return _SUM_PAID  # "how much redundancy pay did he get?": not "he worked there for 22 years"
    if words[:1] in (["what"], ["what's"], ["whats"]) and words[-1:] and words[-1] in _SUMS_OF_MONEY and (
            "my" in words[-4:-1]):
        return _SUM_OF_THEIRS  # "what is my new salary?": not "my new salary starts in march"
    if words[:3] in (["how", "much", "was"], ["how", "much", "is"], ["how", "much", "were"], ["how", "much", "are"]
                     ) and (words[3:4] in (["the"], ["my"], ["our"], ["your"]) and len(words) <= 6
                            or words[3:] in (["it"], ["they"], ["that"])):  # "how much is it?"
        return _SUM  # "how much was the sofa?": a price, not "it's grey velvet"; "how much is my pay rise?": "10%"
    if words[:2] == ["how", "much"] and set(words) & {"weigh", "weighs", "weighed"}:
        return _WEIGHT  # "how much did he weigh?": "he weighed 8 pounds", not "my friend has had a baby"
    if words[:3] == ["how", "many", "times"]:
        return _TIMES  # "how many times have i failed?" after "it's my third fail"
    if words[:2] == ["how", "long"] and not set(words) & {"until", "till", "til", "before", "ago", "since"}:
        return _DURATION  # "how long is the diet for?": "for a month", not "today"
    if question[:2] in (["when", "is"], ["when", "was"]) or question[:1] == ["when's"]:
        return _WHEN_ONCE  # "when is the race?": not "i run three times a week"
    if question[:2] in (["when", "does"], ["when", "do"]):
        return _WHEN_NOT_LONG  # "when does my cleaner come?": "on fridays", not "for three years"
    return _ANSWERS.get(tuple(question[:2])) or _ANSWERS.get(tuple(question[:1]))


# What someone is ("my sister is a lawyer"), which answers "what does she do?"; what a thing is about.
_DOES = re.compile(r"\b(?:is|was|been|works as|worked as) an? [\w']+")  # "he's been a postman"
# Any other saying of what someone does for a living: "she works in IT", "he runs a cafe", "he's retired".
_WORK_OF_ANY = re.compile(r"\b(?:works?|worked|working|job|jobs|career|teaches|taught|runs|ran|owns|retired|student"
                          r"|studies|studying|unemployed|redundant|self employed|freelance|business|company|trained)\b")
_DOES_FOR_WORK = re.compile("(?:)" + _DOES.pattern)  # what "what does he do for work?" hears, and nothing else (an
# object of its own: the same pattern's compiling would give _DOES itself)
# What a sentence says, at the least, that answers a question of when, how long or how many (by what
# :func:`_answer_of` reads it to ask): a time ("for christmas", "when i was seven"), a length ("how long is the
# walk?": "26 miles", "for the summer"), a count or a sum; and of what someone does for work, a job ("what does he
# do for work?": not "he's emigrating to australia").
_AT_THE_LEAST = {_WHEN_ONCE: (_TIME,), _WHEN_NOT_LONG: (_TIME,), _DURATION: (_DURATION, _DISTANCE, _FOR_A_TIME),
                 _AMOUNT: (_ANY_COUNT, _MONEY), _DOES_FOR_WORK: (_DOES, _WORK_OF_ANY)}
_ABOUT = re.compile(r"\babout [\w']+")
_NOT_DO = frozenset(("don't", "doesn't", "didn't", "dont", "doesnt", "didnt", "can't", "cant", "cannot", "mustn't",
                     "shouldn't"))
_LACKING = re.compile(r"\b(?:have|has|had|got|there's|there is) no\b|\b(?:don't|doesn't|didn't|haven't|hasn't)"
                      r" (?:have|got)\b|\bran out of\b|^no \w+|\b(?:can't|cannot|mustn't) (?:have|eat|drink)\b"
                      r"|\bgiving up\b|\bgiven up\b|\bcut out\b")  # what someone has not: "no sugar for a month"
_MAKES = frozenset(("make", "brand", "model"))  # "what make is it?" asks what it is a one of
_UNABLE = re.compile(r"\b(?:can't|cant|cannot|can not|unable to|not allowed to)\b")  # what someone cannot do
_TAKING = frozenset("take took taken taking bring brought put".split())  # "where did we take him?": where
_FOR_WHOM = re.compile(r"\bfor (?:my |our |his |her |the )?(?!a\b|an\b|\d)[\w']+"  # "for Cancer Research"
                       r"|\bfor an? [\w' ]+? (?:called|named) [\w']+"  # "for a mental health charity called Mind"
                       r"|\bfor an? [\w' ]*?(?:charity|hospice|cause|foundation|appeal)\b")  # "for a cancer charity"
_FOR_THING = re.compile(r"\bfor (?:a|an|the|my|our|some|his|her|their|something|someone|anything) (?!(?:while|bit"
                        r"|long|few|couple|week|weeks|month|months|year|years|day|days|hour|hours|minute|minutes"
                        r"|moment|second|time)\b)[\w']+")
_LOOKS = re.compile(r"\b(?:" + "|".join(sorted(_COLOURS | {
    "tall", "short", "fluffy", "curly", "spotty", "spotted", "striped", "stripy", "tabby", "blonde", "blond", "bald",
    "beard", "freckles", "tiny", "huge", "skinny", "chubby", "scruffy", "shaggy", "hairy", "eyes", "hair", "fur"}))
                    + r")\b")  # how someone or something looks
_COLOURED = re.compile(r"\b(?:" + "|".join(sorted(_COLOURS)) + r")\b")  # what colour something is
_FLAVOURED = re.compile(r"\b(?:chocolate|vanilla|lemon|lime|orange|strawberry|raspberry|cherry|banana|coffee|carrot"
                        r"|caramel|toffee|coconut|ginger|almond|pistachio|mint|cinnamon|apple|walnut|fruit|red velvet"
                        r"|victoria sponge|cheese|cheddar|salt and vinegar|ready salted|prawn cocktail|honey|blueberry"
                        r"|peanut|hazelnut|mango|peach|plain|spicy|chilli|garlic|onion)\b")  # what flavour something is
# What only a sentence that says it answers ("what colour is my wallet?": not "i lost my wallet on the bus").
_SUM_PAID = re.compile(_MONEY.pattern + rf"|\b(?:{_COUNT}) (?:days?|weeks?|months?|years?)'?s?'? "
                       r"(?:pay|wages?|salary)\b")
# ("how much redundancy pay did he get?": a sum, or "three months pay")
_SUM_OF_THEIRS = re.compile(_SUM_PAID.pattern + r"|\b\d[\d,.]*k?\b|\b(?:thousand|million|hundred|grand)\b")  # "what
# is my budget?": "my budget is about 30 thousand", not "my new salary starts in march"
_MEASURES = (_TIMES, _MONEY, _YEAR, _WEIGHT, _SUM, _CLOCK, _SIZE, _COLOURED, _FLAVOURED, _SUM_PAID, _SUM_OF_THEIRS)
_TRAVELLING = frozenset("getting get going go travelling traveling travel".split())
_MEANS = re.compile(r"\b(?:train|trains|bus|coach|car|plane|driving|drive|ferry|bike|cycling|cycle|walking|"
                    r"walk|taxi|uber|lift|eurostar)\b")  # how someone gets somewhere
_BY = re.compile(r"\bby [\w']+")  # who made a thing: "Rumours by Fleetwood Mac"
# How the user knows someone: "my friend Siobhan from uni", "we met at work", "through my sister".
_KNOWN_FROM = re.compile(r"\b(?:from (?:uni|university|school|college|work|church|the \w+|my \w+)"
                         r"|met (?:at|in|on|through|online)|through (?:my|a|work|friends)|since (?:school|uni))\b")
_BOOKED = frozenset(("appointment", "appointments"))  # of what time or when: any time the user has to be somewhere
_MADE = frozenset("wrote written directed made painted sang sung composed designed built created drew".split())
# Words a question says beside what it asks, by what answers it: "who wrote it?" asks a "by", "where did we
# take him?" a place whatever the doing ("we had to rush him to the emergency vet"), "how am i getting there?"
# a way of travel, "what's the occasion?" why, "what time is my appointment?" any time.
_SAID_BESIDE = {_BY: _MADE, _KNOWN_FROM: frozenset(("know",)), _WHY: frozenset(("occasion",)),
                _OCCASION: frozenset(("occasion",)),
                _LOOKS: frozenset(("look", "like")),
                _MEANS: _TRAVELLING | {"there", "home", "back", "here"},
                _PLACE: _TAKING, _CLOCK: _BOOKED, _TIME: _BOOKED, _WHEN_ONCE: _BOOKED}
_DUTY = re.compile(r"\b(?:have|need|got) to \w+")  # "i still have to pack": "what do i still have to do?"


_REMEMBER = re.compile(r"^(?:do you |you )?remember\b")
# Not said back: "then i moved ...", "hello, my name's Ottoline".
_LEADING_TALK = _FILLERS | _CORRECTING | {",", "but", "and", "now", "then", "hello", "hi", "hey", "morning"}


def _with_subjects(told: list[Telling], names: set[tuple[str, ...]]
                   ) -> list[tuple[Telling, list[str], list[str]]]:
    """Each sentence of ``told`` with its words less talk and joining words before them ("yeah i
    study biology": "i study biology", "but my girlfriend has three": "my girlfriend has three"),
    and a "he" or "she" that begins it as the someone of the user's that began the sentence before
    (:func:`_subject`): "my best friend is called Tomasz. he lives in Krakow" ->
    "my best friend lives in krakow"; an "it" that begins it as the one thing of a kind
    (:func:`kinds`) the user's sentence before spoke of: "i ordered a new laptop. it arrives on
    friday" -> "my laptop arrives on friday", or else the first thing of theirs it spoke of
    (:func:`_thing`: "i'm training for a marathon. it's in october" -> "my marathon is in
    october"); a "them" or "it" just after the user's "i" or "we" as that thing too ("i lost my
    keys. i found them in the fridge" -> "i found my keys in the fridge"); and the words put in
    for the pronoun, with the name the sentence that began with them gave them ("my daughter is
    called Ingrid. she's seven" -> "my daughter is seven", put in "my daughter ingrid": it speaks
    of Ingrid) ([] where none were). A "they" that begins it is those someones or things where they
    are more than one (:func:`_many`: "we adopted two rabbits. they're called Biscuit and Pepper"
    -> "my rabbits are called biscuit and pepper"); a sentence that asks something keeps those of
    the sentence before for the next ("my brother is a chef. do you like italian food? he's coming
    at christmas" -> "my brother is coming at christmas"); a "we're called" the group the sentence before
    spoke of ("i play the drums in a band. we're called The Loud Neighbours" -> "my band is called
    the loud neighbours"). A "her" a thing is done to keeps her ("i'm getting her earrings"); a "his"
    or "she" of no one just spoken of is the newest someone of theirs of that gender a few sentences
    back (:data:`_LOOKED_BACK`); "she was born" after "my sister just had a baby girl" is the baby
    (:func:`_newborn`); "i hurt it" is the part of the body spoken of (:func:`_hurt_part`); "my old
    one" is the thing of the sentence before; "their names are ..." the several someones it spoke of;
    a lead to the news ("i wanted to tell you, ...") is left out. A "he" or "she" after a sentence of no one
    of theirs that names "a man called Stan" is Stan (:func:`_named_one`); one after "they think" is
    resolved as if the thought were not there ("they think he'll be in for two weeks"); "the one i like"
    and "the ginger one" are the thing just spoken of ("the bike i like", "the ginger cat"); a sentence
    that names someone of theirs ("the builder is called Marek") or one of "the ..." that says "it"
    ("the screen went black and it won't turn on") keeps the thing spoken of for the next "it";
    "were going" and "ive been" typed in haste are "we're going" and "i've been"."""
    out, subject, named, thing, previous, carried = [], None, [], None, [], False
    mended: Optional[list[str]] = None  # the newest thing of theirs ("my car"), which "it'll be ready" is of
    whose: Optional[tuple[str, list[str]]] = None  # the "his" or "her" the sentence before began with, and whom
    earlier: list[list[str]] = []  # the words of each sentence so far
    for telling in told:
        words, put = list(telling.words), []
        while words and words[0] in _LEADING_TALK and not _says_none(words):
            words.pop(0)
        words = words[2:] if _restates(words) else words  # "i mean i'm a vet nurse": "i'm a vet nurse"
        words = ["we're", *words[1:]] if words[:1] == ["were"] and words[1:2] and words[1].endswith("ing") else words
        words = [_HASTY.get(words[0], words[0]), *words[1:]] if words else words  # "ive been", "theres"
        # "were going for four nights", typed in haste: "we're going ..."
        words = ["i", *words] if words[:1] and _PAST_WORD.fullmatch(words[0]) and words[1:2] in (
            ["a"], ["an"], ["my"], ["the"], ["our"]) else words  # "started a new job today", typed in haste: "i ..."
        lead = words.index(",") if "," in words[:8] else None  # "i wanted to tell you, i've passed my driving test"
        if lead and ("you" in words[:lead] and set(words[:lead]) & _TELLING_YOU or within(("meant", "to", "say"),
                                                                                            words[:lead])) and (
                words[lead + 1:]):  # "sorry i meant to say, my daughter's name is Ella, not Ellie"
            words = words[lead + 1:]
        recalled = _REMEMBER.match(" ".join(words))  # "remember my dog Rufus?": of him, said back never
        if recalled and words[len(recalled.group().split()):][:1] in (["my"], ["our"]):
            words = words[len(recalled.group().split()):]
            subject, thing, carried, previous = _subject(words, names) or subject, None, False, words
            out.append((telling, [], []))
            continue
        if words[:1] and (words[0] in _QUESTION_LEADS or words[0] in _YES_NO and set(words[1:3]) & SECOND_PERSON):
            out.append((telling, words, []))  # "do you like italian food?" asks the bot: of no one of theirs
            continue
        # "they think he'll be in for two weeks": of him, whom the pronoun after the thought is
        thought = words[:2] if words[:1] in (["i"], ["we"], ["they"]) and words[1:2] and (
            words[1] in _THOUGHT_WORDS and words[2:3] and words[2] in _PRONOUNS) else []
        thought = words[:3] if words[:1] in (["the"], ["my"], ["our"]) and words[2:3] and (
            words[2] in _THINKS_WORDS and words[3:4] == ["it'll"]) else thought  # "the garage says it'll be ready
        # on thursday": of the car (but "the physio says it's a slipped disc" is of what is wrong)
        words = words[len(thought):]
        pronoun = _PRONOUNS.get(words[0]) if words else None
        # "she's been there since tuesday", "she's failed it twice already": she has
        has = words[1:2] in _HAS_WITH or _has_done(words) or (
            words[1:2] and words[1].endswith("ed") and words[2:3] in (["it"], ["them"], ["him"], ["her"])) or (
            words[1:2] and words[1].endswith("ed") and words[1] not in _BEING_DONE and words[2:3] in (
                ["there"], ["here"], ["since"]))  # "he's worked there for three years": he has
        pronoun = ["has"] if pronoun and has else pronoun
        other = (_named_one(words[:1], subject, previous, names)
                 or _of_the_other_gender(words[:1], subject, previous, names) or _newborn(words, previous))
        # the group the sentence before spoke of: "i play in a five a side team" -> "my team"
        group = thing if thing and thing[-1] in _GROUPS else next(
            (["my", word] for word in previous if word in _GROUPS), None) if previous else None
        pet_or_subject = subject or (thing if thing and thing[-1] in _PETS else None)
        owner, whose = whose, None
        if pronoun is not None and other:  # "my best friend Tom just had a baby girl. she's called Rosie"
            words, put = other + pronoun + words[1:], other
        elif pronoun is not None and owner and _GENDER.get(words[0]) is _GENDER[owner[0]] and subject and (not (
                set(subject + previous) - set(owner[1]) & (_GENDER[owner[0]] | _TITLES[owner[0]]))
                or _goes_on_about(words[1:], owner[1], earlier)):  # "my son is learning to swim. his teacher is
            # called Mr Hill. he can swim ten metres now": my son, of whose swimming the first sentence spoke
            # "my daughter ... her instructor is called Sam. she can swim ten metres now": my daughter, whose
            # instructor the sentence before spoke of (not "... her teacher is Mrs Lee. she ..."); so too after "her
            # friend Milo taught her", whose words say "my daughter" again
            words, put = owner[1] + pronoun + words[1:], owner[1]
        elif pronoun is not None and subject and _may_be(words[0], subject):  # not "my aunt baked a cake. he ..."
            words, put = subject + pronoun + words[1:], subject + named
        elif words[:1] in (["his"], ["her"]) and other:  # "my sister has a new boyfriend. his name is Omar"
            words, put = [*other[:-1], other[-1] + "'s"] + words[1:], other
        elif words[:1] in (["his"], ["her"]) and subject and _may_be(words[0], subject):
            # "my neighbour's dog barks all night. his name is Bruno" -> "my neighbour's dog's name is bruno"
            words, put, whose = subject[:-1] + [subject[-1] + "'s"] + words[1:], subject + named, (words[0], subject)
        elif pronoun is not None and thing and (thing[-1] in _PETS or _someone(thing[-1]) and _may_be(
                words[0], thing)):  # "i have a cat called Pumpkin. she's orange"; "i've got a new neighbour. he's ..."
            words, put = thing + pronoun + words[1:], thing + words_after(NAME_LEADS, previous)[:1]
        elif words[:1] in (["his"], ["her"]) and thing and thing[-1] in _PETS:  # "we adopted a dog. her name is Olive"
            words, put = thing[:-1] + [thing[-1] + "'s"] + words[1:], thing
        elif words[:1] in (["it"], ["it's"], ["it'll"]) and thing and (
                thing[-1] in _IT_MAY_BE or not _someone(thing[-1]) and (
                    thing[-1] not in _PERSON_NOUNS or thing[-1] in _FIRMS)) and (
                not _many(thing) or thing[-1].endswith(("us", "is"))) and (  # "it's for her birthday": no "her ears"
                not (words[1:2] in (["my"], ["our"]) and words[2:3] and words[2] in _ORDINALS)) and (
                thing[-1] not in words[1:] and not set(words) & _OCCASIONS
                or words[1:2] not in (["my"], ["our"], ["his"], ["her"], ["their"])
                and not (words[1:2] in (["was"], ["is"]) and words[2:3] in (["my"], ["our"], ["his"], ["her"],
                                                                          ["their"]) and set(words) & _OCCASIONS)):
            # nor "it was my colleague Sarah's wedding"
            # not "it's my cousin sam's wedding", which says whose wedding, nor "it's my parents' anniversary"
            # "i ordered a laptop. it arrives on friday" (not "it's my third fail", which says which time it is)
            said_as = (["has"] if has else ["is"]) if words[0] == "it's" else ["will"] if words[0] == "it'll" else []
            it = mended if mended and (thing[-1] in _SERVICE_PLACES and set(words) & _MENDED or thing[-1] in (
                _FIRMS) and _CLOCK.search(" ".join(words))) else thing  # "the garage is on station road. it'll be
            # ready on thursday": my car; "the company is called Brightside. it's at ten": my job interview
            words, put = it + said_as + words[1:], it
        elif words[:1] in (["they"], ["they're"]) and (_many(subject) or _many(thing)):
            # "i adopted two rabbits. they're called Biscuit and Pepper" -> "my rabbits are called ..."
            put = subject if _many(subject) else thing
            words = put + (["are"] if words[0] == "they're" else []) + words[1:]
        elif words[:1] in (["i"], ["we"], ["i'm"], ["im"], ["we're"], ["we've"], ["i've"]) and pet_or_subject and any(
                word in _PERSONS and _may_be(word, pet_or_subject) and (
                    words[0] in ("i", "we", "we've", "i've") or _as_object(words, i))
                for i, word in enumerate(words[1:3], 1)):  # "i miss her a lot", "i'm getting her earrings"; "we got a
            # puppy. we've called him Alfie": my puppy
            at = next(i for i, word in enumerate(words[:3]) if i and word in _PERSONS)
            words, put = words[:at] + pet_or_subject + words[at + 1:], pet_or_subject + (named if subject else [])
        elif (words[:1] in (["i"], ["we"]) or words[:1] in (["i've"], ["we've"]) and words[1:2] and (
                words[1] in _PLACING)) and thing and any(  # "i found them in the fridge": my keys, not my key;
            # "i've put it in a bag of rice": my phone (not "i've been doing it for six years")
                word in _OBJECTS and (word == "them") == (_many(thing) or thing[-1] in _GROUPS)  # "my band": them
                for word in words[1:4]) and not _said_to_be_someone(thing, previous):  # not "the host is my friend
            # sunita. i haven't finished it yet", of the book
            at = next(i for i, word in enumerate(words[:4]) if i and word in _OBJECTS)
            hurt = _hurt_part(words, at, earlier)  # "i hurt it playing netball": my knee, not my mri scan
            words, put = words[:at] + (hurt or thing) + words[at + 1:], hurt or thing
        elif words[:1] in (["we"], ["we're"]) and group and _NAMES_US.match(" ".join(words)):
            # "i play the drums in a band. we're called The Loud Neighbours" -> "my band is called ..."
            words, put = group + ["is"] + words[2 if words[0] == "we" else 1:], group
        elif words[:3] in (["their", "names", "are"], ["they're", "called"], ["they", "are", "called"]) and any(
                _someones(word) for word in previous):
            # "i'm allergic to cats but my girlfriend has two. their names are Salt and Pepper": the cats
            many = [word for word in previous if _someones(word)][-1]
            put = ["the", many]
            words = put + ["are", "called"] + words[3 if words[0] != "they're" else 2:]
        elif words[:1] and words[0] in _GENDER and words[0] != "him" and not (
                subject and _may_be(words[0], subject)) and not (thing and _someone(thing[-1])):
            # not "my dog ... he"; but "the funeral is on thursday. he was a fisherman" (of my uncle), "my grandad
            # turned 90 today. ... my aunt baked a chocolate cake. he got a telegram from the king" (of my grandad)
            # "my boyfriend and i are going to Iceland. we're staying in Reykjavik. his name is Jamal": the
            # nearest someone of the user's of that gender, some sentences back
            # or of no gender: "my landlord is putting the rent up. ... his name is Mr Patel", "the engineer is
            # coming tomorrow. his name is Tom"
            # or one met once: "a plumber is coming tomorrow at nine. his name is Gary": the plumber
            whom = next((found for said in reversed(earlier[-_LOOKED_BACK:]) for found in [[
                "the" if said[i - 1] in ("a", "an") else said[i - 1], said[i]] for i in range(1, len(said))
                if said[i - 1] in ("my", "our") and said[i] in _GENDER[words[0]]
                or said[i - 1] in ("my", "our", "the", "a", "an") and _someone(said[i])
                and said[i] not in _PETS and not said[i].endswith("'s") and _may_be(words[0], [said[i]])][-1:]
                if found), None)
            if whom and words[0] in ("his", "her"):
                words, put = [*whom[:-1], whom[-1] + "'s"] + words[1:], whom
            elif whom:
                words, put = whom + pronoun + words[1:], whom
        words = thought + words
        ones = [i for i in range(2, len(words) - 1) if words[i] == "one" and words[i - 2] == "the"
                and words[i - 1].isalpha() and words[i + 1] in ("is", "was")]  # "the ginger one is Biscuit"
        if ones and thing and _many(thing) and not put:  # "we adopted two cats. the ginger one is Biscuit and the
            kind = thing[-1][:-1] if thing[-1].endswith("s") else thing[-1]  # black one is Pepper": the black cat
            words, put = [kind if i in ones else word for i, word in enumerate(words)], [kind]
        one = next((i for i in (1, 2) if words[i:i + 1] == ["one"]), None) if words[:1] in (["my"], ["our"]) else (
            1 if words[:2] == ["the", "one"] and words[2:3] in (["i"], ["we"]) else None)  # "the one i like is ..."
        if one and thing and not put and (words[one + 1:one + 2] in (["is"], ["was"], ["has"], ["had"])
                                          or words[:1] == ["the"]):
            words, put = words[:one] + thing[-1:] + words[one + 1:], thing[-1:]  # "i got a new phone. my old one
            # was an iphone 11": my old phone
        now = _subject(words, names)
        spoken_of = thing if put and put == thing else None  # "we've called him Alfie": the puppy; "i dropped it
        # in the car park": the phone, not the car
        kind = [word for word in words if kinds([word]) == telling.kinds]  # its one kind, as it says it
        thing = ([_gone_to(words, kind[0]), kind[0]] if len(telling.kinds) == 1 and len(kind) == 1
                 and words[:1] in (["i"], ["we"]) and not _TIME.fullmatch(kind[0])  # not "my sunday" of "i ran a 10k
                 else _thing(words)) or (  # on sunday"
            thing if words[:1] in (["the"], ["my"], ["our"]) and words[1:2] and _someone(words[1])
            and _NAMES_IT.search(" ".join(words))  # "we're redoing our kitchen. the builder is called Marek. it's
            or words[:1] == ["the"] and words[1:2] and words[1] in _SERVICE_PLACES and not put  # "my car failed its
            # mot. the garage quoted 340 pounds. it's a 2014 ford focus": the car, still
            or words[:1] == ["the"] and "it" in words and not put  # costing us 12,000 pounds": the kitchen, still;
            or words[:1] in (["it"], ["it's"], ["its"]) and not put  # "my laptop broke. the screen went black and it
            or bool(put) and put == thing and words[:len(put)] == put  # won't turn on. it's a dell": the
            or bool(put) and words[:len(put)] == put and _someone(put[-1]) and bool(thing) and not _someone(
                thing[-1])  # laptop; "i'm planning a party for my wife. she's turning 40. it's on the 8th of june":
            else None)  # the party, still;
        # "it was my colleague's wedding" (said as it was); "it goes round the fjords. it leaves from
        # Southampton": the cruise, still
        thing = spoken_of or thing  # "... he's ten weeks old": the puppy still, not "my puppy alfie"
        mended = thing if thing and thing[:1] in (["my"], ["our"]) else mended
        if now is None and subject and not put and not carried and thing is None:
            carried = True  # "... we've been together two years. she's ...": of no one and nothing, so still of her
        elif now is None and subject and put[:len(subject)] == subject and (words[:1] in (
                ["i"], ["i'm"], ["im"], ["we"], ["we're"]) or thought):
            pass  # "my wife's birthday is in june. i'm getting her earrings. her favourite ...": still of her
        else:
            named = (named if now == subject else []) or (words_after(NAME_LEADS, words)[:1] if now else [])
            subject, carried = now, False
        previous = words
        earlier.append(words)
        out.append((telling, words, put))
    return out


_GOT_FROM = frozenset("get got buy bought adopt adopted rescue rescued order ordered hire hired".split())  # "where
# did we get her from?" asks whence she came
_MENDED = frozenset("ready fixed done repaired mended finished sorted".split())  # "it'll be ready on thursday"
def _goes_on_about(words: Sequence[str], whom: Sequence[str], earlier: Sequence[Sequence[str]]) -> bool:
    """Whether a sentence's words (lower case, after its pronoun) share a word (a stem, :func:`_stem`; not a stop
    word) with an ``earlier`` sentence that began with ``whom``: "can swim ten metres now" and "my son is learning
    to swim"."""
    said = {_stem(word) for word in words if word.isalpha() and word not in STOP_WORDS}
    return any(said & {_stem(word) for word in before[len(whom):] if word.isalpha() and word not in STOP_WORDS}
               for before in earlier if list(before[:len(whom)]) == list(whom))


_BEING_DONE = frozenset("based located married engaged retired qualified settled stationed employed".split())
# A word that leads a sentence typed in haste, its apostrophe left out: "ive been", "its on the 8th".
_HASTY = {"its": "it's", "ive": "i've", "theres": "there's", "weve": "we've", "id": "i'd"}


def _by_the_doer(words: Sequence[str], doer: str) -> bool:
    """Whether a sentence (lower-case ``words``) can say what ``doer`` (a question's "i", "we", "he" ...) does:
    one of the user's, or of "we", begins with them ("i've", "im" typed in haste too); others any sentence."""
    return doer not in ("i", "we") or bool(words) and _BY_WHOM.get(words[0], words[0].split("'")[0]) == doer


_BY_WHOM = {"im": "i", "ive": "i", "id": "i", "weve": "we", "were": "we"}  # who a word typed in haste speaks of
_GOES_ON_FROM = 3  # sentences back a sentence that says how long, how many or where may go on from


def _goes_on_from(with_subjects: list, at: int, stems: set[str], answer: Optional[re.Pattern]) -> int:
    """The sentence (its index in ``with_subjects``) the one at ``at`` goes on from: the newest of a few
    before it (:data:`_GOES_ON_FROM`) that speaks of what is asked (``stems``), where none between says what is
    asked (``answer``) itself ("i'm a retained firefighter. i get paged when there's a call out. i've been doing
    it for six years"; not "im saving up for a house deposit. ive got about 15 thousand so far. we need 25
    thousand", of which the second says how much is saved); else the one just before."""
    for j in range(at - 1, max(-1, at - 1 - _GOES_ON_FROM), -1):
        if {_stem(word) for word in with_subjects[j][0].said} & stems:
            return j
        if answer is not None and _says_as_asked(answer, with_subjects[j][1], stems):
            break
    return at - 1
_OBJECT_STARTS = (["my"], ["our"], ["a"], ["an"], ["the"], ["his"], ["her"], ["their"], ["some"])
_TELLING_YOU = frozenset("tell guess know believe".split())  # a lead to the news: "guess what, ..."
_LOOKED_BACK = 4  # sentences a "his" or "she" of no one just spoken of looks back through for someone of theirs
_MANY = frozenset(("children", "people", "grandchildren"))
_GROUPS = frozenset("band team choir club group crew squad orchestra quartet trio duo".split())
_NAMES_US = re.compile(r"^(?:we're|we are) (?:called|named)\b")


_HURTING = frozenset("hurt injured broke broken sprained twisted pulled strained cut bruised burnt burned".split())
_BODY = frozenset("""knee knees back ankle ankles wrist wrists arm arms leg legs shoulder shoulders neck hip hips foot
feet hand hands finger fingers thumb toe toes elbow head nose tooth teeth jaw ribs rib hamstring calf
achilles""".split())


def _hurt_part(words: Sequence[str], at: int, earlier: Sequence[Sequence[str]]) -> Optional[list[str]]:
    """Where the "it" at ``at`` of ``words`` is hurt ("i hurt it playing netball"), the newest part of the
    body of the user's a few sentences of ``earlier`` spoke of ("i went to the doctor about my knee" ->
    "my knee"); None otherwise."""
    if words[at] != "it" or words[at - 1] not in _HURTING:
        return None
    return next(([said[i - 1], said[i]] for said in reversed(earlier[-_LOOKED_BACK:])
                 for i in reversed(range(1, len(said))) if said[i] in _BODY and said[i - 1] in ("my", "our")), None)


_BIRTH = frozenset("born weighs weighed arrived".split())
_NEWBORN = frozenset("baby girl boy son daughter twins".split())


_MEN = frozenset("man guy bloke chap fella lad gentleman boy".split())
_WOMEN = frozenset("woman lady girl".split())
_ANYONE = frozenset(("someone", "person"))


def _gone_to(words: Sequence[str], kind: str) -> str:
    """How a sentence of the user's (lower-case ``words``) that speaks of one ``kind`` of thing says whose
    it is: "the" for an occasion they go to as a guest ("we went to a wedding today": the wedding, not
    theirs), else "my" ("i ordered a new laptop": my laptop)."""
    at = words.index(kind) if kind in words else 0
    return "the" if kind in _OCCASIONS and at > 1 and words[at - 1] in ("a", "an") and "to" in words[
        max(0, at - 3):at] else "my"


def _named_one(pronoun: Sequence[str], subject: Optional[list[str]], before: Sequence[str],
               names: set[tuple[str, ...]]) -> list[str]:
    """Where a "he", "she", "his" or "her" (``pronoun``, its one word) follows a sentence (``before``) that
    begins with no one of the user's (``subject``) and names one person, "a man called Stan" or "a
    woman named Lorraine" (a name the user wrote capitalised, of ``names``), that name: "the plot next to
    mine belongs to an old man called Stan. he gives me loads of advice" -> "stan gives me ..."; []
    otherwise."""
    gender = _GENDER.get(pronoun[0]) if pronoun else None
    if gender is None or subject:
        return []
    other = _WOMEN | _FEMALE if gender is _MALE else _MEN | _MALE
    named = [before[i + 1] for i in range(1, len(before) - 1) if before[i] in ("called", "named")
             and before[i - 1] in _MEN | _WOMEN | _ANYONE and before[i - 1] not in other
             and (before[i + 1],) in names]
    return named if len(named) == 1 else []


def _newborn(words: Sequence[str], before: Sequence[str]) -> list[str]:
    """Where a "she" or "he" of ``words`` is born ("she was born on tuesday and weighs 7 pounds") or named
    ("she's called Isla") just after a sentence (``before``) of a baby had ("my sister just had a baby
    girl"), the baby ("the baby girl"), as that someone's where the sentence began with them ("my sister has a
    new baby. she's called Isla": my sister's baby); [] otherwise."""
    had = next((word for word in ("had", "has") if word in before), None)  # "my sister has a new baby"
    if words[:1] not in (["she"], ["he"], ["she's"], ["he's"]) or not set(words) & (_BIRTH | _NAMED) or had is None:
        return []
    at = next((i for i in range(len(before) - 1, before.index(had), -1) if before[i] in _NEWBORN), None)
    if at is None:
        return []
    if before[:1] in (["my"], ["our"]) and before[2:3] in (["has"], ["had"], ["just"]) and _someone(before[1]):
        return [before[0], before[1] + "'s", *(before[at - 1:at] if before[at - 1] in _NEWBORN else []), before[at]]
        # "my sister has a new baby": my sister's baby
    return ["the", *before[at - 1:at]] + [before[at]] if before[at - 1] in _NEWBORN else ["the", before[at]]


def _as_object(words: Sequence[str], at: int) -> bool:
    """Whether the "her" or "him" at ``at`` of ``words`` is someone a thing is done to ("i'm getting
    her a pair of earrings", "we're throwing him a party"), not whose it is ("i'm her maid of honour")."""
    return words[at] == "him" or words[at + 1:at + 2] in ([], ["a"], ["an"], ["the"], ["some"], ["something"],
                                                            ["to"], ["for"], ["."], [","])


def _many(who: Optional[Sequence[str]]) -> bool:
    """Whether someone or a thing of the user's (words, "my" first) is more than one: "my rabbits",
    "my parents", "my children", "my glasses", not "my dress" (a "ss" is one)."""
    return bool(who) and (who[-1] in _MANY or who[-1].endswith("s") and not who[-1].endswith("ss"))


def words_after(leads: Sequence[tuple[str, ...]], words: Sequence[str]) -> list[str]:
    """The word just after each place ``words`` say one of ``leads``."""
    return [words[i + len(lead)] for lead in leads for i in range(len(words) - len(lead))
            if tuple(words[i:i + len(lead)]) == lead]


def _says_none(words: Sequence[str]) -> bool:
    """Whether ``words`` begin with a "no" that says none of something ("no colour beats pink"), not
    one of talk ("no, i live in York")."""
    return words[:1] == ["no"] and len(words) > 1 and words[1].isalpha() and words[1] not in STOP_WORDS


_THING_STARTS = frozenset(("my", "a", "an", "our"))
_THING_ENDS = frozenset("at in on for to from with by and but or so because about of this that next last up off out "
                        "online "
                        "tomorrow today tonight yesterday named called again too also now already finally "
                        "recently soon where which who when as like , .".split())


def _thing(words: Sequence[str]) -> Optional[list[str]]:
    """The first thing of theirs a sentence of the user's (lower-case ``words``, beginning "i",
    "i'm", "we" or "we're") speaks of, as theirs: "my" or "a" and up to three words, to a word that
    leads on to more (:data:`_THING_ENDS`) or one of doing ("-ing", "-ed"): "i'm training for a
    marathon" -> "my marathon", "i broke my arm skiing" -> "my arm", "i have an exam on thursday"
    -> "my exam", "i'm studying for my driving test" -> "my driving test" (a word of doing that
    says what kind: :func:`_names_a_thing`); or the thing of theirs a sentence begins with, up to
    its "is", "was" or "used" ("my exam is on thursday" -> "my exam", "the new place is in
    Harrogate" -> "the new place"; not someone of theirs, but the thing after: "my son is starting
    at a new school" -> "my new school"), or a place they go to named "the" ("the restaurant"); None
    where it speaks of none so."""
    whose: list[str] = []  # someone of theirs whose thing it is: "my son is starting at a new school"
    if words[:1] in (["my"], ["our"]) and "and" in words[2:4] and words[words.index("and", 2) + 1:][:1] in (
            ["i"], ["me"]):  # "my husband and i are renovating an old farmhouse": as "we are ..."
        words = ["we", *words[words.index("and", 2) + 2:]]
    if words[:1] in (["my"], ["the"]):  # "the new place is in Harrogate": "the new place"
        at = next((i for i, word in enumerate(words[:5]) if word in ("is", "was", "used", "has", "had")), None)
        at = at or next((i for i, word in enumerate(words[2:4], 2) if _DOES_THINGS.fullmatch(word)), None)
        at = at or (2 if words[:1] == ["my"] and kinds(words[1:2]) and words[2:3] and words[2] in _PASTS else None)
        # "my laptop broke": my laptop; "my mum lives in a care home": her care home
        at = at or next((i for i, word in enumerate(words[2:4], 2) if word in _LIVES_IN and _someone(words[i - 1])),
                        None)
        if at is None and words[1:2] and _someone(words[1]) and words[2:3] and words[2].isalpha() and (
                words[2] not in STOP_WORDS):  # "the doctor wants to do a blood test": the blood test
            start = next((i for i, word in enumerate(words[3:8], 3) if word in ("a", "an")), None)
            rest = list(itertools.takewhile(lambda word: word.isalpha() and word not in _THING_ENDS,
                                            words[start + 1:start + 4])) if start else []
            return ["the", *rest] if rest and not _someone(rest[-1]) and not rest[-1].endswith(("ed", "ing")) else None
        things = list(words[1:at]) if at else []
        if things and all(word.isalpha() and not _someone(word) and word not in _PLACED for word in things):
            return [words[0], *things] if words[at] not in ("has", "had") else None
        if not (at and _someone(things[0])):
            return None  # not "my team at work", of which "it's a 40 minute commute" is not said
        if things[-1].isalpha() and not _someone(things[-1]) and things[-1] not in _NAME_WORDS and any(
                word.endswith("'s") for word in things[:-1]) and (
                words[at] in ("is", "was")):
            return [words[0], *things]  # "my nephew kai's party is at a soft play centre": his party
        owner, words = [words[0], *things[:-1], things[-1] + "'s"], words[at + 1:]  # "my son is starting at a
        # new school": the school, not the son; "my girlfriend has got her own salon": my girlfriend's own salon
        theirs = next((i for i, word in enumerate(words) if word in ("his", "her", "their")), None)
        start = next((i for i, word in enumerate(words) if word in _THING_STARTS), None)
        if theirs is not None and (start is None or theirs < start):
            rest = [word for word in itertools.takewhile(lambda word: word.isalpha() and word not in _THING_ENDS
                                                          and not word.endswith(("ed", "ing")),  # "his teeth trimmed"
                                                          words[theirs + 1:theirs + 4])]
            return [*owner, *rest] if rest else None
        whose = owner
    elif words[:1] not in (["i"], ["i'm"], ["im"], ["i've"], ["we"], ["we're"], ["were"], ["we've"]):
        return None
    start = next((i for i, word in enumerate(words) if word in _THING_STARTS
                  or word == "the" and words[i + 1:i + 2] and words[i + 1] in _PLACES_NAMED
                  or word == "the" and i and words[i - 1] in _GOT_THE  # "i got the starter from my neighbour"
                  or word in _COUNTING and words[i + 1:i + 2] and words[i + 1] not in _COUNTED_NOT and (
                      _many(words[i + 1:i + 2])  # "i've got four plants"
                      or words[i + 1].isalpha() and words[i + 2:i + 3] and _many(words[i + 2:i + 3])
                      and words[i + 2] not in _COUNTED_NOT)), None)  # "we've adopted two guinea pigs"
    if start is None:  # "my son is starting secondary school in september": his school, of which "it's called ..."
        at = next((i for i, word in enumerate(words[:8]) if word in _PLACES_NAMED | _INSTITUTIONS), None)
        return [*whose, words[at]] if whose and at is not None and all(
            word.isalpha() for word in words[max(at - 2, 0):at]) else None
    if words[start] in ("my", "our") and words[start + 1:start + 2] and _someone(words[start + 1]) and (
            words[start + 2:start + 3] in (["a"], ["an"])):  # "we're throwing my grandad a surprise party": the party
        start += 2
    rest: list[str] = []
    for i, word in enumerate(words[start + 1:start + 4]):
        doing = (word.endswith(("ing", "ed")) and word not in _THINGS_LIKE_DOINGS
                 and not (i == 0 and _names_a_thing(words[start + 2:start + 3]))
                 or i and word in _DONE and (rest[-1], word) not in _DONE_NAMES)  # "we're having an extension
        # built": my extension; but "we had a power cut last night": the power cut
        if word in _THING_ENDS or doing or not word.isalnum() or word.isdigit():  # "my first 10k", not "my 2"
            break
        rest.append(word)
    if not rest:
        return None
    return [*whose] + rest if whose else ["the" if words[start] == "the" else _gone_to(words, rest[-1]), *rest]


_IT_MAY_BE = _PETS | {"baby"}  # someone "it" may speak of: "my cat", "the baby"; not "my neighbour"
_GOT_THE = frozenset("""got bought made found lost sold fixed ordered booked picked chose won baked making baking buying
ordering booking""".split())  # "my aunt is making the cake. it's lemon": the cake
_COUNTING = frozenset("two three four five six seven eight nine ten eleven twelve".split())
_COUNTED_NOT = frozenset("""times days weeks months years hours minutes seconds miles metres kilometres pounds kilos
stone quid dollars euros people pence inches feet""".split())  # "i run three times a week": no thing of theirs
_LIVES_IN = frozenset("lives lived works worked stays stayed goes".split())  # "my mum lives in a care home"
# Places a user goes to that they name after ("we're going to the restaurant where we met. it's called The Ivy").
_PLACE_KINDS = frozenset("""city town country village county area island suburb neighbourhood neighborhood
region""".split())  # (not "state": "what state was she in?")


def _as_where(question: list[str]) -> list[str]:
    """A question (lower-case words) of which city, town or country as one of where: "which city did we
    move to?" -> "where did we move to?", "what country is the wedding in?" -> "where is the wedding?";
    any other as it is."""
    if question[:1] not in (["what"], ["which"]) or question[1:2] == [] or question[1] not in _PLACE_KINDS or (
            question[2:3] == [] or question[2] not in _AUXILIARIES):
        return question
    rest = question[2:]
    return ["where", *(rest[:-2] + rest[-1:] if rest[-2:] == ["in", "?"] else rest)]


_SERVICE_PLACES = frozenset("garage shop store dealer surgery clinic salon council bank insurer landlord agent".split())
_FIRMS = _SERVICE_PLACES | frozenset("company firm business agency charity school college university".split())
_PLACES_NAMED = frozenset("restaurant pub bar cafe hotel venue shop club gym school church theatre cinema".split())
_INSTITUTIONS = frozenset("university uni college hospital airport station nursery academy office".split())


# A doing a thing of theirs does, which ends the words that name it ("my laptop keeps crashing").
_DOES_THINGS = re.compile(r"(?:keeps|needs|makes|won't|doesn't|broke|stopped|started|crashed|died|failed)")
_DONE = frozenset("built made done sent sold bought taken given fitted put cut".split())  # done, not "-ed"
_DONE_NAMES = frozenset((before, "cut") for before in ("power", "pay", "price", "tax", "paper"))  # things, not done
# Words ending "-ing" or "-ed" that name a thing ("a wedding"), not a doing.
_THINGS_LIKE_DOINGS = frozenset("""wedding weddings meeting meetings building painting paintings evening morning ring
thing things king wing string spring pudding sibling siblings earring earrings ceiling bed shed sled""".split())


def _names_a_thing(after: Sequence[str]) -> bool:
    """Whether the word ``after`` (a list of it, or none) goes on from a word of doing to name a
    thing: "test" of "my driving test", not "skiing" of "my arm skiing"."""
    return (bool(after) and after[0].isalpha() and after[0] not in _THING_ENDS
            and not after[0].endswith(("ing", "ed")))


def _has_done(words: Sequence[str]) -> bool:
    """Whether a sentence (lower-case ``words``) begins "she's", "he's" or "it's" and a thing done
    since ("she's already named it Nibbles": she has named it), not a feeling ("she's just tired")."""
    return (words[1:2] in (["already"], ["just"], ["never"], ["finally"]) and len(words) > 2
            and (words[2].endswith("ed") or words[2] in _PASTS) and words[2] not in _VERDICTS)  # "just bought"


_HAS_WITH = (["been"], ["got"], ["gone"], ["had"], ["done"])  # "she's been", "it's got": "has", not "is"
_PRONOUNS = {"he": [], "she": [], "he's": ["is"], "she's": ["is"], "shes": ["is"], "he'll": ["will"],
             "she'll": ["will"]}  # not "hes", which may be "he's" or a name
# Someone a "she" or a "he" can be.
_FEMALE = frozenset("""sister mom mum mother wife daughter girlfriend aunt niece grandma grandmother granny gran nan
nana stepmom stepmum fiancee girl granddaughter""".split())
_MALE = frozenset("""brother dad father husband son boyfriend uncle nephew grandpa grandfather grandad granddad stepdad
fiance boy grandson""".split())
_GENDER = {"she": _FEMALE, "she's": _FEMALE, "shes": _FEMALE, "she'll": _FEMALE, "he": _MALE, "he's": _MALE,
           "he'll": _MALE, "her": _FEMALE, "his": _MALE, "him": _MALE}
_SOMEONE_SPOKEN_OF = frozenset(_GENDER) | {"they", "them", "their"}  # "she", "his" ... or one of either
_DONE_SINCE = {tuple(word) for word in _HAS_WITH if word != ["had"]}  # "my car has done 90,000 miles": no having


_TITLES = {"his": frozenset(("mr",)), "her": frozenset(("mrs", "ms", "miss"))}  # titles that say a gender


def _may_be(pronoun: str, subject: Sequence[str]) -> bool:
    """Whether a "his", "her" or "him" can be the someone ``subject``: it names no one of the other
    gender ("my best friend", "my dog", "my sister" for "her"; not "my sister" for "his")."""
    other = _FEMALE if _GENDER[pronoun] is _MALE else _MALE
    return not set(subject) & other


def _of_the_other_gender(pronoun: Sequence[str], subject: Optional[list[str]], before: Sequence[str],
                         names: set[tuple[str, ...]] = frozenset()) -> list[str]:
    """Where a "she" or "he" (``pronoun``, its one word) cannot be the sentence before's ``subject``
    (someone of the other gender, or of none known) and that sentence (``before``) speaks later of
    someone of its gender, that someone with "the" and the word before it ("the baby girl" of "my
    best friend Tom just had a baby girl"), or with "my" where it was the user's ("my wife" of "i
    need to buy a present for my wife"); where that sentence begins with the user and speaks of no one
    of that gender but of one someone of theirs the pronoun can be, that someone ("my manager" of "i
    have a meeting with my manager at 3", "my teacher" of "... with a teacher in Seville"); [] otherwise."""
    gender = _GENDER.get(pronoun[0]) if pronoun else None
    if gender is None or subject and set(subject) & gender:
        return []
    start = len(subject) if subject else 0
    at = next((i for i in range(len(before) - 1, start - 1, -1) if before[i] in gender), None)
    if at is None and subject is None and before[:1] in (["i"], ["we"], ["it's"], ["its"]):
        theirs = [i for i in range(1, len(before)) if before[i - 1] in ("my", "our", "a", "an") and _someone(
            before[i]) and _may_be(pronoun[0], before[i:i + 1])]  # "... lessons on zoom with a teacher in Seville"
        if len(theirs) == 1:  # "i have a meeting with my manager at 3. her name is Joanne": my manager
            one, after = before[theirs[0]], before[theirs[0] + 1:theirs[0] + 2]
            name = [word[:-2] if word.endswith("'s") else word for word in after]  # "my friend Priya's birthday"
            return ["my" if before[theirs[0] - 1] in ("a", "an") else before[theirs[0] - 1],
                    one[:-2] if one.endswith("'s") else one,
                    *(name if tuple(name) in names or tuple(after) in names or after and after[0].endswith("'s")
                      and name[0].isalpha() and name[0] not in STOP_WORDS and not _theirs(name[0]) else [])]
    if at is None or list(before[at + 1:at + 3]) in (["and", "i"], ["and", "me"]):
        return []  # not "my husband" of "my husband and i just adopted a rescue dog. he's a beagle"
    if at > 3 and list(before[at - 2:at]) == ["is", "a"] and before[0] in ("my", "our", "the") and all(
            word.replace("'", "").isalpha() for word in before[:at - 2]):
        return list(before[:at - 2])  # "my friend nadia's baby is a girl. she's called Amara": the baby
    if at > start and before[at - 1] in ("my", "our"):
        return [before[at - 1], before[at]]
    if at == 3 and before[at - 1] in ("a", "an") and before[:2] in (["i", "have"], ["i've", "got"], ["we", "have"]):
        # "i have a sister called Maya. she lives in Glasgow": my sister maya
        named = before[at + 2:at + 3] if before[at + 1:at + 2] in (["called"], ["named"]) and (
            tuple(before[at + 2:at + 3]) in names) else []
        return ["my", before[at], *named]
    lead = [before[at - 1]] if at > start and before[at - 1] not in STOP_WORDS and before[at - 1].isalpha() else []
    return ["the", *lead, before[at]]


def as_sayable(words: Sequence[str], sayable: Callable[[str], bool]) -> list[str]:
    """``words`` (lower case) with each "your" and a possessive of kin that cannot be said (not
    ``sayable``) as "her" or "his" ("your daughter's concert" -> "her concert", where "daughter's"
    is no word of the vocabulary), or "their" where it names no one's gender ("your partner's
    favourite dish" -> "their favourite dish"); someone of theirs with a name's possessive as theirs ("your best
    friend omar's fiancee" -> "your best friend's fiancee") or, where that cannot be said either, as
    "her", "his" or "their" ("your son leo's favourite" -> "his favourite"); the name of a thing or pet of theirs that
    cannot be said as theirs as what it is called ("your rescue greyhound's name is pepper" -> "your rescue
    greyhound is called pepper"); other words as they are."""
    out: list[str] = []
    skip = 0
    for at, word in enumerate(words):
        owner = word[:-2] if word.endswith("'s") else ""
        if skip:
            skip -= 1
        elif owner and not sayable(word) and sayable(owner) and list(words[at + 1:at + 3]) == ["name", "is"] and (
                sayable("called") and {"your", "the"} & set(out[-4:])):
            out += [owner, "is", "called"]
            skip = 2
        elif out[-1:] == ["your"] and (owner in KIN or owner in _FEMALE or owner in _MALE or owner in _PETS and list(
                words[at + 1:at + 2]) not in (["name"], ["names"])) and not sayable(word):  # "your rabbit's teeth":
            # "their teeth"
            out[-1] = "her" if owner in _FEMALE else "his" if owner in _MALE else "their"
        elif owner and not sayable(word) and out[-1:] and _someone(out[-1]) and "your" in out[-3:-1] and (
                sayable(out[-1] + "'s") or out[-2] == "your"):
            if sayable(out[-1] + "'s"):  # "your best friend omar's fiancee" -> "your best friend's fiancee"
                out[-1] += "'s"
            else:  # "your son leo's favourite" -> "his favourite"; "your rabbit clover's bad tooth" -> "their ..."
                out[-2:] = ["her" if out[-1] in _FEMALE else "his" if out[-1] in _MALE else "their"]
        else:
            out.append(word)
    return out


_OBJECTS = frozenset(("them", "it"))
_PERSONS = frozenset(("her", "him"))  # someone just spoken of, as the object of the user's doing
_OF_SOMEONE = {"he": "", "she": "", "him": "", "his": "'s", "her": "'s", "hers": "'s"}


def resolved(asked: str, told: list[Telling], names: set[tuple[str, ...]]) -> str:
    """A question about no one of the conversation, or about the user and "he" or "she" ("why did he give
    it to me?"), that speaks of "he", "she", "his" or "her" (:data:`_OF_SOMEONE`), asked as one about the
    someone of the user's the newest sentence of ``told`` that begins with one of them began with
    (:func:`_subject`), one the pronoun can be ("what did he do?" after "my dad was a postman. my mum is
    not keen": my dad): "what's his name?" after "my best friend is called Tomasz" -> "what's my best
    friend's name?" ("her" before an article
    or after "to", "for" ... is her, not hers); of those the pronoun can be, the newest a sentence tells
    what is asked of ("what position does he play?" after "my son plays in goal. his coach is called Dave":
    my son); "they" as the things of theirs a sentence that began "they" was of ("what do they love?" after "we've
    adopted two guinea pigs. they love cucumber": my guinea pigs); ``asked`` itself where it speaks to the bot or of
    no one, or no sentence begins with someone."""
    words = tokenize(asked)
    if "they" in words and not set(words) & (SECOND_PERSON | FIRST_PERSON | FIRST_PLURAL | set(_OF_SOMEONE)):
        many = next((put for telling, _, put in reversed(_with_subjects(told, names)) if put and _many(put)
                     and telling.words[:1] in (("they",), ("they're",))), None)  # "what do they love?" after "we've
        # adopted two guinea pigs. they're called Salt and Pepper": my guinea pigs
        # (only where the question as asked hears nothing back: "what kind are they?" hears "they're cherry tomatoes")
        return " ".join(word for said in words for word in (many if said == "they" else [said])) if many and not (
            told_back(told, asked, names=names)) else asked
    if set(words) & SECOND_PERSON or not set(words) & set(_OF_SOMEONE) or set(words) & (
            FIRST_PERSON | FIRST_PLURAL) and not set(words) & set(_GENDER):  # "why did he give it to me?": he
        return asked
    pronouns = set(words) & set(_GENDER)  # "what did he do?": the newest someone a "he" can be, not "my mum"
    with_subjects = _with_subjects(told, names)
    said_by = [(_subject(said, names), said) for _, said, _ in with_subjects]  # each sentence and whom it begins with
    found = [found for found, _ in reversed(said_by) if found and all(_may_be(pronoun, found) for pronoun in pronouns)]
    found = [whom for whom in found if not _done_to_another(next((said[len(whom):] for of, said in reversed(said_by)
                                                                  if of == whom), []), pronouns)] or found
    # "what does she have?" after "my daughter isla has chickenpox. my mum is looking after her": isla, whom "her"
    # was, not my mum
    found = found or [put for _, _, put in reversed(with_subjects) if put[:1] == ["the"] and len(put) > 1 and (
        pronouns and pronouns <= {"he", "she"} and all(put[-1] in _GENDER[pronoun] for pronoun in pronouns))][:1]
    # "how old is he?" after "we're adopting a little boy. he's three": the little boy
    if not found:
        return asked
    gendered = next((at for at in reversed(range(len(with_subjects))) if with_subjects[at][2][:1] == ["the"] and len(
        with_subjects[at][2]) > 1 and pronouns and all(with_subjects[at][2][-1] in _GENDER[pronoun]
                                                       for pronoun in pronouns)), None)
    newest = max((at for at, (of, _) in enumerate(said_by) if of == found[0]), default=-1)
    if gendered is not None and gendered > newest and not set(found[0]) & (_FEMALE | _MALE):
        found = [with_subjects[gendered][2]] + found  # "what time was he born?" after "my friend zara just had a
        # baby boy. he was born on tuesday": the baby boy, whom a "he" was just now, not zara
    owner = next((found[0][:i] + [word[:-2]] for i, word in enumerate(found[0][:-1]) if word.endswith("'s")), None)
    if owner in found and all(_NAMES_IT.search(" ".join(said)) for of, said in said_by
                              if of == found[0]):  # "what medication is she on?" after "my mum has
        found = [owner] + [whom for whom in found if whom != owner]  # diabetes. her doctor is called Dr Ahmed": my mum,
        # whose doctor was only named
    # of them, the newest a sentence of the user's tells what is asked of: "what position does he play?" after "my son
    # plays in goal. his coach is called Dave" is of my son, not of his coach
    asked_stems = {_stem(word) for i, word in enumerate(words) if word.isalpha() and word not in STOP_WORDS
                   | FRAME_WORDS | ASKING_WORDS | _NAMING_CUES | set(_OF_SOMEONE)
                   and words[max(0, i - 2):i] != ["how", "many"]}  # "how many times has she failed?": no "time"
    subject = next((whom for whom in found if any(
        of == whom and asked_stems & {_stem(word) for word in said[len(whom):]} for of, said in said_by)), found[0])
    out = []
    for i, word in enumerate(words):
        ending = _OF_SOMEONE.get(word)
        if word == "her" and (words[i + 1:i + 2] in (["a"], ["an"], ["the"], ["?"], []) or i and words[i - 1] in _TO
                              or words[i + 1:i + 2] and words[i + 1] in _TO):
            ending = ""  # "who is sending her a card?", "what did i get her?", "who did we adopt her from?": her
        if ending and words[i + 1:i + 2] == subject[-1:] and len(subject) > 1 and subject[-2].endswith("'s"):
            out.extend(subject[:-1])  # "what does her instructor think?" after "my daughter ella's instructor
            continue  # thinks ...": my daughter ella's instructor, not the instructor's instructor
        out.extend(subject[:-1] + [subject[-1] + ending] if ending is not None else [word])
    return " ".join(out)


_TO = frozenset(("to", "for", "with", "at", "about", "from", "of"))  # "what did i buy for her?"


def _done_to_another(words: Sequence[str], pronouns: set[str]) -> bool:
    """Whether what a sentence says of its someone (lower-case ``words``, after them) is done to another of the
    gender ``pronouns`` say: "is looking after her tomorrow", "took him to the vet" (not "her car", hers)."""
    female = bool(pronouns & {"she", "her"})
    for i, word in enumerate(words):
        if word == "him" and not female or word == "her" and female and (
                i + 1 == len(words) or words[i + 1] in _TO | _TIME_WORDS | {"a", "an", "the", "up", "out", "back"}):
            return True
    return False


def _subject(words: Sequence[str], names: set[tuple[str, ...]]) -> Optional[list[str]]:
    """The someone of the user's a sentence (lower-case ``words``) begins with: "my" or "our" and one of
    :data:`KIN`, a friend or a pet (:func:`_someone`), with any words between and a name of
    ``names`` after ("my sister hannah is ..." -> "my sister hannah"), or one of ``names``; None
    where it begins otherwise or with them and the user ("my husband and i ...")."""
    name = next((list(name) for name in names if tuple(words[:len(name)]) == name), None)
    if name:
        return name
    end = next((i for i in range(1, min(4, len(words))) if _someone(words[i])), 0)
    if words[:1] not in (["my"], ["our"]) or not end:  # "our cat went missing"
        return None
    if words[end + 1:end + 3] in (["and", "i"], ["and", "me"]):
        return None  # "my husband and i just adopted a rescue dog": we, not him
    if words[end + 1:end + 2] and words[end + 1].endswith("'s") and (words[end + 1][:-2],) in names and (
            words[end + 2:end + 3] and _someone(words[end + 2])):
        end += 2  # "my friend nadia's baby"
    while words[end].endswith("'s") and end + 1 < len(words) and _someone(words[end + 1]):
        end += 1  # "my neighbour's dog"
    if words[end].endswith("'s"):  # "my rabbit's name is Clover": my rabbit
        return list(words[:end]) + [words[end][:-2]]
    if words[end + 1:end + 3] == ["in", "law"]:  # "my mother in law is visiting"
        end += 2
    after = next((list(name) for name in names if tuple(words[end + 1:end + 1 + len(name)]) == name), [])
    return list(words[:end + 1]) + after


def _of_someone_named(words: Sequence[str], names: set[tuple[str, ...]]) -> bool:
    """Whether a sentence (lower-case ``words``) begins with one of ``names`` or with "my" and
    someone of the user's (:func:`_someone`: "my best friend", "my cat Luna", "our dog Hazel"): it
    speaks of them."""
    return (any(tuple(words[:len(name)]) == name for name in names)
            or words[:1] in (["my"], ["our"]) and any(_someone(word) for word in words[1:3]))


def _someone(word: str) -> bool:
    """Whether ``word`` names someone of a user's ("mum's" too): kin (:data:`KIN`), a friend, a pet
    (:data:`_PETS`) or one who does them a service (:data:`_SERVICE`)."""
    word = word[:-2] if word.endswith("'s") else word
    return word in KIN or word in TOPICS["friend"][1] or word in _PETS or word in _SERVICE


def _theirs(word: str) -> bool:
    """Whether ``word`` names someone (:func:`_someone`) or a kind of thing (:func:`kinds`) a user
    has: "sister", "dog", "car"."""
    return _someone(word) or bool(kinds([word]))


def _plural_someones(words: Iterable[str]) -> set[str]:
    """The words of ``words`` that name several someones of a user's: "kids", "sisters", "cats"."""
    return {word for word in words if _someones(word)}


def _someones(word: str) -> bool:
    """Whether ``word`` names several someones of a user's (:func:`_someone`): "kids", "sisters", "cats"."""
    return word.endswith("s") and not word.endswith("'s") and (_someone(word) or _someone(word[:-1]))


def _stem(word: str) -> str:
    """``word`` without an ending of "-ing", "-ed" or "-s" where a stem of three letters or more is
    left, without a silent "e" or a doubled last consonant, "-ied" and "-ies" as "-y", and a common
    irregular past as its present (:data:`_SAME_STEM`, with "wedding" as "marry" and "job" as
    "work"): "reading" and "read", "moved" and "move", "shopping" and "shop", "married" and
    "marry", "bought" and "buy", "operation" and "operating", "cooking" and "making" speak of one thing
    (:data:`_SAME_MEANING`)."""
    word = word[:-1] if word not in _SAME_STEM and word[:-1] in _SAME_STEM and word.endswith("s") else word
    word = _SAME_STEM.get(word, word)  # "greyhounds" as "greyhound", a dog
    if word.endswith(("ied", "ies")) and len(word) > 4:
        return word[:-3] + "y"
    word = word.removesuffix("s")[:-3] if word.endswith(("ations", "ation")) and len(word.rstrip("s")) >= 9 else (
        word)  # "operation"
    # as "operating", "celebration" as "celebrating" (not "station", "nation", "location")
    for ending in ("ing", "ed", "s"):
        if word.endswith(ending) and len(word) - len(ending) >= 3 and not word.endswith("ss"):
            word = word[:-len(ending)] + ("e" if word.endswith("eed") else "")
            if len(word) > 3 and word[-1] == word[-2] and word[-1] in _DOUBLED:
                word = word[:-1]  # "shopp" -> "shop", "planned" -> "plan"
            break
    word = word[:-1] if word.endswith("e") and len(word) > 3 and not word.endswith("ee") and (
        word not in _KEEPS_E) else word
    return _SAME_MEANING.get(word, word)


_KEEPS_E = frozenset(("wine", "wines", "plane", "planes"))  # not "win" ("what did my mum win?"), not "plan"


# Stems of one meaning in what a user asks of what they said ("what am i cooking?" after "i'm
# making lasagne for dinner", "where did i get her?" after "i adopted a dog from the shelter").
_SAME_MEANING = {"cook": "mak", "bak": "mak", "adopt": "get", "buy": "get", "cover": "pay"}
_DOUBLED = frozenset("bdgmnprt")  # consonants doubled before "-ing" and "-ed" ("ll" and "ss" are kept)
# Irregular pasts as their present ("what did i buy?" after "i bought ..."), and words of one meaning
# with a doing ("wedding" as "marry", "job" as "work", a dog's breed as "dog").
_PASTS = dict(pair.split(":") for pair in """bought:buy went:go gone:go got:get gotten:get made:make
    taught:teach met:meet won:win lost:lose ran:run saw:see seen:see ate:eat eaten:eat took:take taken:take gave:give
    given:give hit:hit cut:cut sold:sell found:find broke:break broken:break fell:fall flew:fly drove:drive driven:drive
    wrote:write written:write came:come began:begin begun:begin built:build caught:catch chose:choose
    kept:keep left:leave paid:pay sent:send spent:spend stole:steal stolen:steal swam:swim threw:throw
    grew:grow grown:grow wore:wear woke:wake held:hold hurt:hurt felt:feel read:read sang:sing sung:sing
    forgot:forget forgotten:forget told:tell tore:tear torn:tear scared:afraid terrified:afraid
    frightened:afraid thought:think split:split quit:quit rode:ride said:say sat:sit stood:stand slept:sleep
    heard:hear lent:lend spoke:speak spoken:speak drank:drink drunk:drink knew:know known:know worn:wear
    hung:hang rang:ring fed:feed dug:dig shook:shake""".split())
_PAST_OF = {now: past for past, now in _PASTS.items() if past not in ("gone", "gotten", "seen", "eaten", "taken",
                                                                      "given", "broken", "driven", "written", "begun",
                                                                      "stolen")}
_PAST_FORM = r"(?:\w+ed|%s)\b" % "|".join(sorted(past for past, now in _PASTS.items() if past != now))  # "kicked",
# "fell"; not "cut", whose now is the same
# A sentence of what the user did ("i kicked the leg of the bed", "we fell off"), which says how they did it.
_DID_IT = re.compile(r"^(?:i|we) " + _PAST_FORM)
# A sentence of what the user does, not did once ("i sort the donations", not "we helped 80 families last week").
_DOES_THERE_NOW = re.compile(r"^(?:i|we) (?!" + _PAST_FORM + ")")
_SAME_STEM = {**_PASTS, **dict(pair.split(":") for pair in """used:use flight:fly flights:fly wedding:marry
    marriage:marry engaged:marry engagement:marry job:work jobs:work student:study students:study masters:study
    degree:study phd:study race:run races:run marathon:run marathons:run labrador:dog greyhound:dog spaniel:dog
    view:see views:see terrier:dog poodle:dog retriever:dog beagle:dog collie:dog husky:dog pug:dog
    dachshund:dog corgi:dog whippet:dog lurcher:dog bulldog:dog cockapoo:dog chihuahua:dog target:goal targets:goal
    aim:goal aims:goal allergic:allergy allergies:allergy
    girl:daughter girls:daughter boy:son boys:son baby:child babies:child children:child kid:child kids:child
    twin:child twins:child fan:support bedroom:bed bedrooms:bed gig:see gigs:see concert:see bike:cycle
    bikes:cycle bicycle:cycle biking:cycle""".split()), **_ONE_SOMEONE}

# The sentences "what happened?" asks back of (the newest): news of a moment ago, not of long before.
_JUST_TOLD = 3
# A sentence of the user's that tells of something that happened: "i hurt my back at the gym",
# "my phone screen cracked this morning", "we got lost" (a word ending "-ed" or a common irregular past).
_TELLING_OF = r"^(?:\w+ly )?(?:i|my|we|our|the|someone|somebody|he|she|they|it)\b.*"  # "luckily someone handed it in"
# "it didn't rise at all", not "he's had to give up smoking"
_PAST_WORDS = (r"(?!(?:need|feed|seed|speed|bleed|breed|weed|indeed|exceed|proceed|succeed)\b)\w+ed"  # not "i need"
               r"|had(?! to\b)|didn't|wasn't|weren't|couldn't|(?<!the )(?:" + "|".join(sorted(_PASTS)) + ")")  # not
# "my back molar on the left"
_PAST_WORD = re.compile(_PAST_WORDS)
_HAPPENED = re.compile(_TELLING_OF + r"\b(?:" + _PAST_WORDS + r")\b")
# What "what have we done?" hears back: a deed done, "we've put posters up around the village" too (whose "put" is
# no past by its spelling).
_DEED_DONE = re.compile(_TELLING_OF + r"\b(?:" + _PAST_WORDS + "".join(
    rf"|(?<=\b{done} )(?:{'|'.join(sorted(_SAME_PAST))})" for done in ("i've", "we've", "they've", "just", "already"))
                        + r")\b")
# What "what's wrong with her?" hears back: something that happened, or an ailment ("she's deaf").
_AILMENTS = "|".join(sorted("""deaf blind sick ill poorly unwell injured limping lame diabetic sore infected
    arthritis cancer diabetes infection flu fever virus allergies allergic pain headache migraine cough coughing
    sneezing vomiting wheezing itching itchy rash swollen bleeding chickenpox measles mumps covid tonsillitis
    bronchitis pneumonia shingles norovirus concussion conjunctivitis asthma""".split()))
_AILING = re.compile(r"\b(?:" + _AILMENTS + r")\b")
_ILL = frozenset("ill sick poorly unwell".split())  # "who is ill?" asks whom an ailment was told of
# A fault of a thing's, which "what's wrong with my bike?" hears back too: "the chain keeps slipping".
_FAULTS = (r"keeps \w+ing|won't \w+|doesn't work|isn't working|not working|broken|leaking|leaks|squeaks|rattles|flat"
           r"|(?:hasn't|hasnt|haven't|havent) been \w+ing"  # "my cat hasn't been eating"
           r"|cracked|smashed|bent|stuck|blocked|jammed|frozen|scratched|dented|dead"
           r"|(?:really |very |so |too )?(?:slow|noisy|loud|overheating|crashing|freezing|making a \w+ noise)")
_TROUBLE = re.compile(_TELLING_OF + r"\b(?:" + _PAST_WORDS + "|" + _AILMENTS + "|" + _FAULTS + r")\b")
_STATE = re.compile(r"\b(?:" + _AILMENTS + "|" + _FAULTS + r")\b")  # what is wrong now, not what happened
# What "what was wrong with it?" hears back: a fault, or what it was ("it was the alternator").
_WRONG_WITH = re.compile(_STATE.pattern + r"|^(?:it|its|it's|my \w+|the \w+) (?:was|is) (?:the|a|an) \w+(?: \w+)?$")


def _other_topic(reply: str, asked: str) -> bool:
    """A value stated as one topic (:func:`topics`) where the question asks about another ("You
    said you live in farrier." to "what's my job?")."""
    said_as, asked_about = topics(content_words(reply)), topics(_asked_words(asked))
    return bool(said_as and asked_about and not said_as & asked_about)


def _other_person(reply: str, asked: str, words: set[str], telling_it: list[Telling]) -> bool:
    """A name stated as the user's or a friend's (:data:`_WHOSE`; the topics a sentence names by
    the way, "for ten years", say too little to judge by) that is a number ("You mentioned your
    friend 34.") or that every sentence telling it told as the other's ("You are Priya." to "what's
    my name?" after "my best friend is called Priya")."""
    whose = (topics(content_words(reply)) or topics(_asked_words(asked))) & _WHOSE
    number = bool(words) and all(map(str.isdigit, words))
    return bool(whose) and (number or bool(telling_it) and all(t.topics & _WHOSE and not t.topics & whose
                                                               for t in telling_it))


def _told_as(telling_it: list[Telling]) -> list[set[str]]:
    """The kinds each sentence telling a value names (:func:`kinds`), or where it names none,
    those its turn names ("my favourite animal? definitely axolotls"; :class:`Telling`)."""
    return [telling.kinds or telling.turn_kinds for telling in telling_it]


def _favourite_as_topic(reply: str, asked: str, telling_it: list[Telling]) -> bool:
    """A value stated to a question about a topic that names no kind, where every sentence telling
    it told it as a favourite thing and of no topic ("You said you're a shadow." to "in which town
    do i reside?" after "without a shadow of doubt yellow" told the favourite colour)."""
    stated_as = kinds(content_words(reply)) or kinds(content_words(asked))
    return (bool(topics(_asked_words(asked))) and not stated_as and bool(telling_it)
            and all(kind & _FAVOURED and not t.topics for kind, t in zip(_told_as(telling_it), telling_it)))


def _other_kind(reply: str, asked: str, telling_it: list[Telling], told: list[Telling]) -> bool:
    """A value stated as one kind of thing (the kinds the reply names, "Your dog is called Miso.",
    or where it names none, "You love teal.", those the question names: "what food do i like?")
    that every sentence telling it told as another ("my cat is called Miso", "my favourite colour
    is teal"); or, where the user told a value of the kind it is stated as (:func:`told_kinds`),
    that no sentence telling it told as that kind ("It's Stephen King." to "which food tops my
    list?" after "no food beats tacos in my book"). A sentence that names no kind, or a reply and
    question that name none, say nothing either way."""
    stated_as = kinds(content_words(reply)) or kinds(content_words(asked))
    told_as = _told_as(telling_it)
    if stated_as & told_kinds(told) and not any(kind & stated_as for kind in told_as):
        return True
    return bool(stated_as) and bool(told_as) and all(kind and not kind & stated_as for kind in told_as)


def told_kinds(told: list[Telling]) -> set[str]:
    """The kinds of thing (:func:`kinds`) the sentences of ``told`` (:func:`tellings`) told a value
    of: a sentence that says a value (:class:`Telling`) and names the kind (or is in a turn that
    does, or answers a bot's question that does)."""
    return {kind for telling in told if telling.valued for kind in telling.kinds | telling.turn_kinds}


# How the model was trained to start stating a value of each kind of thing a slot is about (the
# slot's first ``state`` template up to its value): "your favourite fruit is", "your hamster is
# called", "you're going to".
STARTS = {kind.lower(): slot.state[0].split("{v}")[0].format(q=kind.lower(), a="a").strip()
          for slot in SLOTS for kind in slot.qualifiers if kind}


# What a fact about the user is about where no kind of thing says it (a name, a friend, an age, a
# job, a home): the words that say so in a question ("which pal did i mention?") or a telling ("i've
# known my buddy Ivan since kindergarten"; the slots' own words and their common synonyms), and how
# the model was trained to start stating it (the slot's ``state`` templates). A friend's name is
# the friend's, not the user's ("what's my best friend's name?" asks about the friend): a sentence
# or question that speaks of a friend or names a kind speaks of no name of the user's.
TOPICS = {
    "friend": ("your best friend is", frozenset("friend pal buddy mate bestie".split())),
    "name": ("your name is", frozenset("name names named call called introduce introduced".split())),
    "age": ("you are", frozenset("age old years birthday born".split())),
    "job": ("you work as", frozenset("job jobs work occupation profession career trade earn role".split())),
    "home": ("you live in", frozenset("live lives home city town reside based".split())),
}

# Words of a question and what a sentence says that answers them without saying the word: a number
# an age ("how old is my grandmother?" after "she turned ninety"), a pet's kind a pet ("what kind of
# pet do i have?" after "i adopted a rabbit"), what the user works as their work ("where do i work?"
# after "i'm a chef at ..."), a colour a colour ("what colour is my bike?" after "it's bright red"),
# a trip a going ("where did i go?" after "i just got back from a trip to Lisbon", "when is the trip?"
# after "i'm going camping next weekend"), a verdict a thought ("what did i think of the food?" after
# "the food was amazing"), a liking a liking ("what genre do i like?" after "i like science
# fiction"), a value of a kind of thing what kind it is ("what kind of car do i drive?" after "my car
# is a red Volvo"), a naming a name asked of a thing no frame states ("what's the boat called?" after
# "i bought a boat. it's called Seabird").
_AGE_CUES = TOPICS["age"][1]
_NAMING_CUES = frozenset(("called", "named", "call", "calling", "name"))
_NAMING_STEMS = frozenset(_stem(word) for word in _NAMING_CUES)
_GOT = frozenset(_stem(word) for word in ("got", "get", "have", "has", "had"))  # "what has theo got?" asks what he
# has (stems, as a question's are)
_LIKING_CUES = frozenset("like likes love loves enjoy enjoys prefer".split())
_KIND_CUES = frozenset("kind type sort model brand breed".split())
_DIETS = frozenset("meat vegetarian vegan pescatarian".split())


def _says_work_as(telling: Telling) -> bool:
    """Whether a sentence says what the user works as (:func:`_works_as`): "i'm a teacher"."""
    return _works_as(telling.words) is not None


def _says_runs(telling: Telling) -> bool:
    """Whether a sentence says the user runs a business (:data:`_RUNS`): "i run a pottery business"."""
    return bool(_RUNS.match(" ".join(telling.words)))


def _says_living(telling: Telling) -> bool:
    """Whether a sentence says what the user does "for a living" ("i drive a bus for a living")."""
    return within(("for", "a", "living"), telling.words)


def _says_promoted(telling: Telling) -> bool:
    """Whether a sentence says what the user was promoted to ("i've been promoted to head of sales")."""
    return within(("promoted", "to"), telling.words)


def _says_kin_is_a(telling: Telling) -> bool:
    """Whether a sentence says what someone of the user's is (:data:`KIN`): "my husband Neil is a
    firefighter" answers "what's my husband's job?"."""
    words = telling.words
    at = next((i for i, word in enumerate(words[:6]) if word in ("is", "was", "been")), None)
    after = words[at + 2:] if at is not None and words[at + 1:at + 2] == ("now",) else words[at + 1:] if (
        at is not None) else ()  # "my girlfriend is now head of marketing"
    return (words[:1] == ("my",) and at is not None and bool(set(words[1:at]) & KIN)
            and (after[:1] in (("a",), ("an",)) or list(after[:1]) in _HEAD_OF and after[1:2] == ("of",)))


# Not "going": "how is it going?"; "coming" of "when is she coming?" after "my mum is visiting next week".
_GOING_CUES = frozenset("go goes went gone trip travel holiday vacation come comes coming away arrive arrives arriving "
                        "land lands landing".split())  # "when does she arrive?": "she's flying in on tuesday"
_WHY_CUES = {_GOING_CUES: frozenset(("going",))}  # but "why am i going?", "where am i going in may?" ask of one


def _verdicts(telling: Telling) -> set[str]:
    """The words of a sentence that may say what someone thinks or feels (:data:`_VERDICTS`), less
    a "best" of someone ("my best friend Hannah"); all of one that says what they thought of it ("i
    thought it was too long")."""
    words = telling.words
    named = {word for i, word in enumerate(words[:-1]) if word in ("best", "worst") and _someone(words[i + 1])}
    if words[:1] in (("i",), ("we",)) and words[1:2] in (("thought",), ("think",)) and words[2:3] in _OF_IT:
        return set(telling.said) - {"thought", "think"}  # "i thought it was too long"
    return telling.said & _VERDICTS - named


_OF_IT = (("it",), ("it's",), ("that",), ("that's",), ("they",), ("they're",))


def _says_kind(telling: Telling) -> bool:
    """Whether a sentence says what kind of thing a thing of theirs is (:func:`_says_what_kind`)."""
    return _says_what_kind(telling.words)


def _says_what_kind(words: Sequence[str]) -> bool:
    """Whether a sentence (lower-case ``words``) says what kind of thing a thing of a kind
    (:func:`kinds`) or a pet is: "my car is a red Volvo", "i play bass in a jazz band", "my puppy is a
    border collie"), or what a thing of theirs is ("my curry is a lamb rogan josh")."""
    return bool(kinds(words) or set(words) & _PETS) and (bool(_IS_A.search(" ".join(words))) or any(
        (kinds([word]) or word in _PETS) and words[i - 1] not in STOP_WORDS | _NO_KIND
        for i, word in enumerate(words) if i)) or bool(_THEIRS_IS_A.match(" ".join(words)))


_THEIRS_IS_A = re.compile(r"(?:my|our) [\w']+ (?:is|was) an? ")


_NO_KIND = frozenset("new old first second little big small young lovely cute".split())  # "a new puppy"


_WHICH_ONE = frozenset(("new", "old", "current", "first", "last", "latest"))  # "what's my new role?" asks no more
# The sentences that say what a question of their cue asks ("what kind of puppy are we getting?": "it's a
# cockapoo", not "we're getting a new puppy next week"; "what's my new role?": "i've been promoted to head of
# sales", not "i start the new role on monday").
_SAYS_WHAT_IS_ASKED = frozenset((_says_kind, _says_work_as, _says_living, _says_promoted))
_JOB_CUES = frozenset("""work works worked working job jobs role position title trade occupation profession
    career""".split())
_STUDY_CUES = frozenset("study studies studying studied".split())
_SHIFTS = frozenset("nights days earlies lates evenings mornings weekends".split())
_SCHOOLS = frozenset("uni university college school academy polytechnic conservatoire".split())
def _says_number(telling: Telling) -> bool:
    """Whether a sentence says a number (:func:`_numbers`), which may say an age."""
    return _numbers(telling.said)


_HURT_CUES = frozenset("hurt hurts injure injured injures injury".split())
_BODY_PARTS = frozenset("""knee knees arm arms leg legs ankle ankles wrist wrists back neck head hand hands foot feet
finger fingers thumb toe toes elbow elbows shoulder shoulders hip hips nose tooth teeth eye eyes chin face shin shins
ribs rib collarbone hamstring""".split())
_POSSESSIVES = frozenset("my our his her their your its".split())


def _says_hurt(telling: Telling) -> bool:
    """Whether ``telling`` says a part of someone's body ("she scraped her knee"; not "i kicked the leg of
    the bed"), which answers "what did she hurt?"."""
    words = telling.words
    return any(word in _BODY_PARTS and words[i - 1] in _POSSESSIVES for i, word in enumerate(words) if i)


_IMPLIED = ((_AGE_CUES, _says_number),
            (_PET_WORDS, lambda telling: telling.kinds & _PETS or telling.said & _KEPT_ANIMALS),
            (_JOB_CUES, _says_work_as),
            (_JOB_CUES, _says_kin_is_a),
            (_JOB_CUES, _says_living),
            (_JOB_CUES, _says_promoted),
            (_JOB_CUES, _says_runs),  # "my wife and i run a bed and breakfast"
            (frozenset(("colour", "color")), lambda telling: telling.said & _COLOURS),
            (_PLAYING_CUES, lambda telling: telling.said & _INSTRUMENTS),
            (_PRICE_CUES, lambda telling: _MONEY.search(" ".join(telling.words))),
            (_GOING_CUES, lambda telling: telling.said & _GOING or within(("back", "from"), telling.words)
             or within(("off", "to"), telling.words)),  # "i'm off to Rome for my birthday"
            (frozenset(("live", "lives")), lambda telling: _moves(telling.words)),  # "i moved into a flat"
            (frozenset(("stay", "staying", "stayed")), lambda telling: telling.said & _LODGINGS),  # "i booked a ryokan"
            (_GOAL_CUES, lambda telling: any(within(lead, telling.words) for lead in _AIMS)),
            (frozenset("think thought feel felt feeling".split()), _verdicts),
            (frozenset(("doing",)), lambda telling: _DOING.match(" ".join(telling.words))),
            (_NAMING_CUES, lambda telling: _NAMES_IT.search(" ".join(telling.words))),
            (_LIKING_CUES, lambda telling: _LIKING.match(" ".join(telling.words))),
            (_LIKING_CUES, lambda telling: _verdicts(telling) & _OPINIONS),  # "did i like it?" after "it was amazing"
            (_LIKING_CUES, lambda telling: _LIKES.search(" ".join(telling.words))),  # "she loves horse riding"
            (_KIND_CUES, _says_kind),
            (_DIETS, lambda telling: telling.said & _DIETS),  # "do i eat meat?" after "i'm vegetarian"
            # "what kind of food does it do?" after "my favourite restaurant is a Thai place called Baan Suan"
            (frozenset(("food", "cuisine")), lambda telling: telling.said & (_NATIONALITIES | _CUISINES)),
            (frozenset(("car", "cars")), lambda telling: telling.said & _DRIVING),  # "i drive a blue corolla"
            (frozenset(("weather",)), lambda telling: telling.said & _WEATHER),  # "it rained the whole time"
            (_STUDY_CUES, lambda telling: telling.said & _SCHOOLS),  # "where do i study?": "i'm a second year at uni"
            (_HURT_CUES, _says_hurt),
            (frozenset(("shift", "shifts")), lambda telling: telling.said & _SHIFTS),  # "she's on nights this week"
            (frozenset(("support", "supports")), lambda telling: within(("season", "ticket", "holder", "at"),
                                                                        telling.words)),  # "... at Leeds United"
            (_FAVOURITE_WORDS, lambda telling: set(telling.words) & _FAVOURITE_WORDS))  # "his favourite is ..."
_DRIVING = frozenset("drive drives drove driving".split())
# A business the user runs: "i run a pottery business", "my wife and i run a bed and breakfast".
_RUNS = re.compile(r"^(?:i|we|(?:my|our) \w+ and i) (?:run|own|manage) (?:a|an|my|our|the)\b")
_LODGINGS = frozenset("""booked hotel hotels hostel airbnb ryokan cottage cabin caravan campsite villa chalet lodge
    inn apartment""".split())
_IS_A = re.compile(r"\b(?:is|was) an? ")


# A sentence of what the user likes ("i like science fiction"), which answers "what genre do i like?".
_LIKING = re.compile(r"^(?:i|we) (?:really |just |also )?(?:like|love|enjoy|prefer|adore)\b")
_LIKES = re.compile(r"^(?:[\w']+ ){1,3}?(?:really |just |also |still |always )?(?:likes|loves|enjoys|prefers|adores)\b"
                    r"|\band (?:really |also )?(?:likes|loves|enjoys|adores)\b")  # "she's seven and loves drawing"
# A sentence of what the user is doing ("we're throwing him a party"), which answers "what are we doing?".
_DOING = re.compile(r"^(?:i'm|im|i am|we're|we are) (?:\w+ )?\w+ing\b")


_KIND_OF_START = {start: kind for kind, start in STARTS.items()}
_TOPIC_OF_START = {start: topic for topic, (start, _) in TOPICS.items()}


def topic_of(start: str) -> Optional[str]:
    """The topic of :data:`TOPICS` a reply starting ``start`` states, or None."""
    return _TOPIC_OF_START.get(start)


def _asked_words(asked: str) -> set[str]:
    """The content words of a question, less a first word "name" that asks to name something
    ("Name the sport i like best" asks no name), "home" where it asks where the user is from, and
    "job" where it asks what they do for a living ("what do i do?")."""
    lowered = asked.lower()
    words = content_words(re.sub(r"^\W*name\b", "", lowered))
    return (words | ({"home"} if _WHERE_FROM.search(lowered) else set())
            | ({"job"} if _FOR_A_LIVING.search(lowered) or _WHAT_I_DO.search(lowered) else set()))


_WHERE_FROM = re.compile(r"\bwhere\b.*\b(?:i|i'm|im)\b.*\bfrom\b")
_FOR_A_LIVING = re.compile(r"\b(?:do|doing) for a living\b")
_WHAT_I_DO = re.compile(r"\bwhat do i do(?: for work)?\W*$")  # not "what do i do on weekends?"


_WHOSE = frozenset(("name", "friend"))
# The kinds of thing a user has favourites of (the favourite slots' and the others').
_FAVOURED = kinds(word for slot in SLOTS if slot.name.startswith("favourite_") for word in slot.qualifiers) | kinds(
    NOVEL_FAVOURITES)


def topics(words: Iterable[str]) -> set[str]:
    """The :data:`TOPICS` ``words`` (lower case) speak of; not the user's name where they speak of
    a friend or name a kind of thing (:func:`kinds`)."""
    words = set(words)
    out = {topic for topic, (_, cues) in TOPICS.items() if words & cues}
    if "friend" in out or kinds(words):
        out.discard("name")
    return out


def told_topics(told: list[Telling]) -> set[str]:
    """The :data:`TOPICS` the sentences of ``told`` told a value of: a sentence that says a value
    and speaks of the topic (or is in a turn that does, or answers a bot's question that does)."""
    return {topic for telling in told if telling.valued for topic in telling.topics}


def told_as_topic(reply: str, told: list[Telling], topic: str) -> bool:
    """Whether ``reply`` states a value told in a sentence of ``told`` that speaks of ``topic``, or
    for a job, what a sentence says the user works as (:func:`_works_as`: "i'm a software
    developer")."""
    value = stated_value(reply)
    words = content_words(value) if value else set()
    return bool(words) and any(words & t.said and topic in t.topics
                               or topic == "job" and words <= set(_works_as(t.words) or ()) for t in told)


def unheard_kind(reply: str, told: list[Telling], asked: str) -> bool:
    """Whether ``reply`` states a value as a kind of thing (the question ``asked`` names, else the
    reply) the user told no value of (:func:`told_kinds`): "Your snake is called 97." where no
    sentence spoke of a snake. Not where a sentence told the value as a favourite or a name of a
    kind it did not say ("i love teal" may tell the favourite colour asked about; "my name is Tom"
    says whose name it is)."""
    value = stated_value(reply)
    if not value:
        return False
    wanted = kinds(content_words(asked)) or kinds(content_words(reply))
    words = content_words(value)
    unsaid = any(words & t.said and t.said & FRAME_WORDS and not t.kinds | t.turn_kinds
                 and not within(("my", "name"), t.words) for t in told)
    return bool(wanted) and not wanted & told_kinds(told) and not unsaid


def unheard_name(reply: str, told: list[Telling], asked: str, names: set[tuple[str, ...]] = frozenset(),
                 known: Callable[[str], bool] = lambda word: False) -> bool:
    """Whether ``reply`` states a name that was never told, in words the vocabulary knows
    (``known``) that make no name the user wrote capitalised (``names``): to a question ``asked``
    about the user's name or a friend's where no sentence of the user's told a name of either
    (:func:`told_topics`), "You are leg." after "i broke my leg yesterday"; to one that asks the
    name of a kind of thing (a pet) where no sentence about that kind named it ("called", "named",
    "name", in the sentence or in the bot's question it answers), "Your cat is called sick." after
    "my cat is sick today". A name the user told in a way no rule reads ("i go by Zelphine") is one
    the vocabulary does not know, or one written capitalised."""
    value = stated_value(reply)
    if not value:
        return False
    asked_words = _asked_words(asked)
    if topics(asked_words) & _WHOSE:
        if told_topics(told) & _WHOSE:
            return False
    else:
        named_kinds = kinds(asked_words) if asked_words & _NAMING else set()
        if not named_kinds or any((t.kinds | t.turn_kinds) & named_kinds and (set(t.words) | t.about) & _NAMING
                                  for t in told):
            return False
    words, span = content_words(value), tuple(tokenize(value))
    return bool(words) and all(map(known, words)) and not any(within(name, span) for name in names)


def spellings(text: str) -> list[str]:
    """``text`` as :func:`content_words` spells it and in the other spelling ("your favourite
    colour is", "your favorite color is")."""
    other = " ".join(_OTHER_SPELLING.get(word, word) for word in text.split())
    return [text] if other == text else [text, other]


# Words by which a message speaks of its writer ("what's my name?").
FIRST_PERSON = frozenset(("i", "me", "my", "mine", "myself", "i'm", "i've", "i'd", "i'll", "im"))
# The user with others ("what did we adopt?"): asked back as the user is, said back as "you".
FIRST_PLURAL = frozenset(("we", "us", "our", "ours", "ourselves", "we're", "we've", "we'd", "we'll"))
SECOND_PERSON = frozenset(("you", "your", "yours", "yourself", "you're", "youre", "you've", "you'd", "you'll", "u",
                           "ur"))
_REQUESTS = frozenset("name tell remind say guess recall".split())


def asks_of_user(text: str) -> bool:
    """Whether ``text`` asks something of the user's: it speaks of them and its last sentence is
    a question or a request ("which fruit tops my list?", "name the colour i like best")."""
    words = tokenize(text)
    asked = last_sentence(text)
    if set(asked) & _SEEKING_ADVICE and not set(asked) & _RECALLING:
        return False  # "what should i do?" asks what the bot thinks, not what the user told
    if asked[:2] == ["tell", "me"] and not set(asked[2:]) & (FIRST_PERSON | FIRST_PLURAL):
        return False  # "tell me another one" asks for a joke, not for what the user told
    return bool(set(words) & FIRST_PERSON) and ("?" in text or bool(set(asked[:1]) & _REQUESTS))


_SEEKING_ADVICE = frozenset(("should", "shall", "shouldn't"))


def asks_of_it(text: str, told: Sequence[Telling] = (), names: set[tuple[str, ...]] = frozenset()) -> bool:
    """Whether the last sentence of ``text`` is a question of how much, how many, how long, how far, how
    old, when or where of "it" ("how much will it cost?", "where is it?"), of "the" thing the user
    spoke of in ``told`` ("how old is the boiler?" after "our boiler broke down") or of one of ``names``
    ("how old is bramble?" after "my dog's name is Bramble"), or of "he" or "she" where someone of theirs was
    spoken of ("what time was he born?" after "my sister just had a baby boy"; what time of a thing or
    someone, not "what time is it?"), not of the bot: of a thing the user spoke of, whose measure, time or
    place only they could have told; so too who of such a thing or of "it" ("who are the fitters?" after "the
    fitters start on monday", "who is teaching it?") and what "the" someone spoken of is called ("what is the
    surgeon called?"), and what "it" is for ("what job is it for?")."""
    asked = last_sentence(text)
    if told and any(within(name, asked) for name in names):
        asked = [word for word in asked if word not in _IT] + ["it"]  # of one of theirs, as of "it"
    theirs = {word for telling in told for word in telling.words if word.isalpha() and word not in STOP_WORDS}
    the_thing = any(asked[i - 1] == "the" and word.isalpha() and (any(
        said == word or said.startswith(_stem(word)) for said in theirs) or set(asked) & _PRICE_CUES
                                                                     or asked[:3] == ["how", "much", "is"])
                    for i, word in enumerate(asked) if i)  # "how much did the wood cost?", "how much is the
    # membership?": of what they do
    # "the candles": "candlelight"; "the baby" after "my sister just had a baby boy"
    someone = bool(set(asked) & {"he", "she"}) and any(map(_someone, theirs))  # "what time was he born?"
    clock = asked[:2] == ["what", "time"]  # of a thing or someone, not "what time is it?"
    who = asked[:1] == ["who"] or asked[:1] == ["what"] and asked[1:2] in (["is"], ["are"]) and (
        asked[2:3] == ["the"] and [word for word in asked if word != "?"][-1:] in (["called"], ["named"]))
    ours = bool(set(asked) & {"we", "us", "our"})  # "how long are we going for?", of the user and others
    guests = bool(told) and bool(_COUNT_OF_THEIRS.match(" ".join(asked)))  # "how many guests are invited?"
    which_it = asked[:1] == ["which"] and asked[1:2] != [] and (
        asked[2:4] in _IS_IT and any(said.startswith(_stem(asked[1])) for said in theirs)  # "which arm is it?" after
        # "my son broke his arm"
        or bool(told) and asked[1] in _PLACES_NAMED | _INSTITUTIONS and asked[2:3] in (
            ["is"], ["are"], ["was"], ["were"]))  # "which hospital are we going to?", "which shop is fixing it?": a
    # place of theirs
    doing_told = who and asked[1:2] in (["is"], ["was"]) and asked[2:3] != [] and asked[2].endswith("ing") and (
        asked[3:] in ([], ["?"])) and any(said.startswith(_stem(asked[2])) for said in theirs)  # "who is judging?"
    # after "the judging is at two o'clock"
    for_what = asked[:1] == ["what"] and asked[2:4] in _IS_IT and [word for word in asked if word != "?"][-1:] == [
        "for"]  # "what job is it for?"
    return ("?" in text and (bool(set(asked) & _IT) and not clock or the_thing or someone or ours or guests
                             or doing_told or which_it)
            and not set(asked) & SECOND_PERSON and ("time" not in asked or clock)
            and (asked[:2] in _OF_IT_LEADS or asked[:1] in (["when"], ["where"])
                 or (who or for_what) and (the_thing or bool(set(asked) & _IT))  # "who is teaching it?"
                 or doing_told or which_it))


def states_untold_number(reply: str, told: set[str]) -> bool:
    """Whether ``reply`` states a number (in digits) none of the user's words (``told``, lower case) said:
    "It'll cost $10 million." where no sum was told."""
    numbers = [number.strip(".,").replace(",", "") for number in re.findall(r"\d[\d,.]*", reply)]
    said = {word.replace(",", "") for word in told}  # "12,000" told is "12000" said
    return any(number not in said for number in numbers if number)


# Where the user will be: "we'll be at a lake in the mountains".
_WILL_BE_AT = re.compile(r"^(?:we'll|i'll|we will|i will) be (?:at|in|on|by|near) (?:a|an|the|my|our) \w+")
_ALONG = re.compile(r"\b(?:into|onto|along|through|past|outside|inside|behind|by) (?:a|an|the|my|our) ")  # "along
# the canal": a place, though not one _PLACE reads
_BESIDE = frozenset("above below under underneath beneath behind opposite beside next".split())
_IS_IT = (["is", "it"], ["was", "it"], ["are", "they"], ["were", "they"])
# How many of something are coming, booked or there: of the user's event, which only they could have told.
_COUNT_OF_THEIRS = re.compile(r"^how many \w+ (?:are|were|will be|have been) (?:coming|going|invited|booked|there"
                              r"|expected|attending|left|signed up|on the list)(?: \?)?$"
                              r"|^how many \w+ (?:\w+ )?(?:work|works|volunteer|volunteers|live|lives|go|goes) there"
                              r"(?: \?)?$")  # "how many people volunteer there?"
_OF_IT_LEADS = (["how", "much"], ["how", "many"], ["how", "long"], ["how", "far"], ["how", "old"], ["how", "big"],
                ["what", "colour"], ["what", "color"], ["what", "time"], ["what", "flavour"], ["what", "flavor"],
                ["what", "make"], ["what", "brand"], ["what", "model"])


def restart(reply: str, told: list[Telling], asked: str) -> Optional[str]:
    """Where ``reply`` declines, states a value not told about what the question ``asked`` asks
    about (:func:`told_about`), or (to a question about the user) states none, of a kind of thing
    (:func:`kinds`: those the question names, else the reply) the user told a value of
    (:func:`told_kinds`): how the model starts stating a value of that kind (:data:`STARTS`; "I'm
    not sure, you haven't told me your favourite fruit." -> "your favourite fruit is"); else, of a
    topic the question speaks of that the user told a value of (:func:`topics`, :func:`told_topics`),
    how it starts stating that ("which pal did i mention?" -> "your best friend is"). None otherwise."""
    if not declines(reply):
        value = stated_value(reply)
        if value is None and not asks_of_user(asked):
            return None
        if value == "" or value and told_about(reply, told, content_words(asked) - FRAME_WORDS - ASKING_WORDS):
            return None
    wanted = (kinds(content_words(asked)) or kinds(content_words(reply))) & told_kinds(told)
    start = next((STARTS[kind] for kind in sorted(wanted) if kind in STARTS), None)
    if start is None:
        topic = next((t for t in TOPICS if t in topics(_asked_words(asked)) & told_topics(told)), None)
        start = TOPICS[topic][0] if topic else None
    return start


def told_values(start: str, told: list[Telling], asked: str, names: set[tuple[str, ...]]) -> list[tuple[str, ...]]:
    """The values (in words) that could answer ``asked`` where the reply starts ``start`` (one of
    :data:`STARTS` or of :data:`TOPICS`): in each sentence of ``told`` that tells a value of the
    kind or topic the start states, the names the user wrote (``names``) and, for an age, the
    numbers, and for a job what a sentence says the user works as (:func:`_works_as`: "i'm a
    software developer"), newest first. The model scores "your ferret is called Pickles" when its
    search only found "You named your ferret and gave it."."""
    kind, topic = _KIND_OF_START.get(start), topic_of(start)
    if kind is None and topic is None:
        return []
    wanted = kinds(_asked_words(asked)) & {kind} if kind else {topic}
    out: list[tuple[str, ...]] = []
    for telling in reversed(told):
        if not telling.valued or not ((telling.kinds | telling.turn_kinds if kind else telling.topics) & wanted
                                      or topic == "job" and _works_as(telling.words)):
            continue
        found = [name for name in names if within(name, telling.words)]
        if topic == "age":
            found += [(word,) for word in telling.words if word.isdigit()]
        if topic == "job":
            found += [said for said in [_works_as(telling.words)] if said]
        if kind:  # a favourite thing or a pet's name may be any words: the model weighs each
            found += [span for span in _spans(telling.words) if span not in found]
        out += [value for value in found if value not in out]
    return [value for value in out if not _taken_back(set(value), told)][:VALUES_TRIED]


_JOINING = frozenset(("and", "of", "de", "la", "le"))
_WORKING_AS = (("i'm",), ("im",), ("i", "am"), ("i", "work", "as"), ("i", "worked", "as"),
               ("i'll", "be", "working", "as"), ("i", "will", "be", "working", "as"),
               ("i've", "been", "made"), ("i", "was", "made"), ("i've", "been", "promoted", "to"),
               ("i", "got", "promoted", "to"), ("i've", "been", "promoted", "to", "be"))  # "i've been made a manager"
_ENDS_A_JOB = frozenset("at in on for from with and but so who because , .".split())


def _works_as(words: Sequence[str]) -> Optional[tuple[str, ...]]:
    """What a sentence (lower-case ``words``) says the user works as, with its article, where it
    begins "i'm a", "i am an" or "i work as a" (the job slot's tellings), or "i'm (now) the" and a
    head of something (:data:`_HEADS`): "i'm a software developer" -> ("a", "software",
    "developer"), "i'm a nurse at the children's hospital" -> ("a", "nurse"), "i'm now the head of
    marketing" -> ("the", "head", "of", "marketing"); None otherwise."""
    lead = next((lead for lead in _WORKING_AS if tuple(words[:len(lead)]) == lead), None)
    if lead is None:
        return None
    words = list(words[len(lead):])
    words = words[1:] if words[:1] == ["now"] else words  # "i'm now the head of marketing"
    if words[:1] in _HEAD_OF and words[1:2] == ["of"]:  # "i'm now head of marketing": the head of it
        words = ["the", *words]
    if words[:1] not in (["a"], ["an"]) and not (words[:1] == ["the"] and words[1:2] and words[1] in _HEADS):
        return None
    rest = words[1:]
    end = next((i for i, word in enumerate(rest) if word in _ENDS_A_JOB), len(rest))
    return (words[0], *rest[:end]) if 0 < end <= 3 else None


_HEAD_OF = (["head"], ["director"], ["chief"], ["captain"], ["manager"], ["editor"], ["president"])


# What someone at the head of something is ("i'm now the head of marketing").
_HEADS = frozenset("head manager director chief lead captain boss owner president ceo editor coach".split())


def _spans(words: Sequence[str], longest: int = 3) -> list[tuple[str, ...]]:
    """The runs of up to ``longest`` words in ``words`` that could be a value: words with a letter
    or digit that are no stop word, kind of thing, topic, frame or asking word ("and" or "of"
    between two such words joins them: "fish and chips"), longest first."""
    def word_of_value(word):
        return (word not in STOP_WORDS and any(ch.isalnum() for ch in word) and not kinds([word])
                and not topics([word]) and word not in FRAME_WORDS and word not in ASKING_WORDS)

    runs, run = [], []
    for i, word in enumerate(words):
        if word_of_value(word) or (run and word in _JOINING and i + 1 < len(words) and word_of_value(words[i + 1])):
            run.append(word)
        elif run:
            runs.append(run)
            run = []
    if run:
        runs.append(run)
    spans = {tuple(run[i:j]) for run in runs for i in range(len(run))
             for j in range(i + 1, min(len(run), i + longest) + 1)
             if run[i] not in _JOINING and run[j - 1] not in _JOINING}
    return sorted(spans, key=lambda span: (-len(span), words.index(span[0])))


def told_about(reply: str, told: list[Telling], asked: set[str]) -> bool:
    """Whether ``reply`` states a value told in a sentence (of ``told``: :func:`tellings`) that
    speaks of what the question asks about: it, or the bot's turn it answered, shares a word with
    ``asked`` (the question's content words) other than the value's and :data:`FRAME_WORDS`; not a
    question of the user's ("how many kids do i have?" tells no value)."""
    value = stated_value(reply)
    words = content_words(value) if value else set()
    return bool(words) and any(words & t.said and (t.about - words - FRAME_WORDS) & asked
                               and t.words[:1] and t.words[0] not in _QUESTION_LEADS for t in told)


def states_told(reply: str, told_in: list[Telling], asked: str, told: set[str],
                names: set[tuple[str, ...]] = frozenset(), common: set[str] = frozenset(),
                known: Callable[[str], bool] = lambda word: False) -> bool:
    """Whether ``reply`` answers the question ``asked`` with a value told about it
    (:func:`told_about`), whole and as told (not :func:`_spoilt` or :func:`_unfounded`, which
    :func:`ground` weighs by; ``told``, ``names``, ``common`` and ``known`` as there), in the
    words it was told in, and of no topic that neither the question nor the telling spoke of: "You
    said you live in Norway.", "You said you would Norway to Norway." or "... Norway next." do not
    answer "where am i going?" after "i'm going to Norway next month"."""
    value = stated_value(reply)
    if not value or hollow(value, asked, reply) or _spoilt(reply, value, told_in, names) or _unfounded(
            reply, value, told, told_in, asked, names, common, known) or misplaced(reply, told_in, asked):
        return False
    telling_it = [telling for telling in told_in if content_words(value) & telling.said]
    return (told_about(reply, told_in, content_words(asked) - FRAME_WORDS - ASKING_WORDS)
            and not _topic_of_neither(reply, asked, telling_it) and not _whose_for_what(reply, asked)
            and not _owner_cut(reply, asked) and not _reframed(reply, asked, telling_it)
            and any(within(tuple(tokenize(value)), telling.words) for telling in told_in))


def _reframed(reply: str, asked: str, telling_it: list[Telling]) -> bool:
    """Whether ``reply`` says back what the user does with a verb no sentence telling the value said, where the
    question ``asked`` has a word those sentences said: "You said you live in Crewe." to "where am i based?" after
    "i'm based at the ambulance station in Crewe"."""
    said = [word.lower() for word in tokenize(reply)]
    if said[:3] != ["you", "said", "you"] or not said[3:4] or not said[3].isalpha() or said[3] in _AUXILIARIES:
        return False
    asked_stems = {_stem(word) for word in _asked_words(asked) - FRAME_WORDS - ASKING_WORDS}
    return any(_stem(said[3]) not in stems and asked_stems & stems for stems in (
        {_stem(word) for word in telling.words} for telling in telling_it))


_CALLED_FRAME = re.compile(r"^(?:you said )?your ([\w' ]+?) (?:is|are) called ")


def _owner_cut(reply: str, asked: str) -> bool:
    """Whether ``reply`` states what a thing of the user's is called with the thing's name cut short of the one
    the question ``asked`` asks of: "Your mortgage is called Ruth." to "who's my mortgage advisor?"."""
    said = _CALLED_FRAME.match(" ".join(tokenize(reply)))
    question = [word for word in last_sentence(asked) if word != "?"]
    if not said or "my" not in question:
        return False
    thing, of = said.group(1).split(), question[question.index("my") + 1:]
    return len(of) > len(thing) and of[:len(thing)] == thing and of[len(thing)].isalpha() and (
        of[len(thing)] not in STOP_WORDS | _NAME_ASKED | _TIME_WORDS | FRAME_WORDS | ASKING_WORDS)


def _whose_for_what(reply: str, asked: str) -> bool:
    """Whether ``reply`` states whose a fact is (a friend's name: "Your friend is called Tomasz.")
    where the question ``asked`` asks what a fact of theirs is (a topic besides a name and a friend:
    "where does my friend live?")."""
    wanted = topics(_asked_words(asked)) - _WHOSE
    said_as = topics(content_words(reply))
    return bool(wanted) and bool(said_as) and not said_as - _WHOSE


def ground(hypotheses: Sequence[Hypothesis], texts: Sequence[str], told: set[str],
           told_in: list[Telling], asked: str, stored: set[str] = frozenset(),
           names: set[tuple[str, ...]] = frozenset(), common: set[str] = frozenset(),
           known: Callable[[str], bool] = lambda word: False) -> list[Hypothesis]:
    """``hypotheses`` (whose replies read ``texts``), weighed by what their replies state about the
    user (see the module's docstring): where one of them declines for want of being told, one that
    states a value nobody told (none of its content words ``told``) loses :data:`UNTOLD_VALUE`;
    one that states a value told about what the question ``asked`` asks about
    (:func:`told_about`, ``told_in``, or told in a sentence of the topic asked: :func:`told_as_topic`)
    gains :data:`ABOUT_VALUE`, one that states whole a name written in the conversation (``names``)
    another states a part of gains :data:`WHOLE_VALUE`, and one that says such a name to a question
    that asks a name :data:`NAME_VALUE`; where one declines and the question says what it asks
    about (a word other than :data:`FRAME_WORDS` and :data:`ASKING_WORDS`), one that states a value
    told about something else loses :data:`ELSEWHERE_VALUE`. A value told as another kind of thing
    or topic, or as one the user spoke of nowhere (:func:`misplaced`, :func:`unheard_kind`), a
    hollow one (:func:`hollow`), an age without a number, and, asked a person's name, one of nothing
    but ``common`` words (the vocabulary's most frequent) that is no name the user wrote, or one of
    words the vocabulary knows (``known``) where the user told no name (:func:`unheard_name`), count as
    one nobody told; one the user took back (:func:`taken_back`), one cut short (:func:`dangles`)
    and one of words told in several sentences and in none together (:func:`across_tellings`) lose
    :data:`UNTOLD_VALUE` even where none declines. Where one states a value told about what is
    asked, a decline of a kind or topic the user told a value of loses :data:`DECLINE_TOLD`. A
    decline of something not asked beside one of what is (:func:`declines_other`) loses
    :data:`UNTOLD_VALUE`, as a value nobody told does. A
    value a stored pair holds whole (``stored``, :func:`_the_pairs`) is the pair's to weigh (the
    stored-answer prior), not this."""
    question = content_words(asked) - FRAME_WORDS - ASKING_WORDS
    asked_words = _asked_words(asked)
    asked_topics = topics(asked_words)
    asks_name = bool(asked_topics & _WHOSE or asked_words & _NAMING)  # ("Name the sport i like best": no name)
    declined = any(declines(text) for text in texts)
    values = [stated_value(text) for text in texts]
    spans = [tuple(tokenize(value)) if value else () for value in values]
    about = [bool(value) and (told_about(text, told_in, question)
                              or any(told_as_topic(text, told_in, t) for t in asked_topics))
             for text, value in zip(texts, values)]
    # Where a candidate states a value told about what is asked, a decline of a kind of thing or
    # topic the user told a value of says what is not so ("I'm not sure, you haven't told me your
    # favourite animal." after "if i had to pick one single animal it would be giraffes").
    answered = any(is_about and not _the_pairs(content_words(value), stored)
                   and not misplaced(text, told_in, asked)  # "Your name is Harriet." answers no "my sister"
                   for is_about, value, text in zip(about, values, texts))
    told_of = told_kinds(told_in) | told_topics(told_in) if answered else set()
    # a decline of what is asked, beside which one of something else says less
    others = [declines_other(text, asked) for text in texts]
    other_declines = any(declines(text) and not other and content_words(text) & question
                         for text, other in zip(texts, others))  # "... your sister's name." to "my sister"
    out = []
    for hypothesis, text, value, span, is_about, other in zip(hypotheses, texts, values, spans, about, others):
        words = content_words(value) if value is not None else set()
        named = any(within(name, span) for name in names)
        gain = 0.0
        if value is None and other_declines and other:
            gain = -UNTOLD_VALUE  # "I don't know your friend's name." beside "... your sister's name.": as wrong
        elif value is None and told_of and declines(text):
            said = content_words(text)
            if (kinds(said) or kinds(content_words(asked))) & told_of or (topics(said) or asked_topics) & told_of:
                gain = -DECLINE_TOLD
        elif value is None or _the_pairs(words, stored):
            pass
        elif _spoilt(text, value, told_in, names) or asks_name and len(span) > 1 and span[-1] in _TIME_WORDS | {
                "yesterday"}:  # "Your rabbit is called Clover today.": no name ends in a day
            gain = -UNTOLD_VALUE
        elif _unfounded(text, value, told, told_in, asked, names, common, known):
            gain = -UNTOLD_VALUE if declined else 0.0
        else:
            if is_about:
                gain = ABOUT_VALUE
            elif declined and question:
                gain = -ELSEWHERE_VALUE
            gain += WHOLE_VALUE if _whole(span, spans, names) else 0.0
            gain += NAME_VALUE if asks_name and named else 0.0
        out.append(replace(hypothesis, prior=hypothesis.prior + gain) if gain else hypothesis)
    return out


def _the_pairs(words: set[str], stored: set[str]) -> bool:
    """Whether a value's content ``words`` are a stored pair's (``stored``, the words of the pairs
    read) to weigh: all of them are, not one common word of them ("see" of "see hamilton")."""
    return bool(words) and words <= stored


def _spoilt(reply: str, value: str, told_in: list[Telling], names: set[tuple[str, ...]] = frozenset()) -> bool:
    """Whether the ``value`` ``reply`` states is one the user took back (:func:`taken_back`), is
    cut short (:func:`dangles`) or joins words of several sentences told in none together
    (:func:`across_tellings`), goes on with words nobody said after it (:func:`padded`), stops
    short of a word every sentence that says it goes on with (:func:`cut_short`, :func:`doing_cut`) or
    starts after one it begins with (:func:`headless`), or is a doing said as a plan ("You said you would skiing in
    colorado.")."""
    return (taken_back(reply, told_in) or dangles(value) or across_tellings(content_words(value), told_in)
            or padded(value, told_in) or ends_astray(value, told_in)
            or cut_short(value, told_in, names) or cut_short(_with_article(reply, value), told_in, names)
            or headless(value, told_in, names)
            or doing_cut(reply, value, told_in)
            or bool(_WOULD_DOING.search(plain(reply))))


def _with_article(reply: str, value: str) -> str:
    """``value`` with the article ``reply`` says it after ("a lab" of "You said you're a lab."), '' where it says
    none: cut short of what only that article's telling goes on with ("a lab technician", not "the lab is at the
    university")."""
    words, of = tokenize(reply), tuple(tokenize(value))
    at = next((i for i in range(1, len(words) - len(of) + 1) if tuple(words[i:i + len(of)]) == of), None)
    return f"{words[at - 1]} {value}" if of and at and words[at - 1] in ("a", "an", "the") else ""


def headless(value: str, told: list[Telling], names: set[tuple[str, ...]] = frozenset()) -> bool:
    """Whether a stated ``value`` starts after the word that, in every sentence of ``told`` that says
    it, begins it after "is", an article or someone's ("white" of "my favourite drink is a flat
    white", "hockey" of "my favourite sport is ice hockey", "dinner" of "my nan's roast dinner"), or
    after a "by" in a value told after "is" (the maker: "Fleetwood Mac" of "my favourite album is
    Rumours by Fleetwood Mac"), or at an "and" ("and pepper" of "Salt and Pepper"); not "civic" of
    "my car is a red Civic" (a colour, or "new", "old", "big", "small" or "little", says what it is
    like), nor "banana" of "is a banana", nor the end of
    a name the user wrote capitalised (``names``: "Fluffington" of "Lord Fluffington", which the
    reply is written back to whole)."""
    words = tuple(_TOLD_AS.get(word, word) for word in tokenize(value))
    if words[:1] in (("and",), ("or",), ("is",), ("are",)):
        return True  # "and pepper" of "two cats called Salt and Pepper", "is waffles"
    if any(len(name) > len(words) and name[-len(words):] == words for name in names):
        return False
    at = [(telling.words, i) for telling in told for i in range(2, len(telling.words) - len(words) + 1)
          if telling.words[i:i + len(words)] == words]
    return bool(words) and bool(at) and all(
        (opener in _OPENS_A_VALUE or opener.endswith("'s")) and word.isalpha()
        and word not in STOP_WORDS | FRAME_WORDS | _LIKE_WHAT
        or word == "by" and set(said[:i - 1]) & {"is", "was"}  # "Fleetwood Mac" of "... is Rumours by Fleetwood Mac"
        for said, i in at for opener, word in [said[i - 2:i]])


_OPENS_A_VALUE = frozenset(("is", "was", "are", "a", "an", "the"))
_LIKE_WHAT = _COLOURS | frozenset(("new", "old", "big", "small", "little"))


# "You said you would skiing in colorado.": a plan's frame with a doing after it, no plan.
_WOULD_DOING = re.compile(r"\byou would (?!string\b|spring\b)\w{3,}ing\b")  # not "bring", "sing"


_TOLD_AS = {"you": "i", "your": "my", "you're": "i'm", "yours": "mine"}


def padded(value: str, told: list[Telling]) -> bool:
    """Whether a stated ``value`` begins with a word a sentence of ``told`` says, not a stop word,
    and goes on with words no sentence says after it: "York last year" or "York month" after "i
    moved to York last month"; not "a great way to meet people" ("It's a great way ...", which
    chitchat says too). Its "you" and "your" are read as the user's "i" and "my"."""
    words = tuple(_TOLD_AS.get(word, word) for word in tokenize(value))
    if len(words) < 2 or words[0] in STOP_WORDS or any(within(words, telling.words) for telling in told):
        return False
    return any(within(words[:1], telling.words) for telling in told)


def ends_astray(value: str, told: list[Telling]) -> bool:
    """Whether a stated ``value`` of three words or more ends in a word no sentence of ``told`` says, not a stop
    word, after words they all say: "do a triathlon next time" after "i want to do a triathlon next year"."""
    words = tuple(_TOLD_AS.get(word, word) for word in tokenize(value))
    said = {word for telling in told for word in telling.words}
    return len(words) > 2 and words[-1].isalpha() and words[-1] not in said | STOP_WORDS and all(
        word in said for word in content_words(" ".join(words[:-1])))


def cut_short(value: str, told: list[Telling], names: set[tuple[str, ...]] = frozenset()) -> bool:
    """Whether a stated ``value`` stops short of the word that, in every sentence of ``told`` that
    says it, goes on with it, not a stop word nor one that goes on from a value (:data:`_AFTER_A_VALUE`):
    "see the cherry" after "i want to see the cherry blossoms"; not "paris" after "i live in Paris
    now", nor a number. A value that ends a name the user wrote capitalised (``names``, tuples of
    lower-case words) is cut short only of the rest of the name: "new york" of "New York City",
    not "anya" of "my daughter Anya starts school". An ordinal stops short of what it counts: "second"
    of "i'm a second year at leeds uni"."""
    words = tuple(_TOLD_AS.get(word, word) for word in tokenize(value))
    if len(words) > 1 and _numbers({words[-1]}) and words[-2] not in NUMBER_WORDS:
        after = [telling.words[i + len(words)] for telling in told for i in range(len(telling.words) - len(words))
                 if telling.words[i:i + len(words)] == words]
        return bool(after) and all(word in _TIME_UNITS for word in after)  # "poland ten" of "... from poland ten
        # years ago": how long ago, cut in two
    if not words or _numbers({words[-1]}):
        return False  # a number says all it says: "6" of "6 candles were on my last birthday cake"
    named = [name for name in names if words[-1] in name]
    if named:  # cut only where a word of the name follows: "new york" of "new york city"
        return any(within(name[at:at + 2], telling.words) for name in named
                   for at in [name.index(words[-1])] if at + 1 < len(name) for telling in told)
    after = [telling.words[i + len(words)] if i + len(words) < len(telling.words) else ""
             for telling in told for i in range(len(telling.words) - len(words) + 1)
             if telling.words[i:i + len(words)] == words]
    if words[-1] in _ORDINALS and after and all(word in _COUNTED for word in after):
        return True  # "second" of "i'm a second year at leeds uni"
    return bool(after) and all(
        word.isalpha() and word not in STOP_WORDS | _AFTER_A_VALUE | _FILLERS | _THING_ENDS and not word.endswith("ly")
        and not _TIME.fullmatch(word) for word in after)


_COUNTED = frozenset("year years week month day time floor grade place round".split())  # "second year"
_TIME_UNITS = frozenset("seconds minutes hours days nights weeks months years decades".split())


def doing_cut(reply: str, value: str, told: list[Telling]) -> bool:
    """Whether ``reply`` states as what the user is doing ("You said you're staying.") a doing that
    every sentence of ``told`` that says it goes on with where or with whom ("i'm staying in bed
    today"); not a sport or a thing ("no sport beats skiing in my book")."""
    words = tuple(tokenize(value))
    if not words or not words[-1].endswith("ing") or words[-1] in _THINGS_LIKE_DOINGS or not _stated_as(_BEING, reply):
        return False
    after = [telling.words[i + len(words)] if i + len(words) < len(telling.words) else ""
             for telling in told for i in range(len(telling.words) - len(words) + 1)
             if telling.words[i:i + len(words)] == words]
    return bool(after) and all(word in _WHERE_TO for word in after)


_WHERE_TO = frozenset("in at on to into with for from by".split())


# Words that follow a value without being part of it: "i live in Paris now", "i'm 38 years old".
_AFTER_A_VALUE = frozenset("""now too though anyway actually still again soon already instead either together alone
there here tbh lol haha originally years year old months weeks days hours minutes more less most much very really
than ever since until till ago when while after before during unless like as without within around across behind
near over under above below along beside between through toward towards upon""".split())


def _unfounded(reply: str, value: str, told: set[str], told_in: list[Telling], asked: str,
               names: set[tuple[str, ...]] = frozenset(), common: set[str] = frozenset(),
               known: Callable[[str], bool] = lambda word: False) -> bool:
    """Whether the ``value`` ``reply`` states counts as one nobody told (see :func:`ground`): none
    of its words ``told``, told as another kind or topic (:func:`misplaced`), of a kind the user
    spoke of nowhere (:func:`unheard_kind`), hollow (:func:`hollow`), an age without a number, or,
    asked a person's name, of ``common`` words only and no name the user wrote, or no name told
    (:func:`unheard_name`)."""
    words, asked_topics = content_words(value), topics(_asked_words(asked))
    named = any(within(name, tuple(tokenize(value))) for name in names)
    return (not words & told or misplaced(reply, told_in, asked) or unheard_kind(reply, told_in, asked)
            or hollow(value, asked, reply) or "age" in asked_topics and not _numbers(words)
            or asked_topics & _WHOSE and words <= common and not named
            or unheard_name(reply, told_in, asked, names, known))


_NAMING = frozenset("name names named called call".split())


def _numbers(words: set[str]) -> bool:
    """Whether ``words`` say a number ("47", "forty-seven")."""
    return any(any(ch.isdigit() for ch in word) or set(word.split("-")) & NUMBER_WORDS for word in words)


_WEATHER = frozenset("""rain rained raining rainy sun sunny sunshine snow snowed snowing snowy wind windy storm stormy
storms hot cold warm freezing cloudy foggy fog drizzle drizzly heatwave thunder lightning boiling mild wet
dry""".split())
_AGED = frozenset("old new ancient ago since built made".split())  # words that may say how old a thing is
_DANGLING = frozenset("and or but of to in at on for with the a an my your last next this since".split())


def dangles(value: str) -> bool:
    """Whether a stated ``value`` ends on a word that leads on to more ("Oslo and", "a trip to",
    "Vancouver last" of "i moved to Vancouver last month")."""
    words = tokenize(value)
    return len(words) > 1 and words[-1].lower() in _DANGLING


def across_tellings(words: set[str], told: list[Telling]) -> bool:
    """Whether a stated value's content ``words`` (two or more) were each told, in sentences of
    ``told`` none of which says them all: "Ravi and max" after "my name is Ravi and my dog is
    called Max" joins two facts into one nobody told."""
    return (len(words) > 1 and all(any(word in telling.said for telling in told) for word in words)
            and not any(words <= telling.said for telling in told))


def hollow(value: str, asked: str, reply: str = "") -> bool:
    """Whether a stated ``value`` says nothing but words of the question ``asked``, of a topic, of
    how facts are framed or asked, or the kind of thing the rest of ``reply`` names ("Your hamster
    is called hamster." to "how is my hamster named?", "It's buddy.", "Your name is the one.",
    "Your cat is called cats.")."""
    words, question = content_words(value), content_words(asked)
    named = kinds(content_words(reply) - words)
    return bool(words) and all(word in question or topics([word]) or word in FRAME_WORDS or word in ASKING_WORDS
                               or word in _TENSE_WORDS or kinds([word]) & named for word in words)


_TENSE_WORDS = frozenset(("used",))  # "Your favourite colour is used." of "it used to be blue"


def within(part: tuple[str, ...], whole: Sequence[str]) -> bool:
    """Whether the words ``part`` come together in ``whole``."""
    return any(tuple(whole[i:i + len(part)]) == part for i in range(len(whole) - len(part) + 1))


def _whole(span: tuple[str, ...], spans: Sequence[tuple[str, ...]], names: set[tuple[str, ...]]) -> bool:
    """Whether ``span`` (a candidate's value, in words) is a name written in the conversation
    (``names``: runs of capitalised words, in lower case) of which another candidate's value (of
    ``spans``) is a part: "ancient greek" of "Probably Ancient Greek", where another said "greek"."""
    return span in names and any(0 < len(part) < len(span) and within(part, span) for part in spans)


def _by_position(step, shape: Callable[[int, torch.Tensor], torch.Tensor]):
    """``step`` (a search's ``step_fn``) whose log-probabilities at its n-th call (from 0) are
    ``shape(n, log_probs)``."""
    calls = [0]

    def shaped(tokens: torch.Tensor, state):
        log_probs, attention, state = step(tokens, state)
        position, calls[0] = calls[0], calls[0] + 1
        return shape(position, log_probs), attention, state
    return shaped


def barred(step, firsts: Iterable[int]):
    """``step`` (a search's ``step_fn``) whose first call lets no row choose one of ``firsts``."""
    barring = sorted(set(firsts))

    def bar(position: int, log_probs: torch.Tensor) -> torch.Tensor:
        if position or not barring:
            return log_probs
        return log_probs.index_fill(1, torch.tensor(barring, device=log_probs.device), float("-inf"))
    return _by_position(step, bar)


def forced(step, prefix: Sequence[int]):
    """``step`` (a search's ``step_fn``) that lets its first ``len(prefix)`` calls choose only the
    prefix's tokens, each with the log-probability the model gives it."""
    def force(position: int, log_probs: torch.Tensor) -> torch.Tensor:
        if position >= len(prefix):
            return log_probs
        token = prefix[position]
        kept = log_probs[:, token].clone()
        log_probs = torch.full_like(log_probs, float("-inf"))
        log_probs[:, token] = kept
        return log_probs
    return _by_position(step, force)
