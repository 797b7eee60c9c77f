"""The chat model's decoding steps with its weights prepacked, for replies on the CPU.

A decoding step multiplies a few rows (1 for greedy, the beam's width for beam search) by every
weight matrix of the decoder. With plain ``F.linear`` the BLAS library repacks each weight
matrix into its own blocked layout on every call, which for a few rows costs more than the
arithmetic, and costs more the more rows there are. fbgemm's half-precision GEMM takes weights
packed once (stored as float16, computed in float32), so a step reads each matrix once, in half
the bytes (the narrowest layers, where fbgemm's fixed cost per call is more than the arithmetic,
keep float32 for a few rows). The step also computes its tanh's as sigmoids, with the factors
folded into the weights (see below). The results differ from the float32 model by float16
rounding of the weights (about 1e-3 in a log-probability); training and scoring keep the float32
model.

``PackedDecoder`` has the model's ``start_reply`` / ``decode_step`` / ``read_reply`` interface; ``packing_works``
says whether this build of torch can do it (fbgemm is there on x86 builds), so callers fall back
to the model itself elsewhere (:func:`packed_decoder` does), and with the fast paths switched off.
"""
from __future__ import annotations

import functools
from typing import Optional

import torch
import torch.nn.functional as F
from torch import nn

from engine.models.fast import enabled
from engine.models.fast.chat import State, run_steps
from engine.models.fast.lstm import layer_weights


@functools.lru_cache(maxsize=None)
def packing_works() -> bool:
    """True where fbgemm's float16 GEMM is available (x86 CPU builds of torch)."""
    try:
        packed = torch.ops.quantized.linear_prepack_fp16(torch.ones(2, 2), None)
        return bool(torch.ops.quantized.linear_dynamic_fp16(torch.ones(1, 2), packed).sum() > 3.9)
    except (RuntimeError, AttributeError, NotImplementedError):
        return False


def _folded(weight: torch.Tensor, bias: Optional[torch.Tensor], input_scale: float,
            input_shift: float) -> tuple[torch.Tensor, Optional[torch.Tensor]]:
    """The weight and bias of x -> layer(input_scale * x + input_shift), in float32."""
    weight = weight.detach().float()
    bias = None if bias is None else bias.detach().float()
    if input_shift:
        shift = input_shift * weight.sum(dim=1)
        bias = shift if bias is None else bias + shift
    return (input_scale * weight).contiguous(), None if bias is None else bias.contiguous()


# A layer with at most ``NARROW`` outputs, called with at most ``FEW_ROWS`` rows (greedy search, a
# beam), runs as a plain float32 F.linear: fbgemm's call costs about 11 us here whatever the size
# (a 256 -> 16 layer as much as a 256 -> 1,000 one), while F.linear of a few rows by a narrow
# matrix costs 3 to 10 us. With more rows (the samples, the MMI prior's turns) fbgemm is faster.
NARROW = 128
FEW_ROWS = 8


class PackedLinear:
    """y = x W^T + b with W prepacked for fbgemm's float16 GEMM (a plain float32 product for a
    narrow layer and a few rows, see ``NARROW``).

    ``input_scale`` and ``input_shift`` fold an affine map of the input into the weights: the
    layer then computes the original layer of (input_scale * x + input_shift), at no extra cost.
    """

    def __init__(self, weight: torch.Tensor, bias: Optional[torch.Tensor] = None, input_scale: float = 1.0,
                 input_shift: float = 0.0):
        weight, bias = _folded(weight, bias, input_scale, input_shift)
        self.narrow = (weight, bias) if weight.size(0) <= NARROW else None
        self.packed = torch.ops.quantized.linear_prepack_fp16(weight, bias)

    @classmethod
    def of(cls, layer: nn.Linear, input_scale: float = 1.0, input_shift: float = 0.0) -> "PackedLinear":
        return cls(layer.weight, layer.bias, input_scale, input_shift)

    def __call__(self, x: torch.Tensor) -> torch.Tensor:
        if self.narrow is not None and x.size(0) <= FEW_ROWS:
            return F.linear(x, *self.narrow)
        return torch.ops.quantized.linear_dynamic_fp16(x.contiguous(), self.packed)


# tanh(x) = 2 sigmoid(2x) - 1, and on the CPU torch's sigmoid costs a quarter of its tanh (about
# 0.3 against 1.2 ns an element here). Where the 2 can be folded into the weights that make x and
# the "2 s - 1" into the weights that read the result (or dropped, before a softmax), a tanh
# becomes a sigmoid at no other cost.


