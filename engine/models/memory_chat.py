"""The chat model with a conversation memory and a copy path.

The encoder and decoder LSTMs, the word vectors and the output layer are :class:`Seq2Seq`'s, and
the recurrent state still carries from turn to turn. What changes is what the decoder attends
over: not the current turn alone but the :class:`~engine.models.memory.Memory` of the
conversation, every token of the user's turns (the encoder's outputs) and of the bot's own
replies (the decoder's outputs), the newest ``memory_tokens`` of them. A key is the entry's value
projected, plus an embedding of how many turns ago it was said and one of who said it; the score
is a scaled dot product with the decoder's projected output, so a step over 256 entries costs one
small matrix product.

The copy path is the pointer-generator of See et al. (2017): a gate ``p_gen`` computed from the
context, the decoder output and the input word mixes the vocabulary distribution with the
attention distribution over the memory's words,

    p(w) = p_gen * P_vocab(w) + (1 - p_gen) * sum of the attention on entries whose word is w,

so a word said earlier, in the vocabulary or not, can be said back. Words outside the vocabulary
carry extended ids (vocabulary size + k, numbered per conversation); they are read as ``<unk>``
but copied as themselves. A target outside the vocabulary that is not in the memory is scored as
``<unk>`` by the vocabulary part (See et al.'s treatment); decoding never emits ``<unk>``.
"""
from __future__ import annotations

import math
from typing import Optional

import torch
from torch import nn
from torch.nn import functional as F

from engine.models.memory import Memory, MemoryState
from engine.models.seq2seq import Seq2Seq, Seq2SeqConfig, State, TurnOutput

NEVER = -1e4  # a log-probability that counts as impossible without producing inf - inf


class _PermuteRows(torch.autograd.Function):
    """``rows.index_select(0, order)`` for a permutation ``order`` whose inverse is ``back``. The
    gradient is gathered back by ``back`` rather than added into a tensor of zeros, as
    ``index_select``'s backward does (it does not know that every row is taken once)."""

    @staticmethod
    def forward(ctx, rows: torch.Tensor, order: torch.Tensor, back: torch.Tensor) -> torch.Tensor:
        ctx.save_for_backward(back)
        return rows.index_select(0, order)

    @staticmethod
    def backward(ctx, grad: torch.Tensor):
        (back,) = ctx.saved_tensors
        return grad.index_select(0, back), None, None


def permute_rows(rows: torch.Tensor, order: torch.Tensor, back: torch.Tensor) -> torch.Tensor:
    """``rows`` taken in the order of the permutation ``order`` (``back`` its inverse)."""
    if not rows.requires_grad:
        return rows.index_select(0, order)
    return _PermuteRows.apply(rows, order, back)


