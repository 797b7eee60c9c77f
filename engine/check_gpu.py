"""``python -m engine check-gpu --json``: the prepared check for a machine with a GPU.

In a few minutes: ``bench --device cuda`` (the shipped models' training throughput against cuDNN
``nn.LSTM`` and decoding latency); a short chat training on CUDA with bfloat16 autocast checked
against the same training in float32 (validation losses within ``AUTOCAST_TOLERANCE`` nats); one
GPU against two with NCCL where there are two; and ``eval chat`` of the trained model. It prints one
JSON object; every part that fails is reported under its name with its error, the others still run.
Without CUDA it says so and exits 1.
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
import traceback
from dataclasses import asdict
from pathlib import Path
from typing import Callable

import torch

AUTOCAST_TOLERANCE = 0.05  # nats per token between the bf16-autocast and float32 validation losses
STEPS = 60  # optimiser steps of the short training runs


def _timed_part(result: dict, name: str, part: Callable[[], dict]) -> None:
    started = time.perf_counter()
    try:
        result[name] = part()
    except Exception as error:  # noqa: BLE001  one part failing must not hide the others' figures
        result[name] = {"error": f"{type(error).__name__}: {error}",
                        "where": traceback.format_exc().strip().splitlines()[-3:]}
    result[name]["seconds"] = round(time.perf_counter() - started, 1)


def _bench() -> dict:
    from engine import bench

    return bench.run(argparse.Namespace(device="cuda", repeats=10, only=None, json=True))


def _autocast_against_fp32(folder: Path) -> dict:
    """The same short training twice on the GPU, with and without bf16 autocast."""
    from engine.bench_scale import train_small
    from engine.checkpoint import Checkpoint, save_checkpoint
    from engine.device import set_mixed_precision

    device, runs = torch.device("cuda"), {}
    try:
        for name, mixed in (("float32", False), ("autocast_bf16", True)):
            set_mixed_precision(mixed)
            torch.cuda.synchronize()
            model, vocab, result, loss = train_small(device, STEPS, batch_size=32)
            runs[name] = {"valid_loss": round(loss, 4), "steps": result.steps,
                          "tokens_per_s": round(result.tokens / max(result.elapsed_s, 1e-9), 1)}
    finally:
        set_mixed_precision(True)
    path = folder / "check_chat.safetensors"
    save_checkpoint(path, Checkpoint("chat", asdict(model.config), model.state_dict(), vocab.itos,
                                     {"data": "generated conversations (check-gpu)"}))
    difference = abs(runs["autocast_bf16"]["valid_loss"] - runs["float32"]["valid_loss"])
    return {**runs, "bf16_supported": torch.cuda.is_bf16_supported(), "difference": round(difference, 4),
            "tolerance": AUTOCAST_TOLERANCE, "agree": difference <= AUTOCAST_TOLERANCE, "checkpoint": str(path)}


def _two_gpus() -> dict:
    from engine.bench_scale import run_ddp

    if torch.cuda.device_count() < 2:
        return {"skipped": f"{torch.cuda.device_count()} GPU: the two-GPU step needs two"}
    return run_ddp(STEPS, batch_size=32, device_type="cuda")


def _eval_chat(folder: Path, checkpoint: str) -> dict:
    """``eval chat --json`` of the trained model on generated conversations, in a process of its own."""
    from engine.bench_scale import generated_conversations

    data = folder / "check_test.jsonl"
    data.write_text("".join(json.dumps(c) + "\n" for c in generated_conversations(60, seed=3)), encoding="utf-8")
    command = [sys.executable, "-m", "engine", "eval", "chat", "--device", "cuda", "--json", "--model", checkpoint,
               "--data", str(data), "--max-exchanges", "50"]
    done = subprocess.run(command, capture_output=True, text=True, timeout=240,
                          cwd=str(Path(__file__).resolve().parent.parent))
    if done.returncode != 0:
        return {"error": f"exit {done.returncode}: " + done.stderr.strip()[-600:]}
    return json.loads(done.stdout.strip().splitlines()[-1])


def run_check(args: argparse.Namespace) -> int:
    if not torch.cuda.is_available():
        print(json.dumps({"cuda": False, "error": "no CUDA GPU: torch sees none on this machine, so the GPU "
                          "check cannot run (run it on a machine with a GPU)", "torch": torch.__version__}))
        print("error: check-gpu needs a CUDA GPU and torch sees none", file=sys.stderr)
        return 1
    result: dict = {"cuda": True, "gpu": torch.cuda.get_device_name(0), "gpus": torch.cuda.device_count(),
                    "torch": torch.__version__, "cuda_version": torch.version.cuda,
                    "cudnn": torch.backends.cudnn.version()}
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(args.out or scratch)
        folder.mkdir(parents=True, exist_ok=True)
        _timed_part(result, "bench", _bench)
        _timed_part(result, "autocast_vs_fp32", lambda: _autocast_against_fp32(folder))
        _timed_part(result, "ddp", _two_gpus)
        checkpoint = result["autocast_vs_fp32"].get("checkpoint")
        if checkpoint:
            _timed_part(result, "eval_chat", lambda: _eval_chat(folder, checkpoint))
    failed = [name for name in ("bench", "autocast_vs_fp32", "ddp", "eval_chat") if "error" in result.get(name, {})]
    result["ok"] = not failed and result["autocast_vs_fp32"].get("agree", False)
    print(json.dumps(result))
    return 0 if result["ok"] else 1
