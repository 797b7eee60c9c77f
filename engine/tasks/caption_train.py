"""Training the captioner: ``python -m engine train caption``.

It learns from generated scenes (:mod:`engine.scenes`), made on the fly so no two steps see the
same pictures, or from a COCO-format set (``--data captions.json --images DIR``). The vocabulary
and the batches are in :mod:`engine.tasks.caption_data`; the predictor and its validation figures
in :mod:`engine.tasks.caption`.

The app's training panel runs it in a child process with ``--progress jsonl --control FILE``,
as it runs ``train finetune``: one JSON object a line on standard output (``{"event": ...}`` for
the stages, ``{"progress": ProgressUpdate}`` for every step and validation, ``{"result": ...}``
last) and ``run``, ``pause`` or ``stop`` read from the control file after every step.
"""
from __future__ import annotations

import argparse
import copy
import math
import sys
import time
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any, Callable, Iterator, Optional, Sequence

import torch

from engine.checkpoint import recorded_command
from engine.device import pick_device
from engine.images import normalize_pixels
from engine.models.captioner import Captioner, CaptionerConfig
from engine.options import add_config_arguments, add_vocabulary_arguments, config_values
from engine.scenes import COLOURS, SHAPES, SIZES, scene_split
from engine.tasks.caption import CaptionPredictor, greedy_bleu, greedy_truthfulness
from engine.tasks.caption_data import (attention_targets, encode_captions, likeliest_references, scene_batches,
                                       scene_vocab, set_batches)
from engine.text import Vocab
from engine.progress import (CHECKPOINT, LOADING, PREPARED, ProgressCallback, ProgressUpdate, StopCheck, emitter, event,
                             ignore_progress, never_stop, progress_row)
from engine import distributed
from engine.training import Control, StopRequest, Throughput, adam, backward_and_step, tqdm_progress

DEFAULT_OUT = Path("runs") / "caption.safetensors"


@dataclass(frozen=True)
class TrainConfig:
    steps: int = 6000  # optimiser steps
    batch_size: int = 48  # images per step (one reference caption each)
    learning_rate: float = 3e-3  # Adam's peak rate; warm-up, then cosine decay to 5 %
    warmup_steps: int = 100  # linear warm-up
    clip_norm: float = 5.0  # gradient-norm threshold
    # lambda of the doubly stochastic penalty (Xu et al. 2015). With 64 regions and about 13 words no
    # attention can give every region a whole unit, so at lambda = 1 the penalty flattens attention
    # (measured after 300 steps: cross-entropy 0.67, penalty 0.62, peak weight 0.047 ~ uniform 0.016)
    # and the words cannot find their objects; a small lambda keeps its nudge to cover the image.
    attention_penalty: float = 0.01
    word_dropout: float = 0.15  # share of fed words replaced by <unk>, so the next word leans on the image
    # Weight of the attention supervision on generated scenes, whose boxes are known: the size, colour
    # and shape words of a noun phrase are asked to put their attention on that object's cells
    # (mean -log of the attention mass there). 0 turns it off; photos (--data) have no boxes.
    attention_supervision: float = 0.0
    # Generated scenes: train each image on the one of its true captions that the model finds likeliest
    # (multiple-choice learning). A scene of two or three objects has captions that name them in
    # different orders, and a word cannot know which order a randomly drawn caption picked, so its
    # attention would spread over all the candidates; on its own choice the model can commit to one.
    likeliest_reference: bool = False
    valid_every: int = 250  # steps between validations
    valid_images: int = 200  # images decoded (greedily) at each validation
    max_minutes: Optional[float] = None  # stop (and keep the best so far) after this long
    seed: int = 0  # scenes, batches and initialisation


# -- training ----------------------------------------------------------------------------------

