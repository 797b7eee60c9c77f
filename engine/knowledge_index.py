"""Finding the stored (question, answer) pairs most like a turn: a BM25 index over their words.

Which index, and why. The issue offers lexical BM25, the chat encoder's sentence vectors, or both.
This is BM25 (Okapi; Robertson & Zaragoza 2009, "The Probabilistic Relevance Framework"), with the
question as the main field and the answer a lower-weighted second one, because:

- it needs no model: a pair is findable the moment it is taught, from any checkpoint (or none), and
  adding, editing or deleting a pair never re-encodes anything;
- the pairs this store holds are short questions whose paraphrases share their content words
  ("what's the wifi password" / "tell me the wifi password"): word overlap weighted by rarity finds
  them, and a score that says *which words* matched is one a user can follow;
- the chat encoder is an LSTM trained to predict replies, not to embed questions so that paraphrases
  lie close; its final states would need a retrieval objective of their own to beat BM25 here, and
  encoding 100,000 questions (and every turn) would cost far more than 10 ms on a CPU.
  The decoder still judges what it is given: it reads the few pairs found here with attention and
  can ignore an unrelated one, so retrieval only has to put the right pair among the first few.

Scoring is term-at-a-time over an inverted index (token -> {key: term frequency}) with MaxScore
pruning (Turtle & Flood 1995): query terms are taken in order of the most they can add; once no
pair outside the candidates can reach the k-th best, the remaining (common) terms only update the
candidates, looked up in the term's postings by key. So "what is the ..." never walks the long
lists of "what" and "the", and a question made only of such words is still answered exactly.

Stop words: in the question field they are indexed (a question such as "who are you?" is only stop
words), but in a query that has content words they count :data:`STOP_WEIGHT` of a content word;
answers index content words only; the conversation's recent turns (``context``) add their content
words at :data:`CONTEXT_WEIGHT`. Tokens are :func:`engine.text.tokenize`'s, less punctuation, with
plurals and possessives folded ("passwords" -> "password").

Not thread-safe: one caller (the engine's worker) adds, removes and searches.
"""
from __future__ import annotations

import heapq
import math
from typing import Iterable, NamedTuple, Sequence

from engine.knowledge_pairs import KnowledgePair
from engine.text import tokenize

K1 = 1.2  # term-frequency saturation
B = 0.75  # length normalisation
ANSWER_WEIGHT = 0.3  # a word matched in a stored answer counts this much of one matched in its question
CONTEXT_WEIGHT = 0.3  # a content word of the recent turns counts this much of one in the turn itself
STOP_WEIGHT = 0.3  # a stop word in a query that has content words

STOP_WORDS = frozenset("""
a an the and or but if of to in on at by for with from about as into over than then so not no
is are am was were be been being do does did done have has had will would shall should can could may might
must i me my mine myself you your yours yourself we us our they them their he him his she her it its
this that these those there here what what's which who who's whom whose when where why how
i'm i've i'd i'll you're you've you'd you'll it's that's there's he's she's we're they're
don't doesn't didn't isn't aren't wasn't can't won't just very really too also some any all
tell please
""".split())

QUESTION, ANSWER = 0, 1  # the two fields


class Hit(NamedTuple):
    """One pair found: its key in the index, the pair, its BM25 score and its relevance in [0, 1]
    (the score over the score a stored question equal to the searched text would get: about 1
    for the same question asked again, near 0 for a pair that shares only a common word)."""

    key: int
    pair: KnowledgePair
    score: float
    relevance: float


_FOLDED: dict[str, str] = {}


def _fold(token: str) -> str:
    """Possessives and plurals folded onto the word: "bot's" -> "bot", "parties" -> "party"."""
    folded = _FOLDED.get(token)
    if folded is None:
        folded = token[:-2] if token.endswith("'s") and len(token) > 3 else token
        if len(folded) > 4 and folded.endswith("ies"):
            folded = folded[:-3] + "y"
        elif len(folded) > 3 and folded.endswith("s") and not folded.endswith(("ss", "us", "is")):
            folded = folded[:-1]
        if len(_FOLDED) < 200_000:  # a bound, so that a flood of odd tokens cannot grow it forever
            _FOLDED[token] = folded
    return folded


