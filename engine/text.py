"""Text pipeline: normalisation, tokenisation and the vocabulary saved in every checkpoint."""
from __future__ import annotations

import html
import re
import unicodedata
from collections import Counter
from typing import Iterable, Sequence

import regex
from nltk.tokenize import TweetTokenizer
from nltk.tokenize.casual import EMOTICONS

PAD, UNK, SOS, EOS = "<pad>", "<unk>", "<sos>", "<eos>"
URL, USER = "<url>", "<user>"
SPECIALS = (PAD, UNK, SOS, EOS, URL, USER)

# A message is cut before tokenising so that a pasted book costs no more than a long message.
MAX_CHARS = 4000

_URL_RE = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
_USER_RE = re.compile(r"(?<![\w@])@\w{1,30}")
_SPACE_RE = re.compile(r"\s+")
# TweetTokenizer's own word pattern, applied with the standard library's engine. nltk routes it
# through a guarded `regex` wrapper that, with the lower-casing and lengthening options run per
# token, made tokenising the slowest part of reading a corpus (about 2 ms a message, 4x this).
# Phone numbers are not matched: in chat they are rare and the pattern backtracks on digit runs.
_WORD_RE = re.compile(TweetTokenizer(match_phone_numbers=False).WORD_RE.pattern, re.VERBOSE | re.I | re.UNICODE)
_HANG_RE = re.compile(r"([^\w]|_)\1{3,}")  # runs of one symbol are shortened, as TweetTokenizer does
_LENGTHENING_RE = re.compile(r"(\D)\1{2,}")  # "sooooo" -> "sooo"; a number as it is ("30000")
_PLAIN_WORD_RE = re.compile(r"[\w'’-]+")
_EMOTICON_RE = regex.compile(EMOTICONS, regex.VERBOSE | regex.I | regex.UNICODE)


def _lower(token: str) -> str:
    """Lower-case a token, but leave emoticons such as ``:D`` as they are."""
    if _PLAIN_WORD_RE.fullmatch(token) or not _EMOTICON_RE.search(token):
        return token.lower()
    return token


def normalize(text: str) -> str:
    """NFC-normalise, drop control characters and collapse white space."""
    text = unicodedata.normalize("NFC", text[:MAX_CHARS])
    # Category C* holds control, format and unassigned characters; keep the zero-width joiner
    # so that composed emoji survive.
    if not text.isprintable():  # the per-character pass only when something needs it
        text = "".join(ch if ch in "\t\n" or ch == "\u200d" or unicodedata.category(ch)[0] != "C" else " "
                       for ch in text)
    return _SPACE_RE.sub(" ", text).strip()


# Contractions typed without their apostrophe, where the word without it is no other word ("im",
# "whats", "dont"; not "ill", "id", "were", "well", "lets", "shed", "wed", "hell"; "its" only where it
# opens a sentence: "its called Green Man").
_UNPUNCTUATED = {word.replace("'", ""): word for word in """i'm i've i'd've what's where's who's how's when's why's
    that's there's here's she's he's you're you've you'll you'd they're they've they'll they'd we've
    don't doesn't didn't isn't wasn't aren't weren't can't couldn't wouldn't shouldn't won't haven't hasn't hadn't
    mustn't needn't ain't it'll that'll would've could've should've might've must've""".split()}
_UNPUNCTUATED_RE = re.compile(r"(?i)\b(" + "|".join(sorted(_UNPUNCTUATED, key=len, reverse=True)) + r")\b")
_OPENING_ITS_RE = re.compile(r"(?i)(^|[.!?]\s+)(its)\b")
_WHOSE_RE = re.compile(r"(?i)\b(my|his|her|their|our) ([a-z]+[^s'])s (name|birthday|age|job|surname|phone|number)\b")
_NAMES_IS_RE = re.compile(r"\b((?i:my|his|her|their|our)) (?i:names) ([A-Z]|(?!(?:are|were|and|or|have|had|include"
                          r"|come|came|start|end|sound|get|mean|don't|dont|aren't|arent)\b)[a-z])")
# A sentence that opens with "were" and goes on as a telling: "were called the Dynamo Donkeys", "were going
# on friday" ("we're"); not a question ("were you there", "were the kids ok").
_OPENING_WERE_RE = re.compile(r"(?i)(^|[.!?]\s+)(were)(?= (?:called|named|not|off|from|both|all|still|just|so"
                              r"|really|very|moving|\w+ing)\b)")
# An unpunctuated question: its last sentence opens with a word of asking ("whats my dogs name",
# "what breed is she", "do i have a dog"), not a clause that tells ("when i was five", "what i mean is").
_ASKING_AUX = r"(?:is|are|was|were|am|do|does|did|can|could|will|would|should|have|has|had)"
_SUBJECTS = r"(?:i|we|you|he|she|they|it|my|our|your|his|her|their|the|there)"
_QUESTION_RE = re.compile(r"(?i)(?:^|[.!?]\s+)(?:what's|where's|who's|how's|when's|why's"
                          r"|(?:what|which|whose|who)\b(?!\s+(?:i|we|you|he|she|they)\b)"
                          rf"|(?:since\s+)?(?:where|when|why|how)\s+{_ASKING_AUX}\b"
                          r"|how\s+(?:long|many|much|old|often|far)\b"
                          rf"|{_ASKING_AUX}\s+{_SUBJECTS}\b)[^.!?]*$")