def drop_words(inputs: torch.Tensor, vocab: Vocab, rate: float, generator: torch.Generator,
               keep: Sequence[int] = ()) -> torch.Tensor:
    """Word dropout: fed words of inputs (B, T) become <unk> with probability ``rate``, so the decoder
    has to read the next colour or shape off the image instead of guessing it from the words.
    <sos>, padding and the ``keep`` ids never do: a word that holds the attention
    (``CaptionerConfig.hold_attention_after``) as <unk> would let the next step look elsewhere,
    which decoding, always fed the real word, never does."""
    drop = (torch.rand(inputs.shape, generator=generator) < rate) & (inputs > vocab.eos_id)
    if keep:
        drop &= ~torch.isin(inputs, torch.tensor(list(keep)))
    return inputs.masked_fill(drop, vocab.unk_id)


def _learning_rate(step: int, config: TrainConfig, elapsed_s: float = 0.0) -> float:
    """Linear warm-up, then cosine decay to 5 % over the steps or, with ``max_minutes``, over the
    time budget if that runs out first (so a run cut short by time still ends at a low rate)."""
    if step < config.warmup_steps:
        return config.learning_rate * (step + 1) / config.warmup_steps
    progress = (step - config.warmup_steps) / max(1, config.steps - config.warmup_steps)
    if config.max_minutes:
        progress = max(progress, elapsed_s / (60 * config.max_minutes))
    return config.learning_rate * (0.05 + 0.95 * 0.5 * (1 + math.cos(math.pi * min(1.0, progress))))


def train_model(model: Captioner, vocab: Vocab, batches: Iterator[tuple[torch.Tensor, list[list[str]]]],
                config: TrainConfig, device: torch.device,
                validate: Optional[Callable[[Captioner], float]] = None,
                on_progress: ProgressCallback = ignore_progress, should_stop: StopCheck = never_stop) -> dict[str, Any]:
    """Train ``model`` in place and leave in it the weights that validated best.

    ``validate(model) -> figure`` (higher is better) runs every ``valid_every`` steps and at the
    end, unless ``should_stop()`` ended the run: a stop must be quick, so the weights that
    validated best so far are kept (the latest ones if none did). Returns {"steps",
    "best_metric", "elapsed_s", "stopped"}.
    """
    distributed.check_rows(config.batch_size)
    torch.manual_seed(config.seed + distributed.rank())
    model.to(device).train()
    distributed.broadcast_parameters(model)  # rank 0's weights on every rank (torchrun)
    on_progress = on_progress if distributed.is_main() else ignore_progress
    optimizer = adam(model.parameters(), config.learning_rate)
    throughput = Throughput()
    best_metric, best_state = -math.inf, None
    word_rng = torch.Generator().manual_seed(config.seed)
    step, stopped = 0, False

    def run_validation(epoch: int) -> None:
        nonlocal best_metric, best_state
        if validate is None or not distributed.is_main():  # rank 0 validates and keeps the best weights
            return
        model.eval()
        metric = validate(model)
        model.train()
        if metric > best_metric:
            best_metric, best_state = metric, copy.deepcopy(model.state_dict())
        on_progress(ProgressUpdate(step, config.steps, epoch, math.nan, 0.0, False, 0.0, 0.0,
                                   throughput.elapsed, phase="valid", valid_loss=math.nan, metric=metric))

    while step < config.steps:
        elapsed = distributed.from_main(throughput.elapsed) if distributed.active() else throughput.elapsed
        out_of_time = config.max_minutes is not None and elapsed > 60 * config.max_minutes
        if distributed.any_true(should_stop() or out_of_time)[0]:  # a stop on any rank stops all
            stopped = True
            break
        batch = next(batches)  # images, captions (and the scenes' regions and choices), image by image
        mine = distributed.share(len(batch[1]))  # this rank's images of the global batch
        images, inputs, targets, marked = _batch_tensors(model, vocab, tuple(part[mine] for part in batch), config,
                                                         device, word_rng)
        rate = _learning_rate(step, config, elapsed)
        for group in optimizer.param_groups:
            group["lr"] = rate
        _, loss = model(images, inputs, targets, attention_penalty=config.attention_penalty,
                        attention_targets=marked, attention_supervision=config.attention_supervision)
        loss = loss * distributed.weight(int((targets != vocab.pad_id).sum()))  # 1 in one process
        norm, clipped = backward_and_step(loss, model, optimizer, config.clip_norm)
        step += 1
        tokens = int(distributed.total(int((targets != vocab.pad_id).sum())))
        on_progress(ProgressUpdate(step, config.steps, 1, float(loss.detach()), norm, clipped, throughput.tick(tokens),
                                   rate, throughput.elapsed))
        if step % config.valid_every == 0 and step < config.steps:
            run_validation(1)
    if not stopped:
        run_validation(1)
    if best_state is not None:
        model.load_state_dict(best_state)
    model.eval()
    return {"steps": step, "best_metric": best_metric, "elapsed_s": round(throughput.elapsed, 1), "stopped": stopped}

