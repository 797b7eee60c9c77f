"""COCO-format caption sets: a JSON file with ``images`` (``id``, ``file_name``) and
``annotations`` (``image_id``, ``caption``), and a folder of image files.

Every readable image is decoded once, resized and kept in memory as uint8 (3 x 64 x 64 is
12 KB, so 10,000 photos take about 120 MB); an image that cannot be read is skipped and counted,
never fatal.
"""
from __future__ import annotations

import json
import os
import zlib
from dataclasses import dataclass, field
from pathlib import Path

import torch

from engine.images import ImageError, load_image, to_tensor
from engine.text import tokenize


@dataclass
class CaptionSet:
    images: torch.Tensor  # (n, 3, size, size) uint8
    captions: list[list[list[str]]]  # per image, its tokenised reference captions
    file_names: list[str]
    skipped: int = 0  # images listed but unreadable (missing, corrupt, not an image, too large)
    uncaptioned: int = 0  # readable images without any caption, left out
    problems: list[str] = field(default_factory=list)  # one line per skipped image

    def __len__(self) -> int:
        return len(self.file_names)

    def split(self, valid_share: float = 0.05) -> tuple["CaptionSet", "CaptionSet"]:
        """(train, valid), deterministic by file name, so the split survives reordering."""
        valid = [i for i, name in enumerate(self.file_names) if zlib.crc32(name.encode()) % 1000 < valid_share * 1000]
        if len(self) > 1 and not valid:
            valid = [len(self) - 1]
        train = [i for i in range(len(self)) if i not in set(valid)]
        return self.subset(train), self.subset(valid)

    def subset(self, indices: list[int]) -> "CaptionSet":
        index = torch.tensor(indices, dtype=torch.long)
        return CaptionSet(self.images.index_select(0, index) if indices else self.images[:0],
                          [self.captions[i] for i in indices], [self.file_names[i] for i in indices])


def read_coco_json(path: str | os.PathLike) -> tuple[dict[int, str], dict[int, list[str]]]:
    """(image id -> file name, image id -> captions); raises ValueError for a malformed file."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        files = {int(image["id"]): str(image["file_name"]) for image in data["images"]}
        captions: dict[int, list[str]] = {}
        for note in data["annotations"]:
            captions.setdefault(int(note["image_id"]), []).append(str(note["caption"]))
    except FileNotFoundError:
        raise ValueError(f"{path}: no such captions file") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise ValueError(f"{path}: not a JSON file ({error})") from None
    except (KeyError, TypeError, ValueError) as error:
        raise ValueError(f"{path}: not a COCO-format captions file (missing or bad {error})") from None
    return files, captions


def load_caption_set(json_path: str | os.PathLike, images_dir: str | os.PathLike, image_size: int = 64,
                     limit: int | None = None) -> CaptionSet:
    """Read a COCO-format set; images come in id order, at most ``limit`` of them."""
    files, captions = read_coco_json(json_path)
    images, texts, names, problems = [], [], [], []
    uncaptioned = 0
    for image_id in sorted(files):
        if limit is not None and len(names) >= limit:
            break
        name = files[image_id]
        references = [tokens for tokens in (tokenize(text) for text in captions.get(image_id, [])) if tokens]
        if not references:
            uncaptioned += 1
            continue
        try:
            picture = load_image(Path(images_dir) / name)
        except ImageError as error:
            problems.append(str(error))
            continue
        images.append(to_tensor(picture, image_size))
        texts.append(references)
        names.append(name)
    stacked = torch.stack(images) if images else torch.zeros(0, 3, image_size, image_size, dtype=torch.uint8)
    return CaptionSet(stacked, texts, names, skipped=len(problems), uncaptioned=uncaptioned, problems=problems)
