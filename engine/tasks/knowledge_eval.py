"""``python -m engine eval knowledge --json``: does a stored pair take effect at once, and only
where it should?

- ``taught_recall``: Personality Chat's held-out question groups (test split): one phrasing's pair
  (question, the group's answer) is stored, the group's other phrasings are asked, each in a new
  conversation; a reply counts when it equals the taught answer or has sentence BLEU >= 0.8
  against it. A store holds the shipped pairs and as many test groups' taught pairs as can be
  stored without two of those groups sharing a phrasing: the three personas answer the same
  questions differently, and a store taught two answers to one question cannot give both (the
  groups are dealt into a few such stores, each asked its own groups' phrasings).
- ``factoid_recall``: WebQuestions' and NQ-open's test questions, each stored with its answer in
  one store of all of them, asked as written; a reply counts when it contains a gold answer (whole
  words, case aside). ``factoid_recall_noisy``: the same questions asked with their words shuffled
  or one word dropped.
- ``leak_rate``: chitchat's test split, its conversations replied to turn by turn with 10,000
  unrelated pairs in the store (the question-answer data's train and valid splits): the share of
  replies that say three or more words in a row of a retrieved answer that the true reply does not
  also say. ``perplexity_with_store`` against ``perplexity`` (an empty store) on the same exchanges:
  ``perplexity_change`` should stay within 2 %.
- ``reply_ms_p50``: the default reply's time with that store.
"""
from __future__ import annotations

import argparse
import math
import random
import statistics
import time
from pathlib import Path

from nltk.translate.bleu_score import SmoothingFunction, sentence_bleu

from engine import add_mmi_arguments, mmi_settings
from engine.decode_config import chat_decoding
from engine.device import pick_device
from engine.knowledge_pairs import KnowledgePair
from engine.shipped import DEFAULT_PATHS
from engine.tasks.chat import ChatPredictor
from engine.tasks.chat_memory import pairs_read
from engine.text import tokenize

SEED = 20_261_202


def add_eval_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--model", default=None, help="chat checkpoint (default: the shipped model)")
    parser.add_argument("--corpus-dir", required=True, help="the folder of the corpora (see its SOURCES.md)")
    parser.add_argument("--split", choices=("test", "valid"), default="test",
                        help="test: the report's sets; valid: the valid splits, for choosing settings on")
    parser.add_argument("--questions", type=int, default=200, help="factoid questions asked (a seeded sample)")
    parser.add_argument("--exchanges", type=int, default=200, help="chitchat exchanges replied to for leak_rate")
    parser.add_argument("--distractors", type=int, default=10_000, help="unrelated pairs stored for leak_rate")
    parser.add_argument("--beam-size", type=int, default=5)
    parser.add_argument("--strategy", choices=("beam", "greedy", "sample"), default="beam")
    add_mmi_arguments(parser)
    parser.add_argument("--examples", type=int, default=3, help="replies of each set printed as examples")


def _taught(reply: str, answer: str) -> bool:
    said, taught = tokenize(reply), tokenize(answer)
    if said == taught:
        return True
    return sentence_bleu([taught], said, smoothing_function=SmoothingFunction().method1) >= 0.8


def _contains(reply: str, answers) -> bool:
    said = f" {' '.join(tokenize(reply))} "
    return any(f" {' '.join(tokenize(answer))} " in said for answer in answers if tokenize(answer))


def _leaks(reply: str, answers, true_reply: str, n: int = 3) -> bool:
    """Whether ``reply`` says ``n`` words in a row of one of ``answers`` that ``true_reply`` does not."""
    def grams(text):
        words = tokenize(text)
        return {tuple(words[i:i + n]) for i in range(len(words) - n + 1)}
    said, allowed = grams(reply), grams(true_reply)
    return any((grams(answer) & said) - allowed for answer in answers)


def evaluate(args: argparse.Namespace) -> dict:
    started = time.perf_counter()
    predictor = ChatPredictor.load(Path(args.model or DEFAULT_PATHS["chat"]), pick_device(args.device))
    decoding = chat_decoding(strategy=args.strategy, beam_size=args.beam_size, **mmi_settings(args))
    rng = random.Random(SEED)
    examples: dict[str, list] = {}

    def reply(text, store, state=None):
        return predictor.reply(text, state, decoding, knowledge=store)

    def note(name, asked, said, right):
        if len(examples.setdefault(name, [])) < args.examples:
            examples[name].append({"asked": asked, "reply": said, "right": right})

    taught_recall, n_taught, taught_pairs = _taught_recall(args, rng, reply, note)
    plain, shaken = _factoid_recall(args, rng, reply, note)
    leak = _leak_rate(predictor, reply, args, rng, note)
    return {
        "taught_recall": round(taught_recall, 3), "n_taught": n_taught, "taught_pairs": taught_pairs,
        "factoid_recall": round(sum(plain) / max(1, len(plain)), 3),
        "factoid_recall_noisy": round(sum(shaken) / max(1, len(shaken)), 3), "n_factoid": len(plain),
        **leak, "model": Path(args.model or DEFAULT_PATHS["chat"]).name,
        "knowledge_pairs_read": predictor.model.config.knowledge_pairs, "split": args.split,
        "strategy": args.strategy, "beam_size": args.beam_size, **mmi_settings(args),
        "examples": examples, "seconds": round(time.perf_counter() - started, 1),
    }