class PackedLSTMCell:
    """One layer of an ``nn.LSTM``, one step: both of its products as one packed product on
    [x, h]. Gates in PyTorch's order i, f, g, o: c' = f*c + i*g, h' = o*tanh(c').

    The g rows of the product are doubled, so one sigmoid serves all four gates: tanh(g) = 2
    sigmoid(2g) - 1, and i * tanh(g) = 2 i sigmoid(2g) - i."""

    def __init__(self, lstm: nn.LSTM, layer: int):
        w_ih, w_hh, bias = layer_weights(lstm, layer)
        weight = torch.cat([w_ih, w_hh], dim=1)
        hidden = lstm.hidden_size
        doubled = torch.ones(4 * hidden, 1)
        doubled[2 * hidden:3 * hidden] = 2.0
        self.gates = PackedLinear(weight * doubled, bias * doubled.squeeze(1))

    def __call__(self, x: torch.Tensor, h: torch.Tensor, c: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        i, f, g, o = torch.sigmoid(self.gates(torch.cat([x, h], dim=1))).chunk(4, dim=1)
        c = torch.addcmul(f * c, i, g, value=2.0).sub_(i)
        return o * torch.tanh(c), c


class PackedOutput:
    """Full log-probabilities of the output layer: a plain softmax, or the adaptive softmax's
    head (shortlist words, then one entry per cluster) and each cluster's two-layer tail, where a
    rare word's log-probability is its cluster's plus its own within the cluster. ``input_scale``
    and ``input_shift`` as for :class:`PackedLinear`: the layer reads (input_scale * x + input_shift)."""

    def __init__(self, output: nn.Module, input_scale: float = 1.0, input_shift: float = 0.0):
        fold = dict(input_scale=input_scale, input_shift=input_shift)
        if not isinstance(output, nn.AdaptiveLogSoftmaxWithLoss):  # seq2seq.FullSoftmax
            self.head, self.tails, self.shortlist = PackedLinear.of(output.proj, **fold), [], None
            return
        self.head = PackedLinear.of(output.head, **fold)
        self.shortlist = output.shortlist_size
        self.tails = [(PackedLinear.of(tail[0], **fold), PackedLinear.of(tail[1])) for tail in output.tail]

    def log_prob(self, features: torch.Tensor) -> torch.Tensor:
        head = torch.log_softmax(self.head(features), dim=1)
        if self.shortlist is None:
            return head
        parts = [head[:, :self.shortlist]]
        for index, (down, up) in enumerate(self.tails):
            parts.append(torch.log_softmax(up(down(features)), dim=1).add_(head[:, self.shortlist + index, None]))
        return torch.cat(parts, dim=1)


class PackedDecoder:
    """``Seq2Seq.start_reply``, ``decode_step`` and ``read_reply`` over prepacked copies of the
    model's weights (taken when it is made: make a new one after the weights change)."""

    def __init__(self, model: nn.Module):
        self.model = model
        layers = range(model.config.num_layers)
        self.encoder = [PackedLSTMCell(model.encoder, layer) for layer in layers]
        self.decoder = [PackedLSTMCell(model.decoder, layer) for layer in layers]
        # The attention's energy tanh(keys + q) and the attentional output tanh(combine(...)) as
        # sigmoids (see above): the query and combining layers are doubled; the scores v . (2
        # sigmoid(2 (keys + q)) - 1) lose the -1 (the same for every key: the softmax is unchanged)
        # and the output layer reads 2 s - 1.
        self.query = PackedLinear(2.0 * model.attention.query_proj.weight)
        self.score = 2.0 * model.attention.score.weight.detach().squeeze(0)  # (attention,)
        self.combine = PackedLinear(2.0 * model.combine.weight, 2.0 * model.combine.bias)
        self.output = PackedOutput(model.output, input_scale=2.0, input_shift=-1.0)

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
        energy = torch.sigmoid(torch.add(self.query(x).unsqueeze(1), keys, alpha=2.0))  # (N, S, A)
        scores = torch.matmul(energy, self.score)  # (N, S)
        if pad_mask is not None:
            scores = scores.masked_fill(pad_mask, float("-inf"))
        weights = torch.softmax(scores, dim=-1)
        if enc_outputs.size(0) == 1:
            context = torch.matmul(weights, enc_outputs.squeeze(0))  # (N, hidden)
        else:
            context = torch.bmm(weights.unsqueeze(1), enc_outputs).squeeze(1)
        features = torch.sigmoid(self.combine(torch.cat([x, context], dim=1)))  # (tanh + 1) / 2
        return self.output.log_prob(features), weights, state


def packed_decoder(model: nn.Module, device: torch.device) -> Optional[PackedDecoder]:
    """A PackedDecoder for a chat model (``Seq2Seq``) on the CPU where packing works and the fast
    paths are on; None otherwise."""
    if not enabled() or device.type != "cpu" or not packing_works():
        return None
    return PackedDecoder(model)