def _batch_tensors(model: Captioner, vocab: Vocab, batch: tuple, config: TrainConfig, device: torch.device,
                   word_rng: torch.Generator) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, Optional[torch.Tensor]]:
    """A batch from :mod:`engine.tasks.caption_data` as the model's inputs: the normalised images
    (B, 3, H, W), the fed words and the target words (B, T), and where the scenes' boxes are known
    and supervised, each word's attention target over the grid cells (B, T, cells), else None."""
    images, captions = normalize_pixels(batch[0].to(device)), batch[1]
    regions = batch[2] if len(batch) > 2 else None
    if len(batch) > 3 and config.likeliest_reference:
        captions, regions = likeliest_references(model, vocab, images, batch[3])
    inputs, targets = encode_captions(vocab, captions, model.config.max_length)
    marked = None
    if regions is not None and config.attention_supervision > 0:
        cells = model.config.grid_size * model.config.grid_size
        marked = attention_targets(regions, inputs.size(1), cells).to(device)
    if config.word_dropout > 0:
        inputs = drop_words(inputs, vocab, config.word_dropout, word_rng, model.config.hold_attention_after)
    return images, inputs.to(device), targets.to(device), marked


def scene_image_words(vocab: Vocab) -> tuple[tuple[int, ...], ...]:
    """The colour words and the shape words of the scenes, the groups the image alone ranks."""
    return (tuple(vocab.stoi[w] for w in COLOURS), tuple(vocab.stoi[w] for w in SHAPES))


def scene_phrase_words(vocab: Vocab) -> tuple[int, ...]:
    """The size and colour words: after them a noun phrase goes on about the same object."""
    return tuple(vocab.stoi[w] for w in list(SIZES) + list(COLOURS))


def new_predictor(vocab: Vocab, args: argparse.Namespace) -> CaptionPredictor:
    image_words = scene_image_words(vocab) if getattr(args, "image_words", False) else ()
    hold = scene_phrase_words(vocab) if getattr(args, "hold_attention", False) else ()
    blind = (1,) if image_words and getattr(args, "colour_blind_shapes", False) else ()  # group 1: the shapes
    config = CaptionerConfig(vocab_size=len(vocab), grid_size=args.image_size // 8, image_words=image_words,
                             hold_attention_after=hold, colour_blind_groups=blind, **config_values(args, MODEL_FIELDS))
    return CaptionPredictor(Captioner(config, pad_id=vocab.pad_id), vocab)


# The fields of the configs that ``train caption`` takes as options of the same names.
TRAIN_FIELDS = ("steps", "batch_size", "learning_rate", "warmup_steps", "clip_norm", "attention_penalty",
                "word_dropout", "attention_supervision", "likeliest_reference", "valid_every", "valid_images",
                "max_minutes", "seed")
MODEL_FIELDS = ("image_size", "hidden_size")


