"""Functions that run on each rank of engine.distributed.launch in the distributed tests (spawned
processes import them by module name, so they live at a module's top level)."""
import json
from dataclasses import asdict
from pathlib import Path

import torch

from engine import distributed
from engine.chat_training import TrainConfig, train_chat
from engine.checkpoint import Checkpoint, load_checkpoint, save_checkpoint
from engine.data.chat import tokenize_conversations, training_streams
from engine.models.seq2seq import Seq2Seq
from engine.text import Vocab
from engine.training import adam, backward_and_step
from tiny_chat import BASE, MEMORY


def tiny_run(out: str, clip_norm: float = 0.05, fail_at_step: int = 0, stop_at_step: int = 0,
             resume_from: str = "") -> None:
    """train_chat on a tiny model: each rank writes its final weights, progress rows and (through
    on_checkpoint) a checkpoint named after its rank; ``fail_at_step``: rank 1 raises there;
    ``stop_at_step``: rank 0 asks to stop there; ``resume_from``: continue from that checkpoint."""
    from engine.tasks.chat_train import tiny_config

    folder, me = Path(out), distributed.rank()
    tokenized = tokenize_conversations([list(c) for c in BASE + MEMORY])
    vocab = Vocab.build((t for conv in tokenized for t in conv), max_size=500, min_count=1)
    torch.manual_seed(3 + me)  # different on each rank: the run must start every rank from rank 0's weights
    model = Seq2Seq(tiny_config(vocab))
    streams = training_streams(tokenized, vocab, 20, 20, both_sides=True)
    config = TrainConfig(epochs=1, batch_size=5, learning_rate=1e-2, min_learning_rate=1e-3, warmup_steps=2,
                         tbptt_turns=1, clip_norm=clip_norm, seed=7, valid_every=2, min_active_rows=0.0)
    rows, steps = [], [0]

    def progress(update):
        rows.append([update.phase, update.step, update.loss, update.grad_norm, update.clipped])

    def should_stop():
        steps[0] += 1
        if fail_at_step and me == 1 and steps[0] == fail_at_step:
            raise RuntimeError("rank 1 read a broken batch")
        return bool(stop_at_step) and me == 0 and steps[0] == stop_at_step

    def checkpoint(optimizer, meta):
        save_checkpoint(folder / f"rank{me}.safetensors",
                        Checkpoint("chat", asdict(model.config), model.state_dict(), vocab.itos, {"resume": meta},
                                   optimizer.state_dict()))

    resume, optimizer_state = None, None
    if resume_from:
        stored = load_checkpoint(resume_from, kind="chat")
        model.load_state_dict(stored.weights)
        resume, optimizer_state = stored.meta["resume"], stored.optimizer
    train_chat(model, streams, streams[:3], vocab, config, torch.device("cpu"), progress, should_stop, checkpoint,
               resume, optimizer_state)
    torch.save(model.state_dict(), folder / f"weights{me}.pt")
    (folder / f"progress{me}.json").write_text(json.dumps(rows))


def clipped_step(out: str, clip_norm: float) -> None:
    """One backward_and_step of a linear model on this rank's rows of a fixed batch of 7."""
    torch.manual_seed(0)
    model = torch.nn.Linear(3, 2)
    inputs, targets = torch.randn(7, 3), torch.randn(7, 2)
    mine, weight = distributed.my_items(list(range(7)))
    loss = torch.nn.functional.mse_loss(model(inputs[mine]), targets[mine]) * weight
    optimizer = adam(model.parameters(), 0.1)
    norm, clipped = backward_and_step(loss, model, optimizer, clip_norm)
    torch.save({"grads": [p.grad for p in model.parameters()], "weights": model.state_dict(), "norm": norm,
                "clipped": clipped}, Path(out) / f"step{distributed.rank()}.pt")


def streamed_epoch(shards: str, out: str) -> None:
    """One epoch of a ShardStream on this rank: the first source of every conversation its rows
    took and the number of batches, then a tiny train_chat over the same stream (its steps)."""
    from engine.data.stream_batches import ShardStream, scan_shards
    from engine.tasks.chat_train import tiny_config

    scan = scan_shards(shards, seed=1, max_valid=5)
    vocab = scan.vocab(500, 1)
    source = ShardStream(shards, vocab, scan, 20, 20, both_sides=False, seed=1, buffer=4)
    started, batches = [], 0
    for batch in source.epoch_batches(shuffle_seed=3, rows=2, tbptt_turns=3):
        batches += 1
        started += [vocab.decode(batch.source[row].tolist())[0] for row in range(2)
                    if batch.reset[row] and batch.streams[row] >= 0]
    torch.manual_seed(0)
    model = Seq2Seq(tiny_config(vocab))
    config = TrainConfig(epochs=1, batch_size=4, warmup_steps=1, tbptt_turns=3, seed=2, valid_every=10**9,
                         min_active_rows=0.0)
    result = train_chat(model, source, [], vocab, config, torch.device("cpu"))
    (Path(out) / f"epoch{distributed.rank()}.json").write_text(json.dumps(
        {"started": started, "batches": batches, "steps": result.steps, "train": scan.train}))


def char_command(text: str, out: str) -> None:
    """``train char`` from the command line on this rank, its stdout kept in stdout<rank>.txt."""
    import contextlib

    from engine.__main__ import main

    folder = Path(out)
    with open(folder / f"stdout{distributed.rank()}.txt", "w") as stdout, contextlib.redirect_stdout(stdout):
        code = main(["train", "char", "--data", text, "--out", str(folder / "char.safetensors"), "--hidden-size", "16",
                     "--embedding-size", "8", "--batch-size", "4", "--window", "20", "--epochs", "1",
                     "--valid-every", "4", "--progress", "jsonl"])
    assert code == 0
