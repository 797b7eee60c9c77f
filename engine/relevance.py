"""A judge of whether a reply is about what was said, independent of the chat model.

Perplexity and recall@1 measure the model's scores; they cannot say whether the replies it
*generates* are on topic, and a judge built on the same network would favour its own habits.
This one is a different kind of model: word association counted over the training split. Two
words are associated when they occur in a turn and its reply together more often than chance,
by positive pointwise mutual information (Church & Hanks 1990):

    PPMI(s, w) = max(0, log (N c(s, w) / (c(s) c(w))))

over the N training (turn, reply) pairs, where c counts the pairs whose turn holds s and whose
reply holds w. A reply R fits a turn S by the sum, over R's content words, of each word's
strongest association with a content word of S. A reply is on topic when it fits the turn it
answers better than turns from other conversations: ``topic_recall`` ranks the true turn among
ten, so a reply that would fit any turn ("i am doing well") scores the chance figure, 0.1.
"""
from __future__ import annotations

import math
import random
from collections import Counter
from typing import Iterable, Iterator, Sequence

STOPWORDS = 100  # the most frequent words of the training pairs carry no topic


class WordAssociation:
    def __init__(self, pairs: Iterable[tuple[Sequence[str], Sequence[str]]], stopwords: int = STOPWORDS,
                 min_pair_count: int = 3, discount: float = 0.0):
        pairs = [(set(turn), set(reply)) for turn, reply in pairs]
        frequency = Counter(word for turn, reply in pairs for word in turn | reply)
        self.stopwords = {word for word, _ in frequency.most_common(stopwords)}
        turns, replies, both = Counter(), Counter(), Counter()
        for turn, reply in pairs:
            turn, reply = self.content(turn), self.content(reply)
            turns.update(turn)
            replies.update(reply)
            both.update((s, w) for s in turn for w in reply)
        n = len(pairs)
        self.association: dict[str, dict[str, float]] = {}  # reply word -> {turn word: PPMI}
        for (s, w), count in both.items():
            if count >= min_pair_count:
                # ``discount`` (absolute discounting) lowers the pairs seen only a few times most.
                pmi = math.log(n * (count - discount) / (turns[s] * replies[w]))
                if pmi > 0:
                    self.association.setdefault(w, {})[s] = pmi

    def content(self, words: Iterable[str]) -> set[str]:
        """The words that can carry a topic: alphabetic and not among the most frequent."""
        return {w for w in words if w.isalpha() and w not in self.stopwords}

    def links(self) -> Iterator[tuple[str, str, float]]:
        """Every associated pair as (turn word, reply word, PPMI)."""
        for reply_word, turn_words in self.association.items():
            for turn_word, pmi in turn_words.items():
                yield turn_word, reply_word, pmi

    def fit(self, turn: Sequence[str], reply: Sequence[str]) -> float:
        """How well ``reply`` fits ``turn``: the summed strongest association of its content words."""
        turn_words = self.content(turn)
        total = 0.0
        for word in self.content(reply):
            links = self.association.get(word)
            if links:
                total += max((links.get(s, 0.0) for s in turn_words), default=0.0)
        return total


def topic_recall(judge: WordAssociation, turns: Sequence[Sequence[str]], replies: Sequence[Sequence[str]],
                 groups: Sequence[int], candidates: int = 10, seed: int = 1234) -> float:
    """The share of replies that fit their own turn best among ``candidates`` turns, the others
    drawn from other groups (conversations); a tie shares the credit, so a reply that fits no turn
    scores 1 / candidates."""
    rng = random.Random(seed)
    credit = 0.0
    for i, (turn, reply) in enumerate(zip(turns, replies)):
        others = []
        while len(others) < candidates - 1:
            j = rng.randrange(len(turns))
            if groups[j] != groups[i]:
                others.append(turns[j])
        own = judge.fit(turn, reply)
        scores = [judge.fit(other, reply) for other in others]
        if own > max(scores):
            credit += 1.0
        elif own == max(scores):
            credit += 1.0 / (1 + sum(score == own for score in scores))
    return credit / max(1, len(turns))
