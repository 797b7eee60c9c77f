"""``python -m engine bench --only knowledge``: building and searching a store of 100,000 pairs.

The store: the shipped pairs about the bot (:func:`engine.shipped.shipped_pairs`, stored as imported) and, up to
``n_pairs``, pairs generated from them: each takes a shipped question, replaces each of its content
words with probability 0.6 (one at least) by a word drawn by Zipf's law over the chat model's
vocabulary (its words count from the most frequent; without a shipped chat model, the shipped
pairs' own words), inserts up to two more, and gets an answer of 4-15 such words. So the store's questions have the
lengths and stop words of real ones, and its content words the skew of chat.

The queries (searched with two context turns of chat-like words, k = 3): a shipped question with
one word dropped and the rest shuffled (40 %), a chat-like turn of stop and content words (30 %),
a generated question with a word dropped (20 %), and questions made only of stop words (10 %).
``retrieval_hit_at_3`` is the share of the first kind whose top three hold a pair with the
shipped question's answer: the right pair is still found among 100,000 generated ones.
``retrieval_exact_top3_share``: the share of searches whose top three are those of a search with
no walk budget (``KnowledgeIndex.walk_budget``). Times are wall-clock (``ms``) and this thread's
CPU time (``cpu_ms``, ``build_cpu_s``): on a machine busy with other work the second is what the
search itself costs.
"""
from __future__ import annotations

import json
import math
import random
import statistics
import struct
import time
from pathlib import Path

from engine.knowledge_index import STOP_WORDS, KnowledgeIndex
from engine.knowledge_pairs import KnowledgePair
from engine.shipped import DEFAULT_PATHS, shipped_pairs

STOP_ONLY = ("who are you?", "what is it?", "how are you?", "what do you do?", "are you there?",
             "what about you?", "is it?", "can you do that?", "what are they?", "who is he?")


def _model_words(path: Path) -> list[str]:
    """The chat model's vocabulary, most frequent first, read from its header (no weights, no torch)."""
    try:
        with open(path, "rb") as handle:
            size = struct.unpack("<Q", handle.read(8))[0]
            header = json.loads(handle.read(size))
        return json.loads(header["__metadata__"]["vocab"])
    except (OSError, ValueError, KeyError, struct.error):
        return []


def _vocabulary(shipped: list[KnowledgePair]) -> list[str]:
    words = _model_words(DEFAULT_PATHS["chat"])
    if not words:
        words = [word.lower() for pair in shipped for word in f"{pair.question} {pair.answer}".split()]
        words = list(dict.fromkeys(words))
    return [word for word in words if word.isalpha() and word not in STOP_WORDS]


class _Words:
    """Content words drawn by Zipf's law over their ranks."""

    def __init__(self, vocabulary: list[str], rng: random.Random):
        self.vocabulary, self.rng = vocabulary, rng
        weights, total = [], 0.0
        for rank in range(1, len(vocabulary) + 1):
            total += 1.0 / rank
            weights.append(total)
        self.cumulative = weights

    def draw(self, n: int) -> list[str]:
        return self.rng.choices(self.vocabulary, cum_weights=self.cumulative, k=n)


def _variant(question: str, words: _Words, rng: random.Random) -> str:
    """``question`` with each content word replaced with probability 0.6 (one at least, so that a
    variant asks something else) and up to two words inserted."""
    tokens = question.split()
    content = [i for i, word in enumerate(tokens) if word.lower().strip("?!.,") not in STOP_WORDS]
    replaced = {i for i in content if rng.random() < 0.6} | ({rng.choice(content)} if content else set())
    tokens = [words.draw(1)[0] if i in replaced else word for i, word in enumerate(tokens)]
    for _ in range(rng.randint(0 if content else 1, 2)):
        tokens.insert(rng.randint(0, len(tokens)), words.draw(1)[0])
    return " ".join(tokens)


