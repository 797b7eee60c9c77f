"""The captioner's vocabulary and training batches: generated scenes (one true caption each, with
the cells of the objects its words name), fixed photo sets, and the choice of the caption the
model finds likeliest (``TrainConfig.likeliest_reference``). Training is in
:mod:`engine.tasks.caption`."""
from __future__ import annotations

import random
from typing import Any, Iterator, Sequence

import torch

from engine.images import to_tensor
from engine.models.captioner import Captioner
from engine.scenes import (COLOURS, INVERSE, RELATIONS, SHAPES, SIZES, augment, box_regions, generate_scene,
                           scene_seed, shape_word_objects)
from engine.text import Vocab


def scene_vocab() -> Vocab:
    """Every word the scenes' grammar uses (sorted, for a stable vocabulary)."""
    words = {"a", "and"} | set(SIZES) | set(COLOURS) | set(SHAPES)
    words |= {word for relation in list(RELATIONS) + list(INVERSE.values()) for word in relation}
    return Vocab.build([sorted(words)], min_count=1)


def encode_captions(vocab: Vocab, captions: Sequence[Sequence[str]], max_length: int
                    ) -> tuple[torch.Tensor, torch.Tensor]:
    """Token lists -> inputs (B, T) ``<sos> w1 .. wn`` and targets (B, T) ``w1 .. wn <eos>``, padded."""
    ids = [vocab.encode(tokens)[:max_length] for tokens in captions]
    width = max(len(row) for row in ids) + 1
    inputs = torch.full((len(ids), width), vocab.pad_id, dtype=torch.long)
    targets = torch.full((len(ids), width), vocab.pad_id, dtype=torch.long)
    for i, row in enumerate(ids):
        inputs[i, : len(row) + 1] = torch.tensor([vocab.sos_id] + row)
        targets[i, : len(row) + 1] = torch.tensor(row + [vocab.eos_id])
    return inputs, targets


Marks = list[tuple[int, torch.Tensor]]  # (position of a size, colour or shape word, (grid*grid,) mask)


def _phrase_marks(words: Sequence[str], objects: Sequence[Any], grid_size: int, image_size: int) -> Marks:
    marks = []
    for position, named in shape_word_objects(words, objects):
        mask = sum(box_regions(o.box, grid_size, image_size) for o in named).clamp(max=1.0)
        marks += [(p, mask) for p in (position - 2, position - 1, position) if p > 0]
    return marks


def scene_batches(batch_size: int, image_size: int, seed: int = 0, start: int = 0, grid_size: int = 8,
                  every_reference: bool = False) -> Iterator[tuple]:
    """Endless batches of new training scenes: uint8 images (B, 3, H, W), one true caption each, and
    for each caption (position of a size, colour or shape word, (grid*grid,) mask of its object's cells).
    ``every_reference`` adds a fourth item: for each image, (words, marks) of every true caption."""
    rng = random.Random(seed)
    index = start
    while True:
        images, captions, regions, choices = [], [], [], []
        for _ in range(batch_size):
            scene = generate_scene(scene_seed("train", index), image_size)
            index += 1
            image, objects = augment(scene.image, scene.objects, rng)
            images.append(to_tensor(image, image_size))
            # The scenes' captions are lower-case words and spaces: split() is tokenize() here, faster.
            words = rng.choice(scene.captions).split()
            captions.append(words)
            regions.append(_phrase_marks(words, objects, grid_size, image_size))
            if every_reference:
                choices.append([(c.split(), _phrase_marks(c.split(), objects, grid_size, image_size))
                                for c in scene.captions])
        if every_reference:
            yield torch.stack(images), captions, regions, choices
        else:
            yield torch.stack(images), captions, regions


def likeliest_references(model: Captioner, vocab: Vocab, images: torch.Tensor,
                         choices: Sequence[Sequence[tuple[list[str], Marks]]]) -> tuple[list[list[str]], list[Marks]]:
    """For each of the normalised images (B, 3, H, W), the (words, marks) of the caption among its
    ``choices`` to which the model, teacher forced without dropout, gives the highest probability."""
    rows = [i for i, options in enumerate(choices) for _ in options]
    flat = [option for options in choices for option in options]
    if len(flat) > len(choices):
        inputs, targets = encode_captions(vocab, [words for words, _ in flat], model.config.max_length)
        training = model.training
        model.eval()
        with torch.no_grad():
            logits, _ = model(images[rows], inputs.to(images.device))
            losses = torch.nn.functional.cross_entropy(logits.transpose(1, 2), targets.to(images.device),
                                                       ignore_index=vocab.pad_id, reduction="none").sum(1)  # (rows,)
        model.train(training)
        losses = losses.tolist()
    else:
        losses = [0.0] * len(flat)
    best: dict[int, int] = {}
    for k, row in enumerate(rows):
        if row not in best or losses[k] < losses[best[row]]:
            best[row] = k
    return [flat[best[i]][0] for i in range(len(choices))], [flat[best[i]][1] for i in range(len(choices))]


def attention_targets(regions: Sequence[Sequence[tuple[int, torch.Tensor]]], width: int, cells: int) -> torch.Tensor:
    """(B, width, cells) from :func:`scene_batches`' word positions and masks (zeros elsewhere)."""
    targets = torch.zeros(len(regions), width, cells)
    for row, marks in enumerate(regions):
        for position, mask in marks:
            if position < width:
                targets[row, position] = mask
    return targets


def set_batches(images: torch.Tensor, captions: list[list[list[str]]], batch_size: int, seed: int = 0
                ) -> Iterator[tuple[torch.Tensor, list[list[str]]]]:
    """Endless shuffled batches of a fixed set, one random reference caption per image."""
    rng = random.Random(seed)
    order: list[int] = []
    while True:
        if len(order) < batch_size:
            fresh = list(range(len(captions)))
            rng.shuffle(fresh)
            order += fresh
        chosen, order = order[:batch_size], order[batch_size:]
        yield images[chosen], [rng.choice(captions[i]) for i in chosen]

