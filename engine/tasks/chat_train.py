"""Training the chat model: ``python -m engine train chat`` (and ``--reverse`` for the backward
model, ``--start-state-only``, ``--topic-words-only``), and the tiny models of tests and demos.

The loop itself is :func:`engine.chat_training.train_chat`; replies are in :mod:`engine.tasks.chat`.
"""
from __future__ import annotations

import argparse
import json
import random
import sys
import time
from dataclasses import asdict, replace
from pathlib import Path
from typing import Sequence

import torch

from engine import distributed
from engine.chat_training import TrainConfig, run_turn, train_chat
from engine.checkpoint import Checkpoint, load_checkpoint, load_weights, recorded_command, save_checkpoint
from engine.data.chat import (load_corpus, reversed_exchanges, stream_batches, tokenize_conversations,
                              training_streams)
from engine.device import pick_device
from engine.models.memory_chat import build_chat_model
from engine.models.seq2seq import Seq2Seq, Seq2SeqConfig
from engine.options import add_config_arguments, add_vocabulary_arguments, config_values
from engine.tasks.chat_train_knowledge import add_knowledge_arguments, with_knowledge, with_knowledge_data
from engine.shipped import DEFAULT_PATHS
from engine.text import Vocab
from engine.topic import store_topic_words
from engine.progress import progress_row
from engine.training import StopRequest, tqdm_progress
from engine.tasks.chat import ChatPredictor, beside_path, resume_path
from engine.tasks.chat_rerank import sample_prior_contexts

START_STATE_STREAMS = 1000  # training streams whose mean state a new conversation starts from


@torch.inference_mode()
def mean_state(model: Seq2Seq, streams: Sequence[Sequence[tuple[list[int], list[int]]]], vocab: Vocab,
               device: torch.device, skip: int = 1, n_streams: int = START_STATE_STREAMS, seed: int = 1234,
               batch_size: int = 64) -> dict:
    """The mean LSTM state (h and c, per layer) after the exchanges past the first ``skip`` of
    ``n_streams`` streams drawn from ``streams``: the state of a conversation under way.

    The zero state means "a conversation opens" to a model trained on chitchat, whose openings
    are greetings between strangers, so a new conversation that the user opens with a topic
    ("do you like sports?") would be answered as a greeting. Starting it from the mean state of
    conversations under way answers it as a turn of a conversation. Returns JSON-ready lists."""
    was_training = model.training
    model.eval()
    picked = random.Random(seed).sample(range(len(streams)), min(n_streams, len(streams)))
    chosen = [streams[i] for i in sorted(picked)]
    totals = [torch.zeros(model.config.num_layers, model.config.hidden_size, device=device) for _ in range(2)]
    count = 0
    state = model.initial_state(batch_size, device)
    positions = torch.zeros(batch_size, dtype=torch.long)  # each row's exchange within its stream
    for batch in stream_batches(chosen, batch_size, vocab):
        state = run_turn(model, batch.to(device), state).state
        positions = torch.where(batch.reset, 0, positions + 1)
        counted = ((batch.streams >= 0) & (positions >= skip)).to(device)
        for total, part in zip(totals, state):
            total += part[:, counted].sum(1)
        count += int(counted.sum())
    model.train(was_training)
    if count == 0:
        return {}
    return {"h": (totals[0] / count).tolist(), "c": (totals[1] / count).tolist(), "exchanges": count}


# -- command line ----------------------------------------------------------------------------
# The fields of the configs that ``train chat`` takes as options of the same names.
TRAIN_FIELDS = ("epochs", "batch_size", "learning_rate", "warmup_steps", "tbptt_turns", "clip_norm", "max_minutes",
                "valid_every", "seed")
MODEL_FIELDS = ("embedding_size", "hidden_size", "num_layers", "attention_size", "dropout", "memory_tokens",
                "knowledge_pairs")
MEMORY_SHARE = 0.2  # of training exchanges from generated memory conversations (--memory-share)