def spelt_out(text: str) -> str:
    """``text`` as a message is meant to read, where it was typed in haste: the apostrophes of
    contractions put back ("im" -> "i'm", "Whats" -> "What's", "its" that opens a sentence ->
    "it's", "were" that opens a telling -> "we're", "my names Jake" -> "my name's Jake", "my dogs
    name" -> "my dog's name") and a question mark after an unpunctuated question ("whats my dogs
    name" -> "what's my dog's name?").
    Anything else is left as it was typed."""
    text = _UNPUNCTUATED_RE.sub(lambda match: _apostrophed(match.group(1)), text).rstrip()
    text = _OPENING_ITS_RE.sub(lambda match: match.group(1) + _cased(match.group(2), "it's"), text)
    text = _OPENING_WERE_RE.sub(lambda match: match.group(1) + _cased(match.group(2), "we're"), text)
    text = _NAMES_IS_RE.sub(r"\1 name's \2", text)  # "my names Jake": "my name's Jake"
    text = _WHOSE_RE.sub(r"\1 \2's \3", text)  # "my girlfriends name": "my girlfriend's name"
    if text and text[-1].isalnum() and _QUESTION_RE.search(text):
        text += "?"
    return text


def spelt_word(token: str) -> str:
    """A lower-case token with the apostrophe of a contraction typed without one ("whats" ->
    "what's"), as :func:`spelt_out` writes it; any other token as it is."""
    return _UNPUNCTUATED.get(token, token)


def _apostrophed(word: str) -> str:
    return _cased(word, _UNPUNCTUATED[word.lower()])


def _cased(typed: str, said: str) -> str:
    """``said`` (lower case) capitalised where ``typed`` was: "Its" -> "It's"."""
    return said.capitalize() if typed[:1].isupper() else said


def tokenize(text: str, lower: bool = True) -> list[str]:
    """Lower-cased tokens; URLs become ``<url>`` and user names ``<user>``. ``lower=False`` gives
    the same tokens as written (the spelling a copied word is said back with)."""
    text = normalize(text)
    text = _LENGTHENING_RE.sub(r"\1\1\1", text)
    text = _URL_RE.sub(" \x00url ", text)
    text = _USER_RE.sub(" \x00user ", text)
    tokens = []
    text = _HANG_RE.sub(r"\1\1\1", html.unescape(text))
    for token in _WORD_RE.findall(text.replace("\x00url", "URLTOKEN").replace("\x00user", "USERTOKEN")):
        if token == "URLTOKEN":
            tokens.append(URL)
        elif token == "USERTOKEN":
            tokens.append(USER)
        else:
            tokens.append(_lower(token) if lower else token)
    return tokens


_NO_SPACE_BEFORE = {".", ",", "!", "?", ";", ":", ")", "...", "'s", "n't", "'m", "'re", "'ll", "'ve", "'d", "%"}
_NO_SPACE_AFTER = {"(", "$", "#", "£", "€"}


# A word of two letters or more that starts with a vowel sound, as far as its spelling tells: not
# "one", "once", "uni...", "use...", "euro...".
_VOWEL_SOUND = re.compile(r"(?i)(?!one\b|once\b|uni|use|usu|ute|ura|eu|ewe)(?:[aeiou]\w|hour|honest|honou?r)")


_GRADES = frozenset("bcdef")  # a letter after an article, a grade


def detokenize(tokens: Sequence[str]) -> str:
    """Join tokens into a readable sentence: punctuation attached, first letters and "I" capitalised,
    "a" before a word that starts with a vowel sound made "an" ("a architect" -> "an architect"), but
    "a" after an article the letter ("an a in maths" -> "an A in maths"), and so another letter after "a"
    ("a b in biology" -> "a B in biology")."""
    words: list[str] = []
    for token in tokens:
        if token in (PAD, SOS, EOS, UNK):
            continue
        if token == "i":
            token = "I"
        elif token.startswith("i'"):
            token = "I" + token[1:]
        elif token == "a" and words and words[-1].lower() in ("an", "the"):
            token = "A"  # the letter, a grade: "an A in maths"
        elif token in _GRADES and words and words[-1].lower() in ("a", "an"):
            token = token.upper()  # "a B in biology", "an E"
        if words and words[-1] in ("a", "A") and _VOWEL_SOUND.match(token) and not (
                len(words) > 1 and words[-2].lower() in ("an", "the")):
            words[-1] += "n"
        if words and (token in _NO_SPACE_BEFORE or words[-1] in _NO_SPACE_AFTER
                      or token == "'" and words[-1][-1:] in ("s", "S")):  # "my parents' anniversary"
            words[-1] += token
        else:
            words.append(token)
    text = " ".join(words)
    # Capitalise the start of each sentence.
    return re.sub(r"(^|[.!?]\s+)([a-z])", lambda m: m.group(1) + m.group(2).upper(), text)


