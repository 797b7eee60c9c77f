"""Generated scenes of shapes, with true captions and boxes, for the captioner.

No captioned photo collection can be installed offline, so the default captioner learns from
pictures drawn here: one to three objects (five shapes, six colours, two sizes) at free positions
on varied, noisy backgrounds. Every scene carries several true reference captions naming the
objects' attributes and spatial relations ("a small red circle to the left of a large blue
square"), and the objects' boxes, so a caption can be checked against the scene by parsing it
(:func:`caption_is_true`) and attention can be checked against the boxes.

Splits are by seed. Some colour-shape pairs (:data:`HELDOUT_PAIRS`) never appear in the train,
valid or test splits, only in the ``heldout`` split, which so measures whether the model composes
colours and shapes it has only seen apart.
"""
from __future__ import annotations

import random
from dataclasses import dataclass, replace
from typing import Optional, Sequence

import torch
from PIL import Image, ImageDraw

SHAPES = ("circle", "square", "triangle", "diamond", "cross")
COLOURS = {
    "red": (220, 40, 40),
    "green": (40, 175, 60),
    "blue": (50, 80, 230),
    "yellow": (235, 215, 40),
    "purple": (150, 60, 205),
    "cyan": (40, 200, 215),
}
SIZES = ("small", "large")
RELATIONS = {  # words -> (axis, sign): "A left of B" means A's centre has a smaller x than B's
    ("to", "the", "left", "of"): (0, -1),
    ("to", "the", "right", "of"): (0, 1),
    ("above",): (1, -1),
    ("below",): (1, 1),
}
INVERSE = {("to", "the", "left", "of"): ("to", "the", "right", "of"),
           ("to", "the", "right", "of"): ("to", "the", "left", "of"),
           ("above",): ("below",), ("below",): ("above",)}
# One pair per shape and at most one per colour, so every word is still seen in training.
HELDOUT_PAIRS = frozenset({("red", "triangle"), ("green", "square"), ("blue", "circle"),
                           ("yellow", "cross"), ("purple", "diamond")})
SPLITS = ("train", "valid", "test", "heldout")
_SPLIT_STRIDE = 1_000_000_000
RELATION_MARGIN = 0.04  # a relation holds when the centres differ by this share of the image
_CLEAR_RATIO = 1.5  # a generated relation's axis dominates the other by this factor


@dataclass(frozen=True)
class SceneObject:
    shape: str
    colour: str
    size: str
    box: tuple[float, float, float, float]  # x0, y0, x1, y1 in pixels

    @property
    def centre(self) -> tuple[float, float]:
        return ((self.box[0] + self.box[2]) / 2, (self.box[1] + self.box[3]) / 2)

    @property
    def words(self) -> list[str]:
        return ["a", self.size, self.colour, self.shape]


@dataclass(frozen=True)
class Scene:
    image: Image.Image  # RGB, image_size x image_size
    objects: tuple[SceneObject, ...]
    captions: tuple[str, ...]  # true reference captions
    seed: int


def scene_seed(split: str, index: int) -> int:
    """The seed of scene ``index`` of ``split``; the splits never share a seed."""
    return SPLITS.index(split) * _SPLIT_STRIDE + index


def relation_holds(relation: tuple[str, ...], first: SceneObject, second: SceneObject, image_size: int) -> bool:
    """Whether "first <relation> second" is true: the centres differ that way by more than the margin,
    and along that axis by at least half as much as along the other (side by side is not "above")."""
    axis, sign = RELATIONS[relation]
    difference = first.centre[axis] - second.centre[axis]
    across = first.centre[1 - axis] - second.centre[1 - axis]
    return sign * difference > RELATION_MARGIN * image_size and abs(difference) >= 0.5 * abs(across)


def _clear_relation(first: SceneObject, second: SceneObject, image_size: int) -> Optional[tuple[str, ...]]:
    """The relation a caption may state without doubt: one axis clearly dominates."""
    dx = first.centre[0] - second.centre[0]
    dy = first.centre[1] - second.centre[1]
    if abs(dx) >= _CLEAR_RATIO * abs(dy) and abs(dx) > 0.15 * image_size:
        return ("to", "the", "left", "of") if dx < 0 else ("to", "the", "right", "of")
    if abs(dy) >= _CLEAR_RATIO * abs(dx) and abs(dy) > 0.15 * image_size:
        return ("above",) if dy < 0 else ("below",)
    return None


