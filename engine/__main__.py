"""The engine's command line: ``python -m engine train|eval|reply|chat|sentiment|caption|bench|knowledge``.

Each model kind lives in a task module ``engine.tasks.<kind>`` that provides
``add_train_arguments(parser)`` and ``train(args) -> int``, and its evaluation in
``engine.tasks.<kind>_eval``, which provides ``add_eval_arguments(parser)`` and
``evaluate(args) -> dict``; this file only parses and dispatches, so the commands stay stable
while the tasks grow.
"""
from __future__ import annotations

import argparse
import importlib
import importlib.util
import json
import sys

from engine import add_mmi_arguments
from engine.options import Parser, bound_numbers

KINDS = ("chat", "sentiment", "caption")
EVAL_KINDS = KINDS + ("finetune", "char", "memory", "knowledge")


def _task(kind: str):
    return importlib.import_module(f"engine.tasks.{kind}")


def _train_task(kind: str):
    """The module with ``add_train_arguments`` and ``train``: ``<kind>_train`` where training has
    a module of its own, else the kind's task module."""
    name = f"engine.tasks.{kind}_train"
    return importlib.import_module(name if importlib.util.find_spec(name) else f"engine.tasks.{kind}")


def _sharded(data) -> bool:
    from engine.data.shards import is_sharded

    return data is not None and is_sharded(data)


def _eval_task(kind: str):
    return importlib.import_module(f"engine.tasks.{kind}_eval")


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--device", default="auto", help="auto (CUDA when there is a GPU), cpu or cuda")
    parser.add_argument("--threads", type=int, default=None, help="CPU threads for torch")
    parser.add_argument("--fp32", action="store_true", help="full precision on CUDA too (default: bfloat16 autocast)")


def _decoding_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--strategy", choices=("beam", "greedy", "sample"), default="beam")
    parser.add_argument("--beam-size", type=int, default=5)
    parser.add_argument("--n-best", type=int, default=1)
    add_mmi_arguments(parser)


def build_parser(argv: list[str]) -> argparse.ArgumentParser:
    parser = Parser(prog="python -m engine", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)

    train = commands.add_parser("train", help="train a model")
    train_kinds = train.add_subparsers(dest="kind", required=True)
    for kind in KINDS + ("finetune", "char"):
        sub = train_kinds.add_parser(kind)
        _common(sub)
        if len(argv) > 2 and argv[0] == "train" and argv[1] == kind:
            _train_task(kind).add_train_arguments(sub)

    evaluate = commands.add_parser("eval", help="evaluate a model; --json prints one JSON object last")
    eval_kinds = evaluate.add_subparsers(dest="kind", required=True)
    for kind in EVAL_KINDS:
        sub = eval_kinds.add_parser(kind)
        _common(sub)
        sub.add_argument("--json", action="store_true", help="print one JSON object on the last line")
        if len(argv) > 1 and argv[0] == "eval" and argv[1] == kind:
            _eval_task(kind).add_eval_arguments(sub)

    reply = commands.add_parser("reply", help="one reply from the chat model")
    _common(reply)
    reply.add_argument("text")
    reply.add_argument("--model", default=None, help="chat checkpoint (default: the shipped model)")
    _decoding_arguments(reply)

    chat = commands.add_parser("chat", help="a terminal conversation that keeps its state across turns")
    _common(chat)
    chat.add_argument("--model", default=None)
    _decoding_arguments(chat)
    for command in (reply, chat):
        command.add_argument("--knowledge", default=None, metavar="FILE",
                             help="(question, answer) pairs the bot may answer from, beside the shipped ones: "
                                  "TSV question<TAB>answer, CSV with question,answer columns, or JSON")

    sentiment = commands.add_parser("sentiment", help="label a text positive, neutral or negative")
    _common(sentiment)
    sentiment.add_argument("text", nargs="+")
    sentiment.add_argument("--model", default=None)

    caption = commands.add_parser("caption", help="caption images")
    _common(caption)
    caption.add_argument("images", nargs="+")
    caption.add_argument("--model", default=None)
    caption.add_argument("--beam-size", type=int, default=3)

    bench = commands.add_parser("bench", help="benchmarks; --json prints one JSON object last")
    _common(bench)
    bench.add_argument("--json", action="store_true")
    bench.add_argument("--repeats", type=int, default=20)
    bench.add_argument("--only", choices=KINDS + ("char", "knowledge"), action="append",
                       help="bench only these kinds")
    bench.add_argument("--chat-model", default=None, help="chat checkpoint to bench (default: the shipped model)")
    bench.add_argument("--ddp", action="store_true",
                       help="chat training on two Gloo ranks against one process (same global batch): tokens/s, valid loss")
    bench.add_argument("--shards-rss", action="store_true",
                       help="peak memory of a streaming pass over 1x and 10x a generated corpus of JSONL shards")
    bench.add_argument("--steps", type=int, default=40, help="--ddp: optimiser steps of each run")
    bench.add_argument("--train-minutes", type=float, default=None,
                       help="--shards-rss: measure train chat --data SHARDS (a small model) for this long instead")
    check = commands.add_parser("check-gpu", help="the prepared GPU check: one JSON object (exits 1 without CUDA)")
    check.add_argument("--json", action="store_true", help="accepted for symmetry: the output is always JSON")
    check.add_argument("--out", default=None, help="folder for the check's checkpoints (default: a temporary one)")
    _task("data").add_arguments(commands)
    _task("knowledge_build").add_arguments(commands)
    _lab_commands(commands, argv)
    bound_numbers(parser)
    return parser


