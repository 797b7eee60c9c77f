"""The memory model's reply steps over prepacked weights, for replies on the CPU.

:class:`PackedMemoryDecoder` is to :class:`engine.models.memory_chat.MemoryChat` what
:class:`.decoder.PackedDecoder` is to the turn-only model: the LSTM cells, the combining layer and
the output layer run over weights packed once for fbgemm's float16 GEMM (see :mod:`.decoder` for
why that is faster for the few rows of a search), and the combining layer's tanh runs as a sigmoid
with its factors folded into the weights. The memory's attention (one small product with the
keys, which are computed once per memory entry), the copy gate and the pointer-generator mixture
are the model's own. Reading the chosen reply (which updates the state and the memory for the next
turn, and explains the reply) stays with the model.
"""
from __future__ import annotations

import math
from typing import Optional

import torch
from torch import nn

from engine.models.fast.decoder import PackedDecoder, PackedLinear, PackedLSTMCell, PackedOutput, packing_works
from engine.models.fast import enabled
from engine.models.fast.chat import run_steps


class PackedMemoryDecoder:
    """``MemoryChat.start_reply`` and ``decode_step`` over prepacked copies of the model's weights
    (taken when it is made: make a new one after the weights change); ``read_reply`` and
    ``read_and_explain`` are the model's."""

    def __init__(self, model: nn.Module):
        self.model = model
        layers = range(model.config.num_layers)
        self.encoder = [PackedLSTMCell(model.encoder, layer) for layer in layers]
        self.decoder = [PackedLSTMCell(model.decoder, layer) for layer in layers]
        self.query = PackedLinear(model.query_proj.weight / math.sqrt(model.config.attention_size))
        # features = tanh(combine(...)) = 2 sigmoid(2 combine(...)) - 1: the 2 inside is folded into
        # the combining layer, the "2 s - 1" into the output layer, which reads s.
        self.combine = PackedLinear(2.0 * model.combine.weight, 2.0 * model.combine.bias)
        self.output = PackedOutput(model.output, input_scale=2.0, input_shift=-1.0)
        self.read_reply = model.read_reply
        self.read_and_explain = model.read_and_explain

    def _run(self, cells, inputs: torch.Tensor, state):
        return run_steps(lambda x, s: PackedDecoder._step(cells, x, s), inputs, state)

    @torch.inference_mode()
    def start_reply(self, source: torch.Tensor, state, knowledge=None):
        """As ``MemoryChat.start_reply``: read one user turn (batch 1, extended ids) into the memory."""
        model = self.model
        encoded, (h, c) = self._run(self.encoder, model.embedding(model.vocab_ids(source)), (state.h, state.c))
        return model.reply_memory(state, encoded, source, knowledge), (h, c)

    @torch.inference_mode()
    def decode_step(self, tokens: torch.Tensor, state, memory):
        """As ``MemoryChat.decode_step``: log-probs (N, vocab + k), attention (N, length), state."""
        model = self.model
        memory, keys = memory[:2]
        input_ids = model.vocab_ids(tokens)
        embedded = model.embedding(input_ids)
        x, state = PackedDecoder._step(self.decoder, embedded, state)
        queries = self.query(x)  # (N, attention), already divided by sqrt(attention)
        if keys.size(0) == 1:  # one memory shared by the N hypotheses
            scores = torch.matmul(queries, keys[0].to(queries.dtype).t())
            values = memory.values[0].to(queries.dtype)
        else:
            scores = torch.bmm(queries.unsqueeze(1), keys.to(queries.dtype).transpose(1, 2)).squeeze(1)
            values = memory.values.to(queries.dtype)
        weights = torch.softmax(scores.masked_fill(~memory.real, float("-inf")), dim=-1)
        context = weights @ values if values.dim() == 2 else torch.bmm(weights.unsqueeze(1), values).squeeze(1)
        features = torch.sigmoid(self.combine(torch.cat([x, context], dim=1)))  # (tanh + 1) / 2
        gate = model.copy_gate(torch.cat([context, x, embedded], dim=1)).squeeze(1).float()
        return model.mix(self.output.log_prob(features), gate, weights, memory.ids), weights, state


def packed_memory_decoder(model: nn.Module, device: torch.device) -> Optional[PackedMemoryDecoder]:
    """A PackedMemoryDecoder for a memory model on the CPU where packing works and the fast paths
    are on; None otherwise."""
    if not enabled() or device.type != "cpu" or not packing_works():
        return None
    return PackedMemoryDecoder(model)