def reference_captions(objects: Sequence[SceneObject], image_size: int) -> list[str]:
    """Every caption of the generator's grammar that is true and unambiguous for ``objects``."""
    if len(objects) == 1:
        return [" ".join(objects[0].words)]
    captions = []
    if len(objects) == 2:
        a, b = objects
        relation = _clear_relation(a, b, image_size)
        if relation is not None:
            captions.append(" ".join(a.words + list(relation) + b.words))
            captions.append(" ".join(b.words + list(INVERSE[relation]) + a.words))
        return captions
    for anchor in objects:  # "A rel B and C rel B" for an anchor B clearly placed from both others
        others = [o for o in objects if o is not anchor]
        relations = [_clear_relation(other, anchor, image_size) for other in others]
        if None in relations:
            continue
        for order in ((0, 1), (1, 0)):
            clauses = [others[i].words + list(relations[i]) + anchor.words for i in order]
            captions.append(" ".join(clauses[0] + ["and"] + clauses[1]))
    return captions


def _draw_shape(draw: ImageDraw.ImageDraw, shape: str, cx: float, cy: float, r: float, fill) -> tuple:
    if shape == "circle":
        box = (cx - r, cy - r, cx + r, cy + r)
        draw.ellipse(box, fill=fill)
    elif shape == "square":
        h = r * 0.85  # about the area of a circle of radius r
        box = (cx - h, cy - h, cx + h, cy + h)
        draw.rectangle(box, fill=fill)
    elif shape == "triangle":
        box = (cx - r, cy - r, cx + r, cy + r)
        draw.polygon([(cx, cy - r), (cx + r, cy + r), (cx - r, cy + r)], fill=fill)
    elif shape == "diamond":
        box = (cx - r, cy - r, cx + r, cy + r)
        draw.polygon([(cx, cy - r), (cx + r, cy), (cx, cy + r), (cx - r, cy)], fill=fill)
    else:  # cross: a plus sign
        w = r * 0.38
        box = (cx - r, cy - r, cx + r, cy + r)
        draw.rectangle((cx - r, cy - w, cx + r, cy + w), fill=fill)
        draw.rectangle((cx - w, cy - r, cx + w, cy + r), fill=fill)
    return box


