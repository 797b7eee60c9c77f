"""The chat task: the predictor behind ``Engine.reply`` and the terminal commands.

    python -m engine reply "text"     python -m engine chat

The reranking and steering of replies are in :mod:`engine.tasks.chat_rerank` (the topic words in
:mod:`engine.topic`), the memory model's replies in
:mod:`engine.tasks.chat_memory`, training in
:mod:`engine.tasks.chat_train`, evaluation in :mod:`engine.tasks.chat_eval`.
"""
from __future__ import annotations

import argparse
import math
import re
import sys
from dataclasses import replace
from pathlib import Path
from typing import Callable, Optional, Sequence

import torch

from engine import mmi_settings
from engine.chat_training import starting_state
from engine.checkpoint import CheckpointError, load_checkpoint, load_weights
from engine.decode_config import DecodeConfig, chat_decoding
from engine.decoding import Hypothesis, length_penalty
from engine.device import pick_device
from engine.models.memory_chat import build_chat_model
from engine.models.fast.decoder import packed_decoder
from engine.models.fast.memory_decoder import packed_memory_decoder
from engine.models.seq2seq import Seq2Seq, Seq2SeqConfig
from engine.results import ChatState, Reply
from engine.shipped import DEFAULT_PATHS
from engine.tasks.chat_memory import MemoryReplies
from engine.tasks.chat_mood import MoodReplies
from engine.tasks.chat_rerank import Reranking, sayable, without_topic_bonus
from engine.text import Vocab, detokenize, spelt_out, tokenize
from engine.topic import TopicWords

# A regenerated reply is one the model finds likely too: its probability, normalised for length as
# the beam ranks replies, at least 1/20 of the likeliest reply's. Past that the beam's tail is
# broken text ("hi there there" after "hi there" and "good morning" on a model taught those two),
# and saying that there is no other reply is more useful than showing it.
ALTERNATIVE_SPREAD = 20.0


def beside_path(path: Path, role: str) -> Path:
    """``<stem>_<role>.safetensors`` beside the chat model at ``path``: where a file that serves it
    is kept (``role``: "backward", the backward model p(turn | reply) of ``train chat --reverse``;
    "topic", its topic words)."""
    return path.with_name(f"{path.stem}_{role}.safetensors")


def companion_path(path: Path, role: str) -> Path:
    """Where the ``role`` file of the chat model at ``path`` is: :func:`beside_path` if there is
    one, else the shipped model's (a fine-tuned model keeps the shipped vocabulary)."""
    beside = beside_path(path, role)
    return beside if beside.is_file() else beside_path(DEFAULT_PATHS["chat"], role)


def resume_path(path: Path) -> Path:
    return path.with_name(path.stem + ".resume.safetensors")


