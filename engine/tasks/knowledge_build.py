"""``python -m engine knowledge build-shipped``: the shipped pairs about the bot, from Personality Chat.

Microsoft Personality Chat (``DIR/personality-chat/qna_chitchat_the_{persona}.tsv``, MIT) holds what
users ask a bot about itself, each question in many phrasings that share one answer.
:func:`engine.data.corpora.load_corpora` splits its question groups into train / valid / test with
a fixed seed; the shipped file holds one persona's answers (the friend's) to the **train** groups
only, so that the valid and test groups stay unseen for ``eval knowledge``. It writes
``question<TAB>answer`` lines under ``#`` comment lines naming the source and licence, and a sibling
``.md`` with the attribution and the licence text. No torch is loaded.
"""
from __future__ import annotations

import sys
from pathlib import Path

from engine.data.memory_facts import without_what_the_user_told
from engine.knowledge_pairs import MAX_ANSWER_CHARS, MAX_QUESTION_CHARS, KnowledgePair
from engine.shipped import SHIPPED_KNOWLEDGE

PERSONAS = ("friend", "professional", "comic")
# Where the corpus files came from (the corpora folder's SOURCES.md); said in what is shipped.
SOURCE = ("microsoft/BotBuilder-PersonalityChat (fork sempjc/BotBuilder-PersonalityChat; "
          "files from commits 43578084, 7667ec41)")
COPYRIGHT = "Copyright (c) Microsoft Corporation. All rights reserved."


def add_arguments(commands) -> None:
    """The ``knowledge`` command and its subcommand, on the engine's subparsers."""
    knowledge = commands.add_parser("knowledge", help="the shipped knowledge pairs")
    kinds = knowledge.add_subparsers(dest="kind", required=True)
    build = kinds.add_parser("build-shipped", help="write the pairs about the bot from Personality Chat's train groups")
    build.add_argument("--corpus-dir", required=True, help="the folder that holds personality-chat/")
    build.add_argument("--out", default=str(SHIPPED_KNOWLEDGE), help="the TSV to write (default: the shipped one)")
    build.add_argument("--persona", choices=PERSONAS, default="friend", help="whose answers (default: friend)")
    build.add_argument("--split-seed", type=int, default=1234, help="the seed of the corpus's splits")


def _rows(corpus_dir: str | Path, persona: str) -> list[tuple[str, str]]:
    """The persona's (question, answer) rows, white space collapsed as the corpus reader does."""
    path = Path(corpus_dir) / "personality-chat" / f"qna_chitchat_the_{persona}.tsv"
    rows = []
    with open(path, encoding="utf-8-sig") as handle:
        next(handle, None)  # the header (the corpus reader checks it)
        for line in handle:
            fields = line.rstrip("\r\n").split("\t")
            if len(fields) >= 2:
                rows.append((" ".join(fields[0].split()), " ".join(fields[1].split())))
    return rows


def split_questions(corpus_dir: str | Path, seed: int = 1234) -> dict[str, set[str]]:
    """Split name -> the lower-cased questions of its Personality Chat groups (every persona)."""
    from engine.data.corpora import load_corpora

    splits = load_corpora(corpus_dir, ["personality-chat"], seed)["personality-chat"].splits
    return {name: {turns[0].lower() for turns in getattr(splits, name)} for name in ("train", "valid", "test")}


def train_pairs(corpus_dir: str | Path, persona: str = "friend", seed: int = 1234) -> list[KnowledgePair]:
    """The persona's pairs whose question is in a train group, in file order, each question once,
    leaving out the groups that ask what the user told
    (:func:`engine.data.memory_facts.asks_what_the_user_told`)."""
    train = split_questions(corpus_dir, seed)["train"]
    pairs, seen = [], set()
    for question, answer in without_what_the_user_told(_rows(corpus_dir, persona)):
        key = question.lower()
        if (key in train and key not in seen and question and answer and len(question) <= MAX_QUESTION_CHARS
                and len(answer) <= MAX_ANSWER_CHARS):
            seen.add(key)
            pairs.append(KnowledgePair(question, answer, "shipped"))
    return pairs


def _licence(corpus_dir: str | Path) -> str:
    path = Path(corpus_dir) / "personality-chat" / "LICENSE"
    if path.is_file():
        return "\n".join(line.strip() for line in path.read_text(encoding="utf-8").strip().splitlines())
    return f"MIT License\n\n{COPYRIGHT}"


def write_shipped(pairs: list[KnowledgePair], out: str | Path, persona: str, corpus_dir: str | Path,
                  seed: int) -> None:
    """The TSV (with its comment lines) and the sibling ``.md`` that attributes it."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    header = [f"# What the bot says about itself: question<TAB>answer, the {persona!r} persona's answers of "
              "Microsoft Personality Chat",
              f"# Source: {SOURCE}, qna_chitchat_the_{persona}.tsv. MIT licence, {COPYRIGHT} See {out.stem}.md.",
              f"# Train question groups only (split seed {seed}); written by: python -m engine knowledge "
              f"build-shipped --corpus-dir DIR --persona {persona}"]
    lines = header + [f"{pair.question}\t{pair.answer}" for pair in pairs]
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    note = [f"# {out.name}: what the bot says about itself", "",
            f"{len(pairs)} question–answer pairs: the `{persona}` persona's answers of "
            "**Microsoft Personality Chat** "
            f"(QnA Maker chit-chat), file `qna_chitchat_the_{persona}.tsv`, from {SOURCE}.", "",
            f"Only the question groups of the corpus's train split are here (split seed {seed}, "
            "`engine.data.corpora.load_corpora`); the valid and test groups are held out for "
            "`python -m engine eval knowledge`. Left out: the groups that ask what the user told "
            "(\"What's my name?\", \"Who am I?\"), which the conversation memory answers. Rebuild with", "",
            f"    python -m engine knowledge build-shipped --corpus-dir DIR --persona {persona} --out {out.name}", "",
            "## Licence", "", "The pairs are copied from the corpus unchanged (white space collapsed) under its "
            "MIT licence:", "", *("    " + line if line else "" for line in _licence(corpus_dir).splitlines())]
    out.with_suffix(".md").write_text("\n".join(note) + "\n", encoding="utf-8")


def build_shipped(corpus_dir: str | Path, out: str | Path, persona: str = "friend", seed: int = 1234) -> int:
    """Write the shipped pairs from ``corpus_dir``; the number of pairs written."""
    pairs = train_pairs(corpus_dir, persona, seed)
    if not pairs:
        raise ValueError(f"{corpus_dir}: no {persona} pairs in Personality Chat's train groups")
    write_shipped(pairs, out, persona, corpus_dir, seed)
    return len(pairs)


def run(args) -> int:
    try:
        count = build_shipped(args.corpus_dir, args.out, args.persona, args.split_seed)
    except (OSError, ValueError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print(f"wrote {count} pairs to {args.out} (and {Path(args.out).with_suffix('.md').name})")
    return 0
