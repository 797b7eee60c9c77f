"""The chat network's fast CPU paths, behind one switch.

The readable model is :mod:`engine.models.seq2seq` (and :mod:`engine.models.memory_chat`, which
extends it): ``nn.LSTM`` over packed sequences, additive attention over padded tensors, decoding
one step at a time. The modules here compute the same things faster, and the model hands its work
to them in one place each while :func:`enabled` is true:

- :mod:`.lstm`: an LSTM layer with a hand-written backward pass for training on the CPU, and the
  recurrence over token ids for scoring without gradients; padding packed outputs in one operation.
- :mod:`.attention`: additive attention over the real (query, key) pairs of a packed batch only,
  and over sources shared by many queries.
- :mod:`.chat`: the model's teacher-forced decoder over packed positions, and decoding steps on
  the fused LSTM cell.
- :mod:`.decoder`: replies on the CPU over prepacked float16 weights (:class:`.decoder.PackedDecoder`).

Each path also checks that it applies (the LSTM layer runs on the CPU with gradients wanted, the
prepacked decoder where fbgemm is there) and runs the module it stands in for otherwise. With the
switch off every model runs its reference code, which gives the same results within float
rounding (``tests/engine/test_fast_paths.py`` compares them).

The switch: on, unless the environment sets ``CHATAPP_REFERENCE_LSTM=1`` or the code runs inside
``with use_reference():``. It is process-wide and read on each call, except by a chat predictor,
which chooses its decoding steps (prepacked or the model's) when it is made.
"""
from __future__ import annotations

import contextlib
import os
from typing import Iterator

ENVIRONMENT_VARIABLE = "CHATAPP_REFERENCE_LSTM"  # "1": every model runs its reference code
_reference_blocks = 0  # how many ``use_reference()`` blocks are open


def enabled() -> bool:
    """Whether the fast paths run (where they apply)."""
    return _reference_blocks == 0 and os.environ.get(ENVIRONMENT_VARIABLE, "0").strip() in ("", "0")


@contextlib.contextmanager
def use_reference() -> Iterator[None]:
    """Inside the block, every model runs its readable reference code (the whole process)."""
    global _reference_blocks
    _reference_blocks += 1
    try:
        yield
    finally:
        _reference_blocks -= 1
