"""``python -m engine eval finetune``: does fine-tuning teach the corrections without costing the
base model its chat?

Twenty exchanges of held-out chitchat conversations (the test split) play the user's
corrections: the conversation up to that exchange is saved as the user had it, the model's own
greedy reply is the reply that was corrected, and the human reply is the correction. The shipped
model is fine-tuned on those twenty conversations with the training panel's defaults, exactly as
the panel's child process does it. Printed: ``corrections_reproduced`` (the share of the twenty
prompts whose greedy reply, from the state of the exchanges before it, equals the correction or
has sentence BLEU >= 0.8 against it), ``base_ppl_before`` / ``base_ppl_after`` (perplexity on the
rest of the test split) and ``seconds`` (preparing the data and training: what the user waits).

A correction is drawn from exchanges whose reply has 2 to 16 tokens, all in the model's
vocabulary (a word the model cannot write cannot be taught by fine-tuning), and whose prompt was
not already drawn.
"""
from __future__ import annotations

import argparse
import math
import random
import time
from dataclasses import asdict
from pathlib import Path

import torch

from engine.chat_training import evaluate_loss
from engine.data.chat import Conversation, load_corpus, tokenize_conversations, training_streams
from engine.decode_config import DecodeConfig
from engine.device import pick_device
from engine.options import add_config_arguments, config_values
from engine.shipped import DEFAULT_PATHS
from engine.tasks.chat import ChatPredictor, chat_decoding
from engine.tasks.finetune import add_base_corpus, finetune, reproduced_share, tuned_predictor
from engine.tasks.finetune_data import OPTION_FIELDS, FinetuneConfig, SavedExchange, prepare
from engine.text import tokenize


def add_eval_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--model", default=None, help="chat checkpoint to fine-tune (default: the shipped model)")
    parser.add_argument("--corrections", type=int, default=20, help="held-out conversations, one correction each")
    # The panel's defaults; changed only to explore (--seed also picks the corrections).
    add_config_arguments(parser, FinetuneConfig, OPTION_FIELDS)


def pick_corrections(conversations: list[Conversation], count: int, known: set[str], seed: int
                     ) -> list[tuple[int, int]]:
    """(conversation index, exchange index) of ``count`` exchanges to play corrections."""
    order = list(range(len(conversations)))
    random.Random(seed).shuffle(order)
    rng = random.Random(seed + 1)
    chosen, prompts = [], set()
    for index in order:
        turns = conversations[index]
        exchanges = len(turns) // 2
        if not exchanges:
            continue
        position = rng.randrange(min(3, exchanges))
        prompt, reply = tokenize(turns[2 * position]), tokenize(turns[2 * position + 1])
        if not prompt or not 2 <= len(reply) <= 16 or any(t not in known for t in reply):
            continue
        if " ".join(prompt) in prompts:
            continue
        prompts.add(" ".join(prompt))
        chosen.append((index, position))
        if len(chosen) == count:
            break
    return chosen


def perplexity(predictor: ChatPredictor, conversations: list[Conversation], device: torch.device) -> float:
    config = predictor.model.config
    streams = training_streams(tokenize_conversations(conversations), predictor.vocab, config.max_source_len,
                               config.max_reply_len, both_sides=False, extended=config.memory_tokens > 0)
    loss, _ = evaluate_loss(predictor.model, streams, predictor.vocab, device)
    return math.exp(loss)


def corrected_conversations(predictor: ChatPredictor, conversations: list[Conversation],
                            picks: list[tuple[int, int]]) -> list[list[SavedExchange]]:
    """Each picked exchange as the app would save it: the conversation up to it, the model's
    greedy reply there, and the person's reply as its correction."""
    greedy = DecodeConfig.of(strategy="greedy", max_length=predictor.model.config.max_reply_len)
    saved = []
    for index, position in picks:
        turns = conversations[index]
        history = [(turns[2 * i], turns[2 * i + 1]) for i in range(position)]
        prompt, correction = turns[2 * position], turns[2 * position + 1]
        state = predictor.rebuild_state(history) if history else None
        said = predictor.reply(prompt, state, greedy).text
        saved.append([SavedExchange(u, b) for u, b in history] + [SavedExchange(prompt, said, correction)])
    return saved


def evaluate(args: argparse.Namespace) -> dict:
    started = time.perf_counter()
    device = pick_device(args.device)
    model_path = Path(args.model or DEFAULT_PATHS["chat"])
    predictor = ChatPredictor.load(model_path, device)
    splits = load_corpus(None)
    picks = pick_corrections(splits.test, args.corrections, set(predictor.vocab.stoi), args.seed)
    picked = {index for index, _ in picks}
    base_test = [c for i, c in enumerate(splits.test) if i not in picked]
    ppl_before = perplexity(predictor, base_test, device)

    saved = corrected_conversations(predictor, splits.test, picks)
    config = FinetuneConfig(**config_values(args, OPTION_FIELDS), device=str(device)).checked()
    data = prepare(saved)
    reproduced_before = reproduced_share(predictor, data.checks)

    tuning_started = time.perf_counter()
    data = add_base_corpus(data, config, splits=load_corpus(None))
    result = finetune(predictor, data, config, device)
    seconds = time.perf_counter() - tuning_started
    tuned = tuned_predictor(predictor, device)
    reproduced = reproduced_share(tuned, data.checks)
    # ... and as the app writes replies: beam 5 with its topic focus (MMI), which must not push a
    # taught reply aside.
    app_decoding = chat_decoding(max_length=predictor.model.config.max_reply_len)
    reproduced_app = reproduced_share(tuned, data.checks, config=app_decoding)
    ppl_after = perplexity(tuned, base_test, device)
    return {
        "corrections_reproduced": reproduced,
        "corrections_reproduced_app_decoding": reproduced_app,
        "base_ppl_before": ppl_before,
        "base_ppl_after": ppl_after,
        "ppl_ratio": ppl_after / ppl_before,
        "seconds": round(seconds, 1),
        "corrections_reproduced_before": reproduced_before,
        "steps": result.steps,
        "train_tokens_per_s": round(result.tokens / max(result.elapsed_s, 1e-9), 1),
        "n_corrections": len(data.checks),
        "n_base_test_conversations": len(base_test),
        **{f"data_{k}": v for k, v in data.summary().items()},
        "config": asdict(config),
        "model": model_path.name,
        "total_seconds": round(time.perf_counter() - started, 1),
    }