def add_train_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--data", default=None, help="JSONL, one conversation a line, or a folder or glob of JSONL "
                        "shards read as a stream (default: chitchat + chatterbot)")
    parser.add_argument("--shuffle-buffer", type=int, default=10_000,
                        help="--data SHARDS: training streams shuffled together as they are read")
    parser.add_argument("--out", default=str(DEFAULT_PATHS["chat"]), help="checkpoint to write")
    parser.add_argument("--resume", action="store_true", help="continue from OUT's resume file")
    parser.add_argument("--init", default=None, help="start from this chat checkpoint (fine-tuning)")
    add_config_arguments(parser, TrainConfig, TRAIN_FIELDS)
    add_config_arguments(parser, Seq2SeqConfig, MODEL_FIELDS)
    add_vocabulary_arguments(parser, max_vocab=8000)
    parser.add_argument("--vocab-from", default=None,
                        help="a new model takes this checkpoint's vocabulary instead of building one (so the "
                             "backward model trained with it still reranks the new model's replies)")
    parser.add_argument("--corpus-dir", default=None,
                        help="also train on the conversation corpora in this folder (Topical-Chat, "
                             "Synthetic-Persona-Chat, Personality Chat; see its SOURCES.md)")
    parser.add_argument("--memory-share", type=float, default=MEMORY_SHARE,
                        help="memory model: share of training exchanges from generated conversations that tell "
                             "a fact and ask it back (engine.data.memory)")
    add_knowledge_arguments(parser)
    parser.add_argument("--one-side", action="store_true", help="train each conversation from turn 0 only")
    parser.add_argument("--reverse", action="store_true",
                        help="train the backward model p(turn | reply) on the same exchanges turned around, "
                             "one exchange at a time (it ranks replies by how well they answer the turn)")
    parser.add_argument("--start-state-only", action="store_true",
                        help="train nothing: store in OUT the state a new conversation starts from (the mean "
                             "state of training conversations under way; training stores it at its end)")
    parser.add_argument("--topic-words-only", action="store_true",
                        help="train nothing: count the topic words of OUT's vocabulary over the training split and "
                             "write them beside OUT as <stem>_topic.safetensors (training writes them at its end)")
    parser.add_argument("--half", action="store_true",
                        help="store OUT's weights as float16 (shipping size; the resume file keeps float32)")
    parser.add_argument("--progress", choices=("bar", "jsonl"), default="bar",
                        help="bar: tqdm on stderr; jsonl: one JSON progress object a line on stdout")


def _jsonl_progress(update) -> None:
    print(json.dumps({"progress": progress_row(update)}), flush=True)


def prior_contexts(streams, vocab: Vocab, seed: int) -> list[list[str]]:
    """The training turns whose mean p(reply | turn) estimates p(reply), as tokens (a word
    outside the vocabulary as <unk>)."""
    return [vocab.decode([i if i < len(vocab) else vocab.unk_id for i in source])
            for source in sample_prior_contexts(streams, seed=seed)]


def store_start_state(path: Path, streams: Sequence[Sequence[tuple[list[int], list[int]]]],
                      device: torch.device, seed: int = 1234) -> dict:
    """Compute :func:`mean_state` of the chat model at ``path`` over ``streams`` (encoded with its
    vocabulary) and store it in the checkpoint's metadata, its weights as they were (float16 ones
    stay float16)."""
    from safetensors import safe_open

    with safe_open(str(path), framework="pt") as stored:
        half = any(stored.get_slice(name).get_dtype() == "F16" for name in stored.keys())
    checkpoint = load_checkpoint(path, kind="chat")
    model = build_chat_model(Seq2SeqConfig(**checkpoint.config))
    load_weights(model, checkpoint, path)
    # A model that reads stored pairs learnt to use them from the zero state its question-answer
    # conversations start from; a mean state puts a new conversation where it never learnt to (it
    # then ignores the pairs), so it starts new conversations from zeros.
    reads_pairs = bool(model.config.knowledge_pairs)
    start = {} if reads_pairs else mean_state(model.to(device), streams, Vocab(checkpoint.vocab), device, seed=seed)
    checkpoint.meta["start_state"] = start
    if "prior_contexts" not in checkpoint.meta and checkpoint.meta.get("direction") != "backward":
        checkpoint.meta["prior_contexts"] = prior_contexts(streams, Vocab(checkpoint.vocab), seed)
    save_checkpoint(path, checkpoint, half=half)
    return start


