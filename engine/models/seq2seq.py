"""The chat model: an encoder LSTM reads the user's turn, a decoder LSTM writes the reply.

The conversation is one recurrent stream: the state that ends an exchange (after the decoder
has read the reply) starts the encoder on the next turn, so earlier turns reach later replies
without being read again.

Attention is computed from the decoder's outputs (Luong et al. 2015's order, with Bahdanau et
al. 2015's additive score) rather than fed back into the decoder's input. That keeps the
teacher-forced decoder a single fused ``nn.LSTM`` call over the whole reply, which is what lets
training run close to the speed of a bare LSTM.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Optional

import torch
from torch import nn
from torch.nn.utils.rnn import PackedSequence, pack_padded_sequence

from engine.models.dropout import Dropout
from engine.models.attention import AdditiveAttention
from engine.models.lstm import lstm_forward, lstm_over_tokens, pad_packed, padded_positions

State = tuple[torch.Tensor, torch.Tensor]  # (h, c), each (num_layers, batch, hidden_size)


@dataclass(frozen=True)
class Seq2SeqConfig:
    vocab_size: int  # tokens in the vocabulary, specials included
    embedding_size: int = 256  # word vectors, shared by encoder and decoder
    hidden_size: int = 384  # LSTM state size of encoder and decoder
    num_layers: int = 1  # stacked LSTM layers in each of encoder and decoder
    attention_size: int = 128  # inner size of the additive attention
    dropout: float = 0.1  # on embeddings and on the attentional output
    cutoffs: tuple[int, ...] = (1000, 4000)  # adaptive softmax clusters (Grave et al. 2017)
    div_value: float = 4.0  # adaptive softmax: each tail cluster is this much narrower
    max_source_len: int = 32  # tokens of a user turn the model reads (longer turns are cut)
    max_reply_len: int = 32  # tokens of a reply it is trained on
    memory_tokens: int = 0  # > 0: the decoder attends over this many tokens of the conversation and may copy them
    distance_buckets: int = 32  # memory: turns apart that have an embedding of their own (farther share the last)

    def __post_init__(self) -> None:
        # JSON turns tuples into lists; keep the config hashable and comparable.
        object.__setattr__(self, "cutoffs", tuple(self.cutoffs))


@dataclass
class TurnOutput:
    features: torch.Tensor  # (batch, tgt_len, embedding_size): inputs to the output layer, 0 at padding
    attention: torch.Tensor  # (batch, tgt_len, src_len); rows of padding reply positions are 0
    state: State  # after the decoder has read the reply: starts the next turn
    token_log_probs: Optional[torch.Tensor] = None  # (n_target_tokens,) log p of each target token
    loss_sum: Optional[torch.Tensor] = None  # -sum of token_log_probs
    n_tokens: int = 0


class FullSoftmax(nn.Module):
    """A plain softmax output with AdaptiveLogSoftmaxWithLoss's interface, for small vocabularies."""

    def __init__(self, in_features: int, n_classes: int):
        super().__init__()
        self.proj = nn.Linear(in_features, n_classes)

    def log_prob(self, features: torch.Tensor) -> torch.Tensor:
        return torch.log_softmax(self.proj(features), dim=-1)

    def forward(self, features: torch.Tensor, targets: torch.Tensor):
        output = self.log_prob(features).gather(1, targets.unsqueeze(1)).squeeze(1)
        return nn.modules.adaptive._ASMoutput(output, -output.mean())


def output_layer(in_features: int, vocab_size: int, cutoffs: tuple[int, ...], div_value: float) -> nn.Module:
    """Adaptive softmax (Grave et al. 2017) when the vocabulary is large enough for clusters."""
    cutoffs = [cut for cut in cutoffs if cut < vocab_size - 1]
    if not cutoffs:
        return FullSoftmax(in_features, vocab_size)
    return nn.AdaptiveLogSoftmaxWithLoss(in_features, vocab_size, cutoffs, div_value=div_value)


def run_steps(step: Callable[[torch.Tensor, State], tuple[torch.Tensor, State]], inputs: torch.Tensor,
              state: State) -> tuple[torch.Tensor, State]:
    """A one-step function over a sequence: inputs (batch, T, input) -> outputs (batch, T, hidden)."""
    outputs = []
    for t in range(inputs.size(1)):
        x, state = step(inputs[:, t], state)
        outputs.append(x)
    return torch.stack(outputs, dim=1), state