class ChatPredictor(Reranking, MemoryReplies, MoodReplies):
    """A loaded chat model with its vocabulary: replies, states, scores."""

    def __init__(self, model: Seq2Seq, vocab: Vocab, device: torch.device, model_id: str = "",
                 meta: Optional[dict] = None, backward: Optional[Seq2Seq] = None,
                 topic_words: Optional[TopicWords] = None):
        self.model = model.to(device).eval()
        # p(turn | reply), same vocabulary, for RerankConfig.mmi_backward_weight (None: not used).
        self.backward = backward.to(device).eval() if backward is not None else None
        self.backward_note = ""  # why no backward model is used, where one was looked for
        self.topic_words = topic_words  # for RerankConfig.topic_weight (None: not used)
        self.topic_note = ""  # why no topic words are used, where they were looked for
        self.vocab = vocab
        self.device = device
        self.weights_changed()
        self._encoded = None  # (turns, their encoding) of the last _encoded_turns call
        self.content_ids = vocab.content_ids()  # words a reply says at most once
        self.markup_ids = vocab.markup_ids()  # tokens a reply never says ("[", "<url>")
        self.model_id = model_id
        self.meta = meta or {}
        self._start = self._stored_start()

    def weights_changed(self) -> None:
        """Take the model's weights afresh for replies (after training it in place): on the CPU
        replies run over prepacked copies of them (engine.models.fast) while the fast paths are
        on; elsewhere, over the model."""
        packer = packed_memory_decoder if self.has_memory else packed_decoder
        self.steps = packer(self.model, self.device) or self.model

    @classmethod
    def load(cls, path: str | Path, device: torch.device | str = "cpu",
             backward: str | Path | None = "auto", topic: str | Path | None = "auto",
             mood: str | Path | None = "auto") -> "ChatPredictor":
        """The chat model at ``path``, with the backward model at ``backward`` and the topic words
        at ``topic`` ("auto": :func:`companion_path`; None: none) and the sentiment model at ``mood``
        ("auto": the shipped one, read on first use; None: none). A missing, broken or mismatched
        one only leaves the replies without it (``backward_note``, ``topic_note`` and ``mood_note``
        say why)."""
        path = Path(path)
        model, vocab, meta = load_seq2seq(path)
        if meta.get("direction") == "backward":
            raise CheckpointError(f"{path}: a backward model (it predicts the message from the reply), "
                                  "not a chat model; it reranks replies from beside one")
        device = torch.device(device)
        stat = path.stat()
        predictor = cls(model, vocab, device, f"{path.name}:{stat.st_size}:{int(stat.st_mtime)}", meta)
        if backward is not None:
            predictor.attach_backward(companion_path(path, "backward") if backward == "auto" else Path(backward))
        if topic is not None:
            predictor.attach_topic_words(companion_path(path, "topic") if topic == "auto" else Path(topic))
        predictor.attach_mood(DEFAULT_PATHS["sentiment"] if mood == "auto" else mood and Path(mood))
        return predictor

    def attach_topic_words(self, path: Path) -> None:
        """Use the topic words at ``path`` if they are for this vocabulary."""
        if not path.is_file():
            self.topic_words, self.topic_note = None, f"no topic words at {path.name}"
            return
        try:
            self.topic_words, self.topic_note = TopicWords.load(path, self.vocab), ""
        except CheckpointError as error:
            self.topic_words, self.topic_note = None, str(error)

    def attach_backward(self, path: Path) -> None:
        """Use the backward model at ``path`` if it is one for this vocabulary."""
        if not path.is_file():
            self.backward_note = f"no backward model at {path.name}"
            return
        try:
            model, vocab, meta = load_seq2seq(path)
        except CheckpointError as error:
            self.backward_note = str(error)
            return
        if meta.get("direction") != "backward" or vocab.itos != self.vocab.itos:
            self.backward_note = f"{path.name} is not a backward model for this chat model's vocabulary"
            return
        self.backward, self.backward_note = model.to(self.device).eval(), ""

    # -- state -------------------------------------------------------------------------------
    def _stored_start(self):
        """The checkpoint's start state as (h, c), each (layers, 1, hidden); None where it stores
        none, or one of another shape."""
        start = self.meta.get("start_state") or {}
        shape = (self.model.config.num_layers, self.model.config.hidden_size)
        try:
            h, c = (torch.tensor(start[part], dtype=torch.float32, device=self.device) for part in ("h", "c"))
        except (KeyError, TypeError, ValueError):
            return None
        return (h.unsqueeze(1), c.unsqueeze(1)) if h.shape == c.shape == shape else None

    def start_state(self, rows: int = 1):
        """The state a new conversation starts from: the mean state of conversations under way
        that ``train chat`` stores in the checkpoint (:func:`mean_state`), else zeros."""
        return starting_state(self.model, rows, self.device, self._start)

    def _state(self, state: Optional[ChatState]):
        if state is None or state.tensors is None or state.model_id != self.model_id:
            return self.start_state(1)
        return tuple(t.to(self.device) for t in state.tensors)

    def encode_turn(self, text: str) -> list[int]:
        ids = self.vocab.encode(tokenize(text))[: self.model.config.max_source_len]
        return ids or [self.vocab.unk_id]

    @torch.inference_mode()
    def rebuild_state(self, exchanges: Sequence[tuple[str, str]]) -> ChatState:
        """Fold saved (user, bot) exchanges into a state, as if they had just been said (the user's
        turns spelt out as :meth:`reply` reads them)."""
        exchanges = [(spelt_out(user), bot) for user, bot in exchanges]
        if self.has_memory:
            return self.memory_rebuild(exchanges)
        state = self.start_state(1)
        for user, bot in exchanges:
            source = torch.tensor([self.encode_turn(user)], device=self.device)
            _, state = self.steps.start_reply(source, state)
            reply = self.vocab.encode(tokenize(bot))[: self.model.config.max_reply_len]
            state = self.steps.read_reply(reply, state, self.vocab.sos_id)
        return ChatState(state, len(exchanges), self.model_id)

    # -- replies -----------------------------------------------------------------------------
    @torch.inference_mode()
    def reply(self, text: str, state: Optional[ChatState] = None, config: Optional[DecodeConfig] = None,
              should_stop: Optional[Callable[[], bool]] = None, avoid: Sequence[str] = (),
              knowledge=None) -> Reply:
        """The reply to ``text`` after ``state``, searched and reranked as ``config`` says.
        ``knowledge``: stored (question, answer) pairs to read (an
        ``engine.knowledge_index.KnowledgeIndex``), for a model trained to read them. With
        ``avoid`` (replies already shown, to regenerate), the best reply found whose text is none of
        them: the search keeps its whole pool (the beam's n-best, the samples) and the reranking
        orders all of it, and where every likely reply found is avoided the best is returned all
        the same (the caller sees it is one it had).
        Greedy search writes one reply, so a greedy ``avoid`` looks among the beam's."""
        config, text = config or DecodeConfig(), spelt_out(text)  # "whats my dogs name": "what's my dogs name?"
        if avoid and config.search.strategy == "greedy":
            config = replace(config, search=replace(config.search, strategy="beam"))
        alpha = config.search.length_penalty
        choose = lambda hypotheses, avoid, words: _first_not_in(hypotheses, avoid, words, alpha)  # noqa: E731
        if self.has_memory:
            return self.memory_reply(text, state, config, should_stop, avoid, choose, knowledge)
        source_ids = self.encode_turn(text)
        memory, dec_state = self.steps.start_reply(torch.tensor([source_ids], device=self.device), self._state(state))
        vocab = self.vocab
        rerank = self._reranks(config)
        topic_bias = self._topic_bias(source_ids, config)
        hypotheses = self._steered_search(lambda tokens, s: self.steps.decode_step(tokens, s, memory),
                                          Seq2Seq.reorder_state, dec_state, config, rerank or bool(avoid),
                                          topic_bias, should_stop)
        if rerank:  # the reranking weighs the model's own log p(reply | turn), then adds the topic term
            hypotheses = self._rerank(without_topic_bonus(hypotheses, topic_bias), config, source_ids, topic_bias)
        hypotheses = sayable(hypotheses, None if avoid else config.search.n_best, vocab.decode)
        best = choose(hypotheses, avoid, vocab.decode)
        tokens = vocab.decode(best.tokens)
        new_state = best.final_state
        if new_state is None:  # only when every continuation was masked (see BeamSearch.results)
            new_state = self.steps.read_reply(best.tokens, dec_state, vocab.sos_id)
        attention = best.attention.tolist() if best.attention is not None else []
        return Reply(
            text=detokenize(tokens), tokens=tokens, score=best.score, source_tokens=vocab.decode(source_ids),
            attention=attention,
            state=ChatState(new_state, (state.turns if state else 0) + 1, self.model_id),
            alternatives=[(detokenize(vocab.decode(h.tokens)), h.score) for h in hypotheses],
        )


