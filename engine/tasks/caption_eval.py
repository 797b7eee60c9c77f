"""``python -m engine eval caption`` and the captioner's benchmark: truthfulness, grounding and
BLEU-4 on generated test and held-out-combination scenes (or BLEU-4 on a COCO-format set), and
the milliseconds to caption one dropped image. Training and the predictor are in
:mod:`engine.tasks.caption`."""
from __future__ import annotations

import argparse
import statistics
import time
from typing import Any, Sequence

import torch

from engine.device import pick_device
from engine.images import to_tensor
from engine.scenes import (Scene, caption_is_true, generate_scene, peak_in_box, scene_seed, scene_split,
                           shape_word_objects)
from engine.shipped import DEFAULT_PATHS
from engine.tasks.caption import CaptionPredictor, bleu4, model_path
from engine.text import tokenize


def evaluate_scenes(predictor: CaptionPredictor, scenes: Sequence[Scene], beam_size: int = 3
                    ) -> dict[str, float]:
    """Truthfulness, grounding and BLEU-4 of ``predictor`` on ``scenes``."""
    size = predictor.model.config.image_size
    true_count = grounded = shape_words = 0
    hypotheses, references = [], []
    for scene in scenes:
        image_size = scene.image.size[0]
        result = predictor.caption_pixels(to_tensor(scene.image, size), beam_size)
        hypotheses.append(result.words)
        references.append([tokenize(text) for text in scene.captions])
        true_count += caption_is_true(result.words, scene.objects, image_size)
        for position, objects in shape_word_objects(result.words, scene.objects):
            shape_words += 1
            grounded += any(peak_in_box(result.attention[position], o.box, image_size) for o in objects)
    return {"truthfulness": true_count / max(1, len(scenes)), "grounding": grounded / max(1, shape_words),
            "bleu4": bleu4(references, hypotheses), "n_images": len(scenes)}


def add_eval_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--model", default=None, help="caption checkpoint (default: the shipped model)")
    parser.add_argument("--data", default=None, help="a COCO-format captions JSON (default: generated test scenes)")
    parser.add_argument("--images", default=None, help="the folder of the --data images")
    parser.add_argument("--n-test", type=int, default=500, help="generated test scenes")
    parser.add_argument("--split", choices=("test", "valid"), default="test",
                        help="generated scenes to score in place of the test split: valid, for choosing "
                             "between models or decoding settings without looking at the test scenes")
    parser.add_argument("--n-heldout", type=int, default=500, help="generated held-out-combination scenes")
    parser.add_argument("--beam-size", type=int, default=3)
    parser.add_argument("--limit", type=int, default=None, help="--data: read at most this many images")


def evaluate(args: argparse.Namespace) -> dict[str, Any]:
    predictor = CaptionPredictor.load(model_path(args), pick_device(args.device))
    started = time.perf_counter()
    if args.data:
        if not args.images:
            raise ValueError("--data needs --images, the folder its file names are in")
        from engine.data.coco import load_caption_set

        data = load_caption_set(args.data, args.images, predictor.model.config.image_size, args.limit)
        hypotheses = [predictor.caption_pixels(image, args.beam_size).words for image in data.images]
        result: dict[str, Any] = {"bleu4": bleu4(data.captions, hypotheses) if len(data) else 0.0,
                                  "n_images": len(data), "skipped": data.skipped}
    else:
        size = predictor.model.config.image_size
        split = getattr(args, "split", "test")
        test = evaluate_scenes(predictor, scene_split(split, args.n_test, size), args.beam_size)
        heldout = evaluate_scenes(predictor, scene_split("heldout", args.n_heldout, size), args.beam_size)
        result = {"bleu4": round(test["bleu4"], 4), "n_images": test["n_images"],
                  "truthfulness": round(test["truthfulness"], 4),
                  "truthfulness_heldout": round(heldout["truthfulness"], 4),
                  "grounding": round(test["grounding"], 4), "grounding_heldout": round(heldout["grounding"], 4),
                  "bleu4_heldout": round(heldout["bleu4"], 4), "n_heldout": heldout["n_images"]}
        result["split"] = split
    result["beam_size"] = args.beam_size
    result["eval_s"] = round(time.perf_counter() - started, 1)
    return result


def bench(device: torch.device | str = "cpu", repeats: int = 20) -> dict[str, Any]:
    """Milliseconds to caption one dropped image (PNG bytes: decode, resize, encode, beam 3)."""
    import io

    device = pick_device(device) if isinstance(device, str) else device
    path = DEFAULT_PATHS["caption"]
    if not path.is_file():
        return {"caption_ms_p50": None, "caption_error": f"{path.name}: no caption model"}
    predictor = CaptionPredictor.load(path, device)
    buffer = io.BytesIO()
    generate_scene(scene_seed("test", 0), 256).image.save(buffer, "PNG")
    data = buffer.getvalue()
    for _ in range(2):
        predictor.caption(data, beam_size=3)
    times = []
    for _ in range(max(1, repeats)):
        started = time.perf_counter()
        predictor.caption(data, beam_size=3)
        times.append(1000 * (time.perf_counter() - started))
    times.sort()
    return {"caption_ms_p50": round(statistics.median(times), 2),
            "caption_ms_p90": round(times[min(len(times) - 1, int(0.9 * len(times)))], 2)}