def _lab_commands(commands, argv: list[str]) -> None:
    """``sample char`` (a character model writes) and ``cells`` (looking inside one)."""
    sample = commands.add_parser("sample", help="a character model writes, streaming")
    sub = sample.add_subparsers(dest="kind", required=True).add_parser("char")
    _common(sub)
    if argv[:2] == ["sample", "char"]:
        _task("char").add_sample_arguments(sub)
    cells = commands.add_parser("cells", help="a character model's cells, gates and gradient flow over a text")
    _common(cells)
    if argv[:1] == ["cells"]:
        _task("cells").add_cells_arguments(cells)


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    args = build_parser(argv).parse_args(argv)
    if args.command == "check-gpu":  # picks its own device and precision
        from engine.check_gpu import run_check

        return run_check(args)
    if args.command == "data":  # reads files only: no torch threads, precision or device to set
        return _task("data").run(args)
    if args.command == "knowledge":  # reads and writes text files only
        return _task("knowledge_build").run(args)
    if args.threads:
        import torch

        torch.set_num_threads(args.threads)
    if args.fp32:
        from engine.device import set_mixed_precision

        set_mixed_precision(False)
    from engine import distributed
    from engine.checkpoint import CheckpointError
    from engine.device import pick_device

    try:
        device = pick_device(args.device)  # a GPU that is not there is said before any data or model is read
        if args.command == "train":
            check_rows = getattr(args, "batch_size", None)
            if check_rows is not None:  # --nproc-per-node larger than a batch: said before the data is read
                distributed.check_rows(check_rows)
            with distributed.session(device):  # torchrun's process group; nothing without torchrun
                if args.kind == "chat" and _sharded(getattr(args, "data", None)):  # read as a stream
                    return _task("chat_train_shards").train_sharded(args)
                return _train_task(args.kind).train(args)
        if args.command == "eval":
            result = _eval_task(args.kind).evaluate(args)
            if args.json:
                print(json.dumps(result))
            else:
                for key, value in result.items():
                    print(f"{key}: {value}")
            return 0
        if args.command in ("reply", "chat"):
            return getattr(_task("chat"), f"run_{args.command}")(args)
        if args.command == "sentiment":
            return _task("sentiment").run_cli(args)
        if args.command == "caption":
            return _task("caption").run_cli(args)
        if args.command == "sample":
            return _task("char").run_sample(args)
        if args.command == "cells":
            return _task("cells").run_cells(args)
        if args.command == "bench":
            from engine import bench, bench_scale

            if args.ddp or args.shards_rss:
                result = {}
                if args.ddp:
                    result["ddp"] = bench_scale.run_ddp(args.steps)
                if args.shards_rss:
                    result["shards_rss"] = bench_scale.run_shards_rss(train_minutes=args.train_minutes)
            else:
                result = bench.run(args)
            print(json.dumps(result) if args.json else json.dumps(result, indent=2))
            return 0
    except (CheckpointError, FileNotFoundError, ValueError, distributed.DistributedError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    return 1


if __name__ == "__main__":
    sys.exit(main())