def _taught_recall(args, rng: random.Random, reply, note) -> tuple[float, int, int]:
    """One phrasing stored per held-out Personality Chat group, the others asked."""
    from engine.data.knowledge_data import personality_items
    from engine.knowledge_index import KnowledgeIndex
    from engine.shipped import shipped_pairs

    hits, taught = [], 0
    for pairs, asked in taught_stores(personality_items(args.corpus_dir, args.split), rng):
        store = KnowledgeIndex(list(shipped_pairs()) + pairs)
        taught += len(pairs)
        for question, answer in asked:
            said = reply(question, store).text
            hits.append(_taught(said, answer))
            note("taught", question, said, hits[-1])
    return sum(hits) / max(1, len(hits)), len(hits), taught


def taught_stores(items, rng: random.Random) -> list[tuple[list[KnowledgePair], list[tuple[str, str]]]]:
    """(taught pairs, (question, its taught answer) asked) of each store: one phrasing of each
    group of two or more ``items`` taught, the others asked; groups dealt in order into the first
    store where none of their phrasings (case aside) is already taught or asked."""
    groups: dict[str, list] = {}
    for item in items:
        groups.setdefault(item.group, []).append(item)
    stores: list[tuple[set, list, list]] = []  # (phrasings taught or asked, taught pairs, asked)
    for group in sorted(groups):
        phrasings = sorted(groups[group], key=lambda item: item.question)
        if len(phrasings) < 2:
            continue
        said = {item.question.lower() for item in phrasings}
        store = next((s for s in stores if not s[0] & said), None)
        if store is None:
            store = (set(), [], [])
            stores.append(store)
        stored = rng.choice(phrasings)
        store[0].update(said)
        store[1].append(KnowledgePair(stored.question, stored.answers[0]))
        store[2].extend((item.question, stored.answers[0]) for item in phrasings if item is not stored)
    return [(pairs, asked) for _, pairs, asked in stores]


def _factoid_recall(args, rng: random.Random, reply, note) -> tuple[list[bool], list[bool]]:
    """Every test question stored with its answer; a sample asked as written and shaken."""
    from engine.data.knowledge_data import factoid_items, noisy
    from engine.knowledge_index import KnowledgeIndex

    items = factoid_items(args.corpus_dir, args.split)
    store = KnowledgeIndex([KnowledgePair(item.question, item.answers[0]) for item in items])
    plain, shaken = [], []
    for item in rng.sample(items, min(args.questions, len(items))):
        said = reply(item.question, store).text
        plain.append(_contains(said, item.answers))
        note("factoid", item.question, said, plain[-1])
        question = noisy(item.question, rng) if len(item.question.split()) > 2 else item.question
        said = reply(question, store).text
        shaken.append(_contains(said, item.answers))
        note("factoid_noisy", question, said, shaken[-1])
    return plain, shaken


def _leak_rate(predictor: ChatPredictor, reply, args, rng: random.Random, note) -> dict:
    """leak_rate, reply time and perplexity with and without 10,000 unrelated pairs stored."""
    from engine.chat_training import evaluate_loss
    from engine.data.chat import encode_conversation, load_corpus
    from engine.data.knowledge_data import factoid_items, personality_items
    from engine.knowledge_index import KnowledgeIndex

    pool = (factoid_items(args.corpus_dir, "train") + factoid_items(args.corpus_dir, "valid")
            + personality_items(args.corpus_dir, "train"))
    pairs = [KnowledgePair(item.question, rng.choice(item.answers)) for item in pool]
    rng.shuffle(pairs)
    store = KnowledgeIndex(pairs[: args.distractors])
    conversations = getattr(load_corpus(None), args.split)
    leaks, times, exchanges = [], [], []
    k = max(1, predictor.model.config.knowledge_pairs)
    for turns in conversations:
        state = None
        for i in range(0, len(turns) - 1, 2):
            if len(leaks) >= args.exchanges:
                break
            started = time.perf_counter()
            out = reply(turns[i], store, state)
            times.append((time.perf_counter() - started) * 1000)
            answers = [hit.pair.answer for hit in pairs_read(store, turns[i], k)]  # those the reply read
            leaks.append(_leaks(out.text, answers, turns[i + 1]))
            note("leak", turns[i], out.text, not leaks[-1])
            state = predictor.rebuild_state([(turns[j], turns[j + 1]) for j in range(0, i + 1, 2)])
        exchanges.append(turns)
        if len(leaks) >= args.exchanges:
            break
    config, vocab = predictor.model.config, predictor.vocab
    plain = [encode_conversation(t, vocab, config.max_source_len, config.max_reply_len, 0, True) for t in exchanges]
    stored = [encode_conversation(t, vocab, config.max_source_len, config.max_reply_len, 0, True,
                                  [[(h.pair.question, h.pair.answer) for h in pairs_read(store, t[i], k)]
                                   for i in range(0, len(t) - 1, 2)]) for t in exchanges]
    start = predictor._start  # from the state new conversations start from, as replies do
    empty = math.exp(evaluate_loss(predictor.model, plain, vocab, predictor.device, start=start)[0])
    full = math.exp(evaluate_loss(predictor.model, stored, vocab, predictor.device, start=start)[0])
    return {"leak_rate": round(sum(leaks) / max(1, len(leaks)), 3), "n_leak": len(leaks),
            "perplexity": round(empty, 3), "perplexity_with_store": round(full, 3),
            "perplexity_change": round(full / empty - 1, 4), "distractor_pairs": len(store),
            "reply_ms_p50": round(statistics.median(times), 1) if times else None}