def _first_not_in(hypotheses: list[Hypothesis], avoid: Sequence[str], words: Callable[[list[int]], list[str]],
                  alpha: float) -> Hypothesis:
    """The first hypothesis whose words (case and punctuation aside) are none of ``avoid``'s and
    that the model finds likely (see ``ALTERNATIVE_SPREAD``; ``alpha``: the length penalty's);
    the first of all where there is none. ``words``: a hypothesis's ids as tokens."""
    said = {_words(text) for text in avoid}
    if not said:
        return hypotheses[0]
    # The model's own scores: the reranked ones add MMI and topic terms, not probabilities.
    plain = [h.log_prob / length_penalty(len(h.tokens), alpha) for h in hypotheses]
    floor = max(plain) - math.log(ALTERNATIVE_SPREAD)
    return next((h for h, score in zip(hypotheses, plain)
                 if score >= floor and _words(detokenize(words(h.tokens))) not in said),
                hypotheses[0])


def _words(text: str) -> str:
    """A reply as compared for "the same reply": "Hey whats up!" is "hey whats up"."""
    return " ".join(re.findall(r"\w+", text.lower()))


def load_seq2seq(path: Path) -> tuple[Seq2Seq, Vocab, dict]:
    checkpoint = load_checkpoint(path, kind="chat")
    model = build_chat_model(Seq2SeqConfig(**checkpoint.config))
    load_weights(model, checkpoint, path)
    return model, Vocab(checkpoint.vocab), checkpoint.meta