def _data_name(args: argparse.Namespace) -> str:
    name = args.data or "chitchat-dataset + chatterbot-corpus (english)"
    if args.corpus_dir:
        name += " + Topical-Chat + Synthetic-Persona-Chat + Personality Chat (train splits)"
    if args.memory_tokens and args.memory_share > 0:
        name += f" + generated memory conversations ({args.memory_share:.0%} of exchanges)"
    return name


def _corpora_train(corpus_dir: str | None) -> list:
    """The train splits of the corpora in ``corpus_dir`` (none without one), split with their
    fixed seed, less the question-answer groups that ask what the user told ("What's my name?" ->
    "I don't know you ..."), which the conversation memory answers."""
    if corpus_dir is None:
        return []
    from engine.data.corpora import load_corpora
    from engine.data.memory_facts import without_what_the_user_told

    loaded = load_corpora(corpus_dir)
    train = {name: corpus.splits.train for name, corpus in loaded.items()}
    if "personality-chat" in train:  # its conversations are (question, answer) pairs
        train["personality-chat"] = without_what_the_user_told(train["personality-chat"])
    print(f"corpora train conversations: {json.dumps({name: len(c) for name, c in train.items()})}", file=sys.stderr)
    return [turns for conversations in train.values() for turns in conversations]


def _with_memory_conversations(streams, train_conversations, vocab: Vocab, config: Seq2SeqConfig,
                               share: float, seed: int):
    """``streams`` with generated memory conversations (training values and phrasings, real
    exchanges from the training conversations) making up ``share`` of the exchanges."""
    from engine.data.chat import encode_conversation
    from engine.data.memory import MemoryConfig, memory_stream
    from engine.data.memory_filler import FillerPool
    from engine.data.memory_sets import mix

    pool = FillerPool.build(train_conversations)
    generated = (encode_conversation(m.turns, vocab, config.max_source_len, config.max_reply_len, 0, True,
                                     unscored=m.unscored)
                 for m in memory_stream(pool, MemoryConfig(), seed))
    mixed = mix(streams, generated, share, seed)
    print(f"memory conversations: {len(mixed) - len(streams)}", file=sys.stderr)
    return mixed


def train(args: argparse.Namespace) -> int:
    """``python -m engine train chat``: a new model, one from ``--init``, or ``--resume``."""
    device = pick_device(args.device)
    started = time.time()
    splits = load_corpus(args.data)  # the fixed split: --seed orders the data and starts the weights
    print(f"conversations: {json.dumps(splits.sizes())}", file=sys.stderr)
    corpora_train = _corpora_train(args.corpus_dir)
    train_tokens = tokenize_conversations(splits.train + corpora_train)
    out = Path(args.out)
    if args.start_state_only or args.topic_words_only:
        return _store_companions_only(args, out, train_tokens, device)
    model, vocab, resume_meta, optimizer_state = _model_to_train(args, out, train_tokens)
    config = model.config
    extended = config.memory_tokens > 0
    train_streams = training_streams(train_tokens, vocab, config.max_source_len, config.max_reply_len,
                                     not args.one_side, extended)
    conversations = train_streams  # the topic words are counted over these, not the generated ones
    if extended and args.memory_share > 0:
        train_streams = _with_memory_conversations(train_streams, splits.train + corpora_train, vocab, config,
                                                   args.memory_share, args.seed)
    if config.knowledge_pairs:
        train_streams = with_knowledge_data(train_streams, args, vocab, config)
    if args.reverse:  # validated like it trains: every exchange of both speakers, turned around
        valid_streams = reversed_exchanges(training_streams(splits.valid, vocab, config.max_source_len,
                                                            config.max_reply_len, True))
        train_streams = reversed_exchanges(train_streams)
    else:
        valid_streams = training_streams(splits.valid, vocab, config.max_source_len, config.max_reply_len, False,
                                         extended)
    train_config = TrainConfig(**config_values(args, TRAIN_FIELDS), min_learning_rate=args.learning_rate / 10)
    base_meta = {
        "data": _data_name(args),
        "splits": splits.sizes(), "train_config": asdict(train_config),
        "command": recorded_command("chat", sys.argv[3:]) if len(sys.argv) > 3 else "",
        "direction": "backward" if args.reverse else "forward",
    }
    if not args.reverse:  # the turns that estimate p(reply) for the MMI reranking
        base_meta["prior_contexts"] = prior_contexts(train_streams, vocab, args.seed)
    save = _checkpointer(model, vocab, out, base_meta, started, args.half)
    progress = _jsonl_progress if args.progress == "jsonl" else tqdm_progress(unit="tok")
    with StopRequest() as stop:
        result = train_chat(model, train_streams, valid_streams, vocab, train_config, device, progress, stop,
                            save, resume_meta, optimizer_state)
    if not distributed.is_main():  # under torchrun, rank 0 writes the companions and the summary
        return 0
    if not args.reverse and out.is_file():  # the weights that validated best, as OUT holds them
        store_start_state(out, train_streams, device, args.seed)
        store_topic_words(beside_path(out, "topic"), conversations, vocab, base_meta["data"])
    print(json.dumps({"steps": result.steps, "epochs": round(result.epochs_done, 3), "stopped": result.stopped_early,
                      "best_valid_loss": result.best_valid_loss, "seconds": round(result.elapsed_s, 1),
                      "tokens_per_s": round(result.tokens / max(result.elapsed_s, 1e-9), 1), "out": str(out)}))
    return 0


