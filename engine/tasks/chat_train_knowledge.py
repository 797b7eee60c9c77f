"""``train chat --knowledge-pairs K``: the memory model learns to read stored (question, answer)
pairs beside the conversation (:mod:`engine.data.knowledge_data` says what teaches it).

A memory model without them (``--init`` one) gains the question/answer tags of the pairs' keys,
new; everything else starts from its weights. Training conversations then carry unrelated pairs
(``--distractor-share`` of exchanges), and question-answer conversations whose store holds the
answer (``--knowledge-share`` of exchanges) are mixed in.
"""
from __future__ import annotations

import argparse
import random
import sys
from dataclasses import replace

from engine.models.memory_chat import build_chat_model
from engine.models.seq2seq import Seq2Seq
from engine.text import Vocab

KNOWLEDGE_SHARE = 0.1
DISTRACTOR_SHARE = 0.3


def add_knowledge_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--knowledge-share", type=float, default=KNOWLEDGE_SHARE,
                        help="with --knowledge-pairs: share of training exchanges that ask a question whose answer "
                             "the store holds (Personality Chat, WebQuestions, NQ-open train splits; --corpus-dir)")
    parser.add_argument("--distractor-share", type=float, default=DISTRACTOR_SHARE,
                        help="with --knowledge-pairs: share of the other exchanges whose store holds unrelated pairs")


def with_knowledge(model: Seq2Seq, pairs: int) -> Seq2Seq:
    """``model`` (a memory model) as one that reads ``pairs`` stored pairs: new tags, its weights."""
    if not pairs or model.config.knowledge_pairs == pairs:
        return model
    if not model.config.memory_tokens:
        raise SystemExit("--knowledge-pairs needs a memory model (--memory-tokens)")
    fresh = build_chat_model(replace(model.config, knowledge_pairs=pairs))
    missing, _ = fresh.load_state_dict(model.state_dict(), strict=False)
    print(f"knowledge pairs {model.config.knowledge_pairs} -> {pairs}: new {', '.join(sorted(missing))}",
          file=sys.stderr)
    return fresh


def with_knowledge_data(streams: list, args: argparse.Namespace, vocab: Vocab, config) -> list:
    """The training streams with question-answer conversations mixed in and distractors attached."""
    from engine.data.chat import encode_conversation
    from engine.data.knowledge_data import (Distractors, factoid_items, personality_items, qa_conversations,
                                            with_distractors)
    from engine.data.memory_facts import without_what_the_user_told
    from engine.data.memory_sets import mix

    if not args.corpus_dir:
        raise SystemExit("--knowledge-pairs needs --corpus-dir (the question-answer data is read from it)")
    rng = random.Random(args.seed)
    personality = without_what_the_user_told(personality_items(args.corpus_dir, "train"),
                                             lambda item: (item.question, item.group))
    items = personality + factoid_items(args.corpus_dir, "train")
    distractors = Distractors(items, rng)

    def qa_streams():
        for round_ in range(1000):  # as many rounds over the items as the share asks for
            for turns, knowledge in qa_conversations(items, distractors, config.knowledge_pairs,
                                                     random.Random(args.seed * 7919 + round_)):
                yield encode_conversation(turns, vocab, config.max_source_len, config.max_reply_len, 0, True,
                                          knowledge)

    mixed = mix(streams, qa_streams(), args.knowledge_share, args.seed)
    print(f"question-answer conversations: {len(mixed) - len(streams)} (of {len(items)} items)", file=sys.stderr)
    return with_distractors(mixed, distractors, vocab.encode, config.knowledge_pairs, args.distractor_share, rng,
                            lambda ids: " ".join(vocab.itos[i] for i in ids if i < len(vocab)))
