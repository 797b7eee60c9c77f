"""Conversations from JSONL shards, read as a stream: corpora larger than memory.

``--data`` may name a folder of ``*.jsonl`` (or ``*.jsonl.gz``) shards or a glob such as
``logs/2024-*.jsonl``; each line is one conversation, a JSON list of turn strings, as in a single
JSONL file. The shards are read one line at a time, in sorted file order, so memory does not grow
with the corpus; the vocabulary is counted in the same single pass (:func:`stream_vocab`).

Under torchrun each rank reads every ``world_size``-th conversation (:func:`read_shards`), so the
ranks together read each one exactly once. A malformed line is skipped, never silently: the report
names its file and line, and counts the skipped lines.
"""
from __future__ import annotations

import glob
import gzip
import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator, Optional, Sequence

from engine import distributed
from engine.data.splits import Conversation
from engine.text import Vocab, tokenize

SHOWN_PROBLEMS = 20  # the report names this many bad lines; it counts all of them


def is_sharded(spec: str | Path) -> bool:
    """Whether ``--data`` names a folder or a glob rather than one file."""
    text = str(spec)
    return Path(text).is_dir() or any(char in text for char in "*?[")


def shard_files(spec: str | Path) -> list[Path]:
    """The shards ``spec`` names, sorted: a folder's ``*.jsonl``/``*.jsonl.gz``, a glob's files, or one file."""
    path = Path(spec)
    if path.is_dir():
        files = [p for p in path.iterdir() if p.is_file() and p.name.endswith((".jsonl", ".jsonl.gz"))]
    elif path.is_file():
        files = [path]
    else:
        files = [Path(p) for p in glob.glob(str(spec)) if Path(p).is_file()]
    if not files:
        raise FileNotFoundError(f"{spec}: no JSONL shard there (a .jsonl file, a folder of them, or a glob)")
    return sorted(files)


@dataclass
class ShardReport:
    """What a pass read: conversations kept, lines skipped, and where the first bad ones are."""

    conversations: int = 0
    skipped: int = 0
    problems: list[str] = field(default_factory=list)  # "file:line: why", the first SHOWN_PROBLEMS

    def skip(self, where: str, why: str) -> None:
        self.skipped += 1
        if len(self.problems) < SHOWN_PROBLEMS:
            self.problems.append(f"{where}: {why}")

    def summary(self) -> dict:
        return {"conversations": self.conversations, "skipped_lines": self.skipped, "problems": self.problems}


def _parse(line: str) -> tuple[Optional[Conversation], str]:
    """(turns, "") or (None, why the line is not a conversation)."""
    try:
        turns = json.loads(line)
    except json.JSONDecodeError as error:
        return None, f"not JSON ({error.msg})"
    if not isinstance(turns, list) or not all(isinstance(t, str) for t in turns):
        return None, "a conversation must be a list of strings"
    turns = [t.strip() for t in turns if t.strip()]
    if len(turns) < 2:
        return None, "fewer than two turns"
    return turns, ""


def read_shards(spec: str | Path, report: Optional[ShardReport] = None,
                part: Optional[tuple[int, int]] = None) -> Iterator[Conversation]:
    """Conversations of the shards one at a time. ``part`` = (rank, world size), default this
    process's: it takes the non-empty lines whose index (over all shards) is rank modulo size."""
    for _, _, turns in numbered_conversations(shard_files(spec), report, part):
        yield turns


def numbered_conversations(files: Sequence[Path], report: Optional[ShardReport] = None,
                           part: Optional[tuple[int, int]] = None) -> Iterator[tuple[Path, int, Conversation]]:
    """(file, line number, turns) of the ``files`` in the order given; ``part`` as in :func:`read_shards`
    (the line index counts over ``files`` in that order, so every rank must give the same order)."""
    rank, size = part if part is not None else (distributed.rank(), distributed.world_size())
    report = report if report is not None else ShardReport()
    index = -1
    for file in files:
        opener = gzip.open if file.name.endswith(".gz") else open
        with opener(file, "rt", encoding="utf-8") as handle:
            for number, line in enumerate(handle, 1):
                if not line.strip():
                    continue
                index += 1
                if index % size != rank:
                    continue
                turns, why = _parse(line)
                if turns is None:
                    report.skip(f"{file}:{number}", why)
                    continue
                report.conversations += 1
                yield file, number, turns


def stream_vocab(spec: str | Path, max_size: int = 8000, min_count: int = 2,
                 part: Optional[tuple[int, int]] = None) -> tuple[Vocab, ShardReport]:
    """The vocabulary of the shards in one streaming pass (memory: the distinct tokens, not the
    corpus). Under torchrun each rank counts its share and the counts are summed over ranks."""
    report, counts = ShardReport(), Counter()
    for turns in read_shards(spec, report, part):
        for turn in turns:
            counts.update(tokenize(turn))
    if part is None and distributed.active():
        import torch.distributed as dist

        gathered: list = [None] * distributed.world_size()
        dist.all_gather_object(gathered, (counts, report.conversations, report.skipped))
        counts = sum((c for c, _, _ in gathered), Counter())
        report.conversations = sum(n for _, n, _ in gathered)
        report.skipped = sum(s for _, _, s in gathered)
    return Vocab.from_counts(counts, max_size, min_count), report


def read_all(spec: str | Path) -> list[Conversation]:
    """Every conversation of the shards in one list (chat training's splits hold them in
    memory), the skipped lines said on stderr; an error if none is left."""
    import sys

    report = ShardReport()
    conversations = list(read_shards(spec, report, part=(0, 1)))
    if report.skipped and distributed.is_main():
        print(f"{spec}: skipped {report.skipped} malformed line(s): " + "; ".join(report.problems), file=sys.stderr)
    if not conversations:
        raise ValueError(f"{spec}: no conversation of two or more turns")
    return conversations
