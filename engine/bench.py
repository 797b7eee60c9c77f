"""``python -m engine bench``: training throughput against a bare LSTM, decoding and retrieval latency.

Figures come from the shipped models (or ``--only`` some kinds); each kind whose model is
missing is reported under ``missing`` instead of failing the whole run.
"""
from __future__ import annotations

import argparse
import importlib
import statistics
import time
from typing import Callable

import torch
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence

from engine.checkpoint import CheckpointError
from engine.chat_training import run_turn
from engine.data.chat import make_turn_batch
from engine.decode_config import DecodeConfig
from engine.device import autocast, pick_device
from engine.models.fast.lstm import lstm_forward, uses_own_layer
from engine.shipped import DEFAULT_PATHS
from engine.training import adam, backward_and_step


def _timed(fn: Callable[[], None], repeats: int, device: torch.device, warm_up: bool = True) -> list[float]:
    """Milliseconds of each call, after one warm-up call unless ``warm_up`` is false."""
    if warm_up:
        fn()
    times = []
    for _ in range(repeats):
        if device.type == "cuda":
            torch.cuda.synchronize()
        start = time.perf_counter()
        fn()
        if device.type == "cuda":
            torch.cuda.synchronize()
        times.append((time.perf_counter() - start) * 1000)
    return times


def _in_turns(fns: dict[str, Callable[[], None]], repeats: int, device: torch.device) -> dict[str, list[float]]:
    """Milliseconds of each call of each function, the functions taking turns one call each (after
    one warm-up call each), so that a change in what else the machine is doing reaches all alike."""
    for fn in fns.values():
        fn()
    times: dict[str, list[float]] = {name: [] for name in fns}
    for _ in range(repeats):
        for name, fn in fns.items():
            times[name] += _timed(fn, 1, device, warm_up=False)
    return times


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def _random_turns(vocab, config, batch_size: int, window: int, seed: int, device: torch.device) -> list:
    """``window`` turn batches of ``batch_size`` random exchanges, shaped like the corpus's."""
    generator = torch.Generator().manual_seed(seed)
    # Words drawn by Zipf's law over the vocabulary's ranks (its ids count from the most frequent
    # word): the adaptive softmax's cost depends on how many targets fall in its rarer clusters.
    # Uniform ids put 88% of them there; Zipf's law puts 22%, and the chat corpus's turns 11%.
    zipf = 1.0 / torch.arange(1, len(vocab) - 3, dtype=torch.float)

    def words(n: int) -> list[int]:
        return (torch.multinomial(zipf, n, replacement=True, generator=generator) + 4).tolist()

    batches = []
    for _ in range(window):
        exchanges = []
        for _ in range(batch_size):
            # Lengths like the corpus's turns: mostly short, some at the cut.
            n_src = int(torch.randint(3, config.max_source_len + 1, (1,), generator=generator))
            n_tgt = int(torch.randint(3, config.max_reply_len + 1, (1,), generator=generator))
            exchanges.append((words(n_src), words(n_tgt)))
        batches.append(make_turn_batch(exchanges, [False] * batch_size, vocab).to(device))
    return batches


def bench_chat_training(predictor, device: torch.device, batch_size: int = 64, window: int = 4,
                        repeats: int = 10, seed: int = 0) -> dict:
    """A real training step (TBPTT window of ``window`` exchanges: forward, backward, clipping,
    Adam) against bare ``nn.LSTM`` forward+backward of the same encoder and decoder shapes on the
    same packed batches, in the same run (and, on the CPU, against the same bare LSTMs on the
    model's own LSTM layer)."""
    model, vocab = predictor.model, predictor.vocab
    config = model.config
    batches = _random_turns(vocab, config, batch_size, window, seed, device)
    tokens = sum(int(b.source_lengths.sum()) + int(b.reply_lengths.sum()) for b in batches)

    model.to(device).train()
    optimizer = adam(model.parameters(), 1e-6)

    def train_step() -> None:
        state = model.initial_state(batch_size, device)
        total, count = 0.0, 0
        for batch in batches:
            with autocast(device):
                out = run_turn(model, batch, state)
            state, total, count = out.state, total + out.loss_sum, count + out.n_tokens
        backward_and_step(total / count, model, optimizer, 5.0)

    encoder = nn.LSTM(config.embedding_size, config.hidden_size, config.num_layers, batch_first=True).to(device)
    decoder = nn.LSTM(config.embedding_size, config.hidden_size, config.num_layers, batch_first=True).to(device)
    inputs = [(torch.randn(batch_size, b.source.size(1), config.embedding_size, device=device, requires_grad=True),
               torch.randn(batch_size, b.reply_input.size(1), config.embedding_size, device=device,
                           requires_grad=True), b) for b in batches]

    def raw_step(forward) -> None:
        total = 0.0
        for src, tgt, b in inputs:
            with autocast(device):
                enc, _ = forward(encoder, pack_padded_sequence(src, b.source_lengths, batch_first=True,
                                                               enforce_sorted=False))
                dec, _ = forward(decoder, pack_padded_sequence(tgt, b.reply_lengths, batch_first=True,
                                                               enforce_sorted=False))
            total = total + enc.data.float().sum() + dec.data.float().sum()
        total.backward()

    steps = {"train": train_step, "raw": lambda: raw_step(lambda lstm, x: lstm(x))}
    if uses_own_layer(encoder, inputs[0][0]):
        # The same bare LSTMs on the hand-written layer the model trains with on the CPU
        # (engine.models.fast.lstm): train_ratio_own_lstm is the share of a step that is not the LSTMs.
        steps["own"] = lambda: raw_step(lstm_forward)
    times = _in_turns(steps, repeats, device)
    model.eval()
    rates = {name: tokens / statistics.median(values) * 1000 for name, values in times.items()}
    result = {"train_tokens_per_s": round(rates["train"], 1), "raw_lstm_tokens_per_s": round(rates["raw"], 1),
              "train_ratio": round(rates["train"] / rates["raw"], 3)}
    if "own" in rates:
        result.update(own_lstm_tokens_per_s=round(rates["own"], 1),
                      train_ratio_own_lstm=round(rates["train"] / rates["own"], 3))
    return {**result, "train_batch": batch_size, "train_window": window}