# English function words: they glue a sentence together and may come back in one ("she said she
# would"), unlike the words that carry its topic.
FUNCTION_WORDS = frozenset("""
a an the this that these those some any each every no both either neither all such what which whose
i me my mine myself you your yours yourself we us our ours he him his himself she her hers herself it its
itself they them their theirs themselves who whom whoever whatever one ones
am is are was were be been being have has had having do does did doing will would shall should can could
may might must ought im ive id ill youre youve theyre thats dont doesnt didnt isnt arent wasnt cant wont
and or but nor so yet if then than because as while when whenever where wherever why how though although
unless until since whether
of to in on at by for from with without about into onto over under above below between among through
during before after against along around across behind beyond near off out up down upon within toward
towards like per via
not very too also just only even still already again ever never here there now more most less much many
few other another same own quite rather
""".split())


class Vocab:
    """Token <-> id mapping; ids 0-3 are ``<pad> <unk> <sos> <eos>``, then by descending frequency."""

    def __init__(self, tokens: Sequence[str]):
        if tuple(tokens[: len(SPECIALS)]) != SPECIALS:
            raise ValueError(f"a vocabulary must start with {SPECIALS}")
        if len(set(tokens)) != len(tokens):
            raise ValueError("a vocabulary must not repeat a token")
        self.itos = list(tokens)
        self.stoi = {token: index for index, token in enumerate(self.itos)}

    pad_id, unk_id, sos_id, eos_id = 0, 1, 2, 3

    @classmethod
    def build(cls, texts: Iterable[Sequence[str]], max_size: int = 8000, min_count: int = 2) -> "Vocab":
        """Most frequent tokens of tokenised ``texts`` (ties broken alphabetically, for determinism)."""
        return cls.from_counts(Counter(token for tokens in texts for token in tokens), max_size, min_count)

    @classmethod
    def from_counts(cls, counts: Counter, max_size: int = 8000, min_count: int = 2) -> "Vocab":
        """:meth:`build` from token counts already made (a streaming pass over shards)."""
        counts = Counter(counts)
        for special in SPECIALS:
            counts.pop(special, None)
        ranked = sorted((item for item in counts.items() if item[1] >= min_count), key=lambda kv: (-kv[1], kv[0]))
        return cls(list(SPECIALS) + [token for token, _ in ranked[: max(0, max_size - len(SPECIALS))]])

    def __len__(self) -> int:
        return len(self.itos)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Vocab) and self.itos == other.itos

    def content_ids(self, common: int = 30) -> frozenset[int]:
        """Ids of the words that can carry a topic: alphabetic, not among the ``common`` most
        frequent words, and not English function words (pronouns, articles, prepositions, ...)."""
        words = [i for i, token in enumerate(self.itos)
                 if token.isalpha() and i >= len(SPECIALS) and token not in FUNCTION_WORDS]
        return frozenset(words[common:])

    def markup_ids(self) -> tuple[int, ...]:
        """Ids of the tokens no chat reply should say: the corpora's placeholders and markup, any
        token with a bracket, brace, angle bracket, backslash or bar ("[" of "[ user 2 's name ]"),
        and the stand-ins for a link or a user name (``<url>``, ``<user>``)."""
        return tuple(i for i, token in enumerate(self.itos)
                     if token in (URL, USER) or i >= len(SPECIALS) and any(ch in token for ch in "[]{}<>\\|"))

    def encode(self, tokens: Sequence[str]) -> list[int]:
        return [self.stoi.get(token, self.unk_id) for token in tokens]

    def encode_extended(self, tokens: Sequence[str], unknown: dict[str, int]) -> list[int]:
        """Ids where a word outside the vocabulary gets an extended id of its own, ``len(self)``
        plus its place in ``unknown`` (the conversation's unknown words, added to as they come),
        so that the copy path can say it back (:mod:`engine.models.memory_chat`)."""
        ids = []
        for token in tokens:
            index = self.stoi.get(token)
            if index is None:
                index = unknown.setdefault(token, len(self.itos) + len(unknown))
            ids.append(index)
        return ids

    def decode(self, ids: Iterable[int], unknown: Sequence[str] = ()) -> list[str]:
        """Tokens of ``ids``; an extended id is the word ``unknown`` holds at its place."""
        size = len(self.itos)
        return [self.itos[i] if i < size else unknown[i - size] for i in ids]

    def encode_text(self, text: str, max_len: int | None = None) -> list[int]:
        ids = self.encode(tokenize(text))
        return ids[:max_len] if max_len is not None else ids
