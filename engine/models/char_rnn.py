"""A character-level language model: an LSTM, or a plain tanh RNN of the same size for comparison.

    x_t = E[c_t];  h_t = LSTM(x_t, h_{t-1}, c_{t-1})  (or tanh(W_ih x_t + W_hh h_{t-1} + b));
    p(c_{t+1} | c_<=t) = softmax(W_out dropout(h_t) + b_out)

The one-to-many model of the lecture: trained on raw text, it writes text one character at a time.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, NamedTuple, Optional

import torch
from torch import nn
from torch.nn import functional as F

from engine.models import fast
from engine.models.fast.decoder import PackedLinear, packing_works
from engine.models.fast.lstm import layer_weights

State = tuple[torch.Tensor, ...]  # LSTM: (h, c); RNN: (h,); each (num_layers, batch, hidden)
CELLS = ("lstm", "rnn")


@dataclass(frozen=True)
class CharRNNConfig:
    vocab_size: int  # characters, <unk> included
    cell: str = "lstm"  # "lstm", or "rnn" for a plain tanh RNN of the same sizes
    embedding_size: int = 64  # size of a character's embedding
    hidden_size: int = 512  # units per layer (h, and c for the LSTM)
    num_layers: int = 2  # stacked recurrent layers
    dropout: float = 0.2  # between layers and before the output layer, in training
    forget_bias: float = 1.0  # added to the forget gates' bias at init, so the cell starts remembering (Gers et al. 2000)

    def __post_init__(self) -> None:
        if self.cell not in CELLS:
            raise ValueError(f"unknown cell {self.cell!r}: choose lstm or rnn")
        if min(self.vocab_size, self.embedding_size, self.hidden_size, self.num_layers) < 1:
            raise ValueError("vocabulary, embedding, hidden size and layers must be at least 1")
        if not 0 <= self.dropout < 1:
            raise ValueError("dropout must be in [0, 1)")


class CharOutput(NamedTuple):
    logits: torch.Tensor  # (batch, length, vocab)
    loss: Optional[torch.Tensor]  # mean negative log-likelihood per target character, if targets were given
    state: State  # the state after the last character


class CharRNN(nn.Module):
    def __init__(self, config: CharRNNConfig):
        super().__init__()
        self.config = config
        self.embedding = nn.Embedding(config.vocab_size, config.embedding_size)
        between = config.dropout if config.num_layers > 1 else 0.0
        recurrent = nn.LSTM if config.cell == "lstm" else nn.RNN
        self.rnn = recurrent(config.embedding_size, config.hidden_size, config.num_layers,
                             batch_first=True, dropout=between)
        self.dropout = nn.Dropout(config.dropout)
        self.output = nn.Linear(config.hidden_size, config.vocab_size)
        self._step_cache: tuple = ((), [])  # (weights' versions, per layer ([W_ih | W_hh]^T, bias)); see step
        if config.cell == "lstm" and config.forget_bias:
            hidden = config.hidden_size
            with torch.no_grad():  # PyTorch orders the gates (i, f, g, o)
                for layer in range(config.num_layers):
                    getattr(self.rnn, f"bias_ih_l{layer}")[hidden:2 * hidden] += config.forget_bias

    @property
    def is_lstm(self) -> bool:
        return self.config.cell == "lstm"

    def initial_state(self, batch_size: int, device: torch.device | str = "cpu") -> State:
        zeros = torch.zeros(self.config.num_layers, batch_size, self.config.hidden_size, device=device)
        return (zeros, zeros.clone()) if self.is_lstm else (zeros,)

    def forward(self, tokens: torch.Tensor, state: Optional[State] = None,
                targets: Optional[torch.Tensor] = None) -> CharOutput:
        """tokens, targets: (batch, length) ids; state: see :data:`State` (None: zeros)."""
        if state is None:
            state = self.initial_state(tokens.size(0), tokens.device)
        hidden, new_state = self.rnn(self.embedding(tokens), state if self.is_lstm else state[0])
        logits = self.output(self.dropout(hidden))  # (batch, length, vocab)
        new_state = tuple(new_state) if self.is_lstm else (new_state,)
        loss = None
        if targets is not None:
            loss = nn.functional.cross_entropy(logits.reshape(-1, logits.size(-1)).float(), targets.reshape(-1))
        return CharOutput(logits, loss, new_state)

    def _step_layers(self) -> list[Callable[[torch.Tensor], torch.Tensor]]:
        """Per layer, then the output layer: x -> x [W_ih | W_hh]^T + b (the output layer: W_out x + b).
        Made again only when a weight has changed since (training bumps the tensors' versions) or the
        fast paths were switched. Where fbgemm is there and the fast paths are on, the weights are
        packed once as float16 (``engine.models.fast.decoder``):
        a step reads them in half the bytes and without the BLAS library's packing on each call."""
        if not self._step_cache[0]:
            self._step_params = list(self.parameters())  # listing them each step cost as much as a layer
        key = (fast.enabled(), *(p._version for p in self._step_params))
        if self._step_cache[0] != key:
            layers = []
            for layer in range(self.config.num_layers):
                w_ih, w_hh, bias = layer_weights(self.rnn, layer)
                layers.append(_linear(torch.cat([w_ih, w_hh], dim=1).detach(), bias.detach()))
            layers.append(_linear(self.output.weight.detach(), self.output.bias.detach()))
            self._step_cache = (key, layers)
        return self._step_cache[1]

    @torch.inference_mode()
    def step(self, tokens: torch.Tensor, state: State) -> tuple[torch.Tensor, State]:
        """One character per row: tokens (batch,) -> next-character log-probabilities (batch, vocab).

        The same arithmetic as ``forward`` in eval mode, written out (float16-rounded weights
        where fbgemm packs them: log-probabilities within about 1e-3): on the CPU a one-step
        call of ``nn.LSTM`` re-packs every weight for oneDNN first, 74 ms a character for the
        shipped model on the loaded machine."""
        x = self.embedding(tokens)  # (batch, embedding)
        hs, cs = [], []
        *recurrent, output = self._step_layers()
        for layer, project in enumerate(recurrent):
            pre = project(torch.cat([x, state[0][layer]], dim=1))  # (batch, gates)
            x, c, _ = cell_step(pre, state[1][layer] if self.is_lstm else None)
            hs.append(x)
            if c is not None:
                cs.append(c)
        new_state = (torch.stack(hs), torch.stack(cs)) if self.is_lstm else (torch.stack(hs),)
        return torch.log_softmax(output(x).float(), dim=-1), new_state


def cell_step(pre: torch.Tensor, c: Optional[torch.Tensor]) -> tuple[torch.Tensor, Optional[torch.Tensor],
                                                                   Optional[tuple[torch.Tensor, ...]]]:
    """One step of a layer from its pre-activations W_ih x + W_hh h + b (..., 4 * hidden) and the
    cell ``c`` (..., hidden): (h, c, the gates i, f, g, o). A plain RNN (``c`` None) gives
    (tanh(pre), None, None). PyTorch orders the gates i, f, g, o."""
    if c is None:
        return torch.tanh(pre), None, None
    i, f, g, o = pre.chunk(4, dim=-1)
    i, f, g, o = torch.sigmoid(i), torch.sigmoid(f), torch.tanh(g), torch.sigmoid(o)
    c = f * c + i * g
    return o * torch.tanh(c), c, (i, f, g, o)


def _linear(weight: torch.Tensor, bias: torch.Tensor) -> Callable[[torch.Tensor], torch.Tensor]:
    """x -> x W^T + b: packed as float16 for fbgemm where it is there (CPU), else float32."""
    if weight.device.type == "cpu" and packing_works() and fast.enabled():
        return PackedLinear(weight, bias)
    return lambda x: F.linear(x, weight, bias)


def detach(state: State) -> State:
    """The state as values: the next window's backward pass stops here (truncated BPTT)."""
    return tuple(part.detach() for part in state)


def reorder(state: State, rows: torch.Tensor) -> State:
    return tuple(part.index_select(1, rows) for part in state)


def count_parameters(model: nn.Module) -> int:
    return sum(p.numel() for p in model.parameters())
