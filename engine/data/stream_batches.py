"""Chat training batches read from JSONL shards as a stream: corpora larger than memory.

``train chat --data SHARDS`` never holds the corpus. One streaming pass (:func:`scan_shards`)
counts the vocabulary of the training conversations, the exchanges (for the length of the
schedule) and keeps a bounded validation set. Then every epoch (:class:`ShardStream`) reads the
shards again in a seeded shuffled order, encodes each conversation as it comes, shuffles the
encoded streams within a buffer of bounded size, and feeds them to the rows of the batch: a row
whose conversation ends takes the next one from the stream, as
:func:`engine.data.chat.stream_schedule` does for a list. Memory holds the buffer and one
conversation per row, whatever the size of the corpus.

Held-out conversations are chosen by a hash of their shard's file name and line number (4% for
validation, 4% for test, as :func:`engine.data.splits.split` shares them), so the split does not
depend on the order the shards are read in, nor on the number of processes. Under torchrun each
rank reads every ``world_size``-th conversation of the epoch's order into its own rows.
"""
from __future__ import annotations

import itertools
import math
import random
import zlib
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Iterator, Optional, TypeVar

from engine import distributed
from engine.data.chat import Exchange, TurnBatch, make_turn_batch, reversed_exchanges, training_streams
from engine.data.shards import SHOWN_PROBLEMS, ShardReport, numbered_conversations, shard_files
from engine.data.splits import Conversation
from engine.text import Vocab, tokenize

T = TypeVar("T")
SHUFFLE_BUFFER = 10_000  # encoded streams shuffled together (--shuffle-buffer)
MAX_VALID = 1000  # held-out validation conversations kept in memory (the first ones of the shards)
VALID_SHARE, TEST_SHARE = 0.04, 0.04  # of conversations, as engine.data.splits.split


def held_out(file: Path, number: int, seed: int) -> Optional[str]:
    """"valid", "test" or None (training) for the conversation on line ``number`` of ``file``."""
    bucket = zlib.crc32(f"{seed}:{file.name}:{number}".encode()) % 10_000
    if bucket < VALID_SHARE * 10_000:
        return "valid"
    return "test" if bucket < (VALID_SHARE + TEST_SHARE) * 10_000 else None


@dataclass
class ShardScan:
    """What one pass over the shards found (summed over the ranks under torchrun)."""

    counts: Counter = field(default_factory=Counter)  # tokens of the training conversations
    train: int = 0  # training conversations
    exchanges_one_side: int = 0  # exchanges seen from turn 0 (turn 2i -> 2i+1)
    exchanges_both_sides: int = 0  # and from turn 1 too
    valid: list = field(default_factory=list)  # the first MAX_VALID validation conversations
    valid_total: int = 0
    test_total: int = 0
    report: ShardReport = field(default_factory=ShardReport)

    def sizes(self) -> dict[str, int]:
        return {"train": self.train, "valid": len(self.valid), "valid_held_out": self.valid_total,
                "test_held_out": self.test_total, "skipped_lines": self.report.skipped}

    def vocab(self, max_size: int, min_count: int) -> Vocab:
        return Vocab.from_counts(self.counts, max_size, min_count)


def scan_shards(spec: str | Path, seed: int, max_valid: int = MAX_VALID,
                part: Optional[tuple[int, int]] = None) -> ShardScan:
    """One streaming pass: the vocabulary counts, the sizes and the validation conversations.
    Under torchrun (``part`` None) each rank reads its share and the results are combined."""
    scan, valid = ShardScan(), []
    files = shard_files(spec)
    for file, number, turns in numbered_conversations(files, scan.report, part):
        kind = held_out(file, number, seed)
        if kind == "valid":
            scan.valid_total += 1
            if len(valid) < max_valid:
                valid.append(((files.index(file), number), turns))
            continue
        if kind == "test":
            scan.test_total += 1
            continue
        scan.train += 1
        scan.exchanges_one_side += len(turns) // 2
        scan.exchanges_both_sides += len(turns) - 1
        for turn in turns:
            scan.counts.update(tokenize(turn))
    if part is None and distributed.active():
        valid = _combine(scan, valid)
    scan.valid = [turns for _, turns in sorted(valid)[:max_valid]]  # the first ones in shard order
    return scan


def _combine(scan: ShardScan, valid: list) -> list:
    """Sum every rank's scan into ``scan``; returns the ranks' validation candidates together."""
    import torch.distributed as dist

    gathered: list = [None] * distributed.world_size()
    dist.all_gather_object(gathered, (scan, valid))
    scan.counts = sum((other.counts for other, _ in gathered), Counter())
    for name in ("train", "exchanges_one_side", "exchanges_both_sides", "valid_total", "test_total"):
        setattr(scan, name, sum(getattr(other, name) for other, _ in gathered))
    scan.report.conversations = sum(other.report.conversations for other, _ in gathered)
    scan.report.skipped = sum(other.report.skipped for other, _ in gathered)
    scan.report.problems = [p for other, _ in gathered for p in other.report.problems][:SHOWN_PROBLEMS]
    return [item for _, candidates in gathered for item in candidates]


