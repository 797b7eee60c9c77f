"""The chat model's decoding steps with its weights prepacked, for replies on the CPU.

A decoding step multiplies a few rows (1 for greedy, the beam's width for beam search) by every
weight matrix of the decoder. With plain ``F.linear`` the BLAS library repacks each weight
matrix into its own blocked layout on every call, which for a few rows costs more than the
arithmetic, and costs more the more rows there are. fbgemm's half-precision GEMM takes weights
packed once (stored as float16, computed in float32), so a step reads each matrix once, in half
the bytes. The results differ from the float32 model by float16 rounding of the weights (about
1e-3 in a log-probability); training and scoring keep the float32 model.

``PackedDecoder`` has the model's ``start_reply`` / ``decode_step`` / ``read_reply`` interface; ``packing_works``
says whether this build of torch can do it (fbgemm is there on x86 builds), so callers fall back
to the model itself elsewhere.
"""
from __future__ import annotations

import functools
from typing import Optional

import torch
from torch import nn

from engine.models.seq2seq import FullSoftmax, Seq2Seq, State, run_steps


@functools.lru_cache(maxsize=None)
def packing_works() -> bool:
    """True where fbgemm's float16 GEMM is available (x86 CPU builds of torch)."""
    try:
        packed = torch.ops.quantized.linear_prepack_fp16(torch.ones(2, 2), None)
        return bool(torch.ops.quantized.linear_dynamic_fp16(torch.ones(1, 2), packed).sum() > 3.9)
    except (RuntimeError, AttributeError, NotImplementedError):
        return False


class PackedLinear:
    """y = x W^T + b with W prepacked for fbgemm's float16 GEMM."""

    def __init__(self, weight: torch.Tensor, bias: Optional[torch.Tensor] = None):
        weight = weight.detach().float().contiguous()
        self.out_features = weight.size(0)
        self.packed = torch.ops.quantized.linear_prepack_fp16(
            weight, None if bias is None else bias.detach().float().contiguous())

    @classmethod
    def of(cls, layer: nn.Linear) -> "PackedLinear":
        return cls(layer.weight, layer.bias)

    def __call__(self, x: torch.Tensor) -> torch.Tensor:
        return torch.ops.quantized.linear_dynamic_fp16(x.contiguous(), self.packed)


