"""Data for the knowledge memory: stored pairs as the model reads them, and what teaches it when
to use a retrieved pair and when not.

A stored (question, answer) pair is read as its question's tokens then its answer's
(:func:`pair_ids`), a batch's pairs as two tensors (:func:`knowledge_tensors`). Training meets
them in three ways (:func:`knowledge_streams`):

- **taught questions** (Microsoft Personality Chat: many phrasings of one question share an
  answer): the user asks one phrasing, the store holds the answer under *another* phrasing, beside
  unrelated pairs; the target is the answer;
- **factoid questions** (WebQuestions, NQ-open): the store holds the question, or a noisy copy of
  it (words shuffled, one dropped), with its answer; the target says the answer;
- **ordinary conversation**: exchanges of the training conversations carry pairs that have
  nothing to do with them, which the reply must not take up (:func:`with_distractors`).

Which split is which: Personality Chat's question groups are split by :mod:`engine.data.corpora`
(train groups only here); WebQuestions' ``trainmodel`` and NQ-open's ``dev`` train, WebQuestions'
``val`` and NQ-open's EfficientQA ``dev`` validate, WebQuestions' ``test`` and EfficientQA
``test`` are for ``eval knowledge`` only.
"""
from __future__ import annotations

import json
import random
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Sequence

import torch

from engine.text import tokenize

QUESTION_TOKENS = 16  # of a stored question the model reads
ANSWER_TOKENS = 32  # of a stored answer
PairIds = tuple  # (ids of the question then the answer, where the answer starts)

FACTOID_FILES = {"train": (("webquestions", "trainmodel.json"), ("nq-open", "NQ-open.dev.jsonl")),
                 "valid": (("webquestions", "val.json"), ("nq-open", "NQ-open.efficientqa.dev.1.1.jsonl")),
                 "test": (("webquestions", "test.json"), ("nq-open", "NQ-open.efficientqa.test.1.1.jsonl"))}
# How a reply states a factoid answer ({} is the answer as written in the data).
ANSWER_FRAMES = ("{}.", "{}", "it's {}.", "that would be {}.", "the answer is {}.", "{}, i believe.")


def pair_ids(question: str, answer: str, encode: Callable[[list[str]], list[int]]) -> PairIds:
    """A stored pair as the model reads it: ``encode`` (a vocabulary's, extended or not) of its
    question's first tokens, then its answer's."""
    asked = encode(tokenize(question)[:QUESTION_TOKENS])
    return asked + encode(tokenize(answer)[:ANSWER_TOKENS]), len(asked)


def knowledge_tensors(rows: Sequence[Sequence[PairIds]]) -> tuple[torch.Tensor, torch.Tensor]:
    """Each row's pairs, padded: ids (rows, P, L) with 0 at padding, and answer (rows, P, L) bool
    (true at the answer's tokens); a row with no pairs is all padding."""
    pairs = max(1, max(len(row) for row in rows))
    length = max([1] + [len(ids) for row in rows for ids, _ in row])
    ids = torch.zeros(len(rows), pairs, length, dtype=torch.long)
    answer = torch.zeros(len(rows), pairs, length, dtype=torch.bool)
    for r, row in enumerate(rows):
        for p, (tokens, start) in enumerate(row):
            ids[r, p, :len(tokens)] = torch.tensor(tokens, dtype=torch.long)
            answer[r, p, start:len(tokens)] = True
    return ids, answer


@dataclass(frozen=True)
class QAItem:
    """A question with its gold answers; items of one ``group`` share an answer (phrasings of one question)."""

    question: str
    answers: tuple[str, ...]
    group: str
    source: str  # "personality-chat", "webquestions" or "nq-open"


def personality_items(corpus_dir: str | Path, part: str) -> list[QAItem]:
    """Personality Chat's pairs of one split (``part``: train, valid or test; the fixed split,
    whatever seed a run trains with), grouped by answer."""
    from engine.data.corpora import load_corpora

    splits = load_corpora(corpus_dir, ["personality-chat"])["personality-chat"].splits
    return [QAItem(question, (answer,), answer, "personality-chat") for question, answer in getattr(splits, part)]


