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

Scoring is term-at-a-time with MaxScore pruning (Turtle & Flood 1995) over postings walked in
order of impact (Anh & Moffat 2006): query terms are taken in order of the most they can add; a
word of the turn brings in candidates, most impact first, only while a new one could still reach
the k-th best, and the other terms only add to the candidates left. So "what is the ..." never
walks the long lists of "what" and "the", and the top k is exact. A turn made of many very common
words could still walk most of the store; a search walks at most :data:`WALK_BUDGET` postings
(on 100,000 generated pairs that changed the top three of about 1 % of the searches; such turns
match nothing well: ``walk_budget=math.inf`` gives the exact top k always).

Candidates come from the turn's content words that some pair holds (else its stop words, else the
context's words), so a pair that shares only "the" with a turn about bread is never brought up.
Stop words: in the question field they are indexed (a question such as "who are you?" is only stop
words) and count :data:`STOP_WEIGHT` in its length; in a query that has content words they count
:data:`STOP_WEIGHT` of a content word; answers index content words only. The conversation's recent
turns (``context``) add their content words at :data:`CONTEXT_WEIGHT` to the turn's best k +
:data:`POOL_EXTRA` pairs, which they reorder. Tokens are :func:`engine.text.tokenize`'s, less punctuation, with
plurals and possessives folded ("passwords" -> "password"). A shipped pair's matches count
:data:`SHIPPED_WEIGHT` of a taught or imported one's (a per-pair scale on its impacts, so the
bounds above still hold): what the user teaches for a question the bot shipped with comes first.

