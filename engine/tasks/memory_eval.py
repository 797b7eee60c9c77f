"""``python -m engine eval memory --json``: does the bot say back what it was told?

The conversations are :func:`engine.data.memory_sets.evaluation_set`'s: a fact told with
held-out values (or held-out phrasings), real exchanges from the corpora's valid and test splits
between telling and asking, then the fact asked back. For each asking, the conversation up to it
is folded into the model's state as it was said (the bot's own turns as written), the model
replies to the question as in the app (reading the shipped pairs about the bot, and ``--knowledge
FILE``'s; ``--no-stored-pairs`` reads none), and the reply is checked:

- ``recall``: by gap (real exchanges between telling and asking) and by what was held out, the
  share of replies that state the value (as whole words, case aside);
- ``oov_exact``: for held-out values with a word outside the model's vocabulary, the share of
  replies that say the value letter for letter, case included;
- ``abstains_when_untold``: for facts never told, the share of replies that say so;
- ``corrected``: for corrected facts, the share that state the new value and not the old one.
"""
from __future__ import annotations

import argparse
import time
from collections import defaultdict
from pathlib import Path

from engine import add_mmi_arguments, mmi_settings
from engine.decode_config import chat_decoding
from engine.device import pick_device
from engine.shipped import DEFAULT_PATHS
from engine.tasks.chat import ChatPredictor, cli_knowledge
from engine.text import tokenize


def add_eval_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--model", default=None, help="chat checkpoint (default: the shipped model)")
    parser.add_argument("--corpus-dir", default=None,
                        help="take the real exchanges from the valid and test splits of the corpora here too "
                             "(default: chitchat's valid and test splits only)")
    parser.add_argument("--per-cell", type=int, default=50,
                        help="conversations per gap and held-out kind, and for corrected and untold facts")
    parser.add_argument("--split", choices=("test", "valid"), default="test",
                        help="test: the report's set; valid: another draw (another seed, real exchanges from "
                             "the valid splits only) for choosing settings on")
    parser.add_argument("--beam-size", type=int, default=5)
    parser.add_argument("--strategy", choices=("beam", "greedy", "sample"), default="beam")
    add_mmi_arguments(parser)  # the replies are written as the app writes them
    parser.add_argument("--examples", type=int, default=3, help="replies of each set printed as examples")
    parser.add_argument("--knowledge", default=None, metavar="FILE",
                        help="stored pairs the replies read beside the shipped ones (as for chat and reply)")
    parser.add_argument("--no-stored-pairs", action="store_true",
                        help="replies read no stored pairs, not even the shipped ones (the app always reads them)")


def filler_conversations(corpus_dir: str | None, split_name: str = "test") -> list[list[str]]:
    """Conversations the model was not trained on: the valid and test splits ("test"), or the
    valid splits alone ("valid")."""
    from engine.data.chat import read_chitchat
    from engine.data.splits import split

    parts = ("valid", "test") if split_name == "test" else ("valid",)
    chitchat = split(read_chitchat())
    conversations = [c for part in parts for c in getattr(chitchat, part)]
    if corpus_dir is not None:
        from engine.data.corpora import load_corpora

        for corpus in load_corpora(corpus_dir).values():
            conversations += [c for part in parts for c in getattr(corpus.splits, part)]
    return conversations


def _outside_vocabulary(predictor: ChatPredictor, value: str) -> bool:
    return any(token not in predictor.vocab.stoi for token in tokenize(value))


def evaluate(args: argparse.Namespace) -> dict:
    from engine.data.memory_filler import FillerPool
    from engine.data.memory_sets import EVAL_GAPS, EVAL_SEED, abstains, evaluation_set, states

    started = time.perf_counter()
    device = pick_device(args.device)
    path = Path(args.model or DEFAULT_PATHS["chat"])
    predictor = ChatPredictor.load(path, device)
    seed = EVAL_SEED if args.split == "test" else EVAL_SEED + 1
    sets = evaluation_set(FillerPool.build(filler_conversations(args.corpus_dir, args.split)), args.per_cell, seed)
    decoding = chat_decoding(strategy=args.strategy, beam_size=args.beam_size, **mmi_settings(args))
    store = None if args.no_stored_pairs else cli_knowledge(predictor, args.knowledge)
    hits: dict[str, list[bool]] = defaultdict(list)
    examples: dict[str, list[dict]] = defaultdict(list)
    for name, conversations in sets.items():
        for conversation in conversations:
            for probe in conversation.probes:
                turns = conversation.turns
                said = [(turns[i], turns[i + 1]) for i in range(0, probe.ask_turn, 2)]
                reply = predictor.reply(turns[probe.ask_turn], predictor.rebuild_state(said), decoding,
                                        knowledge=store).text
                cell = _score(name, probe, reply, predictor, hits, states, abstains)
                if len(examples[name]) < args.examples:
                    examples[name].append({"asked": turns[probe.ask_turn], "value": probe.value,
                                           "reply": reply, "right": cell})
    share = lambda key: round(sum(hits[key]) / len(hits[key]), 3) if hits[key] else None  # noqa: E731
    return {
        "recall": {held: {str(gap): share(f"{held}/gap={gap}") for gap in EVAL_GAPS} for held in ("values", "phrasings")},
        "oov_exact": share("oov_exact"),
        "abstains_when_untold": share("untold"),
        "corrected": share("corrected"),
        "n": {key: len(value) for key, value in sorted(hits.items())},
        "model": path.name, "memory_tokens": predictor.model.config.memory_tokens,
        "corpus_dir": bool(args.corpus_dir), "split": args.split, "strategy": args.strategy,
        "beam_size": args.beam_size, **mmi_settings(args),
        "stored_pairs": len(store) if store is not None else 0,
        "topic_words": "used" if predictor.topic_words is not None else predictor.topic_note,
        "examples": dict(examples), "seconds": round(time.perf_counter() - started, 1),
    }


def _score(name: str, probe, reply: str, predictor: ChatPredictor, hits, states, abstains) -> bool:
    """Record whether ``reply`` answers ``probe`` rightly under ``name`` (and ``oov_exact``)."""
    if name == "untold":
        right = abstains(reply)
    elif name == "corrected":
        right = states(reply, probe.value) and not (probe.replaced and states(reply, probe.replaced))
    else:
        right = states(reply, probe.value)
        if probe.value_heldout and _outside_vocabulary(predictor, probe.value):
            hits["oov_exact"].append(states(reply, probe.value, exact=True))
    hits[name].append(right)
    return right
