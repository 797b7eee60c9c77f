"""Reading an image the user drops, pastes or chooses, before anything of it is saved.

It runs on the controller's file worker: a large or broken file is refused with a reason in one
line, and nothing reaches the store until the image has been fully decoded.
"""
from __future__ import annotations

import io
import warnings
from pathlib import Path
from typing import Optional

MAX_IMAGE_BYTES = 40 * 1024 * 1024
MAX_IMAGE_PIXELS = 50_000_000  # as engine.images.MAX_PIXELS, which the captioner refuses beyond


class ImageRejected(ValueError):
    """A dropped or pasted file that is not an image the app can read."""


def read_image(name: str, data: Optional[bytes], path: Optional[Path]) -> tuple[str, bytes, str]:
    """Read and fully decode an image (on a worker): returns (name, bytes, MIME type)."""
    from PIL import Image, UnidentifiedImageError

    try:
        if data is None:
            if path.stat().st_size > MAX_IMAGE_BYTES:
                raise ImageRejected(f"{name} is larger than {MAX_IMAGE_BYTES // 2**20} MB")
            data = path.read_bytes()
        with warnings.catch_warnings():
            # Pillow warns between its limit and twice it; ours is lower and said in our words.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            opened = Image.open(io.BytesIO(data))
        with opened as image:
            if image.width * image.height > MAX_IMAGE_PIXELS:
                raise ImageRejected(_too_large(name, image.size))
            image.verify()  # checks the structure (CRCs of a PNG) without decoding
        with Image.open(io.BytesIO(data)) as image:
            image.load()  # decodes: a truncated file fails here
            kind = (image.format or "PNG").lower()
    except ImageRejected:
        raise
    except Image.DecompressionBombError as error:  # Pillow's own limit, met before ours can look
        raise ImageRejected(_too_large(name, None)) from error
    except (OSError, UnidentifiedImageError, SyntaxError, ValueError) as error:
        raise ImageRejected(f"{name} could not be read as an image ({error}); nothing was saved.") from error
    return name, data, f"image/{'jpeg' if kind == 'jpg' else kind}"


def _too_large(name: str, size: Optional[tuple[int, int]]) -> str:
    pixels = f" ({size[0]:,} × {size[1]:,} pixels)" if size else ""
    return (f"{name} is too large to use{pixels}: chatapp takes pictures of up to 50 million pixels "
            "(about 8000 × 6000). Make it smaller in an image editor and attach it again; nothing was saved.")