class MemoryChat(Seq2Seq):
    """:class:`Seq2Seq` whose decoder attends over the conversation memory and may copy from it."""

    def _build_attention(self, c: Seq2SeqConfig) -> None:
        self.query_proj = nn.Linear(c.hidden_size, c.attention_size, bias=False)
        self.key_proj = nn.Linear(c.hidden_size, c.attention_size)
        self.distance = nn.Embedding(c.distance_buckets, c.attention_size)
        self.speaker = nn.Embedding(2, c.attention_size)
        self.copy_gate = nn.Linear(2 * c.hidden_size + c.embedding_size, 1)
        if c.knowledge_pairs:  # keys of stored pairs' words: question or answer (engine.knowledge_pairs)
            self.knowledge_tags = nn.Embedding(2, c.attention_size)

    # -- the state ---------------------------------------------------------------------------
    def initial_state(self, batch_size: int, device: torch.device | None = None) -> MemoryState:
        h, c = super().initial_state(batch_size, device)
        return MemoryState(h, c, Memory.empty(batch_size, self.config.hidden_size, self.config.attention_size,
                                              h.device),
                           torch.zeros(batch_size, dtype=torch.long, device=h.device))

    @staticmethod
    def reorder_state(state, rows: torch.Tensor):
        if isinstance(state, MemoryState):
            return MemoryState(state.h.index_select(1, rows), state.c.index_select(1, rows),
                               state.memory.select(rows), state.exchanges.index_select(0, rows))
        return state[0].index_select(1, rows), state[1].index_select(1, rows)

    def vocab_ids(self, ids: torch.Tensor) -> torch.Tensor:
        """Extended ids read as ``<unk>`` (id 1): the embedding knows the vocabulary only."""
        return ids.masked_fill(ids >= self.config.vocab_size, 1)

    # -- attention over the memory -----------------------------------------------------------
    def memory_keys(self, memory: Memory, turn: torch.Tensor) -> torch.Tensor:
        """(batch, length, attention): each entry's projected value (kept in the memory) plus the
        embeddings of its distance in turns from ``turn`` (batch,) and of its speaker."""
        apart = (turn.view(-1, 1) - memory.turns).clamp(0, self.config.distance_buckets - 1)
        return memory.keys + self.distance(apart) + self.speaker(memory.turns % 2)

    def remember(self, memory: Memory, outputs: torch.Tensor, ids: torch.Tensor, turn: torch.Tensor) -> Memory:
        """``memory`` with a turn's tokens added: outputs (batch, n, hidden), ids (batch, n)."""
        return memory.append(outputs, self.key_proj(outputs), ids, turn, self.config.memory_tokens)

    # -- stored (question, answer) pairs -------------------------------------------------------
    def read_knowledge(self, ids: torch.Tensor, answer: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Entries for stored pairs, read beside the conversation's memory: ids (batch, P, L) of each
        pair's question then answer (extended ids, 0 at padding), answer (batch, P, L) bool (the
        answer's tokens) -> values (batch, P * L, hidden) and keys (batch, P * L, attention). Each
        pair is read by the encoder from a zero state, apart from the conversation; a key is the
        value projected plus a tag for question or answer (no distance, no speaker)."""
        rows, pairs, length = ids.shape
        flat = ids.reshape(rows * pairs, length)
        zeros = super().initial_state(rows * pairs, ids.device)
        values, _ = self._run_lstm(self.encoder, self.vocab_ids(flat), flat.ne(0).sum(1).clamp_min(1), zeros)
        values = values.reshape(rows, pairs * length, -1)
        return values, self.key_proj(values) + self.knowledge_tags(answer.reshape(rows, pairs * length).long())

    def with_knowledge(self, memory: Memory, keys: torch.Tensor, knowledge) -> tuple[Memory, torch.Tensor]:
        """The memory a reply attends over: ``memory`` (with its full ``keys``) and after it the
        entries of ``knowledge`` ((ids, answer) as :meth:`read_knowledge` takes them; None: none),
        whose turn is -1. The conversation's own memory is not changed."""
        if knowledge is None or knowledge[0].numel() == 0 or not self.config.knowledge_pairs:
            return memory, keys  # (a model not trained to read pairs reads none)
        ids = knowledge[0].reshape(knowledge[0].size(0), -1)
        values, knowledge_keys = self.read_knowledge(*knowledge)
        joined = Memory(torch.cat([memory.values, values.to(memory.values.dtype)], 1),
                        torch.cat([memory.keys, knowledge_keys.to(memory.keys.dtype)], 1),
                        torch.cat([memory.ids, ids], 1), torch.cat([memory.turns, torch.full_like(ids, -1)], 1))
        return joined, torch.cat([keys, knowledge_keys.to(keys.dtype)], 1)

    def attend_memory(self, outputs: torch.Tensor, memory: Memory, keys: torch.Tensor):
        """outputs (batch, T, hidden) -> context (batch, T, hidden), weights (batch, T, length):
        a softmax over each row's real entries (0 at empty slots)."""
        queries = self.query_proj(outputs)
        scores = torch.matmul(queries, keys.transpose(1, 2)) / math.sqrt(keys.size(-1))
        scores = scores.masked_fill(~memory.real.unsqueeze(1), float("-inf"))
        weights = torch.softmax(scores, dim=-1)
        return torch.matmul(weights, memory.values.to(weights.dtype)), weights

    LENGTH_GROUPS = 4  # a teacher-forced batch's rows attend in this many groups of like reply length

    def _attend_by_length(self, outputs: torch.Tensor, memory: Memory, keys: torch.Tensor,
                          inputs: torch.Tensor, lengths: torch.Tensor):
        """:meth:`attend_memory` and :meth:`_features` for a batch of replies (outputs (batch, T,
        hidden), ``lengths`` (batch,) real positions): the rows taken in :data:`LENGTH_GROUPS`
        groups of like length, each cut at its longest reply, so that the padding of short replies
        is not attended from (on batches of lengths 3-32, a third of the work). Returns features
        (batch, T, embedding), the gate's logits (batch, T) and the weights (batch, T, length),
        as over the whole batch (0 past each reply)."""
        batch, steps = outputs.shape[:2]
        if self.LENGTH_GROUPS < 2 or batch < 2 * self.LENGTH_GROUPS:
            context, weights = self.attend_memory(outputs, memory, keys)
            return (*self._features(outputs, context, inputs), weights)
        lengths = lengths.to(outputs.device)
        order = lengths.argsort()
        back = order.argsort()  # from length order back to the batch's
        sizes = [len(rows) for rows in order.chunk(self.LENGTH_GROUPS)]
        # One gather into length order and a split into groups, whose backward joins the groups'
        # gradients: a gather per group would fill a gradient of the whole batch for each.
        whole = (outputs, inputs, keys, lengths, memory.values, memory.keys, memory.ids, memory.turns)
        grouped = [permute_rows(part, order, back).split(sizes) for part in whole]
        parts = []
        for group_outputs, group_inputs, group_keys, group_lengths, *group_memory in zip(*grouped):
            cut = int(group_lengths.max())
            group_outputs = group_outputs[:, :cut]
            context, weights = self.attend_memory(group_outputs, Memory(*group_memory), group_keys)
            features, gate = self._features(group_outputs, context, group_inputs[:, :cut])
            # Each group padded to the batch's steps (0 past its longest reply), as a whole batch.
            parts.append((F.pad(features, (0, 0, 0, steps - cut)), F.pad(gate, (0, steps - cut)),
                          F.pad(weights, (0, 0, 0, steps - cut))))
        return tuple(permute_rows(torch.cat(group_parts), back, order) for group_parts in zip(*parts))

    def _features(self, outputs, context, inputs):
        """The attentional features and the copy gate's logit at each decoder position (``inputs``:
        the embedded input tokens, looked up once by the caller: each lookup's backward fills a
        gradient as large as the whole embedding)."""
        features = self.dropout(torch.tanh(self.combine(torch.cat([outputs, context], dim=-1))))
        gate = self.copy_gate(torch.cat([context, outputs, inputs], dim=-1)).squeeze(-1)
        return features, gate

    # -- teacher-forced exchanges ------------------------------------------------------------
    def forward(self, source: torch.Tensor, source_lengths: torch.Tensor, reply_input: torch.Tensor,
                reply_lengths: torch.Tensor, state: Optional[MemoryState] = None,
                targets: Optional[torch.Tensor] = None, knowledge=None) -> TurnOutput:
        """One exchange, as :meth:`Seq2Seq.forward`; ids may be extended (>= vocabulary size),
        ``state`` is a :class:`MemoryState` (None: a new conversation), and ``knowledge`` the
        stored pairs each row's reply may read ((ids, answer), see :meth:`read_knowledge`)."""
        batch = source.size(0)
        if state is None:
            state = self.initial_state(batch, source.device)
        user_turn = 2 * state.exchanges
        encoded, (h, c) = self._run_lstm(self.encoder, self.vocab_ids(source), source_lengths, (state.h, state.c))
        memory = self.remember(state.memory, encoded, source, user_turn)
        reply_ids = self.vocab_ids(reply_input)
        outputs, (h, c) = self._run_lstm(self.decoder, reply_ids, reply_lengths, (h, c))  # (batch, T, hidden)
        attended, keys = self.with_knowledge(memory, self.memory_keys(memory, user_turn), knowledge)
        features, gate, weights = self._attend_by_length(outputs, attended, keys, self.embedding(reply_ids),
                                                         reply_lengths)
        real = reply_ids.ne(0)
        result = TurnOutput(features * real.unsqueeze(-1), weights * real.unsqueeze(-1), (h, c))
        if targets is not None:
            scored = targets.ne(0)
            rows = scored.nonzero(as_tuple=True)[0]
            log_probs = self.target_log_probs(features[scored], gate[scored], weights[scored],
                                              attended.ids.index_select(0, rows), targets[scored])
            result.token_log_probs = log_probs
            result.loss_sum = -log_probs.sum()
            result.n_tokens = int(log_probs.numel())
        # The reply joins the memory: the decoder's output after reading each reply token (read
        # from the input, not the targets: a reply read but not trained on has none).
        said = reply_input[:, 1:]
        said = said.masked_fill(said.eq(self.eos_id), 0)
        memory = self.remember(memory, outputs[:, 1:], said, user_turn + 1)
        result.state = MemoryState(h, c, memory, state.exchanges + 1)
        return result

    eos_id = 3  # <eos> in every vocabulary (engine.text.SPECIALS)

    def target_log_probs(self, features: torch.Tensor, gate: torch.Tensor, weights: torch.Tensor,
                         memory_ids: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
        """log p(target) under the mixture, for n scored positions: features (n, E), gate (n,),
        weights (n, length), memory_ids (n, length), targets (n,) extended ids."""
        in_vocab = targets < self.config.vocab_size
        copied = (weights * memory_ids.eq(targets.unsqueeze(1))).sum(-1).float()
        vocab_targets = torch.where(in_vocab, targets, torch.ones_like(targets))
        vocab_lp = self.output(features.float(), vocab_targets).output
        # An out-of-vocabulary word in the memory can only be copied; one that is not there is
        # scored as <unk> by the vocabulary part.
        use_vocab = in_vocab | copied.eq(0)
        generate = (F.logsigmoid(gate.float()) + vocab_lp).masked_fill(~use_vocab, NEVER)
        copy = F.logsigmoid(-gate.float()) + copied.clamp_min(1e-12).log()
        return torch.logaddexp(generate, copy)

    # -- decoding ----------------------------------------------------------------------------
    def start_reply(self, source: torch.Tensor, state: MemoryState, knowledge=None):
        """Read one user turn (batch 1, extended ids): returns (the reply's memory: what it attends
        over, with its keys, the turn, and the conversation's memory; the decoder's (h, c)).
        ``knowledge``: stored pairs the reply may read (:meth:`read_knowledge`'s arguments)."""
        encoded, (h, c) = self._run_cells(self.encoder, self.embedding(self.vocab_ids(source)), (state.h, state.c))
        return self.reply_memory(state, encoded, source, knowledge), (h, c)

    def reply_memory(self, state: MemoryState, encoded: torch.Tensor, source: torch.Tensor, knowledge):
        """The reply's memory (see :meth:`start_reply`) once the user's turn is encoded."""
        user_turn = 2 * state.exchanges
        memory = self.remember(state.memory, encoded, source, user_turn)
        attended, keys = self.with_knowledge(memory, self.memory_keys(memory, user_turn), knowledge)
        return attended, keys, user_turn, memory

    def decode_step(self, tokens: torch.Tensor, state: State, memory):
        """One step for N hypotheses: log-probs over the vocabulary and the memory's extended
        ids (N, vocab + k), attention over the memory (N, length), state."""
        memory, keys = memory[:2]
        input_ids = self.vocab_ids(tokens)
        inputs = self.embedding(input_ids)
        x, state = self._cell_step(self.decoder, inputs, state)
        context, weights = self.attend_memory(x.unsqueeze(1), memory, keys)
        features, gate = self._features(x.unsqueeze(1), context, inputs.unsqueeze(1))
        weights, gate = weights.squeeze(1), gate.squeeze(1).float()
        vocab_lp = self.output.log_prob(features.squeeze(1).float())
        return self.mix(vocab_lp, gate, weights, memory.ids), weights, state

    def score_replies(self, replies: list[list[int]], state: State, sos_id: int, reply_memory) -> torch.Tensor:
        """Summed log p(reply + <eos>) of each reply (extended ids) from the decoder's ``state``
        (batch 1) over ``reply_memory`` (:meth:`start_reply`'s), teacher-forced in one pass, as
        :meth:`decode_step` would score them word by word: (len(replies),) on the CPU."""
        memory, keys = reply_memory[:2]
        n, longest = len(replies), max(map(len, replies))
        device = state[0].device
        inputs = torch.full((n, longest + 1), self.eos_id, dtype=torch.long)  # <sos> + reply, then filler
        targets = torch.full((n, longest + 1), self.eos_id, dtype=torch.long)  # reply + <eos>, then filler
        scored = torch.zeros(n, longest + 1, dtype=torch.bool)
        for row, reply in enumerate(replies):
            inputs[row, 0] = sos_id
            inputs[row, 1:len(reply) + 1] = torch.tensor(reply, dtype=torch.long)
            targets[row, :len(reply)] = torch.tensor(reply, dtype=torch.long)
            scored[row, :len(reply) + 1] = True
        input_ids = self.vocab_ids(inputs.to(device))
        start = tuple(part.expand(-1, n, -1).contiguous() for part in state)
        embedded = self.embedding(input_ids)
        outputs, _ = self.decoder(embedded, start)  # the filler comes after what is scored
        context, weights = self.attend_memory(outputs, memory, keys)
        features, gate = self._features(outputs, context, embedded)
        rows = torch.arange(n).view(-1, 1).expand(-1, longest + 1)[scored]
        mask = scored.to(device)
        log_probs = self.target_log_probs(features[mask], gate[mask], weights[mask],
                                          memory.ids.expand(n, -1)[rows.to(device)], targets.to(device)[mask])
        return torch.zeros(n).index_add_(0, rows, log_probs.float().cpu())

    def mix(self, vocab_lp: torch.Tensor, gate: torch.Tensor, weights: torch.Tensor,
            memory_ids: torch.Tensor) -> torch.Tensor:
        """log of the pointer-generator mixture over vocabulary and extended ids: vocab_lp (N, V),
        gate (N,), weights (N, length), memory_ids (1 or N, length) -> (N, V + k)."""
        n, vocab = vocab_lp.shape
        width = max(vocab, int(memory_ids.max()) + 1 if memory_ids.numel() else vocab)
        generated = F.pad(vocab_lp + F.logsigmoid(gate).unsqueeze(1), (0, width - vocab), value=NEVER)
        if not memory_ids.numel():
            return generated
        # Only the memory's words (a few hundred of thousands) gain a copied share: their columns
        # alone go through exp and log.
        words, slots = torch.unique(memory_ids, return_inverse=True)
        copied = weights.new_zeros(n, words.numel(), dtype=torch.float).scatter_add_(
            1, slots.expand(n, -1), weights.float() * torch.sigmoid(-gate).unsqueeze(1))
        columns = words.view(1, -1).expand(n, -1)
        mixed = (generated.gather(1, columns).exp() + copied).clamp_min(1e-30).log()
        return generated.scatter(1, columns, mixed)

    def read_reply(self, reply_ids: list[int], state: State, sos_id: int, memory: Memory = None,
                   exchanges: Optional[torch.Tensor] = None) -> MemoryState:
        """The decoder reads the chosen reply (extended ids); its outputs join ``memory`` (the one
        :meth:`start_reply` returned) and the state for the next turn is returned."""
        _, outputs, state = self._read(reply_ids, state, sos_id)
        return self._remember_reply(reply_ids, outputs, state, memory, exchanges)

    def read_and_explain(self, reply_ids: list[int], state: State, sos_id: int, reply_memory,
                         exchanges: torch.Tensor) -> tuple[MemoryState, list, list]:
        """:meth:`read_reply` over ``reply_memory`` (:meth:`start_reply`'s), and from the same
        pass, per reply token, its attention over the memory and the share of its probability that
        came from copying."""
        memory, keys, _, conversation = reply_memory
        inputs, outputs, after = self._read(reply_ids, state, sos_id)
        context, weights = self.attend_memory(outputs, memory, keys)
        features, gate = self._features(outputs, context, inputs)
        targets = torch.tensor(list(reply_ids) + [self.eos_id], device=outputs.device)
        vocab_lp = self.output.log_prob(features[0].float())
        in_vocab = targets < self.config.vocab_size
        generated = torch.where(in_vocab, vocab_lp.gather(1, targets.clamp_max(self.config.vocab_size - 1)
                                                            .unsqueeze(1)).squeeze(1).exp(), torch.zeros(()))
        generated = generated * torch.sigmoid(gate[0].float())
        copied = (weights[0] * memory.ids.eq(targets.unsqueeze(1))).sum(-1).float() * torch.sigmoid(-gate[0].float())
        shares = copied / (copied + generated).clamp_min(1e-30)
        n = len(reply_ids)
        return (self._remember_reply(reply_ids, outputs, after, conversation, exchanges),
                weights[0, :n].tolist(), shares[:n].tolist())

    def _read(self, reply_ids: list[int], state: State, sos_id: int):
        """The decoder over <sos> + reply (batch 1): the embedded inputs, outputs (1, n + 1, hidden), state."""
        tokens = torch.tensor([[sos_id] + list(reply_ids)], device=state[0].device)
        inputs = self.embedding(self.vocab_ids(tokens))
        outputs, state = self._run_cells(self.decoder, inputs, state)
        return inputs, outputs, state

    def _remember_reply(self, reply_ids, outputs, state: State, memory: Memory, exchanges) -> MemoryState:
        said = torch.tensor([list(reply_ids)], dtype=torch.long, device=outputs.device)
        memory = self.remember(memory, outputs[:, 1:], said, 2 * exchanges + 1)
        return MemoryState(state[0], state[1], memory, exchanges + 1)


def build_chat_model(config: Seq2SeqConfig) -> Seq2Seq:
    """The chat network a config describes: with ``memory_tokens`` > 0 the memory model."""
    return MemoryChat(config) if config.memory_tokens > 0 else Seq2Seq(config)
