"""A character-level language model: an LSTM, or a plain tanh RNN of the same size for comparison.

    x_t = E[c_t];  h_t = LSTM(x_t, h_{t-1}, c_{t-1})  (or tanh(W_ih x_t + W_hh h_{t-1} + b));
    p(c_{t+1} | c_<=t) = softmax(W_out dropout(h_t) + b_out)

The one-to-many model of the lecture: trained on raw text, it writes text one character at a time.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple, Optional

import torch
from torch import nn

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

    @torch.inference_mode()
    def step(self, tokens: torch.Tensor, state: State) -> tuple[torch.Tensor, State]:
        """One character per row: tokens (batch,) -> next-character log-probabilities (batch, vocab)."""
        out = self.forward(tokens.unsqueeze(1), state)
        return torch.log_softmax(out.logits[:, -1].float(), dim=-1), out.state


def detach(state: State) -> State:
    """The state as values: the next window's backward pass stops here (truncated BPTT)."""
    return tuple(part.detach() for part in state)


def reorder(state: State, rows: torch.Tensor) -> State:
    return tuple(part.index_select(1, rows) for part in state)


def count_parameters(model: nn.Module) -> int:
    return sum(p.numel() for p in model.parameters())
