"""``python -m engine bench --ddp`` and ``--shards-rss``: training past one process, measured.

``--ddp``: the same chat training (a small model, a generated corpus, the same global batch and
number of steps) in one process and on two Gloo ranks started here as torchrun would start them;
tokens per second of each and the validation loss after the steps. ``--shards-rss``: peak resident
memory of one streaming pass (reading and counting the vocabulary) over a generated corpus of
JSONL shards and over one ten times larger, each in a fresh process; with ``--train-minutes``, of
``train chat --data SHARDS`` (a small model) for that long instead.
"""
from __future__ import annotations

import json
import random
import subprocess
import sys
import tempfile
from pathlib import Path

import torch

WORDS = ("the cat dog sun rain music book tea road city sea song film game hill bird tree star cold warm "
         "i you we like love want see think go have know play read walk talk why how what where when").split()


def generated_conversations(count: int, seed: int = 0) -> list[list[str]]:
    """``count`` conversations of 2-8 turns of 3-12 words from a small word list."""
    rng = random.Random(seed)
    return [[" ".join(rng.choice(WORDS) for _ in range(rng.randint(3, 12))) for _ in range(rng.randint(2, 8))]
            for _ in range(count)]


def train_small(device: torch.device, steps: int, batch_size: int):
    """A small chat model trained ``steps`` steps on generated conversations (ranks under torchrun
    each take their rows): (model, vocab, TrainResult, validation loss, computed on rank 0 only)."""
    from engine import distributed
    from engine.chat_training import TrainConfig, evaluate_loss, train_chat
    from engine.data.chat import tokenize_conversations, training_streams
    from engine.models.seq2seq import Seq2Seq
    from engine.tasks.chat_train import tiny_config
    from engine.text import Vocab

    train = tokenize_conversations(generated_conversations(2000, seed=1))
    valid = tokenize_conversations(generated_conversations(100, seed=2))
    vocab = Vocab.build((t for conv in train for t in conv), max_size=1000, min_count=1)
    torch.manual_seed(0)
    model = Seq2Seq(tiny_config(vocab, embedding_size=64, hidden_size=128, attention_size=64))
    train_streams = training_streams(train, vocab, 20, 20)
    valid_streams = training_streams(valid, vocab, 20, 20, both_sides=False)
    config = TrainConfig(epochs=1, batch_size=batch_size, learning_rate=3e-3, min_learning_rate=3e-4, warmup_steps=5,
                         tbptt_turns=2, seed=1, valid_every=10**9)
    taken = [0]

    def enough() -> bool:
        taken[0] += 1
        return taken[0] >= steps

    result = train_chat(model, train_streams, valid_streams, vocab, config, device, should_stop=enough)
    loss = evaluate_loss(model, valid_streams, vocab, device, batch_size)[0] if distributed.is_main() else None
    return model, vocab, result, loss


def _ddp_worker(out: str, steps: int, batch_size: int, device_type: str = "cpu") -> None:
    """One rank of the benchmark run: train ``steps`` steps, rank 0 writes the figures."""
    from engine import distributed

    device = distributed.device_for(torch.device(device_type))
    _, _, result, loss = train_small(device, steps, batch_size)
    if distributed.is_main():
        Path(out).write_text(json.dumps({"steps": result.steps, "tokens": result.tokens,
                                         "seconds": round(result.elapsed_s, 2),
                                         "tokens_per_s": round(result.tokens / max(result.elapsed_s, 1e-9), 1),
                                         "valid_loss": round(loss, 4)}))


