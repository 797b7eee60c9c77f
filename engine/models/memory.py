"""The conversation memory that the chat model's decoder attends over and copies from.

For every row of a batch (a conversation) the memory holds one entry per token said so far, up
to a bound: the encoder's outputs over the user's turns and the decoder's outputs over the bot's
own replies, in the order they were said. Each entry keeps

- its value: the LSTM output at that token (what attention reads), and its key: the value
  projected by the model's key layer, computed once when the entry is added,
- its word's id: a vocabulary id, or an *extended* id (vocabulary size + k) for the conversation's
  k-th word outside the vocabulary, so that the copy path can say it back with its own spelling,
- its turn number in the conversation (user turns 0, 2, 4, ..., bot turns 1, 3, ...), from which
  the model computes each entry's distance in turns and its speaker.

Entries are kept left-padded (empty slots first, then the real entries oldest first), so that the
oldest entries are the ones a bound drops. An empty slot has id 0 (``<pad>``).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import torch


@dataclass(frozen=True)
class Memory:
    values: torch.Tensor  # (batch, length, hidden)
    keys: torch.Tensor  # (batch, length, attention): the values projected, without distance and speaker
    ids: torch.Tensor  # (batch, length) long: vocabulary or extended ids, 0 at empty slots
    turns: torch.Tensor  # (batch, length) long: the turn number each entry was said in

    @classmethod
    def empty(cls, batch: int, hidden: int, key_size: int, device: torch.device | None = None,
              dtype: torch.dtype = torch.float32) -> "Memory":
        return cls(torch.zeros(batch, 0, hidden, device=device, dtype=dtype),
                   torch.zeros(batch, 0, key_size, device=device, dtype=dtype),
                   torch.zeros(batch, 0, dtype=torch.long, device=device),
                   torch.zeros(batch, 0, dtype=torch.long, device=device))

    @property
    def real(self) -> torch.Tensor:
        """(batch, length) bool: the slots that hold an entry."""
        return self.ids.ne(0)

    def __len__(self) -> int:
        return self.ids.size(1)

    def append(self, values: torch.Tensor, keys: torch.Tensor, ids: torch.Tensor, turns: torch.Tensor,
               bound: int) -> "Memory":
        """Add a turn's tokens (values (batch, n, hidden), keys (batch, n, attention), ids (batch,
        n) with 0 at padding, said in turn ``turns`` (batch,)) after each row's entries, then keep
        each row's newest ``bound``."""
        if ids.size(1) == 0:
            return self
        turn_ids = turns.view(-1, 1).expand_as(ids)
        joined = Memory(torch.cat([self.values, values.to(self.values.dtype)], 1),
                        torch.cat([self.keys, keys.to(self.keys.dtype)], 1), torch.cat([self.ids, ids], 1),
                        torch.cat([self.turns, turn_ids], 1))
        return joined.compact(bound)

    def compact(self, bound: int) -> "Memory":
        """Each row's real entries moved to the right end in their order, the empty slots before
        them, and only the newest ``bound`` kept (the width is the fullest row's, at most ``bound``)."""
        real = self.real
        width = min(bound, int(real.sum(1).max())) if real.numel() else 0
        # A stable sort on "is real" puts the empty slots first and keeps the entries' order.
        order = torch.argsort(real.to(torch.int32), dim=1, stable=True)[:, real.size(1) - width:]
        return Memory(_take(self.values, order), _take(self.keys, order),
                      self.ids.gather(1, order), self.turns.gather(1, order))

    def clear_rows(self, rows: torch.Tensor) -> "Memory":
        """Forget the memory of ``rows`` (batch,) bool: conversations that start anew."""
        return Memory(self.values, self.keys, self.ids.masked_fill(rows.view(-1, 1), 0), self.turns)

    def detach(self) -> "Memory":
        """Cut the gradient into earlier windows of truncated BPTT (entries are kept)."""
        return Memory(self.values.detach(), self.keys.detach(), self.ids, self.turns)

    def select(self, rows: torch.Tensor) -> "Memory":
        return Memory(self.values.index_select(0, rows), self.keys.index_select(0, rows),
                      self.ids.index_select(0, rows), self.turns.index_select(0, rows))

    def to(self, device: torch.device) -> "Memory":
        return Memory(self.values.to(device), self.keys.to(device), self.ids.to(device), self.turns.to(device))


def _take(rows: torch.Tensor, order: torch.Tensor) -> torch.Tensor:
    """``rows`` (batch, length, size) at ``order`` (batch, width) along the length: the same as a
    gather with ``order`` expanded over ``size``, but one index per entry rather than one per
    number (the gather's backward scattered into every number; this one adds whole rows)."""
    batch, length = rows.shape[:2]
    flat = (order + torch.arange(batch, device=order.device).view(-1, 1) * length).reshape(-1)
    return rows.reshape(batch * length, -1).index_select(0, flat).view(batch, order.size(1), -1)


class MemoryState(NamedTuple):
    """A conversation's state for the memory model: the LSTM state as ever, its memory, and the
    number of exchanges said (the next user turn is turn ``2 * exchanges``)."""

    h: torch.Tensor  # (layers, batch, hidden)
    c: torch.Tensor
    memory: Memory
    exchanges: torch.Tensor  # (batch,) long
