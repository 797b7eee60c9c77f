"""What the chat model (:class:`engine.models.seq2seq.Seq2Seq`) hands over to while the fast
paths are on: its LSTMs over packed batches, its teacher-forced decoder over the real reply
positions only, and its decoding steps on the fused LSTM cell.

Each function computes what the model's reference code computes (tests compare them):

- :func:`run_lstm`: ``nn.LSTM`` over a packed batch, padded, in training on the hand-written
  layer (:func:`.lstm.lstm_forward`) and in scoring over token ids (:func:`.lstm.lstm_over_tokens`).
- :func:`decode_replies`: attention, the combining layer and dropout at the real reply positions
  only, taken straight from the packed outputs; in a teacher-forced batch most positions of the
  padded layout are padding.
- :func:`cell_step`: one step of every layer with ``torch.lstm_cell``: at inference a whole
  ``nn.LSTM`` call costs several times more than the arithmetic of one step (it sets up a
  sequence kernel each time).
"""
from __future__ import annotations

from typing import Callable, Optional

import torch
from torch import nn
from torch.nn.utils.rnn import PackedSequence, pack_padded_sequence

from engine.models.fast.attention import grouped, packed_weights
from engine.models.fast.lstm import lstm_forward, lstm_over_tokens, pad_packed, padded_positions

State = tuple[torch.Tensor, torch.Tensor]  # (h, c), each (num_layers, batch, hidden_size)


def run_lstm_packed(model: nn.Module, lstm: nn.LSTM, tokens: torch.Tensor, lengths: torch.Tensor,
                    state: State) -> tuple[PackedSequence, State]:
    """``lstm`` over the real tokens of a padded batch (batch, T), packed, then embedded by the
    model (with its dropout): padding is neither looked up nor dropped out. Scoring without
    gradients goes over the token ids, which projects each distinct token once."""
    packed = pack_padded_sequence(tokens, lengths.cpu(), batch_first=True, enforce_sorted=False)
    if model.training or torch.is_grad_enabled():
        return lstm_forward(lstm, packed._replace(data=model.dropout(model.embedding(packed.data))), state)
    return lstm_over_tokens(lstm, model.embedding, packed, state)


def run_lstm(model: nn.Module, lstm: nn.LSTM, tokens: torch.Tensor, lengths: torch.Tensor,
             state: State) -> tuple[torch.Tensor, State]:
    """As ``Seq2Seq._run_lstm``: outputs (batch, T, hidden), 0 at padding, and the state."""
    packed, state = run_lstm_packed(model, lstm, tokens, lengths, state)
    return pad_packed(packed, tokens.size(0), tokens.size(1)), state


def decode_replies(model: nn.Module, memory, state: State, reply_input: torch.Tensor,
                   reply_lengths: torch.Tensor, memory_rows: Optional[torch.Tensor] = None):
    """As ``Seq2Seq.decode_replies`` before the loss: features (batch, T, embedding) and
    attention weights (batch, T, src_len), both 0 at padding positions, and the state."""
    enc_outputs, keys, pad_mask = memory
    dec_outputs, state = run_lstm_packed(model, model.decoder, reply_input, reply_lengths, state)
    batch, length = reply_input.shape
    # Each real reply position, row by row (each row's steps in order), from the packed outputs.
    positions, order = padded_positions(dec_outputs, length).sort()
    rows, steps = positions // length, positions % length
    queries = dec_outputs.data.index_select(0, order)  # (n, hidden)
    if memory_rows is None:
        real_weights = packed_weights(model.attention, queries, rows, keys, pad_mask)  # (n, src_len)
    else:
        context, real_weights = grouped(model.attention, queries, memory_rows.index_select(0, rows), keys,
                                        enc_outputs, pad_mask)
    weights = real_weights.new_zeros(batch, length, enc_outputs.size(1)).index_put((rows, steps), real_weights)
    if memory_rows is None:
        context = torch.bmm(weights, enc_outputs)[rows, steps]  # (n, hidden)
    real_features = model.dropout(torch.tanh(model.combine(torch.cat([queries, context], dim=-1))))
    features = real_features.new_zeros(batch, length, real_features.size(-1)).index_put(
        (rows, steps), real_features)
    return features, weights, state


def cell_step(lstm: nn.LSTM, x: torch.Tensor, state: State) -> tuple[torch.Tensor, State]:
    """One time step of ``lstm`` for a batch: x (N, input) -> top layer's h (N, hidden), state."""
    h, c = state
    new_h, new_c = [], []
    for layer in range(lstm.num_layers):
        h_l, c_l = torch.lstm_cell(x, (h[layer], c[layer]), getattr(lstm, f"weight_ih_l{layer}"),
                                   getattr(lstm, f"weight_hh_l{layer}"), getattr(lstm, f"bias_ih_l{layer}"),
                                   getattr(lstm, f"bias_hh_l{layer}"))
        new_h.append(h_l)
        new_c.append(c_l)
        x = h_l
    return x, (torch.stack(new_h), torch.stack(new_c))


def run_steps(step: Callable[[torch.Tensor, State], tuple[torch.Tensor, State]], inputs: torch.Tensor,
              state: State) -> tuple[torch.Tensor, State]:
    """A one-step function over a sequence: inputs (batch, T, input) -> outputs (batch, T, hidden)."""
    outputs = []
    for t in range(inputs.size(1)):
        x, state = step(inputs[:, t], state)
        outputs.append(x)
    return torch.stack(outputs, dim=1), state


def run_cells(lstm: nn.LSTM, inputs: torch.Tensor, state: State) -> tuple[torch.Tensor, State]:
    """``lstm`` over one unpadded sequence, step by step: inputs (1, T, input) -> (1, T, hidden)."""
    return run_steps(lambda x, s: cell_step(lstm, x, s), inputs, state)