def run_ddp(steps: int = 40, batch_size: int = 16, device_type: str = "cpu") -> dict:
    """Two ranks (Gloo on the CPU, one thread each; NCCL on two GPUs) against one process, the
    same global batch."""
    from engine import distributed

    figures, two_name = {}, "two_ranks_gloo" if device_type == "cpu" else "two_gpus_nccl"
    with tempfile.TemporaryDirectory() as folder:
        for name, ranks in (("one_process", 1), (two_name, 2)):
            out = str(Path(folder) / f"{name}.json")
            distributed.launch(_ddp_worker, ranks, out, steps, batch_size, device_type, device_type=device_type)
            figures[name] = dict(json.loads(Path(out).read_text()), ranks=ranks)
    one, two = figures["one_process"], figures[two_name]
    return {"global_batch": batch_size, "steps": steps, **figures,
            "speedup": round(two["tokens_per_s"] / max(one["tokens_per_s"], 1e-9), 3),
            "valid_loss_difference": round(two["valid_loss"] - one["valid_loss"], 4)}


_PASS = """
import json, resource, sys
from engine.data.shards import stream_vocab
vocab, report = stream_vocab(sys.argv[1], max_size=8000, min_count=1, part=(0, 1))
print(json.dumps({"conversations": report.conversations, "vocab": len(vocab),
                  "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)}))
"""


def _write_shards(folder: Path, conversations: int, per_shard: int = 20_000) -> int:
    """Generated conversations as JSONL shards; returns the bytes written."""
    folder.mkdir(parents=True)
    written, rng = 0, random.Random(5)
    for shard, start in enumerate(range(0, conversations, per_shard)):
        with open(folder / f"part{shard:04d}.jsonl", "w", encoding="utf-8") as handle:
            for _ in range(start, min(conversations, start + per_shard)):
                words = [" ".join(rng.choice(WORDS) + str(rng.randint(0, 2000)) for _ in range(rng.randint(3, 12)))
                         for _ in range(rng.randint(2, 8))]
                written += handle.write(json.dumps(words) + "\n")
    return written


_TRAIN = """
import json, resource, sys
from engine.__main__ import main
code = main(sys.argv[1:])
print(json.dumps({"exit": code, "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)}))
"""


def _train_command(shards: Path, out: Path, minutes: float) -> list[str]:
    """``train chat`` on the shards, a small model for ``minutes`` on one thread, then its peak RSS."""
    return [sys.executable, "-c", _TRAIN, "train", "chat", "--data", str(shards), "--out", str(out),
            "--hidden-size", "64", "--embedding-size", "64", "--attention-size", "32", "--batch-size", "32",
            "--epochs", "1", "--max-minutes", str(minutes), "--valid-every", "1000000", "--threads", "1",
            "--progress", "jsonl"]


def _measure(command: list[str], root: str) -> dict:
    """Run ``command`` in a fresh process; its JSON lines (the training summary and the peak RSS) merged."""
    done = subprocess.run(command, capture_output=True, text=True, cwd=root)
    lines = [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]
    figures = {key: value for line in lines if "progress" not in line for key, value in line.items()}
    if done.returncode != 0 or figures.get("exit", 0) != 0:
        raise RuntimeError(f"{' '.join(command[3:6])} failed: {done.stderr.strip()[-2000:]}")
    return figures


def run_shards_rss(base: int = 20_000, train_minutes: float | None = None) -> dict:
    """Peak RSS over ``base`` and ``10 * base`` generated conversations, each in a fresh process:
    of the streaming vocabulary pass, or with ``train_minutes`` of ``train chat --data SHARDS``
    for that long (the scan, then training from the stream)."""
    root = str(Path(__file__).resolve().parent.parent)
    figures = {}
    with tempfile.TemporaryDirectory() as folder:
        for scale in (1, 10):
            shards = Path(folder) / f"x{scale}"
            size = _write_shards(shards, base * scale)
            command = ([sys.executable, "-c", _PASS, str(shards)] if train_minutes is None
                       else _train_command(shards, Path(folder) / f"x{scale}.safetensors", train_minutes))
            figures[f"x{scale}"] = dict(_measure(command, root), corpus_mb=round(size / 2**20, 1))
    figures["rss_ratio_10x_to_1x"] = round(figures["x10"]["peak_rss_mb"] / figures["x1"]["peak_rss_mb"], 3)
    return figures