def add_train_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--data", default=None, help="a COCO-format captions JSON (default: generated scenes)")
    parser.add_argument("--images", default=None, help="the folder of the --data images")
    parser.add_argument("--out", default=str(DEFAULT_OUT), help="checkpoint to write")
    parser.add_argument("--init", default=None, help="start from this caption checkpoint's weights (same vocabulary)")
    add_config_arguments(parser, TrainConfig, TRAIN_FIELDS)
    add_config_arguments(parser, CaptionerConfig, MODEL_FIELDS)
    add_vocabulary_arguments(parser, max_vocab=10000)
    parser.add_argument("--image-words", action="store_true",
                        help="generated scenes: colour and shape words are ranked by the attended image alone")
    parser.add_argument("--hold-attention", action="store_true",
                        help="generated scenes: a noun phrase's size, colour and shape words share one attention")
    parser.add_argument("--colour-blind-shapes", action="store_true",
                        help="with --image-words: shape words are ranked by a second encoder that sees no colour")
    parser.add_argument("--first-scene", type=int, default=0,
                        help="generated scenes: index of the first training scene (a resumed run sees new ones)")
    parser.add_argument("--limit", type=int, default=None, help="--data: read at most this many images")
    parser.add_argument("--half", action="store_true", help="store the weights as float16 (shipping size)")
    parser.add_argument("--control", default=None, help="a file saying run, pause or stop (read after every step)")
    parser.add_argument("--progress", choices=("bar", "jsonl"), default="bar",
                        help="bar: tqdm on stderr; jsonl: one JSON object a line on stdout")


def train(args: argparse.Namespace) -> int:
    started = time.perf_counter()
    jsonl = getattr(args, "progress", "bar") == "jsonl"
    emit = emitter(jsonl)
    device = pick_device(args.device)
    config = TrainConfig(**config_values(args, TRAIN_FIELDS))
    meta: dict[str, Any] = {"command": recorded_command("caption", sys.argv[3:]),
                            "train_config": asdict(config)}
    summary: dict[str, Any] = {"device": str(device)}
    if args.data:
        vocab, predictor, batches, validate = _photo_data(args, config, emit, jsonl, meta, summary)
    else:
        vocab, predictor, batches, validate = _scene_data(args, config, meta, summary)
    if args.init:
        predictor = _initialised(predictor, args.init)
        meta["init"] = Path(args.init).name
    with StopRequest() as stop:
        control = Control(getattr(args, "control", None), stop, emit)
        emit(event(PREPARED, **summary))

        def progress(update: ProgressUpdate) -> None:
            emit({"progress": progress_row(update, control)})

        summary_of_run = train_model(predictor.model, vocab, batches, config, device, validate,
                                     progress if jsonl else tqdm_progress(config.steps, unit="tok"), control)
    meta["training"] = summary_of_run
    if not distributed.is_main():  # under torchrun rank 0 writes the model and the report
        return 0
    path = predictor.save(args.out, meta, half=args.half)
    emit(event(CHECKPOINT, step=summary_of_run["steps"], path=str(path)))
    _report(summary_of_run, path, summary, emit, jsonl, control, started, "best_bleu4" if args.data else "best_truthfulness")
    return 0


def _report(run: dict[str, Any], path: Path, summary: dict[str, Any], emit, jsonl: bool, control,
            started: float, figure: str) -> None:
    """The run's last line: a ``result`` row for the app, or a sentence on standard error."""
    best = run["best_metric"]
    best = round(best, 4) if math.isfinite(best) else None
    if jsonl:
        emit({"result": {
            "status": "cancelled" if run["stopped"] else "done", "steps": run["steps"], "out": str(path),
            "seconds": round(time.perf_counter() - started - control.paused_s, 1),
            "train_seconds": round(run["elapsed_s"] - control.paused_s, 1), figure: best, **summary}})
    else:
        print(f"saved {path} after {run['steps']} steps in {run['elapsed_s']:.0f} s "
              f"(best validation figure {best})", file=sys.stderr)


