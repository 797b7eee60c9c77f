"""``python -m engine.tasks.finetune_norms --json``: the gradient norms, before clipping, that
fine-tuning the shipped chat model meets, to choose ``FinetuneConfig.clip_norm`` from.

The run is ``eval finetune``'s: twenty held-out chitchat conversations (the test split) each
with one exchange corrected by its human reply, fine-tuned with the training panel's defaults
and the base corpus replayed, as the panel's child process does it. Only the threshold differs:
by default none (``--clip-norm inf``), so the norms are the ones the model shows on its own and not
those of a run already bent by clipping. ``--data FILE`` measures on a panel data file instead
(the user's own conversations).

Printed: the count and quantiles of the norms (all steps, and the steps after the warm-up), and
for a few thresholds the share of steps they would have clipped. How the default was chosen
from them is in docs/clipping.md.
"""
from __future__ import annotations

import argparse
import json
import math
import time
from dataclasses import asdict, replace
from pathlib import Path
from typing import Sequence

from engine.options import RANGES, Parser, bound_numbers

QUANTILES = (0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99)
THRESHOLDS = (1.0, 2.0, 5.0, 10.0, 20.0, 30.0, 50.0, 100.0)


def quantile(ordered: Sequence[float], q: float) -> float:
    """The ``q`` quantile of sorted values, linear between the two nearest ranks."""
    position = q * (len(ordered) - 1)
    low = math.floor(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def describe(norms: Sequence[float]) -> dict:
    """Count, quantiles and the share each threshold in ``THRESHOLDS`` would clip."""
    finite = sorted(n for n in norms if math.isfinite(n))
    if not finite:
        return {"steps": len(norms), "finite": 0}
    return {"steps": len(norms), "finite": len(finite), "min": finite[0], "max": finite[-1],
            "mean": sum(finite) / len(finite),
            **{f"p{round(q * 100)}": quantile(finite, q) for q in QUANTILES},
            # clip_gradients scales a step whose norm is at or above the threshold.
            "clipped_share_at": {str(t): sum(n >= t for n in finite) / len(finite) for t in THRESHOLDS}}


def eval_corrections(predictor, count: int, seed: int) -> list:
    """``eval finetune``'s saved conversations: the model's greedy reply, corrected by the human one."""
    from engine.data.chat import load_corpus
    from engine.tasks.finetune_eval import corrected_conversations, pick_corrections

    splits = load_corpus(None)
    picks = pick_corrections(splits.test, count, set(predictor.vocab.stoi), seed)
    return corrected_conversations(predictor, splits.test, picks)


def measure(args: argparse.Namespace) -> dict:
    from engine.device import pick_device
    from engine.shipped import DEFAULT_PATHS
    from engine.tasks.chat import ChatPredictor
    from engine.tasks.finetune import add_base_corpus, finetune
    from engine.tasks.finetune_data import FinetuneConfig, prepare, read_saved

    started = time.perf_counter()
    device = pick_device(args.device)
    model_path = Path(args.model or DEFAULT_PATHS["chat"])
    predictor = ChatPredictor.load(model_path, device)
    saved = read_saved(args.data) if args.data else eval_corrections(predictor, args.corrections, args.seed)
    config = replace(FinetuneConfig(), clip_norm=args.clip_norm, epochs=args.epochs, device=str(device),
                     seed=args.seed).checked()
    data = add_base_corpus(prepare(saved), config)
    norms: list[float] = []
    clipped: list[bool] = []

    def record(update) -> None:
        if update.phase == "train":
            norms.append(update.grad_norm)
            clipped.append(update.clipped)

    result = finetune(predictor, data, config, device, on_progress=record)
    warmup = min(20, result.steps // 10)  # finetune's warm-up, when the steps are still small
    return {"all_steps": describe(norms), "after_warmup": describe(norms[warmup:]),
            "clipped_in_run": sum(clipped), "steps": result.steps,
            # No threshold prints as null: JSON has no infinity.
            "config": dict(asdict(config), clip_norm=config.clip_norm if math.isfinite(config.clip_norm) else None),
            "model": model_path.name,
            "data": args.data or f"eval finetune's {len(saved)} corrected test conversations",
            "seconds": round(time.perf_counter() - started, 1)}


def main(argv: Sequence[str] | None = None) -> int:
    from engine.tasks.finetune_data import FinetuneConfig

    parser = Parser(prog="python -m engine.tasks.finetune_norms", description=__doc__.splitlines()[0])
    parser.add_argument("--model", default=None, help="chat checkpoint (default: the shipped model)")
    parser.add_argument("--data", default=None, help="a panel data file (default: eval finetune's corrections)")
    parser.add_argument("--corrections", type=int, default=20)
    parser.add_argument("--epochs", type=int, default=FinetuneConfig().epochs)
    parser.add_argument("--clip-norm", type=float, default=math.inf, help="threshold during the run (default: none)")
    parser.add_argument("--seed", type=int, default=1234)
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--json", action="store_true", help="one JSON object on one line")
    # No threshold at all (inf) is this command's point: the norms as the model shows them.
    bound_numbers(parser, {**RANGES, "clip_norm": (1e-3, math.inf)})
    args = parser.parse_args(argv)
    import torch

    torch.set_num_threads(args.threads)
    result = measure(args)
    print(json.dumps(result) if args.json else json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
