"""The chat model: an encoder LSTM reads the user's turn, a decoder LSTM writes the reply.

The conversation is one recurrent stream: the state that ends an exchange (after the decoder
has read the reply) starts the encoder on the next turn, so earlier turns reach later replies
without being read again. For a turn x_1..x_S and a reply y_0 = <sos>, y_1, ..., y_T:

    e_s, state = LSTM_enc(embed(x_s), state)                    the turn, from the stream's state
    d_t, state = LSTM_dec(embed(y_{t-1}), state)                the reply, teacher-forced
    a_t = softmax_s(v . tanh(W_q d_t + W_k e_s)),  c_t = sum_s a_ts e_s
    p(y_t | ...) = softmax(W_out tanh(W_c [d_t; c_t]))          (an adaptive softmax)

Attention is computed from the decoder's outputs (Luong et al. 2015's order, with Bahdanau et
al. 2015's additive score) rather than fed back into the decoder's input. That keeps the
teacher-forced decoder a single ``nn.LSTM`` call over the whole reply, which is what lets
training run close to the speed of a bare LSTM.

This module is the reference: plain ``nn.LSTM`` calls over packed sequences, attention over
padded tensors, decoding one step at a time. While :func:`engine.models.fast.enabled` (the
default), the four methods whose docstrings name a fast path hand their work to
:mod:`engine.models.fast.chat`, which computes the same faster on the CPU.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

import torch
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

from engine.models import fast
from engine.models.attention import AdditiveAttention
from engine.models.dropout import Dropout
from engine.models.fast import chat as fast_chat

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
    knowledge_pairs: int = 0  # memory model: > 0: a reply also reads up to this many stored (question, answer) pairs

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

    # -- the recurrence: h_t = LSTM(h_{t-1}, x_t) --------------------------------------------
    def _run_lstm(self, lstm: nn.LSTM, tokens: torch.Tensor, lengths: torch.Tensor,
                  state: State) -> tuple[torch.Tensor, State]:
        """``lstm`` over the embedded real tokens of a padded batch: tokens (batch, T), lengths
        (batch,) >= 1 -> outputs (batch, T, hidden), 0 at padding, and the state after each
        row's last real token. Fast path: ``fast.chat.run_lstm``."""
        if fast.enabled():
            return fast_chat.run_lstm(self, lstm, tokens, lengths, state)
        embedded = self.dropout(self.embedding(tokens))
        packed = pack_padded_sequence(embedded, lengths.cpu(), batch_first=True, enforce_sorted=False)
        outputs, state = lstm(packed, state)
        return pad_packed_sequence(outputs, batch_first=True, total_length=tokens.size(1))[0], state

    def _cell_step(self, lstm: nn.LSTM, x: torch.Tensor, state: State) -> tuple[torch.Tensor, State]:
        """One time step of ``lstm``: x (N, input) -> top layer's h (N, hidden), state.
        Fast path: ``fast.chat.cell_step``."""
        if fast.enabled():
            return fast_chat.cell_step(lstm, x, state)
        outputs, state = lstm(x.unsqueeze(1), state)
        return outputs.squeeze(1), state

    def _run_cells(self, lstm: nn.LSTM, inputs: torch.Tensor, state: State) -> tuple[torch.Tensor, State]:
        """``lstm`` over one unpadded sequence: inputs (1, T, input) -> (1, T, hidden), state.
        Fast path: ``fast.chat.run_cells``."""
        if fast.enabled():
            return fast_chat.run_cells(lstm, inputs, state)
        return lstm(inputs, state)

    # -- teacher-forced exchanges ------------------------------------------------------------
    def encode(self, source: torch.Tensor, source_lengths: torch.Tensor, state: State):
        """Read a turn. source: (batch, src_len) padded with 0; lengths >= 1.

        Returns outputs (batch, src_len, hidden), the projected keys, the pad mask and the state
        after each row's last real token.
        """
        outputs, state = self._run_lstm(self.encoder, source, source_lengths, state)
        return outputs, self.attention.project_keys(outputs), source.eq(0), state

    def attend(self, decoder_outputs, memory) -> tuple[torch.Tensor, torch.Tensor]:
        """decoder_outputs (batch, T, hidden) over ``memory`` (outputs, keys, pad mask) ->
        features tanh(W_c [d_t; c_t]) (batch, T, embedding), weights (batch, T, src_len)."""
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
        ``memory_rows[r]`` instead (many replies reading few turns). Fast path:
        ``fast.chat.decode_replies``."""
        if fast.enabled():
            features, weights, state = fast_chat.decode_replies(self, memory, state, reply_input, reply_lengths,
                                                                memory_rows)
        else:
            if memory_rows is not None:
                memory = tuple(None if part is None else part.index_select(0, memory_rows) for part in memory)
            outputs, state = self._run_lstm(self.decoder, reply_input, reply_lengths, state)
            features, weights = self.attend(outputs, memory)
            real = torch.arange(reply_input.size(1)) < reply_lengths.cpu().unsqueeze(1)  # (batch, T)
            real = real.to(features.device).unsqueeze(-1)
            features, weights = features * real, weights * real  # 0 at padding positions
        result = TurnOutput(features, weights, state)
        if targets is not None:
            # Targets are the reply shifted by one plus <eos>; an idle row (no conversation) has a
            # real one-token input but a padding target, so it is left out here.
            scored = targets.ne(0)
            token_log_probs = self.output(features[scored].float(), targets[scored]).output
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
        x, state = self._cell_step(self.decoder, self.embedding(tokens), state)  # (N, hidden)
        enc_outputs, keys, pad_mask = memory
        n = tokens.size(0)
        memory_n = (enc_outputs.expand(n, -1, -1), keys.expand(n, -1, -1),
                    pad_mask.expand(n, -1) if pad_mask is not None else None)
        features, weights = self.attend(x.unsqueeze(1), memory_n)  # (N, 1, E), (N, 1, S)
        return self.output.log_prob(features.squeeze(1).float()), weights.squeeze(1), state

    @staticmethod
    def reorder_state(state: State, rows: torch.Tensor) -> State:
        return state[0].index_select(1, rows), state[1].index_select(1, rows)

    def read_reply(self, reply_ids: list[int], state: State, sos_id: int) -> State:
        """The decoder reads a chosen reply (teacher-forced), giving the state for the next turn."""
        tokens = torch.tensor([[sos_id] + reply_ids], device=state[0].device)
        _, state = self._run_cells(self.decoder, self.embedding(tokens), state)
        return state