def _store_companions_only(args: argparse.Namespace, out: Path, train_tokens, device: torch.device) -> int:
    """``--start-state-only`` / ``--topic-words-only``: OUT's model as it is, over the training split."""
    checkpoint = load_checkpoint(out, kind="chat")
    vocab, config = Vocab(checkpoint.vocab), Seq2SeqConfig(**checkpoint.config)
    streams = training_streams(train_tokens, vocab, config.max_source_len, config.max_reply_len, True,
                               config.memory_tokens > 0)
    if args.start_state_only:
        start = store_start_state(out, streams, device, args.seed)
        print(json.dumps({"start_state_exchanges": start.get("exchanges", 0), "out": str(out)}))
    if args.topic_words_only:
        print(json.dumps(store_topic_words(beside_path(out, "topic"), streams, vocab, _data_name(args))))
    return 0


def _model_to_train(args: argparse.Namespace, out: Path, train_tokens):
    """(model, vocab, resume meta, optimiser state): OUT's resume file with ``--resume``, the
    ``--init`` checkpoint, or a new network (its vocabulary built, or taken with ``--vocab-from``)."""
    if args.resume and resume_path(out).is_file():
        checkpoint = load_checkpoint(resume_path(out), kind="chat")
        model = build_chat_model(Seq2SeqConfig(**checkpoint.config))
        load_weights(model, checkpoint, resume_path(out))
        resume_meta = checkpoint.meta["resume"]
        print(f"resuming at epoch {resume_meta['epoch']}, step {resume_meta['step']}", file=sys.stderr)
        return _bounded(model, args.memory_tokens), Vocab(checkpoint.vocab), resume_meta, checkpoint.optimizer
    if args.init:
        base = ChatPredictor.load(args.init)
        if args.memory_tokens and not base.model.config.memory_tokens:
            return _with_memory(base.model, args.memory_tokens), base.vocab, None, None
        model = with_knowledge(_bounded(base.model, args.memory_tokens), args.knowledge_pairs)
        return model, base.vocab, None, None
    # --vocab-from: the same words as that model, so its companions (the backward model) still fit.
    # ``train_tokens`` may be a vocabulary already counted (the streaming pass over shards).
    vocab = (Vocab(load_checkpoint(args.vocab_from, kind="chat").vocab) if args.vocab_from
             else train_tokens if isinstance(train_tokens, Vocab)
             else Vocab.build((t for conv in train_tokens for t in conv), args.max_vocab, args.min_count))
    config = Seq2SeqConfig(vocab_size=len(vocab), **config_values(args, MODEL_FIELDS))
    torch.manual_seed(args.seed)
    return build_chat_model(config), vocab, None, None