def synthetic_pairs(n_pairs: int, seed: int = 0) -> tuple[list[KnowledgePair], _Words]:
    """The shipped pairs and generated ones, ``n_pairs`` in all (see the module's docstring)."""
    rng = random.Random(seed)
    shipped = shipped_pairs() or [KnowledgePair("what is your name?", "I'm a chatbot.", "shipped")]
    words = _Words(_vocabulary(shipped), rng)
    # Stored as the user's (imported): a shipped pair's matches would count half
    # (``knowledge_index.SHIPPED_WEIGHT``), and the generated pairs are variants of their questions.
    pairs = [KnowledgePair(pair.question, pair.answer, "import") for pair in shipped[:n_pairs]]
    asked = {pair.question.lower() for pair in shipped}
    while len(pairs) < n_pairs:
        question = _variant(rng.choice(shipped).question, words, rng)
        if question.lower() in asked:  # "are you young?" made "are you old?": a shipped question
            continue
        pairs.append(KnowledgePair(question, " ".join(words.draw(rng.randint(4, 15))), "user"))
    return pairs, words


def _drop_one(text: str, rng: random.Random, shuffle: bool) -> str:
    tokens = text.split()
    if len(tokens) > 2:
        tokens.pop(rng.randrange(len(tokens)))
    if shuffle:
        rng.shuffle(tokens)
    return " ".join(tokens)


def _queries(pairs: list[KnowledgePair], n_shipped: int, words: _Words, n: int, rng: random.Random) -> list:
    """(text, context, the shipped answer it should find or None), mixed as the docstring says."""
    stop = sorted(STOP_WORDS)
    chat = lambda: " ".join(rng.choice(stop) if rng.random() < 0.5 else words.draw(1)[0]  # noqa: E731
                            for _ in range(rng.randint(3, 10)))
    queries = []
    for index in range(n):
        kind = index % 10
        if kind < 4:
            pair = pairs[rng.randrange(n_shipped)]
            text, expected = _drop_one(pair.question, rng, shuffle=True), pair.answer
        elif kind < 7:
            text, expected = chat(), None
        elif kind < 9:
            text, expected = _drop_one(pairs[rng.randrange(len(pairs))].question, rng, shuffle=False), None
        else:
            text, expected = rng.choice(STOP_ONLY), None
        queries.append((text, (chat(), chat()), expected))
    return queries


def bench_retrieval(n_pairs: int = 100_000, n_queries: int = 1000, seed: int = 0) -> dict:
    """Build time and search latency (ms) of :class:`KnowledgeIndex` over ``n_pairs`` pairs."""
    pairs, words = synthetic_pairs(n_pairs, seed)
    n_shipped = min(len(shipped_pairs()), len(pairs)) or 1
    start, cpu = time.perf_counter(), time.thread_time()
    index = KnowledgeIndex(pairs)
    build_s, build_cpu_s = time.perf_counter() - start, time.thread_time() - cpu
    queries = _queries(pairs, n_shipped, words, n_queries, random.Random(seed + 1))
    for text, context, _ in queries[:50]:  # warm-up: the folding cache, the allocator
        index.search(text, 3, context)
    times, cpu_times, found, asked, exact = [], [], 0, 0, 0
    for text, context, expected in queries:
        start, cpu = time.perf_counter(), time.thread_time()
        hits = index.search(text, 3, context)
        cpu_times.append((time.thread_time() - cpu) * 1000)
        times.append((time.perf_counter() - start) * 1000)
        budget, index.walk_budget = index.walk_budget, math.inf
        exact += [hit.key for hit in index.search(text, 3, context)] == [hit.key for hit in hits]
        index.walk_budget = budget
        if expected is not None:
            asked += 1
            found += any(hit.pair.answer == expected for hit in hits)
    result = {"retrieval_pairs": len(index), "retrieval_queries": len(queries),
              "retrieval_build_s": round(build_s, 2), "retrieval_build_cpu_s": round(build_cpu_s, 2)}
    for name, values in (("ms", times), ("cpu_ms", cpu_times)):
        ordered = sorted(values)
        result.update({f"retrieval_{name}_p50": round(statistics.median(values), 3),
                       f"retrieval_{name}_p95": round(ordered[round(0.95 * (len(ordered) - 1))], 3),
                       f"retrieval_{name}_max": round(ordered[-1], 3)})
    return {**result, "retrieval_hit_at_3": round(found / max(asked, 1), 3),
            "retrieval_exact_top3_share": round(exact / len(queries), 3)}