Not thread-safe: one caller (the engine's worker) adds, removes and searches.
"""
from __future__ import annotations

import bisect
import heapq
import math
from array import array
from typing import Iterable, NamedTuple, Sequence

from engine.knowledge_pairs import KnowledgePair
from engine.text import spelt_word, tokenize

K1 = 1.2  # term-frequency saturation
B = 0.75  # length normalisation
ANSWER_WEIGHT = 0.3  # a word matched in a stored answer counts this much of one matched in its question
CONTEXT_WEIGHT = 0.3  # a content word of the recent turns counts this much of one in the turn itself
STOP_WEIGHT = 0.3  # a stop word in a query that has content words
POOL_EXTRA = 7  # the turn's best k + this many pairs are found first; the context reorders them
WALK_BUDGET = 5_000  # postings one search walks at most (see the module's docstring)
SHIPPED_WEIGHT = 0.5  # a shipped pair's match counts this much of a pair the user taught or imported
DRIFT = 0.05  # the average length is taken afresh once it moves by this share

STOP_WORDS = frozenset("""
a an the and or but if of to in on at by for with from about as into over than then so not no
is are am was were be been being do does did done have has had will would shall should can could may might
must i me my mine myself you your yours yourself we us our they them their he him his she her it its
this that these those there here what what's which who who's whom whose when where why how
i'm i've i'd i'll you're you've you'd you'll it's that's there's he's she's we're they're
don't doesn't didn't isn't aren't wasn't can't won't just very really too also some any all
tell please
""".split())

NEGATIONS = frozenset("not no don't doesn't didn't isn't aren't wasn't can't won't".split())

QUESTION, ANSWER = 0, 1  # the two fields


class Hit(NamedTuple):
    """One pair found: its key in the index, the pair, its BM25 score, its relevance in [0, 1]
    (the score over the score a stored question equal to the searched text would get: about 1
    for the same question asked again, near 0 for a pair that shares only a common word), and its
    agreement (:meth:`KnowledgeIndex.agreement`: the same words on both sides, 1; relevance is 1
    also where the stored question adds words of its own)."""

    key: int
    pair: KnowledgePair
    score: float
    relevance: float
    agreement: float = 0.0


def question_match(hit) -> float:
    """How well ``hit``'s question matches the text searched, whoever stored it: its relevance
    before a shipped pair's :data:`SHIPPED_WEIGHT`, which only ranks the user's pairs first."""
    return hit.relevance / (SHIPPED_WEIGHT if hit.pair.source == "shipped" else 1.0)


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
    """``text``'s (content words, stop words), folded, in order, punctuation left out, a contraction
    typed without its apostrophe as one with it (:func:`engine.text.spelt_word`)."""
    content, stop = [], []
    for token in map(spelt_word, tokenize(text.replace("\u2019", "'"))):  # "whats" is "what's"
        if token in STOP_WORDS:
            stop.append(token)
        elif any(ch.isalnum() for ch in token):
            content.append(_fold(token))
    return content, stop


def _count(words: Iterable[str]) -> dict[str, float]:
    counts: dict[str, float] = {}
    for word in words:
        counts[word] = counts.get(word, 0.0) + 1.0
    return counts


def _length(content: int, stop: int) -> float:
    """A question's length for BM25's normalisation: its stop words count :data:`STOP_WEIGHT`
    (so that "you're nice" is not a worse match for "nice" than a question of "nice" alone)."""
    return content + STOP_WEIGHT * stop


class _Field:
    """One field's inverted index, word -> {key: term frequency}; the postings of a word that
    searches walk are also kept in order of impact (sorted on the first walk, then kept sorted)."""

    def __init__(self, weight: float):
        self.weight = weight  # of a match in this field
        self.postings: dict[str, dict[int, int]] = {}
        self.lengths: dict[int, float] = {}  # key -> length (see _length)
        self.scales: dict[int, float] = {}  # key -> what its matches are multiplied by (<= 1)
        self.total = 0.0  # length over all pairs
        self.average = 1.0  # the average length that impacts are computed with (see refresh)
        self.ordered: dict[str, tuple[array, list[int]]] = {}  # word -> (-impacts ascending, keys)
        self.max_tf, self.min_length = 1, float("inf")  # for a bound on any impact (never lowered)

    def impact(self, tf: int, length: float) -> float:
        """BM25's term-frequency part, tf (k1 + 1) / (tf + k1 (1 - b + b length / average))."""
        return tf * (K1 + 1) / (tf + K1 * (1 - B) + K1 * B * length / self.average)

    def score(self, key: int, tf: int) -> float:
        """Pair ``key``'s impact for a word it holds ``tf`` times, times its scale."""
        return self.scales[key] * self.impact(tf, self.lengths[key])

    def refresh(self, n_pairs: int) -> None:
        """Take the current average length once it has moved by more than :data:`DRIFT` (walks
        then sort their postings again): lengths are normalised by a slightly stale average
        rather than every impact being recomputed for every pair taught."""
        average = max(self.total / max(n_pairs, 1), 0.5)
        if abs(average / self.average - 1.0) > DRIFT:
            self.average = average
            self.ordered.clear()

    def add(self, key: int, counts: dict[str, int], length: float, scale: float = 1.0) -> None:
        self.lengths[key], self.scales[key] = length, scale
        self.total += length
        self.min_length = min(self.min_length, length)
        for word, tf in counts.items():
            self.postings.setdefault(word, {})[key] = tf
            self.max_tf = max(self.max_tf, tf)
            if word in self.ordered:
                negated, keys = self.ordered[word]
                at = bisect.bisect_right(negated, -self.score(key, tf))
                negated.insert(at, -self.score(key, tf))
                keys.insert(at, key)

    def remove(self, key: int, counts: dict[str, int]) -> None:
        impacts = {word: self.score(key, tf) for word, tf in counts.items()}
        self.total -= self.lengths.pop(key)
        del self.scales[key]
        for word, tf in counts.items():
            listed = self.postings[word]
            del listed[key]
            if not listed:
                del self.postings[word]
            if word in self.ordered:
                negated, keys = self.ordered[word]
                at = bisect.bisect_left(negated, -impacts[word])
                while keys[at] != key:  # past the other pairs of the same impact
                    at += 1
                del negated[at], keys[at]

    def walk_order(self, word: str) -> tuple[array, list[int]]:
        if word not in self.ordered:
            items = sorted((-self.score(key, tf), key) for key, tf in self.postings[word].items())
            self.ordered[word] = (array("d", [impact for impact, _ in items]), [key for _, key in items])
        return self.ordered[word]

    def bound(self, word: str) -> float:
        """The most one pair's impact for ``word`` can be (scales are at most 1)."""
        if word in self.ordered:
            return -self.ordered[word][0][0]
        return self.impact(self.max_tf, self.min_length)


class KnowledgeIndex:
    """BM25 over stored pairs: ``add`` returns a key, ``remove`` forgets it, ``search`` ranks."""

    def __init__(self, pairs: Iterable[KnowledgePair] = (), walk_budget: float = WALK_BUDGET):
        self.walk_budget = walk_budget  # postings one search may walk (math.inf: always the exact top k)
        self._pairs: dict[int, KnowledgePair] = {}
        self._counts: dict[int, tuple[dict[str, int], dict[str, int]]] = {}  # key -> each field's counts
        self._fields = (_Field(1.0), _Field(ANSWER_WEIGHT))  # question, answer
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
        answer = terms(pair.answer)[0]
        counts = ({w: int(n) for w, n in _count(content + stop).items()},
                  {w: int(n) for w, n in _count(answer).items()})
        self._pairs[key], self._counts[key] = pair, counts
        scale = SHIPPED_WEIGHT if pair.source == "shipped" else 1.0
        self._fields[0].add(key, counts[0], _length(len(content), len(stop)), scale)
        self._fields[1].add(key, counts[1], float(len(answer)), scale)
        return key

    def remove(self, key: int) -> None:
        """Forget the pair ``key`` (a KeyError if there is none)."""
        del self._pairs[key]
        for field, counts in zip(self._fields, self._counts.pop(key)):
            field.remove(key, counts)

    def search(self, text: str, k: int = 3, context: Sequence[str] = ()) -> list[Hit]:
        """The (at most) ``k`` pairs that score highest for ``text``, best first, each scoring > 0;
        ``context`` (the conversation's recent turns) adds its content words at a lower weight. A
        shipped pair's matches count :data:`SHIPPED_WEIGHT`, so that what the user taught for the
        same question comes first."""
        if k <= 0 or not self._pairs:
            return []
        for field in self._fields:
            field.refresh(len(self._pairs))
        content, stop = terms(text)
        weights = _count(content)
        for word in stop:
            weights[word] = weights.get(word, 0.0) + (STOP_WEIGHT if content else 1.0)
        around: dict[str, float] = {}
        for turn in context:
            for word in set(terms(turn)[0]):
                around[word] = around.get(word, 0.0) + CONTEXT_WEIGHT
        leading = self._known(content) or self._known(stop)
        ideal = self._ideal(_count(content + stop), weights, _length(len(content), len(stop)))
        if not leading:  # nothing the turn says is stored: the context is the query
            weights, around, leading = around, {}, self._known(around)
            ideal = self._ideal(dict.fromkeys(weights, 1.0), weights, float(len(weights)))
        scores = self._pool(self._parts(weights, leading), k + POOL_EXTRA, self.walk_budget) if leading else {}
        for _, factor, field, word, _ in self._parts(around, set()):  # the context reorders them
            postings = field.postings[word]
            for key in scores:
                if key in postings:
                    scores[key] += factor * field.score(key, postings[key])
        best = heapq.nlargest(k, ((score, -key) for key, score in scores.items() if score > 0))
        said = set(content) | set(stop)
        return [Hit(-key, self._pairs[-key], score, min(1.0, score / ideal) if ideal > 0 else 0.0,
                    self._agreement(said, set(self._counts[-key][0])))
                for score, key in best]

    def agreement(self, text: str, question: str) -> float:
        """How nearly ``text`` and ``question`` say the same words, in [0, 1]: the Dice overlap of
        their word sets (folded), each word weighted by its rarity among the stored questions (idf),
        a stop word by :data:`STOP_WEIGHT` of that, a negation not ("not funny" / "be funny").
        "here i am" / "i am here": 1; "not funny" / "that's not funny": about 0.9; "what's your
        favourite colour?" / "what's your favourite movie?": about 0.5. Relevance counts a stored
        question's own words only through BM25's length normalisation ("i'm bored" / "i'm so bored
        at work": relevance 0.73, agreement 0.64)."""
        return self._agreement(*({word for words in terms(side) for word in words} for side in (text, question)))

    def _agreement(self, mine: set[str], theirs: set[str]) -> float:
        if mine == theirs:
            return 1.0 if mine else 0.0
        field = self._fields[0]

        def weight(words):
            return sum(self._idf(field, word) * (STOP_WEIGHT if word in STOP_WORDS and word not in NEGATIONS
                                                 else 1.0) for word in words)
        total = weight(mine) + weight(theirs)
        return 2.0 * weight(mine & theirs) / total if total > 0 else 0.0

    def _known(self, words: Iterable[str]) -> set[str]:
        return {word for word in words if any(word in field.postings for field in self._fields)}

    def _idf(self, field: _Field, word: str) -> float:
        """Lucene's BM25 idf: positive even for a word in most pairs, largest for one in none."""
        n = len(field.postings.get(word, ()))
        return math.log(1.0 + (len(self._pairs) - n + 0.5) / (n + 0.5))

    def _ideal(self, counts: dict[str, float], weights: dict[str, float], length: float) -> float:
        """The question-field score of a stored question of these word ``counts``: what a hit's
        relevance is measured against."""
        question = self._fields[0]
        return sum(weights[word] * self._idf(question, word) * question.impact(int(tf), length)
                   for word, tf in counts.items())

    def _parts(self, weights: dict[str, float], leading: set[str]) -> list[tuple]:
        """(the most it can add, weight * idf, field, word, leads) of each stored (field, word)
        of the query, the most first."""
        parts = []
        for field in self._fields:
            for word, weight in weights.items():
                if word in field.postings:
                    factor = weight * field.weight * self._idf(field, word)
                    leads = word in leading
                    if leads:
                        field.walk_order(word)  # its real bound, and it will be walked
                    parts.append((factor * field.bound(word), factor, field, word, leads))
        parts.sort(key=lambda part: -part[0])
        return parts

    def _pool(self, parts: list[tuple], size: int, budget: float) -> dict[int, float]:
        """Candidates that hold the ``size`` best pairs with a leading word, with their scores.

        Term at a time (MaxScore, Turtle & Flood 1995), the leading words first: before each term,
        the candidates that cannot reach the ``size``-th best any more are dropped; the term adds
        to the candidates left, and a leading word brings in new ones, most impact first (Anh &
        Moffat 2006), until a new one could no longer reach the ``size``-th best, or until
        ``budget`` postings have been walked in all."""
        left = sum(part[0] for part in parts)  # the most the parts not yet added can add
        scores: dict[int, float] = {}
        added = []  # the parts added so far that bring in no candidates
        for bound, factor, field, word, leads in parts:
            kth = _kth(scores, size)
            if kth > 0.0 and len(scores) > size:
                scores = {key: score for key, score in scores.items() if score + left >= kth}
            left -= bound
            self._credit(scores, factor, field, word)
            if leads:
                budget -= self._walk(scores, (factor, field, word), added, left, size, budget)
            else:
                added.append((factor, field, word))
        return scores

    @staticmethod
    def _credit(scores: dict[int, float], factor: float, field: _Field, word: str) -> None:
        """Add ``word``'s share to the candidates that hold it."""
        postings = field.postings[word]
        for key in (scores.keys() & postings.keys()) if len(postings) < len(scores) else list(scores):
            tf = postings.get(key)
            if tf:
                scores[key] += factor * field.score(key, tf)

    @staticmethod
    def _walk(scores: dict[int, float], part: tuple, added: list[tuple], left: float, size: int,
              budget: float) -> int:
        """Bring in the pairs of ``part``'s word, most impact first, while a new one could still
        reach the ``size``-th best (``left``: the most the later parts can add), each with its
        share of the ``added`` parts too; how many postings were walked."""
        factor, field, word = part
        negated, keys = field.walk_order(word)
        start, step = 0, 64
        while start < min(len(keys), budget):
            kth = _kth(scores, size)
            # a pair not yet a candidate scores at most factor * impact + left
            end = len(keys) if kth <= 0.0 else bisect.bisect_left(negated, (left - kth) / factor)
            end = int(min(end, start + step, budget))
            if end <= start:
                break
            for key, negated_impact in zip(keys[start:end], negated[start:end]):
                if key not in scores:
                    score = -factor * negated_impact
                    for other_factor, other, other_word in added:
                        tf = other.postings[other_word].get(key)
                        if tf:
                            score += other_factor * other.score(key, tf)
                    scores[key] = score
            start, step = end, step * 2
        return start


def _kth(scores: dict[int, float], size: int) -> float:
    """The ``size``-th best score so far (0 while there are fewer candidates)."""
    return heapq.nlargest(size, scores.values())[-1] if len(scores) >= size else 0.0
