"""Reading an image the user drops, pastes or chooses, before anything of it is saved.

It runs on the controller's file worker: a large or broken file is refused with a reason in one
line, and nothing reaches the store until the image has been fully decoded.
"""
from __future__ import annotations

import io
from pathlib import Path
from typing import Optional

MAX_IMAGE_BYTES = 40 * 1024 * 1024


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
        with Image.open(io.BytesIO(data)) as image:
            image.verify()  # checks the structure (CRCs of a PNG) without decoding
        with Image.open(io.BytesIO(data)) as image:
            image.load()  # decodes: a truncated file fails here
            kind = (image.format or "PNG").lower()
    except ImageRejected:
        raise
    except (OSError, UnidentifiedImageError, SyntaxError, ValueError,
            Image.DecompressionBombError) as error:
        raise ImageRejected(f"{name} could not be read as an image ({error}); nothing was saved.") from error
    return name, data, f"image/{'jpeg' if kind == 'jpg' else kind}"
