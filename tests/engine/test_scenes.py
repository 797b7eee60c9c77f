import random

import pytest
from engine.images import to_tensor
from engine.scenes import (COLOURS, HELDOUT_PAIRS, SHAPES, SIZES, SceneObject, augment, caption_is_true,
                           generate_scene, parse_caption, peak_in_box, scene_seed, scene_split, shape_word_objects)
from engine.text import tokenize


def _colour_of(scene, obj):
    """The pixel colour at an object's centre (inside every shape)."""
    cx, cy = (int(v) for v in obj.centre)
    return scene.image.getpixel((cx, cy))


@pytest.mark.parametrize("split", ["train", "test", "heldout"])
def test_generated_captions_are_true_of_their_scenes(split):
    for scene in scene_split(split, 150):
        assert 1 <= len(scene.objects) <= 3 and scene.captions
        for caption in scene.captions:
            tokens = tokenize(caption)
            assert caption_is_true(tokens, scene.objects, 64), (scene.seed, caption)
            found = shape_word_objects(tokens, scene.objects)
            # Every phrase names exactly one object, and every object is named.
            assert all(len(objects) == 1 for _, objects in found)
            assert {objects[0] for _, objects in found} == set(scene.objects)

def test_the_parser_catches_false_and_malformed_captions():
    scene = next(s for s in scene_split("test", 50) if len(s.objects) == 2)
    tokens = tokenize(scene.captions[0])
    other_colour = next(c for c in COLOURS if c != tokens[2])
    assert not caption_is_true([tokens[0], tokens[1], other_colour] + tokens[3:], scene.objects, 64)
    other_size = next(s for s in SIZES if s != tokens[1])
    assert not caption_is_true([tokens[0], other_size] + tokens[2:], scene.objects, 64)
    inverse = {"left": "right", "right": "left", "above": "below", "below": "above"}
    flipped = [inverse.get(t, t) for t in tokens]
    assert not caption_is_true(flipped, scene.objects, 64)
    assert parse_caption(tokenize("a red")) is None
    assert parse_caption(tokenize("a small red circle to the left of")) is None
    assert parse_caption(tokenize("a small red circle and")) is None
    assert parse_caption(tokenize("small red circle")) is None
    assert not caption_is_true([], scene.objects, 64)
    clauses = parse_caption(tokenize("a red circle above a small square and a cross"))
    assert [c.relation for c in clauses] == [("above",), None]
    assert clauses[0].subject.size is None and clauses[0].other.colour is None


def test_relations_read_off_the_boxes():
    left = SceneObject("circle", "red", "small", (0, 20, 10, 30))
    right = SceneObject("square", "blue", "large", (40, 18, 60, 38))
    objects = [left, right]
    assert caption_is_true(tokenize("a small red circle to the left of a large blue square"), objects, 64)
    assert caption_is_true(tokenize("a large blue square to the right of a red circle"), objects, 64)
    assert not caption_is_true(tokenize("a small red circle to the right of a large blue square"), objects, 64)
    assert not caption_is_true(tokenize("a small red circle above a large blue square"), objects, 64)
    assert not caption_is_true(tokenize("a small red circle to the left of a small red circle"), objects, 64)


def test_scenes_are_deterministic_and_splits_disjoint():
    first, again = generate_scene(scene_seed("valid", 7)), generate_scene(scene_seed("valid", 7))
    assert first.image.tobytes() == again.image.tobytes() and first.captions == again.captions
    seeds = {split: {scene_seed(split, i) for i in range(1000)} for split in ("train", "valid", "test", "heldout")}
    assert not seeds["train"] & seeds["valid"] and not seeds["train"] & seeds["test"]
    assert not seeds["valid"] & seeds["test"] and not seeds["heldout"] & seeds["train"]


def test_heldout_pairs_only_in_the_heldout_split():
    seen = {"train": set(), "heldout": set()}
    shapes, colours, sizes = set(), set(), set()
    for split in seen:
        for scene in scene_split(split, 300):
            for obj in scene.objects:
                seen[split].add((obj.colour, obj.shape))
                shapes.add(obj.shape), colours.add(obj.colour), sizes.add(obj.size)
            if split == "heldout":
                assert any((o.colour, o.shape) in HELDOUT_PAIRS for o in scene.objects)
    assert not seen["train"] & HELDOUT_PAIRS
    assert HELDOUT_PAIRS <= seen["heldout"]
    assert shapes == set(SHAPES) and len(SHAPES) >= 5 and colours == set(COLOURS) and len(COLOURS) >= 6
    assert sizes == set(SIZES)
    # Every colour and every shape still appears in training, only not in the held-out pairs.
    assert {c for c, _ in seen["train"]} == set(COLOURS) and {s for _, s in seen["train"]} == set(SHAPES)


def test_pictures_show_what_the_objects_say():
    reds = 0
    for scene in scene_split("test", 60):
        for obj in scene.objects:
            if obj.colour == "red" and obj.shape in ("circle", "square", "diamond", "cross"):
                r, g, b = _colour_of(scene, obj)
                assert r > 150 and g < 110 and b < 110
                reds += 1
        large = [o for o in scene.objects if o.size == "large"]
        small = [o for o in scene.objects if o.size == "small"]
        if large and small:
            assert min(o.box[2] - o.box[0] for o in large) > max(o.box[2] - o.box[0] for o in small)
    assert reds > 0


def test_backgrounds_vary():
    corners = {generate_scene(scene_seed("train", i)).image.getpixel((0, 0)) for i in range(40)}
    assert len(corners) > 30


def test_augmentation_never_changes_a_caption_s_truth():
    rng = random.Random(3)
    for scene in scene_split("train", 80):
        image, objects = augment(scene.image, scene.objects, rng)
        assert image.size == scene.image.size
        for caption in scene.captions:
            assert caption_is_true(tokenize(caption), objects, 64)
        for before, after in zip(scene.objects, objects):  # the boxes moved with the pixels
            if before.colour in ("red", "green", "blue"):
                x, y = (int(v) for v in after.centre)
                channel = ("red", "green", "blue").index(before.colour)
                assert to_tensor(image, 64)[:, y, x].argmax() == channel

def test_attention_peak_is_checked_against_boxes():
    attention = [[0.0] * 8 for _ in range(8)]
    attention[2][5] = 1.0  # row 2, column 5: pixels x 40-48, y 16-24 of a 64-pixel image
    assert peak_in_box(attention, (42, 18, 50, 30), 64)
    assert not peak_in_box(attention, (0, 0, 30, 30), 64)
    assert not peak_in_box(attention, (42, 30, 50, 40), 64)


def test_box_regions_are_the_cells_peak_in_box_accepts():
    from engine.scenes import box_regions, peak_in_box

    box = (10.0, 3.0, 21.0, 9.5)
    mask = box_regions(box, 8, 64)
    for cell in range(64):
        grid = [[0.0] * 8 for _ in range(8)]
        grid[cell // 8][cell % 8] = 1.0
        assert bool(mask[cell]) == peak_in_box(grid, box, 64)
    assert int(mask.sum()) == 4  # columns 1-2, rows 0-1
