"""Replies of the memory model (:mod:`engine.models.memory_chat`), a side of ``ChatPredictor``.

A conversation's state is then the LSTM state, the memory of what was said (bounded, the oldest
tokens dropped first), the count of exchanges, and the words outside the vocabulary that were
said in it, in the spelling they were first said with: the copy path numbers them (extended ids)
and a reply that copies one says it as it was written.

Replies come from the search settings of the ``DecodeConfig`` (strategy, beam, length penalty,
sampling) and, where it asks for them, the reranking of the beam's replies by maximum mutual
information (``mmi_weight``) and the backward model (``mmi_backward_weight``), as for the
turn-only model.
"""
from __future__ import annotations

from typing import Callable, Optional, Sequence

import torch

from engine.decode_config import DecodeConfig
from engine.decoding import decode
from engine.models.memory import Memory, MemoryState
from engine.results import ChatState, Reply
from engine.tasks.chat_rerank import search_pool
from engine.text import detokenize, tokenize


class MemoryReplies:
    """The memory model's replies and states; mixed into ``ChatPredictor`` (which provides
    ``model``, ``vocab``, ``device``, ``content_ids``, ``model_id`` and ``start_state``)."""

    @property
    def has_memory(self) -> bool:
        return self.model.config.memory_tokens > 0

    def _memory_state(self, state: Optional[ChatState]) -> tuple[MemoryState, list[str], int]:
        """(tensors, the conversation's unknown words, exchanges) of ``state``, or a new conversation's."""
        if state is None or state.tensors is None or state.model_id != self.model_id:
            return self.start_state(1), [], 0
        h, c, memory, exchanges = state.tensors
        return (MemoryState(h.to(self.device), c.to(self.device), memory.to(self.device), exchanges.to(self.device)),
                list(state.unknown), state.turns)

    def memory_ids(self, text: str, unknown: list[str], limit: int) -> list[int]:
        """``text``'s first ``limit`` tokens as ids, a word outside the vocabulary as its extended id
        (appended to ``unknown``, in the spelling written, when it is new)."""
        tokens = tokenize(text)[:limit]
        written = tokenize(text, lower=False)[:limit]
        known = {word.lower(): index for index, word in enumerate(unknown)}
        size, ids = len(self.vocab), []
        for token, surface in zip(tokens, written):
            index = self.vocab.stoi.get(token)
            if index is None:
                if token not in known:
                    known[token] = len(unknown)
                    unknown.append(surface)
                index = size + known[token]
            ids.append(index)
        return ids

    def memory_words(self, ids: Sequence[int], unknown: Sequence[str]) -> list[str]:
        return self.vocab.decode(ids, unknown)

    @torch.inference_mode()
    def memory_rebuild(self, exchanges: Sequence[tuple[str, str]]) -> ChatState:
        """Fold saved (user, bot) exchanges into a state and memory, as if just said."""
        state, unknown, _ = self._memory_state(None)
        config = self.model.config
        for user, bot in exchanges:
            source = self.memory_ids(user, unknown, config.max_source_len) or [self.vocab.unk_id]
            memory, decoder = self.model.start_reply(torch.tensor([source], device=self.device), state)
            reply = self.memory_ids(bot, unknown, config.max_reply_len)
            state = self.model.read_reply(reply, decoder, self.vocab.sos_id, memory[0], state.exchanges)
        return ChatState(state, len(exchanges), self.model_id, tuple(unknown))

    @torch.inference_mode()
    def memory_reply(self, text: str, state: Optional[ChatState], config: DecodeConfig,
                     should_stop: Optional[Callable[[], bool]], avoid: Sequence[str],
                     choose: Callable) -> Reply:
        """The reply to ``text``: the search of ``config`` over the vocabulary and the memory's
        words, then its reranking; ``choose(hypotheses, avoid, words)`` picks the one to say
        (``_first_not_in``). ``ChatPredictor.reply`` has made a greedy ``avoid`` a beam search."""
        rerank = self._reranks(config)  # the reranking or ``avoid`` chooses among the search's replies
        start, unknown, turns = self._memory_state(state)
        source_ids = self.memory_ids(text, unknown, self.model.config.max_source_len) or [self.vocab.unk_id]
        memory, decoder = self.model.start_reply(torch.tensor([source_ids], device=self.device), start)
        vocab = self.vocab
        hypotheses = decode(lambda tokens, s: self.model.decode_step(tokens, s, memory), decoder,
                            self.model.reorder_state, search_pool(config, rerank or bool(avoid)), vocab.sos_id,
                            vocab.eos_id, vocab.unk_id, vocab.pad_id, once=self.content_ids, device=self.device,
                            should_stop=should_stop)
        if rerank:
            hypotheses = self._rerank(hypotheses, config, source_ids,
                                      len(hypotheses) if avoid else config.search.n_best)
        words = lambda ids: self.memory_words(ids, unknown)  # noqa: E731
        best = choose(hypotheses, avoid, words)
        new_state, attention, copied = self.model.read_and_explain(best.tokens, decoder, vocab.sos_id, memory,
                                                                   start.exchanges)
        tokens = words(best.tokens)
        return Reply(
            text=detokenize(tokens), tokens=tokens, score=best.score,
            source_tokens=self.memory_words(memory[0].ids[0].tolist(), unknown), attention=attention,
            state=ChatState(new_state, turns + 1, self.model_id, tuple(unknown)),
            alternatives=[(detokenize(words(h.tokens)), h.score) for h in hypotheses],
            source_turns=_turns_ago(memory[0], memory[2]), copied=copied,
        )


def _turns_ago(memory: Memory, turn: torch.Tensor) -> list[int]:
    """For each memory entry (batch 1): how many turns before the current message it was said
    (0: this message, 1: the bot's last reply, 2: the user's message before, ...)."""
    return (turn.view(-1, 1) - memory.turns)[0].tolist()