def _background(rng: random.Random, size: int) -> Image.Image:
    """A plain, gradient or striped background of low saturation, dark to light."""
    base = rng.uniform(10, 215)
    tint = [max(0.0, min(255.0, base + rng.uniform(-18, 18))) for _ in range(3)]
    kind = rng.choice(("plain", "gradient", "stripes"))
    if kind == "plain":
        return Image.new("RGB", (size, size), tuple(int(v) for v in tint))
    image = Image.new("RGB", (size, size))
    draw = ImageDraw.Draw(image)
    if kind == "gradient":
        other = [max(0.0, min(255.0, v + rng.uniform(-60, 60))) for v in tint]
        vertical = rng.random() < 0.5
        for i in range(size):
            t = i / max(1, size - 1)
            colour = tuple(int(a + (b - a) * t) for a, b in zip(tint, other))
            draw.line([(0, i), (size, i)] if vertical else [(i, 0), (i, size)], fill=colour)
    else:
        other = tuple(int(max(0.0, min(255.0, v + rng.choice((-1, 1)) * rng.uniform(12, 30)))) for v in tint)
        period = rng.randint(4, 12)
        vertical = rng.random() < 0.5
        for i in range(size):
            colour = other if (i // period) % 2 else tuple(int(v) for v in tint)
            draw.line([(0, i), (size, i)] if vertical else [(i, 0), (i, size)], fill=colour)
    return image


def _pick_attributes(rng: random.Random, count: int, heldout: str) -> list[tuple[str, str, str]]:
    """(size, colour, shape) for each object, all different; ``heldout``: "exclude" or "require"."""
    allowed = [(c, s) for c in COLOURS for s in SHAPES if (c, s) not in HELDOUT_PAIRS]
    picks: list[tuple[str, str, str]] = []
    while len(picks) < count:
        if heldout == "require" and not picks:
            colour, shape = rng.choice(sorted(HELDOUT_PAIRS))
        else:
            colour, shape = rng.choice(allowed)
        attributes = (rng.choice(SIZES), colour, shape)
        if attributes not in picks:
            picks.append(attributes)
    rng.shuffle(picks)
    return picks


def generate_scene(seed: int, image_size: int = 64, heldout: Optional[str] = None,
                   noise: float = 8.0) -> Scene:
    """The scene of ``seed``. ``heldout``: "exclude" (default for train/valid/test seeds) keeps the
    held-out colour-shape pairs out; "require" puts at least one in (the held-out split)."""
    rng = random.Random(seed)
    if heldout is None:
        heldout = "require" if seed // _SPLIT_STRIDE == SPLITS.index("heldout") else "exclude"
    scale = image_size / 64
    while True:
        count = rng.choices((1, 2, 3), weights=(0.2, 0.4, 0.4))[0]
        attributes = _pick_attributes(rng, count, heldout)
        objects = _place(rng, attributes, image_size, scale)
        if objects is None:
            continue
        captions = reference_captions(objects, image_size)
        if captions:
            break
    image = _background(rng, image_size)
    draw = ImageDraw.Draw(image)
    drawn = []
    for obj in objects:
        base = COLOURS[obj.colour]
        fill = tuple(int(max(0, min(255, v + rng.uniform(-18, 18)))) for v in base)
        cx, cy = obj.centre
        r = (obj.box[2] - obj.box[0]) / 2
        box = _draw_shape(draw, obj.shape, cx, cy, r, fill)
        drawn.append(replace(obj, box=tuple(float(v) for v in box)))
    if noise > 0:
        image = add_noise(image, noise, seed)
    return Scene(image=image, objects=tuple(drawn), captions=tuple(captions), seed=seed)


def _place(rng: random.Random, attributes, image_size: int, scale: float) -> Optional[tuple[SceneObject, ...]]:
    objects: list[SceneObject] = []
    for size, colour, shape in attributes:
        r = (rng.uniform(4.5, 6.5) if size == "small" else rng.uniform(10, 13)) * scale
        for _ in range(50):
            cx = rng.uniform(r + 1, image_size - r - 1)
            cy = rng.uniform(r + 1, image_size - r - 1)
            box = (cx - r, cy - r, cx + r, cy + r)
            gap = 2 * scale
            if all(box[2] + gap < o.box[0] or o.box[2] + gap < box[0] or box[3] + gap < o.box[1]
                   or o.box[3] + gap < box[1] for o in objects):
                objects.append(SceneObject(shape, colour, size, box))
                break
        else:
            return None
    return tuple(objects)


def add_noise(image: Image.Image, sigma: float, seed: int) -> Image.Image:
    generator = torch.Generator().manual_seed(seed)
    pixels = torch.frombuffer(bytearray(image.tobytes()), dtype=torch.uint8).float()
    pixels = (pixels + sigma * torch.randn(pixels.shape, generator=generator)).clamp(0, 255).to(torch.uint8)
    return Image.frombytes("RGB", image.size, pixels.numpy().tobytes())


def scene_split(split: str, count: int, image_size: int = 64, start: int = 0) -> list[Scene]:
    return [generate_scene(scene_seed(split, start + i), image_size) for i in range(count)]


def augment(image: Image.Image, objects: Sequence[SceneObject], rng: random.Random,
            max_shift: int = 3) -> tuple[Image.Image, tuple[SceneObject, ...]]:
    """Brightness, contrast and a small shift; never a flip, so every caption stays true."""
    from PIL import ImageEnhance

    image = ImageEnhance.Brightness(image).enhance(rng.uniform(0.85, 1.15))
    image = ImageEnhance.Contrast(image).enhance(rng.uniform(0.85, 1.15))
    dx, dy = rng.randint(-max_shift, max_shift), rng.randint(-max_shift, max_shift)
    shifted = Image.new("RGB", image.size, image.getpixel((0, 0)))
    shifted.paste(image, (dx, dy))
    moved = tuple(replace(o, box=(o.box[0] + dx, o.box[1] + dy, o.box[2] + dx, o.box[3] + dy)) for o in objects)
    return shifted, moved


# -- reading a caption back ------------------------------------------------------------------

@dataclass(frozen=True)
class NounPhrase:
    shape: str
    colour: Optional[str]
    size: Optional[str]
    shape_index: int  # position of the shape word in the caption

    def matches(self, obj: SceneObject) -> bool:
        return (obj.shape == self.shape and (self.colour is None or obj.colour == self.colour)
                and (self.size is None or obj.size == self.size))


@dataclass(frozen=True)
class Clause:
    subject: NounPhrase
    relation: Optional[tuple[str, ...]] = None
    other: Optional[NounPhrase] = None


def _parse_np(tokens: Sequence[str], i: int) -> tuple[Optional[NounPhrase], int]:
    if i >= len(tokens) or tokens[i] != "a":
        return None, i
    i += 1
    size = colour = None
    if i < len(tokens) and tokens[i] in SIZES:
        size, i = tokens[i], i + 1
    if i < len(tokens) and tokens[i] in COLOURS:
        colour, i = tokens[i], i + 1
    if i < len(tokens) and tokens[i] in SHAPES:
        return NounPhrase(tokens[i], colour, size, i), i + 1
    return None, i


def parse_caption(tokens: Sequence[str]) -> Optional[list[Clause]]:
    """Clauses of a caption in the scenes' grammar, or None when it does not parse:
    ``clause ("and" clause)*``, ``clause = np [relation np]``, ``np = "a" [size] [colour] shape``."""
    clauses: list[Clause] = []
    i = 0
    while True:
        subject, i = _parse_np(tokens, i)
        if subject is None:
            return None
        relation = other = None
        for words in RELATIONS:
            if tuple(tokens[i:i + len(words)]) == words:
                relation = words
                other, i = _parse_np(tokens, i + len(words))
                if other is None:
                    return None
                break
        clauses.append(Clause(subject, relation, other))
        if i == len(tokens):
            return clauses
        if tokens[i] != "and":
            return None
        i += 1


def caption_is_true(tokens: Sequence[str], objects: Sequence[SceneObject], image_size: int) -> bool:
    """Whether every attribute and relation the caption states is true of the scene."""
    clauses = parse_caption(tokens)
    if not clauses:
        return False
    for clause in clauses:
        subjects = [o for o in objects if clause.subject.matches(o)]
        if not subjects:
            return False
        if clause.relation is not None:
            others = [o for o in objects if clause.other.matches(o)]
            if not any(a is not b and relation_holds(clause.relation, a, b, image_size)
                       for a in subjects for b in others):
                return False
    return True


def shape_word_objects(tokens: Sequence[str], objects: Sequence[SceneObject]) -> list[tuple[int, list[SceneObject]]]:
    """(position of each shape word, the scene objects its noun phrase may name); [] if unparsed."""
    clauses = parse_caption(tokens) or []
    found = []
    for clause in clauses:
        for phrase in (clause.subject, clause.other):
            if phrase is not None:
                found.append((phrase.shape_index, [o for o in objects if phrase.matches(o)]))
    return found


def box_regions(box: Sequence[float], grid_size: int, image_size: int) -> torch.Tensor:
    """(grid_size * grid_size,) 1.0 at the cells (row-major) that overlap ``box``, as :func:`peak_in_box` counts."""
    cell = image_size / grid_size
    mask = torch.zeros(grid_size, grid_size)
    cols = [c for c in range(grid_size) if c * cell < box[2] and box[0] < (c + 1) * cell]
    rows = [r for r in range(grid_size) if r * cell < box[3] and box[1] < (r + 1) * cell]
    for r in rows:
        mask[r, cols] = 1.0
    return mask.flatten()


def peak_in_box(attention: Sequence[Sequence[float]], box: Sequence[float], image_size: int) -> bool:
    """Whether the attention map's highest cell (grid_h x grid_w) overlaps ``box``."""
    grid_h, grid_w = len(attention), len(attention[0])
    flat = [value for row in attention for value in row]
    peak = max(range(len(flat)), key=flat.__getitem__)
    row, col = divmod(peak, grid_w)
    cell_w, cell_h = image_size / grid_w, image_size / grid_h
    x0, y0 = col * cell_w, row * cell_h
    return x0 < box[2] and box[0] < x0 + cell_w and y0 < box[3] and box[1] < y0 + cell_h