def _photo_data(args: argparse.Namespace, config: TrainConfig, emit, jsonl: bool, meta: dict, summary: dict):
    """``--data``/``--images``: the vocabulary, a new predictor, the batches and the BLEU-4 validation."""
    if not args.images:
        raise ValueError("--data needs --images, the folder its file names are in")
    if not Path(args.images).is_dir():
        raise ValueError(f"{args.images}: no such image folder")
    from engine.data.coco import load_caption_set

    emit(event(LOADING, what="photos"))
    full = load_caption_set(args.data, args.images, args.image_size, args.limit)
    if not jsonl:
        print(f"read {len(full)} images; skipped {full.skipped} unreadable, {full.uncaptioned} without captions",
              file=sys.stderr)
        for problem in full.problems[:5]:
            print(f"  skipped: {problem}", file=sys.stderr)
    if len(full) == 0:
        raise ValueError(f"{args.data}: no readable captioned image in {args.images}"
                         + (f" (first problem: {full.problems[0]})" if full.problems else ""))
    train_set, valid_set = full.split()
    vocab = Vocab.build([c for refs in train_set.captions for c in refs], max_size=args.max_vocab, min_count=args.min_count)
    batches = set_batches(train_set.images, train_set.captions, config.batch_size, config.seed)
    validate = (lambda model: greedy_bleu(model, vocab, valid_set.images[: config.valid_images],
                                          valid_set.captions[: config.valid_images])) if len(valid_set) else None
    meta["data"] = {"source": Path(args.data).name, "train_images": len(train_set), "valid_images": len(valid_set),
                    "skipped": full.skipped}
    summary.update(images=len(full), train_images=len(train_set), valid_images=len(valid_set),
                   skipped=full.skipped, uncaptioned=full.uncaptioned, vocabulary=len(vocab))
    return vocab, new_predictor(vocab, args), batches, validate


def _scene_data(args: argparse.Namespace, config: TrainConfig, meta: dict, summary: dict):
    """Generated scenes: the vocabulary, a new predictor, endless batches and the truthfulness check."""
    vocab = scene_vocab()
    predictor = new_predictor(vocab, args)
    batches = scene_batches(config.batch_size, args.image_size, config.seed, args.first_scene,
                            predictor.model.config.grid_size, every_reference=config.likeliest_reference)
    valid_scenes = scene_split("valid", config.valid_images, args.image_size)
    meta["data"] = {"source": "generated scenes", "train_images": config.steps * config.batch_size,
                    "valid_images": len(valid_scenes)}
    summary.update(train_images=config.steps * config.batch_size, valid_images=len(valid_scenes),
                   vocabulary=len(vocab))
    return vocab, predictor, batches, lambda model: greedy_truthfulness(model, vocab, valid_scenes)


def _initialised(predictor: CaptionPredictor, path: str) -> CaptionPredictor:
    """``predictor`` with the weights of the checkpoint at ``path`` (its configuration and vocabulary).
    Image-word heads that ``predictor`` has and the checkpoint lacks start from its output layer."""
    start = CaptionPredictor.load(path)
    if start.vocab.itos != predictor.vocab.itos:
        raise ValueError(f"{path}: its vocabulary differs from this data's; --init needs the same one")
    start.model.float()
    have, wanted = start.model.config, predictor.model.config
    changes: dict[str, Any] = {}
    if wanted.image_words and not have.image_words:
        changes["image_words"] = wanted.image_words
    if wanted.hold_attention_after and not have.hold_attention_after:
        changes["hold_attention_after"] = wanted.hold_attention_after  # no weights of its own
    if wanted.colour_blind_groups and not have.colour_blind_groups:
        changes["colour_blind_groups"] = wanted.colour_blind_groups
    if not changes:
        return CaptionPredictor(start.model, start.vocab, predictor.device)
    model = Captioner(replace(have, **changes), pad_id=start.vocab.pad_id)
    missing, unexpected = model.load_state_dict(start.model.state_dict(), strict=False)
    new = ("image_head.", "group_head.", "blind_encoder.", "blind_head.")
    assert not unexpected and all(k.startswith(new) for k in missing), missing
    if "image_words" in changes:
        model.warm_start_image_words()
    if "colour_blind_groups" in changes:
        model.warm_start_colour_blind()
    return CaptionPredictor(model, start.vocab, predictor.device)
