"""Deterministic train/valid/test splits by conversation (no torch, so data tools stay light).

Every corpus is split the same way: the conversations (or groups of them that must stay together)
are shuffled with a fixed seed and cut into valid, test and train, in that order. The chitchat
split that every published figure refers to (train 3,695 / valid 161 / test 161, seed 1234) is
this function with its default shares; changing it would make every figure incomparable.
"""
from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Hashable, Sequence

Conversation = list[str]


@dataclass
class Splits:
    train: list[Conversation]
    valid: list[Conversation]
    test: list[Conversation]

    def sizes(self) -> dict[str, int]:
        return {"train": len(self.train), "valid": len(self.valid), "test": len(self.test)}


def split(conversations: Sequence[Conversation], seed: int = 1234, valid_share: float = 0.04,
          test_share: float = 0.04) -> Splits:
    """Split by conversation with a fixed seed, so no conversation is in two splits."""
    order = list(range(len(conversations)))
    random.Random(seed).shuffle(order)
    n_valid = max(1, round(len(order) * valid_share))
    n_test = max(1, round(len(order) * test_share))
    pick = lambda idx: [conversations[i] for i in idx]  # noqa: E731
    return Splits(pick(order[n_valid + n_test:]), pick(order[:n_valid]), pick(order[n_valid:n_valid + n_test]))


def split_groups(conversations: Sequence[Conversation], groups: Sequence[Hashable], seed: int = 1234,
                 valid_share: float = 0.04, test_share: float = 0.04) -> Splits:
    """Split so that conversations with the same group key land in the same split.

    The groups (in order of first appearance) are split as :func:`split` splits conversations,
    so the shares count groups, not conversations. With one group per conversation this is
    exactly :func:`split`.
    """
    if len(groups) != len(conversations):
        raise ValueError(f"{len(groups)} group keys for {len(conversations)} conversations")
    members: dict[Hashable, list[int]] = {}
    for index, key in enumerate(groups):
        members.setdefault(key, []).append(index)
    keys = [[key] for key in members]  # split() shuffles "conversations": here, one-key lists
    by_group = split(keys, seed, valid_share, test_share)
    gather = lambda part: [conversations[i] for (key,) in part for i in members[key]]  # noqa: E731
    return Splits(gather(by_group.train), gather(by_group.valid), gather(by_group.test))