class PackedLSTMCell:
    """One layer of an ``nn.LSTM``, one step: both of its products as one packed product on
    [x, h]. Gates in PyTorch's order i, f, g, o: c' = f*c + i*g, h' = o*tanh(c')."""

    def __init__(self, lstm: nn.LSTM, layer: int):
        w_ih, w_hh = getattr(lstm, f"weight_ih_l{layer}"), getattr(lstm, f"weight_hh_l{layer}")
        bias = getattr(lstm, f"bias_ih_l{layer}") + getattr(lstm, f"bias_hh_l{layer}")
        self.gates = PackedLinear(torch.cat([w_ih, w_hh], dim=1), bias)

    def __call__(self, x: torch.Tensor, h: torch.Tensor, c: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        i, f, g, o = self.gates(torch.cat([x, h], dim=1)).chunk(4, dim=1)
        c = torch.sigmoid(f) * c + torch.sigmoid(i) * torch.tanh(g)
        return torch.sigmoid(o) * torch.tanh(c), c


class PackedOutput:
    """Full log-probabilities of the output layer: a plain softmax, or the adaptive softmax's
    head (shortlist words, then one entry per cluster) and each cluster's two-layer tail, where a
    rare word's log-probability is its cluster's plus its own within the cluster."""

    def __init__(self, output: nn.Module):
        if isinstance(output, FullSoftmax):
            self.head, self.tails, self.shortlist = PackedLinear.of(output.proj), [], None
            return
        self.head = PackedLinear.of(output.head)
        self.shortlist = output.shortlist_size
        self.tails = [(PackedLinear.of(tail[0]), PackedLinear.of(tail[1])) for tail in output.tail]

    def log_prob(self, features: torch.Tensor) -> torch.Tensor:
        head = torch.log_softmax(self.head(features), dim=1)
        if self.shortlist is None:
            return head
        parts = [head[:, :self.shortlist]]
        for index, (down, up) in enumerate(self.tails):
            parts.append(torch.log_softmax(up(down(features)), dim=1) + head[:, self.shortlist + index, None])
        return torch.cat(parts, dim=1)


class PackedDecoder:
    """``Seq2Seq.start_reply``, ``decode_step`` and ``read_reply`` over prepacked copies of the
    model's weights (taken when it is made: make a new one after the weights change)."""

    def __init__(self, model: Seq2Seq):
        self.model = model
        layers = range(model.config.num_layers)
        self.encoder = [PackedLSTMCell(model.encoder, layer) for layer in layers]
        self.decoder = [PackedLSTMCell(model.decoder, layer) for layer in layers]
        self.query = PackedLinear.of(model.attention.query_proj)
        self.score = model.attention.score.weight.detach().squeeze(0)  # (attention,)
        self.combine = PackedLinear.of(model.combine)
        self.output = PackedOutput(model.output)

    @staticmethod
    def _step(cells: list[PackedLSTMCell], x: torch.Tensor, state: State) -> tuple[torch.Tensor, State]:
        h, c = state
        hs, cs = [], []
        for layer, cell in enumerate(cells):
            x, c_l = cell(x, h[layer], c[layer])
            hs.append(x)
            cs.append(c_l)
        return x, (torch.stack(hs), torch.stack(cs))

    def _run(self, cells: list[PackedLSTMCell], inputs: torch.Tensor, state: State) -> tuple[torch.Tensor, State]:
        """inputs (1, T, input) step by step -> top layer's outputs (1, T, hidden), state."""
        return run_steps(lambda x, s: self._step(cells, x, s), inputs, state)

    @torch.inference_mode()
    def start_reply(self, source: torch.Tensor, state: State):
        """As ``Seq2Seq.start_reply``: encode one turn (batch 1)."""
        enc_outputs, state = self._run(self.encoder, self.model.embedding(source), state)
        return (enc_outputs, self.model.attention.project_keys(enc_outputs), None), state

    @torch.inference_mode()
    def read_reply(self, reply_ids: list[int], state: State, sos_id: int) -> State:
        """As ``Seq2Seq.read_reply``: the decoder reads a chosen reply."""
        tokens = torch.tensor([[sos_id] + reply_ids], device=state[0].device)
        return self._run(self.decoder, self.model.embedding(tokens), state)[1]

    @torch.inference_mode()
    def decode_step(self, tokens: torch.Tensor, state: State, memory):
        """As ``Seq2Seq.decode_step``: log-probs (N, vocab), attention (N, src_len), state."""
        x, state = self._step(self.decoder, self.model.embedding(tokens), state)
        enc_outputs, keys, pad_mask = memory  # batch 1 (shared by the N hypotheses) or N
        energy = torch.tanh(keys + self.query(x).unsqueeze(1))  # (N, S, A)
        scores = torch.matmul(energy, self.score)  # (N, S)
        if pad_mask is not None:
            scores = scores.masked_fill(pad_mask, float("-inf"))
        weights = torch.softmax(scores, dim=-1)
        if enc_outputs.size(0) == 1:
            context = torch.matmul(weights, enc_outputs.squeeze(0))  # (N, hidden)
        else:
            context = torch.bmm(weights.unsqueeze(1), enc_outputs).squeeze(1)
        features = torch.tanh(self.combine(torch.cat([x, context], dim=1)))
        return self.output.log_prob(features), weights, state


def packed_decoder(model: Seq2Seq, device: torch.device) -> Optional[PackedDecoder]:
    """A PackedDecoder for a model on the CPU where packing works; None otherwise."""
    if device.type != "cpu" or not packing_works():
        return None
    return PackedDecoder(model)