# Openers of a conversation for the latency of the default reply (``reply_ms_p50``).
OPENERS = ("hi", "how are you?", "do you like music?", "what are you doing this weekend?", "i can't sleep",
           "do you have any pets?", "my exams start tomorrow", "what did you eat for dinner?")


# Exchanges that lead up to the replies of ``reply_turn<N>_ms_p50``, said N // 4 times over.
CONVERSATION = [("hi , i'm sam and i live in lisbon", "hi sam ! lisbon is lovely , what do you do there ?"),
                ("i teach music at a school near the river", "that sounds fun , what instrument do you play ?"),
                ("mostly the cello , and some piano on weekends", "i love the cello , it has such a warm sound"),
                ("my dog biscuit always howls when i practise", "haha , biscuit must be a music critic")]
LATER_TURNS = (20, 1000)


def bench_chat_decoding(predictor, repeats: int, length: int = 30) -> dict:
    """Latency of ``length``-token replies (the length is forced, so every run does the same work)."""
    from engine.tasks.chat import chat_decoding

    text = "hey , how was your weekend ? did you do anything fun ?"
    configs = {"greedy": DecodeConfig.of(strategy="greedy", min_length=length, max_length=length),
               "beam5": DecodeConfig.of(beam_size=5, min_length=length, max_length=length),
               "beam5_mmi": chat_decoding(min_length=length, max_length=length)}
    # Greedy and beam take turns (one after the other, beam_over_greedy moved by 0.4 between
    # runs), five times as often as the rest: they take milliseconds, and with 20 turns their
    # ratio still moved by 0.1 from run to run. The reranked replies, which also run the unpacked
    # model, come after, so that they do not cool the caches of the other two.
    reply = lambda name: lambda: predictor.reply(text, None, configs[name])  # noqa: E731
    times = _in_turns({name: reply(name) for name in ("greedy", "beam5")}, 5 * repeats, predictor.device)
    times["beam5_mmi"] = _timed(reply("beam5_mmi"), repeats, predictor.device)
    # The default reply as the app writes it, to openers of a conversation, at the length it chooses.
    default = chat_decoding()
    openers = {text: lambda text=text: predictor.reply(text, None, default) for text in OPENERS}
    times["reply"] = [ms for values in _in_turns(openers, max(1, repeats // len(OPENERS)), predictor.device).values()
                      for ms in values]
    # The same, 20 and 1,000 exchanges into a conversation (the memory model then attends over a
    # full memory, bounded however long the conversation).
    for turn in LATER_TURNS:
        later = predictor.rebuild_state(CONVERSATION * (turn // len(CONVERSATION)))
        openers = {text: lambda text=text, later=later: predictor.reply(text, later, default) for text in OPENERS}
        times[f"reply_turn{turn}"] = [ms for values in _in_turns(openers, max(1, repeats // len(OPENERS)),
                                                                 predictor.device).values() for ms in values]
    results = {}
    for name, values in times.items():
        results[f"{name}_ms_p50"] = round(statistics.median(values), 2)
        results[f"{name}_ms_p95"] = round(_percentile(values, 0.95), 2)
    results["beam_over_greedy"] = round(results["beam5_ms_p50"] / results["greedy_ms_p50"], 3)
    results["reply_tokens"] = length
    # Which kernels replies ran on: prepacked float16 weights (engine.models.fast.decoder) or the model's own.
    results["reply_weights"] = "packed-fp16" if predictor.steps is not predictor.model else "model"
    return results


def run(args: argparse.Namespace) -> dict:
    device = pick_device(args.device)
    kinds = args.only or ["chat", "sentiment", "caption", "char", "knowledge"]
    result: dict = {"device": str(device), "torch_threads": torch.get_num_threads(),
                    "cuda": torch.cuda.get_device_name(0) if device.type == "cuda" else None}
    missing = {}
    if "chat" in kinds:
        from engine.tasks.chat import ChatPredictor

        try:
            predictor = ChatPredictor.load(getattr(args, "chat_model", None) or DEFAULT_PATHS["chat"], device)
            result.update(bench_chat_decoding(predictor, args.repeats))
            result.update(bench_chat_training(predictor, device))
        except CheckpointError as error:
            missing["chat"] = str(error)
    for kind in ("sentiment", "caption", "char"):
        if kind not in kinds:
            continue
        try:
            task = importlib.import_module(f"engine.tasks.{kind}_eval")
            result.update(task.bench(device, args.repeats))
        except (CheckpointError, ImportError, FileNotFoundError) as error:
            missing[kind] = str(error)
    if "knowledge" in kinds:  # retrieval over 100,000 stored pairs (engine.knowledge_bench)
        from engine.knowledge_bench import bench_retrieval

        result.update(bench_retrieval())
    if missing:
        result["missing"] = missing
    return result