def factoid_items(corpus_dir: str | Path, part: str) -> list[QAItem]:
    """WebQuestions' and NQ-open's questions of one split (see the module's docstring)."""
    items = []
    for folder, name in FACTOID_FILES[part]:
        path = Path(corpus_dir) / folder / name
        text = path.read_text(encoding="utf-8")
        rows = json.loads(text) if name.endswith(".json") else [json.loads(line) for line in text.splitlines() if line]
        for row in rows:
            question = " ".join(str(row.get("qText", row.get("question", ""))).split())
            answers = tuple(str(a).strip() for a in row.get("answers", row.get("answer", [])) if str(a).strip())
            if question and answers:
                items.append(QAItem(question, answers, f"{folder}:{question.lower()}", folder))
    return items


def noisy(question: str, rng: random.Random) -> str:
    """A question as a user might have stored it differently: its words shuffled, or one dropped,
    or as it is."""
    words = question.split()
    roll = rng.random()
    if roll < 0.3 and len(words) > 2:
        del words[rng.randrange(len(words))]
    elif roll < 0.5:
        rng.shuffle(words)
    return " ".join(words)


class Distractors:
    """Pairs that share a word with a text but are not its own (hard negatives), or random ones."""

    def __init__(self, items: Sequence[QAItem], rng: random.Random):
        self.items, self.rng = list(items), rng
        self.by_word: dict[str, list[int]] = defaultdict(list)
        for index, item in enumerate(self.items):
            for word in set(tokenize(item.question)):
                if len(word) > 3:
                    self.by_word[word].append(index)

    def draw(self, text: str, count: int, not_group: str = "") -> list[tuple[str, str]]:
        words = [w for w in set(tokenize(text)) if len(w) > 3 and self.by_word.get(w)]
        chosen: list[tuple[str, str]] = []
        for _ in range(4 * count):
            if len(chosen) == count:
                break
            pool = self.by_word[self.rng.choice(words)] if words and self.rng.random() < 0.7 else None
            item = self.items[self.rng.choice(pool) if pool else self.rng.randrange(len(self.items))]
            pair = (item.question, self.rng.choice(item.answers))
            if item.group != not_group and pair not in chosen:
                chosen.append(pair)
        return chosen


def qa_conversations(items: Sequence[QAItem], distractors: Distractors, pairs: int, rng: random.Random,
                     untaught: float = 0.15) -> list[tuple[list[str], list[list[tuple[str, str]]]]]:
    """One single-exchange conversation per item: (turns, knowledge per exchange). The store holds
    the item's answer under another phrasing of its group (or a noisy copy of its own question),
    beside ``pairs - 1`` unrelated pairs, in a random place; a share ``untaught`` holds unrelated
    pairs only (the reply is then the corpus's, as without a store)."""
    by_group: dict[str, list[QAItem]] = defaultdict(list)
    for item in items:
        by_group[item.group].append(item)
    conversations = []
    for item in items:
        answer = rng.choice(item.answers)
        factoid = item.source != "personality-chat"
        stored = []
        if rng.random() >= untaught:
            others = [o for o in by_group[item.group] if o.question != item.question]
            asked = rng.choice(others).question if others and not factoid else noisy(item.question, rng)
            stored = [(asked, answer)]
        store = stored + distractors.draw(item.question, pairs - len(stored), item.group)
        rng.shuffle(store)
        reply = rng.choice(ANSWER_FRAMES).format(answer) if factoid else answer
        if factoid and not stored:
            continue  # nothing in the store and nothing the model could know: no target to learn
        conversations.append(([item.question, reply], [store]))
    return conversations


def with_distractors(streams: list, distractors: Distractors, encode: Callable[[list[str]], list[int]],
                     pairs: int, share: float, rng: random.Random, source_text: Callable[[list[int]], str]) -> list:
    """``streams`` with a share ``share`` of their exchanges carrying ``pairs`` unrelated stored
    pairs (found by the exchange's own words where possible), encoded with ``encode`` (vocabulary
    ids: a distractor's words outside the vocabulary are never copied)."""
    out = []
    for stream in streams:
        new = []
        for exchange in stream:
            if len(exchange) == 2 and rng.random() < share:
                store = distractors.draw(source_text(exchange[0]), pairs)
                exchange = (exchange[0], exchange[1], tuple(pair_ids(q, a, encode) for q, a in store))
            new.append(exchange)
        out.append(new)
    return out