# -- command line ----------------------------------------------------------------------------
def _decode_config(args: argparse.Namespace) -> DecodeConfig:
    return chat_decoding(strategy=args.strategy, beam_size=args.beam_size, n_best=args.n_best, **mmi_settings(args))


def cli_knowledge(predictor: ChatPredictor, path: Optional[str]):
    """The pairs a command-line reply reads: the shipped ones and those of ``--knowledge FILE``
    (a bad file stops the command with its file and line, before any reply); None for a model
    that does not read pairs (a note says so when a file was given)."""
    from engine.knowledge_files import read_pairs
    from engine.knowledge_index import KnowledgeIndex
    from engine.shipped import shipped_pairs

    pairs = read_pairs(path, source="user") if path else []
    if not predictor.model.config.knowledge_pairs:
        if path:
            print(f"note: this chat model was not trained to read stored pairs; {path} is not used", file=sys.stderr)
        return None
    return KnowledgeIndex(list(shipped_pairs()) + pairs)


def run_reply(args: argparse.Namespace) -> int:
    if not args.text.strip():
        raise ValueError("the message is empty: there is nothing to reply to")
    predictor = ChatPredictor.load(args.model or DEFAULT_PATHS["chat"], pick_device(args.device))
    knowledge = cli_knowledge(predictor, args.knowledge)
    reply = predictor.reply(args.text, None, _decode_config(args), knowledge=knowledge)
    if reply.knowledge is not None:
        print(f"(from a stored pair: {reply.knowledge.question!r})", file=sys.stderr)
    for text, score in reply.alternatives:
        print(text if args.n_best == 1 else f"{score:8.3f}  {text}")
    return 0


def run_chat(args: argparse.Namespace) -> int:
    predictor = ChatPredictor.load(args.model or DEFAULT_PATHS["chat"], pick_device(args.device))
    knowledge = cli_knowledge(predictor, args.knowledge)
    config = _decode_config(args)
    state = None
    print("Type a message and press Enter; an empty line or Ctrl-D ends the conversation.")
    while True:
        try:
            text = input("you> ")
        except (EOFError, KeyboardInterrupt):
            print()
            return 0
        if not text.strip():
            return 0
        reply = predictor.reply(text, state, config, knowledge=knowledge)
        state = reply.state
        print(f"bot> {reply.text}")
