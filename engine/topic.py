"""Topic words: a prior that steers a chat reply toward the words people use in answer to the turn's.

The chat network is small for its corpus, and what it learned of which replies go with which turns
is thin: from the start state it gives "why can't you sleep?" hardly more probability after "i can't
sleep" than after any turn. The corpus itself says more. Counted over the training (turn, reply)
pairs, a turn that says "color" is answered with "purple", "blue" and "colors" far more often than
chance, one that says "dinner" with "rice" and "hungry", one that says "coffee" with "tea".

These counts are the judge's word association (:class:`engine.relevance.WordAssociation`, positive
pointwise mutual information), with pairs seen only a few times discounted. While a reply is decoded,
every word gains ``weight`` times its strongest association with a content word of the turn, added
to its log-probability (shallow fusion of the network with a word-association model), until the reply
says it: a reply takes a topic word up once and is not pushed to repeat it.

The network still writes every word; the prior only tips its choices among words it already finds
plausible. The app's reranking counts the same bonus, so a candidate that takes the topic up is
preferred, as the search preferred it.

The memory model's replies are steered alike over its vocabulary; the words it copies from the
conversation (extended ids past the vocabulary) carry no bias (:mod:`engine.tasks.chat_rerank`).
"""
from __future__ import annotations

from pathlib import Path
from typing import Sequence

import torch

from engine.checkpoint import Checkpoint, CheckpointError, load_checkpoint, save_checkpoint
from engine.relevance import STOPWORDS, WordAssociation
from engine.text import Vocab

KIND = "topic"
DISCOUNT = 1.0  # subtracted from each pair's count: a pair seen 3 times counts as 2
MIN_PAIR_COUNT = 3


class TopicWords:
    """For each vocabulary id that can carry a topic, the reply words associated with it and how
    strongly (PPMI, nats), stored by turn word: ``words[offsets[s]:offsets[s + 1]]``, each link's
    turn word in ``turns``."""

    def __init__(self, turn_ids: torch.Tensor, word_ids: torch.Tensor, strengths: torch.Tensor, vocab_size: int):
        order = torch.argsort(turn_ids, stable=True)
        self.vocab_size = vocab_size
        self.turns = turn_ids[order].long()
        self.words = word_ids[order].long()
        self.strengths = strengths[order].float()
        counts = torch.bincount(turn_ids.long(), minlength=vocab_size)
        self.offsets = torch.cat([torch.zeros(1, dtype=torch.long), counts.cumsum(0)]).tolist()

    def __len__(self) -> int:
        return int(self.words.numel())

    @classmethod
    def count(cls, pairs: Sequence[tuple[list[int], list[int]]], vocab: Vocab, discount: float = DISCOUNT,
              min_pair_count: int = MIN_PAIR_COUNT, stopwords: int = STOPWORDS) -> "TopicWords":
        """Count the association over (turn ids, reply ids) pairs encoded with ``vocab`` (a memory
        model's extended ids count as <unk>, which carries no topic), leaving out the ``stopwords``
        most frequent words."""
        size = len(vocab)
        words = lambda ids: vocab.decode([i if i < size else vocab.unk_id for i in ids])  # noqa: E731
        association = WordAssociation(((words(turn), words(reply)) for turn, reply in pairs),
                                      stopwords, min_pair_count, discount)
        triples = [(vocab.stoi[s], vocab.stoi[w], pmi) for s, w, pmi in association.links()]
        turn_ids, word_ids, strengths = zip(*triples) if triples else ((), (), ())
        return cls(torch.tensor(turn_ids, dtype=torch.long), torch.tensor(word_ids, dtype=torch.long),
                   torch.tensor(strengths, dtype=torch.float32), len(vocab))

    def bias(self, source_ids: Sequence[int]) -> torch.Tensor:
        """(vocab,) each word's strongest association with a word of the turn (0 for none)."""
        spans = [(self.offsets[s], self.offsets[s + 1]) for s in set(source_ids) if 0 <= s < self.vocab_size]
        bias = torch.zeros(self.vocab_size)
        if spans:
            picked = torch.cat([torch.arange(start, end) for start, end in spans])
            bias.scatter_reduce_(0, self.words[picked], self.strengths[picked], reduce="amax")
        return bias

    def save(self, path: str | Path, vocab: Vocab, meta: dict | None = None) -> Path:
        weights = {"turn": self.turns.int(), "word": self.words.int(), "strength": self.strengths}
        return save_checkpoint(path, Checkpoint(KIND, {"vocab_size": self.vocab_size}, weights, vocab.itos,
                                                dict(meta or {}, links=len(self))), half=True)

    @classmethod
    def load(cls, path: str | Path, vocab: Vocab) -> "TopicWords":
        """The topic words at ``path``; :class:`CheckpointError` if the file is not one for ``vocab``."""
        checkpoint = load_checkpoint(path, kind=KIND)
        if checkpoint.vocab != vocab.itos:
            raise CheckpointError(f"{path}: topic words for another vocabulary than the chat model's")
        try:
            weights = checkpoint.weights
            turn, word, strength = weights["turn"], weights["word"], weights["strength"]
            size = len(vocab)
            if not (turn.shape == word.shape == strength.shape and turn.dim() == 1):
                raise ValueError("tensors of different shapes")
            if turn.numel() and (min(turn.min(), word.min()) < 0 or max(turn.max(), word.max()) >= size):
                raise ValueError("ids outside the vocabulary")
            if not bool(torch.isfinite(strength).all()) or bool((strength < 0).any()):
                raise ValueError("strengths that are not finite and positive")
        except (KeyError, ValueError) as error:
            raise CheckpointError(f"{path}: damaged topic words ({error})") from None
        return cls(turn, word, strength, size)


def store_topic_words(path: Path, streams: Sequence[Sequence[tuple[list[int], list[int]]]], vocab: Vocab,
                      data: str) -> dict:
    """Count the topic words over the (turn, reply) pairs of ``streams`` and write them to ``path``
    (beside the chat model: ``<stem>_topic.safetensors``); returns what was written, JSON-ready."""
    topic = TopicWords.count([pair for stream in streams for pair in stream], vocab)
    written = topic.save(path, vocab, {"data": data})
    return {"topic_words": len(topic), "out": str(written)}