def buffered_shuffle(items: Iterable[T], size: int, rng: random.Random, seen: Optional[dict] = None) -> Iterator[T]:
    """``items`` in a shuffled order, holding at most ``size`` of them: each new item takes the
    place of a random one in the buffer, which is yielded. ``seen["largest"]`` records the
    largest the buffer grew (the tests check the bound)."""
    buffer: list[T] = []
    seen = seen if seen is not None else {}
    for item in items:
        if len(buffer) < size:
            buffer.append(item)
            seen["largest"] = max(seen.get("largest", 0), len(buffer))
            continue
        slot = rng.randrange(size)
        yield buffer[slot]
        buffer[slot] = item
    rng.shuffle(buffer)
    yield from buffer


def row_batches(streams: Iterable[list[Exchange]], rows: int, vocab: Vocab,
                min_active: float = 0.0) -> Iterator[TurnBatch]:
    """:func:`engine.data.chat.stream_batches` over an iterator: the streams fill ``rows`` rows in
    the order they come; a row whose stream ends takes the next one. Given a list in order, it
    yields exactly what ``stream_batches(streams, rows, vocab, None, min_active)`` yields."""
    queue = iter(streams)
    first = list(itertools.islice(queue, rows + 1))
    queue_empty = len(first) <= rows
    queue = itertools.chain(first[rows:], queue)
    taken = itertools.count()
    row_streams: list[Optional[list[Exchange]]] = first[:rows] + [None] * (rows - len(first[:rows]))
    ids = [next(taken) if stream is not None else -1 for stream in row_streams]
    positions = [0] * rows
    while any(stream is not None for stream in row_streams):
        active = sum(stream is not None for stream in row_streams)
        if queue_empty and active < min_active * rows:
            return
        yield make_turn_batch([s[p] if s is not None else None for s, p in zip(row_streams, positions)],
                              [p == 0 for p in positions], vocab, ids)
        for row, stream in enumerate(row_streams):
            if stream is None:
                continue
            positions[row] += 1
            if positions[row] >= len(stream):
                following = next(queue, None)
                queue_empty = queue_empty or following is None
                row_streams[row], positions[row] = following, 0
                ids[row] = next(taken) if following is not None else -1


class ShardStream:
    """The training streams of JSONL shards, read afresh every epoch: what
    :func:`engine.chat_training.train_chat` takes in place of a list of streams.

    ``both_sides``, ``extended`` and ``reverse`` encode each conversation as ``train chat`` does
    a list (:func:`engine.data.chat.training_streams`, :func:`engine.data.chat.reversed_exchanges`).
    """

    def __init__(self, spec: str | Path, vocab: Vocab, scan: ShardScan, max_source: int, max_reply: int,
                 both_sides: bool = True, extended: bool = False, reverse: bool = False, seed: int = 1234,
                 buffer: int = SHUFFLE_BUFFER):
        self.files, self.vocab, self.seed, self.buffer = shard_files(spec), vocab, seed, max(1, buffer)
        self.lengths = (max_source, max_reply)
        self.both_sides, self.extended, self.reverse = both_sides, extended, reverse
        self.exchanges = scan.exchanges_both_sides if both_sides else scan.exchanges_one_side
        self.seen: dict = {}  # the largest the shuffle buffer grew

    def estimated_turns(self, batch_size: int) -> int:
        """Exchange steps of an epoch, estimated from the scan: every row busy all the time."""
        return max(1, math.ceil(self.exchanges / batch_size))

    def conversations(self, shuffle_seed: int, part: Optional[tuple[int, int]] = None) -> Iterator[Conversation]:
        """This rank's training conversations of an epoch, its shards in a seeded order."""
        files = list(self.files)
        random.Random(shuffle_seed).shuffle(files)
        for file, number, turns in numbered_conversations(files, ShardReport(), part):
            if held_out(file, number, self.seed) is None:
                yield turns

    def streams(self, shuffle_seed: int, part: Optional[tuple[int, int]] = None) -> Iterator[list[Exchange]]:
        """This rank's encoded streams of an epoch, shuffled within the buffer."""
        def encoded() -> Iterator[list[Exchange]]:
            for turns in self.conversations(shuffle_seed, part):
                streams = training_streams([turns], self.vocab, *self.lengths, self.both_sides, self.extended)
                yield from reversed_exchanges(streams) if self.reverse else streams

        return buffered_shuffle(encoded(), self.buffer, random.Random(shuffle_seed + 1), self.seen)

    def sample(self, count: int, shuffle_seed: int) -> list[list[Exchange]]:
        """``count`` streams from the start of an epoch's order (the start state and
        prior contexts are computed over such a sample, not the whole corpus)."""
        return list(itertools.islice(self.streams(shuffle_seed), count))

    def epoch_batches(self, shuffle_seed: int, rows: int, tbptt_turns: int,
                      min_active: float = 0.0) -> Iterator[TurnBatch]:
        """This rank's batches (``rows`` rows) of an epoch. Under torchrun the ranks' streams end
        at different steps, so a rank whose stream has ended feeds idle rows (no tokens, weight
        0) and at the end of every window of ``tbptt_turns`` the ranks agree whether any still
        has data: every rank runs the same optimiser steps and collectives."""
        batches = row_batches(self.streams(shuffle_seed), rows, self.vocab, min_active)
        if not distributed.active():
            yield from batches
            return
        idle = make_turn_batch([None] * rows, [False] * rows, self.vocab, [-1] * rows)
        pending = next(batches, None)
        for turn in itertools.count():
            if turn % tbptt_turns == 0 and not distributed.any_true(pending is not None)[0]:
                return
            if pending is None:
                yield idle
                continue
            yield pending
            pending = next(batches, None)
