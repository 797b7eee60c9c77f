"""A tiny COCO-format photo set (a captions JSON and an image folder), shared by the captioner
tests of the engine and of the training panel, and a captioner size that trains in seconds."""
import json
from pathlib import Path

from PIL import Image, ImageDraw

COLOURS = {"red": (220, 40, 40), "blue": (40, 70, 220), "green": (40, 170, 60)}
SHAPES = ("square", "circle")
# A captioner that trains in seconds: 16 pixels a side (a 2 x 2 grid), a narrow LSTM.
TINY_CAPTIONER = ["--image-size", "16", "--hidden-size", "16", "--min-count", "1", "--valid-images", "4",
                  "--warmup-steps", "2"]


def write_coco_set(folder: Path) -> tuple[Path, Path]:
    """Six photos, one shape each, two captions each; returns (captions file, image folder)."""
    images_dir = folder / "photos"
    images_dir.mkdir(parents=True)
    images, annotations = [], []
    for image_id, (colour, shape) in enumerate(((c, s) for c in COLOURS for s in SHAPES), 1):
        picture = Image.new("RGB", (40, 40), "white")
        draw = ImageDraw.Draw(picture)
        box = (8, 8, 32, 32)
        (draw.rectangle if shape == "square" else draw.ellipse)(box, fill=COLOURS[colour])
        name = f"{colour}-{shape}.png"
        picture.save(images_dir / name)
        images.append({"id": image_id, "file_name": name})
        annotations += [{"image_id": image_id, "caption": f"a {colour} {shape}"},
                        {"image_id": image_id, "caption": f"a {colour} {shape} on white"}]
    captions = folder / "captions.json"
    captions.write_text(json.dumps({"images": images, "annotations": annotations}), encoding="utf-8")
    return captions, images_dir