class Seq2Seq(nn.Module):
    def __init__(self, config: Seq2SeqConfig):
        super().__init__()
        self.config = config
        c = config
        self.embedding = nn.Embedding(c.vocab_size, c.embedding_size, padding_idx=0)
        lstm_dropout = c.dropout if c.num_layers > 1 else 0.0
        self.encoder = nn.LSTM(c.embedding_size, c.hidden_size, c.num_layers, batch_first=True, dropout=lstm_dropout)
        self.decoder = nn.LSTM(c.embedding_size, c.hidden_size, c.num_layers, batch_first=True, dropout=lstm_dropout)
        self._build_attention(c)
        self.combine = nn.Linear(2 * c.hidden_size, c.embedding_size)
        self.dropout = Dropout(c.dropout)
        # The vocabulary is sorted by frequency, so the head holds the common words and the rare
        # ones cost a narrow tail layer only when they are the target.
        self.output = output_layer(c.embedding_size, c.vocab_size, c.cutoffs, c.div_value)

    def _build_attention(self, c: Seq2SeqConfig) -> None:
        self.attention = AdditiveAttention(c.hidden_size, c.hidden_size, c.attention_size)

    def initial_state(self, batch_size: int, device: torch.device | None = None) -> State:
        shape = (self.config.num_layers, batch_size, self.config.hidden_size)
        device = device or self.embedding.weight.device
        return torch.zeros(shape, device=device), torch.zeros(shape, device=device)

    def encode(self, source: torch.Tensor, source_lengths: torch.Tensor, state: State):
        """Read a turn. source: (batch, src_len) padded with 0; lengths >= 1.

        Returns outputs (batch, src_len, hidden), the projected keys, the pad mask and the state
        after each row's last real token.
        """
        outputs, state = self._run_lstm(self.encoder, source, source_lengths, state)
        outputs = pad_packed(outputs, source.size(0), source.size(1))
        pad_mask = source.eq(0)
        return outputs, self.attention.project_keys(outputs), pad_mask, state

    def _run_lstm(self, lstm: nn.LSTM, tokens: torch.Tensor, lengths: torch.Tensor,
                  state: State) -> tuple[PackedSequence, State]:
        """``lstm`` over the real tokens of a padded batch, packed, then embedded (with dropout):
        padding is neither looked up nor dropped out. Scoring without gradients goes over the
        token ids (``lstm_over_tokens``), which projects each distinct token once."""
        packed = pack_padded_sequence(tokens, lengths.cpu(), batch_first=True, enforce_sorted=False)
        if self.training or torch.is_grad_enabled():
            return lstm_forward(lstm, packed._replace(data=self.dropout(self.embedding(packed.data))), state)
        return lstm_over_tokens(lstm, self.embedding, packed, state)

    def attend(self, decoder_outputs, memory) -> tuple[torch.Tensor, torch.Tensor]:
        outputs, keys, pad_mask = memory
        context, weights = self.attention(decoder_outputs, keys, outputs, pad_mask)
        features = torch.tanh(self.combine(torch.cat([decoder_outputs, context], dim=-1)))
        return self.dropout(features), weights

    def forward(self, source: torch.Tensor, source_lengths: torch.Tensor, reply_input: torch.Tensor,
                reply_lengths: torch.Tensor, state: Optional[State] = None,
                targets: Optional[torch.Tensor] = None) -> TurnOutput:
        """One exchange for a batch of conversations, teacher-forced.

        source: (batch, src_len); reply_input: (batch, tgt_len) starting with <sos>;
        reply_lengths: real tokens of reply_input (<sos> + reply); targets: (batch, tgt_len),
        the reply then <eos>, 0 at padding. ``state`` is the stream's state (None: new).
        """
        if state is None:
            state = self.initial_state(source.size(0), source.device)
        enc_outputs, keys, pad_mask, state = self.encode(source, source_lengths, state)
        return self.decode_replies((enc_outputs, keys, pad_mask), state, reply_input, reply_lengths, targets)

    def decode_replies(self, memory, state: State, reply_input: torch.Tensor, reply_lengths: torch.Tensor,
                       targets: Optional[torch.Tensor] = None,
                       memory_rows: Optional[torch.Tensor] = None) -> TurnOutput:
        """The teacher-forced decoder over encoded turns: ``memory`` is ``encode``'s (outputs, keys,
        pad mask) and ``state`` its state, one row per reply; the rest as in ``forward``. With
        ``memory_rows`` (batch,), reply ``r`` attends over the turn of memory row
        ``memory_rows[r]`` instead (many replies reading few turns, see
        ``AdditiveAttention.grouped``)."""
        enc_outputs, keys, pad_mask = memory
        dec_outputs, state = self._run_lstm(self.decoder, reply_input, reply_lengths, state)
        batch, length = reply_input.shape
        # Attention, the combining layer and the output layer see the real reply positions only,
        # taken row by row (each row's steps in order) straight from the packed outputs.
        positions, order = padded_positions(dec_outputs, length).sort()
        rows, steps = positions // length, positions % length
        queries = dec_outputs.data.index_select(0, order)  # (n, hidden)
        if memory_rows is None:
            packed_weights = self.attention.packed(queries, rows, keys, pad_mask)  # (n, src_len)
        else:
            context, packed_weights = self.attention.grouped(queries, memory_rows.index_select(0, rows), keys,
                                                             enc_outputs, pad_mask)
        weights = packed_weights.new_zeros(batch, length, enc_outputs.size(1)).index_put((rows, steps), packed_weights)
        if memory_rows is None:
            context = torch.bmm(weights, enc_outputs)[rows, steps]  # (n, hidden)
        packed_features = self.dropout(torch.tanh(self.combine(torch.cat([queries, context], dim=-1))))
        features = packed_features.new_zeros(batch, length, packed_features.size(-1)).index_put(
            (rows, steps), packed_features)
        result = TurnOutput(features, weights, state)
        if targets is not None:
            # Targets are the reply shifted by one plus <eos>; an idle row (no conversation) has a
            # real one-token input but a padding target, so it is left out here.
            packed_targets = targets[rows, steps]
            scored = packed_targets.ne(0)
            token_log_probs = self.output(packed_features[scored].float(), packed_targets[scored]).output
            result.token_log_probs = token_log_probs
            result.loss_sum = -token_log_probs.sum()
            result.n_tokens = int(token_log_probs.numel())
        return result

    # -- decoding ----------------------------------------------------------------------------
    def start_reply(self, source: torch.Tensor, state: State):
        """Encode one turn (batch 1) for decoding; returns (memory, decoder state)."""
        enc_outputs, state = self._run_cells(self.encoder, self.embedding(source), state)
        return (enc_outputs, self.attention.project_keys(enc_outputs), None), state

    def decode_step(self, tokens: torch.Tensor, state: State, memory):
        """One decoder step for N hypotheses.

        tokens: (N,); state: (layers, N, hidden); memory: ``start_reply``'s encoding of one turn
        (batch 1, broadcast over the hypotheses) or ``encode``'s of N turns, one per hypothesis,
        with their pad mask. Returns log-probs (N, vocab), attention (N, src_len), state.
        """
        x = self.embedding(tokens)  # (N, E)
        x, state = self._cell_step(self.decoder, x, state)
        enc_outputs, keys, pad_mask = memory
        n = tokens.size(0)
        memory_n = (enc_outputs.expand(n, -1, -1), keys.expand(n, -1, -1),
                    pad_mask.expand(n, -1) if pad_mask is not None else None)
        features, weights = self.attend(x.unsqueeze(1), memory_n)  # (N, 1, E), (N, 1, S)
        return self.output.log_prob(features.squeeze(1).float()), weights.squeeze(1), state

    def _cell_step(self, lstm: nn.LSTM, x: torch.Tensor, state: State) -> tuple[torch.Tensor, State]:
        """One time step of ``lstm`` for a batch: x (N, input) -> top layer's h (N, hidden), state.

        At inference a whole ``nn.LSTM`` call costs several times more than the arithmetic of
        one step (it sets up a sequence kernel each time), so decoding runs the fused cell.
        """
        h, c = state
        new_h, new_c = [], []
        for layer in range(self.config.num_layers):
            h_l, c_l = torch.lstm_cell(x, (h[layer], c[layer]), getattr(lstm, f"weight_ih_l{layer}"),
                                       getattr(lstm, f"weight_hh_l{layer}"), getattr(lstm, f"bias_ih_l{layer}"),
                                       getattr(lstm, f"bias_hh_l{layer}"))
            new_h.append(h_l)
            new_c.append(c_l)
            x = h_l
        return x, (torch.stack(new_h), torch.stack(new_c))

    def _run_cells(self, lstm: nn.LSTM, inputs: torch.Tensor, state: State) -> tuple[torch.Tensor, State]:
        """``lstm`` over one unpadded sequence step by step: inputs (1, T, input) -> (1, T, hidden)."""
        return run_steps(lambda x, s: self._cell_step(lstm, x, s), inputs, state)

    @staticmethod
    def reorder_state(state: State, rows: torch.Tensor) -> State:
        return state[0].index_select(1, rows), state[1].index_select(1, rows)

    def read_reply(self, reply_ids: list[int], state: State, sos_id: int) -> State:
        """The decoder reads a chosen reply (teacher-forced), giving the state for the next turn."""
        tokens = torch.tensor([[sos_id] + reply_ids], device=state[0].device)
        _, state = self._run_cells(self.decoder, self.embedding(tokens), state)
        return state