def _bounded(model: Seq2Seq, memory_tokens: int) -> Seq2Seq:
    """``model`` with its memory bound set to ``--memory-tokens`` where both are memory models: the
    bound is no weight, so a memory model may go on training (and replying) with a longer one."""
    if memory_tokens and model.config.memory_tokens and memory_tokens != model.config.memory_tokens:
        print(f"memory bound {model.config.memory_tokens} -> {memory_tokens} tokens", file=sys.stderr)
        model.config = replace(model.config, memory_tokens=memory_tokens)
    return model


def _with_memory(base: Seq2Seq, memory_tokens: int) -> Seq2Seq:
    """A memory model that starts from ``base``'s word vectors, LSTMs, combining and output
    layers; its memory attention and copy gate start new."""
    torch.manual_seed(0)
    model = build_chat_model(replace(base.config, memory_tokens=memory_tokens))
    missing, _ = model.load_state_dict(base.state_dict(), strict=False)
    print(f"from --init: all but {', '.join(sorted(missing))}", file=sys.stderr)
    return model


def _checkpointer(model: Seq2Seq, vocab: Vocab, out: Path, base_meta: dict, started: float, half: bool):
    """train_chat's ``on_checkpoint``: the resume file every time, OUT when validation is at its best."""
    def save(optimizer, meta: dict) -> None:
        info = dict(base_meta, resume=meta, valid_loss=meta.get("valid_loss"),
                    best_valid_loss=meta.get("best_valid_loss"), trained_s=round(time.time() - started, 1))
        weights = model.state_dict()
        save_checkpoint(resume_path(out), Checkpoint("chat", asdict(model.config), weights, vocab.itos, info,
                                                     optimizer.state_dict()))
        # OUT holds the weights that validated best (the latest ones until the first validation),
        # so that a run which goes on past its best epoch does not ship the overfitted end.
        valid, best = meta.get("valid_loss"), meta.get("best_valid_loss")
        if best is None or (valid is not None and valid <= best):
            save_checkpoint(out, Checkpoint("chat", asdict(model.config), weights, vocab.itos, info), half=half)

    return save


def tiny_config(vocab: Vocab, **overrides) -> Seq2SeqConfig:
    """A small model for tests and quick experiments."""
    return replace(Seq2SeqConfig(vocab_size=len(vocab), embedding_size=32, hidden_size=48, attention_size=24,
                                 dropout=0.0, cutoffs=()), **overrides)


def train_small_model(conversations: Sequence[Sequence[str]], out: str | Path | None = None, epochs: int = 150,
                      seed: int = 0, **overrides) -> ChatPredictor:
    """Train a tiny chat model on a few conversations until it knows them (tests, demos).

    Returns the predictor; with ``out`` the checkpoint is also written there.
    """
    from engine.data.chat import tokenize_conversations

    tokenized = tokenize_conversations([list(c) for c in conversations])
    vocab = Vocab.build((t for conv in tokenized for t in conv), max_size=2000, min_count=1)
    config = tiny_config(vocab, **overrides)
    torch.manual_seed(seed)
    model = Seq2Seq(config)
    streams = training_streams(tokenized, vocab, config.max_source_len, config.max_reply_len, both_sides=False)
    longest = max(len(s) for s in streams)
    train_chat(model, streams, [], vocab,
               TrainConfig(epochs=epochs, batch_size=len(streams), learning_rate=1e-2, min_learning_rate=1e-3,
                           warmup_steps=10, tbptt_turns=longest, seed=seed, valid_every=10**9,
                           min_active_rows=0.0),
               torch.device("cpu"))
    if out is not None:
        save_checkpoint(out, Checkpoint("chat", asdict(config), model.state_dict(), vocab.itos,
                                        {"data": "small test conversations"}))
    return ChatPredictor(model, vocab, torch.device("cpu"), model_id=f"small:{seed}")