def terms(text: str) -> tuple[list[str], list[str]]:
    """``text``'s (content words, stop words), folded, in order, punctuation left out."""
    content, stop = [], []
    for token in tokenize(text.replace("\u2019", "'")):
        if token in STOP_WORDS:
            stop.append(token)
        elif any(ch.isalnum() for ch in token):
            content.append(_fold(token))
    return content, stop


def _count(words: Iterable[str]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for word in words:
        counts[word] = counts.get(word, 0) + 1
    return counts


class KnowledgeIndex:
    """BM25 over stored pairs: ``add`` returns a key, ``remove`` forgets it, ``search`` ranks."""

    def __init__(self, pairs: Iterable[KnowledgePair] = ()):
        self._pairs: dict[int, KnowledgePair] = {}
        # field -> token -> {key: term frequency}
        self._postings: tuple[dict[str, dict[int, int]], dict[str, dict[int, int]]] = ({}, {})
        self._counts: dict[int, tuple[dict[str, int], dict[str, int]]] = {}  # key -> each field's counts
        self._lengths: tuple[dict[int, int], dict[int, int]] = ({}, {})  # field -> key -> tokens
        self._total = [0, 0]  # field -> tokens over all pairs
        self._next_key = 0
        for pair in pairs:
            self.add(pair)

    def __len__(self) -> int:
        return len(self._pairs)

    def __contains__(self, key: object) -> bool:
        return key in self._pairs

    def get(self, key: int) -> KnowledgePair:
        return self._pairs[key]

    def add(self, pair: KnowledgePair) -> int:
        """Index ``pair``; the key it returns is what :meth:`remove` and each :class:`Hit` name it by."""
        key, self._next_key = self._next_key, self._next_key + 1
        content, stop = terms(pair.question)
        fields = (_count(content + stop), _count(terms(pair.answer)[0]))
        self._pairs[key] = pair
        self._counts[key] = fields
        for field, counts in enumerate(fields):
            postings = self._postings[field]
            for token, tf in counts.items():
                postings.setdefault(token, {})[key] = tf
            length = sum(counts.values())
            self._lengths[field][key] = length
            self._total[field] += length
        return key

    def remove(self, key: int) -> None:
        """Forget the pair ``key`` (a KeyError if there is none)."""
        del self._pairs[key]
        for field, counts in enumerate(self._counts.pop(key)):
            postings = self._postings[field]
            for token in counts:
                listed = postings[token]
                del listed[key]
                if not listed:
                    del postings[token]
            self._total[field] -= self._lengths[field].pop(key)

    def search(self, text: str, k: int = 3, context: Sequence[str] = ()) -> list[Hit]:
        """The (at most) ``k`` pairs that score highest for ``text``, best first, each scoring > 0;
        ``context`` (the conversation's recent turns) adds its content words at a lower weight."""
        if k <= 0 or not self._pairs:
            return []
        content, stop = terms(text)
        weights: dict[str, float] = dict(_count(content))
        stop_weight = STOP_WEIGHT if content else 1.0
        for word in stop:
            weights[word] = weights.get(word, 0.0) + stop_weight
        said = set(weights)
        for turn in context:
            for word in set(terms(turn)[0]):
                weights[word] = weights.get(word, 0.0) + CONTEXT_WEIGHT
        scores = self._top_scores(weights, self._leading(content, stop, said, weights), k)
        best = heapq.nlargest(k, ((score, -key) for key, score in scores.items() if score > 0))
        ideal = self._ideal(content + stop, weights)
        return [Hit(-key, self._pairs[-key], score, min(1.0, score / ideal) if ideal > 0 else 0.0)
                for score, key in best]

    def _leading(self, content: list[str], stop: list[str], said: set[str], weights: dict[str, float]) -> set[str]:
        """The words whose pairs are candidates: the turn's content words that some pair holds; else
        its stop words; else the context's words. The others only add to those candidates' scores,
        so that a turn about bread never brings up a pair that shares only "the" or a word of an
        earlier turn (and their long lists are not walked)."""
        for words in (content, stop, [word for word in weights if word not in said]):
            found = {word for word in words if word in self._postings[QUESTION] or word in self._postings[ANSWER]}
            if found:
                return found
        return set()

    def _idf(self, field: int, token: str) -> float:
        """Lucene's BM25 idf, positive even for a word in most pairs (0 for a word in none here)."""
        n = len(self._postings[field].get(token, ()))
        return math.log(1.0 + (len(self._pairs) - n + 0.5) / (n + 0.5))

    def _norm(self, field: int) -> tuple[float, float]:
        """(a, c) with the BM25 denominator tf + a + c * length for this field."""
        average = max(self._total[field] / len(self._pairs), 1e-9)
        return K1 * (1.0 - B), K1 * B / average

    def _ideal(self, text_terms: list[str], weights: dict[str, float]) -> float:
        """The question-field score of a stored question made of exactly ``text_terms`` (when the
        text has no terms, of one made of the context's words): what relevance is measured against."""
        counts = _count(text_terms) or {word: 1 for word in weights}
        a, c = self._norm(QUESTION)
        length = sum(counts.values())
        score = 0.0
        for word, tf in counts.items():
            n = len(self._postings[QUESTION].get(word, ()))
            idf = math.log(1.0 + (len(self._pairs) - n + 0.5) / (n + 0.5))  # a new word: rare
            score += weights[word] * idf * tf * (K1 + 1) / (tf + a + c * length)
        return score

    def _top_scores(self, weights: dict[str, float], leading: set[str], k: int) -> dict[int, float]:
        """BM25 scores of candidates that hold the top ``k`` of the pairs with a leading word."""
        parts = []  # (most the term can add, weight * idf, postings, field, leads)
        for field, field_weight in ((QUESTION, 1.0), (ANSWER, ANSWER_WEIGHT)):
            for word, weight in weights.items():
                postings = self._postings[field].get(word)
                if postings:
                    factor = weight * field_weight * self._idf(field, word)
                    parts.append((factor * (K1 + 1), factor, postings, field, word in leading))
        parts.sort(key=lambda part: -part[0])
        left = sum(part[0] for part in parts)
        scores: dict[int, float] = {}
        rest = []  # the parts left to add to the candidates only
        for index, part in enumerate(parts):
            if not part[4]:
                rest.append(part)
                continue
            if len(scores) >= k and heapq.nlargest(k, scores.values())[-1] > left:
                rest += parts[index:]  # no pair outside the candidates can reach the top k
                break
            bound, factor, postings, field, _ = part
            a, c = self._norm(field)
            lengths, gain = self._lengths[field], factor * (K1 + 1)
            get = scores.get
            for key, tf in postings.items():
                scores[key] = get(key, 0.0) + gain * tf / (tf + a + c * lengths[key])
            left -= bound
        return self._finish(scores, rest, left, k)

    def _finish(self, scores: dict[int, float], parts: list, left: float, k: int) -> dict[int, float]:
        """Add the remaining terms (most first) to the candidates that can still reach the top
        ``k``, dropping after each term those that no longer can."""
        for bound, factor, postings, field, _ in parts:
            if len(scores) > k:
                kth = heapq.nlargest(k, scores.values())[-1]
                scores = {key: score for key, score in scores.items() if score + left >= kth}
            a, c = self._norm(field)
            lengths, gain = self._lengths[field], factor * (K1 + 1)
            for key in scores.keys() & postings.keys() if len(postings) < len(scores) else scores:
                tf = postings.get(key)
                if tf:
                    scores[key] += gain * tf / (tf + a + c * lengths[key])
            left -= bound
        return scores
