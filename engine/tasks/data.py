"""``python -m engine data stats|memory``: look at the chat training data without training anything.

``data stats --corpus-dir DIR --json`` counts conversations, turns and words (white-space
separated) of every corpus and split, and the rows its reader skipped; ``data memory --n 5``
prints generated memory conversations with their records (:mod:`engine.data.memory`). Neither
loads torch unless it reads the chitchat corpus.
"""
from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict

from engine.options import fail

# chitchat is installed with the engine; the others are read from --corpus-dir (engine.data.corpora.CORPORA).
CORPUS_NAMES = ("chitchat", "topical-chat", "synthetic-persona-chat", "personality-chat")


def add_arguments(commands) -> None:
    """The ``data`` command and its two subcommands, on the engine's subparsers."""
    data = commands.add_parser("data", help="look at the chat training data (counts, generated conversations)")
    kinds = data.add_subparsers(dest="kind", required=True)
    stats = kinds.add_parser("stats", help="conversations, turns and words per corpus and split")
    stats.add_argument("--corpus-dir", default=None,
                       help="the folder that holds topical-chat/, synthetic-persona-chat/ and personality-chat/ "
                            "(without it: chitchat only)")
    stats.add_argument("--corpus", action="append", choices=CORPUS_NAMES, default=None,
                       help="count only this corpus (repeat for several; default: all that can be read)")
    stats.add_argument("--split-seed", type=int, default=1234, help="the seed of the splits")
    stats.add_argument("--json", action="store_true", help="print one JSON object on the last line")
    memory = kinds.add_parser("memory", help="print generated memory conversations")
    memory.add_argument("--n", type=int, default=5, help="how many conversations")
    memory.add_argument("--seed", type=int, default=0, help="the stream's seed")
    memory.add_argument("--corpus-dir", default=None,
                        help="take the real exchanges from these corpora's train splits (default: chitchat's)")
    memory.add_argument("--values", choices=("train", "heldout"), default="train")
    memory.add_argument("--phrasings", choices=("train", "heldout"), default="train")
    memory.add_argument("--kind", choices=("single", "several", "corrected", "untold"), default=None)
    memory.add_argument("--gap", type=int, default=None, help="real exchanges between telling and asking")
    memory.add_argument("--json", action="store_true", help="one JSON object a conversation")


def _counts(conversations) -> dict[str, int]:
    return {"conversations": len(conversations), "turns": sum(len(c) for c in conversations),
            "words": sum(len(turn.split()) for c in conversations for turn in c)}


def _skipped_note(name: str, skipped) -> dict[str, int]:
    """Say every skipped row on standard error (the first few in full) and count them."""
    ordered = sorted(skipped, key=lambda s: not s.dropped)  # whole rows left out first
    for entry in ordered[:5]:
        print(f"{name}: {'skipped row' if entry.dropped else 'kept row'} {entry}", file=sys.stderr)
    if len(skipped) > 5:
        print(f"{name}: ... and {len(skipped) - 5} more", file=sys.stderr)
    return {"skipped_rows": sum(s.dropped for s in skipped),
            "rows_with_lines_left_out": sum(not s.dropped for s in skipped)}


def stats(args: argparse.Namespace) -> dict:
    from engine.data.corpora import load_corpora
    from engine.data.splits import split

    names = args.corpus or [n for n in CORPUS_NAMES if n == "chitchat" or args.corpus_dir is not None]
    result = {}
    if "chitchat" in names:
        from engine.data.chat import read_chitchat  # imports torch: only when chitchat is counted

        chitchat = split(read_chitchat(), args.split_seed)
        result["chitchat"] = {part: _counts(getattr(chitchat, part)) for part in ("train", "valid", "test")}
    others = [n for n in names if n != "chitchat"]
    if others:
        if args.corpus_dir is None:
            raise ValueError(f"{', '.join(others)}: give the folder that holds them with --corpus-dir")
        for name, loaded in load_corpora(args.corpus_dir, others, seed=args.split_seed).items():
            entry = {part: _counts(getattr(loaded.splits, part)) for part in ("train", "valid", "test")}
            entry.update(_skipped_note(name, loaded.skipped))
            result[name] = entry
    for entry in result.values():
        entry["all"] = {key: sum(entry[p][key] for p in ("train", "valid", "test"))
                        for key in ("conversations", "turns", "words")}
    return result


def _filler(corpus_dir):
    from engine.data.memory_filler import FillerPool

    if corpus_dir is None:
        from engine.data.chat import read_chitchat
        from engine.data.splits import split

        return FillerPool.build(split(read_chitchat()).train)
    from engine.data.corpora import load_corpora

    return FillerPool.build([c for loaded in load_corpora(corpus_dir).values() for c in loaded.splits.train])


def memory(args: argparse.Namespace) -> None:
    from engine.data.memory import MemoryConfig, generate

    config = MemoryConfig(values=args.values, phrasings=args.phrasings,
                          **({} if args.gap is None else {"gaps": (args.gap,)}))
    pool = _filler(args.corpus_dir)
    print(f"real exchanges: {pool.size} usable, left out {pool.dropped}", file=sys.stderr)
    for conversation in generate(args.n, pool, config, args.seed, args.kind):
        if args.json:
            print(json.dumps({"kind": conversation.kind, "turns": conversation.turns,
                              "probes": [asdict(p) for p in conversation.probes],
                              "unscored": sorted(conversation.unscored)}))
            continue
        probes = "; ".join(f"{p.slot}={p.value!r} gap={p.gap} ask_turn={p.ask_turn}"
                           f"{' (held-out value)' if p.value_heldout else ''}"
                           f"{' (held-out phrasing)' if p.phrasing_heldout else ''}"
                           f"{f' replaced {p.replaced!r}' if p.replaced else ''}" for p in conversation.probes)
        print(f"--- {conversation.kind}: {probes}")
        for number, turn in enumerate(conversation.turns):
            read_only = " (read, not trained on)" if number in conversation.unscored else ""
            print(f"{number:3d} {'user' if number % 2 == 0 else 'bot '}: {turn}{read_only}")


def run(args: argparse.Namespace) -> int:
    try:
        if args.kind == "stats":
            result = stats(args)
            if args.json:
                print(json.dumps(result))
            else:
                print(f"{'corpus':24} {'split':6} {'conversations':>13} {'turns':>8} {'words':>10}")
                for name, entry in result.items():
                    for part in ("train", "valid", "test", "all"):
                        counts = entry[part]
                        print(f"{name:24} {part:6} {counts['conversations']:13,} {counts['turns']:8,} "
                              f"{counts['words']:10,}")
                    if "skipped_rows" in entry:
                        print(f"{name:24} skipped rows: {entry['skipped_rows']}, rows with lines left out: "
                              f"{entry['rows_with_lines_left_out']}")
            return 0
        memory(args)
        return 0
    except (FileNotFoundError, ValueError) as error:
        return fail(str(error))
