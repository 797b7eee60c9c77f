"""Reading any image a user drops into one RGB picture, or a clear one-line error.

Pillow decodes the formats (PNG, JPEG, GIF, BMP, WebP and more); this module makes their
variety uniform: the first frame of an animation, EXIF rotation applied, every mode (grayscale,
palette, alpha, CMYK, 16-bit) turned into 8-bit RGB, and oversized images refused before they
are decoded (a decompression bomb is a small file that expands into gigabytes).
"""
from __future__ import annotations

import io
import os
import struct
import warnings
from pathlib import Path
from typing import Any, Union

import torch
from PIL import Image, ImageOps, UnidentifiedImageError

MAX_PIXELS = 50_000_000  # larger images are refused before decoding
BACKGROUND = (255, 255, 255)  # transparent pixels are drawn over white

ImageSource = Union[str, os.PathLike, bytes, bytearray, memoryview, Image.Image, Any]


class ImageError(ValueError):
    """An image that cannot be used; the message is one line that says why."""


def _describe(source: Any) -> str:
    if isinstance(source, (str, os.PathLike)):
        return str(source)
    if isinstance(source, (bytes, bytearray, memoryview)):
        return "the image data"
    return "the image"


def _from_array(array: Any) -> Image.Image:
    """An (H, W), (H, W, 3) or (H, W, 4) array or tensor; uint8, or floats in [0, 1]."""
    try:
        tensor = torch.as_tensor(array).detach().cpu()
    except (TypeError, ValueError, RuntimeError) as error:
        raise ImageError(f"not an image: {type(array).__name__} ({error})") from None
    if tensor.dim() == 3 and tensor.shape[-1] == 1:
        tensor = tensor[..., 0]
    if tensor.dim() not in (2, 3) or (tensor.dim() == 3 and tensor.shape[-1] not in (3, 4)):
        raise ImageError(f"an image array must be (height, width[, 3 or 4]), not {tuple(tensor.shape)}")
    height, width = tensor.shape[:2]
    if height == 0 or width == 0:
        raise ImageError("the image array is empty")
    if height * width > MAX_PIXELS:
        raise ImageError(f"the image is too large ({width}x{height} pixels, at most {MAX_PIXELS:,})")
    if tensor.is_floating_point():
        tensor = (tensor.clamp(0, 1) * 255).round()
    elif tensor.dtype != torch.uint8:
        if int(tensor.max()) > 255:  # 16-bit samples
            tensor = tensor.float() / 257
    tensor = tensor.to(torch.uint8).contiguous()
    mode = "L" if tensor.dim() == 2 else ("RGB" if tensor.shape[-1] == 3 else "RGBA")
    return Image.frombuffer(mode, (width, height), _raw_bytes(tensor), "raw", mode, 0, 1)


def _raw_bytes(tensor: torch.Tensor) -> bytes:
    return tensor.numpy().tobytes()


def _open(source: Any) -> Image.Image:
    if isinstance(source, Image.Image):
        return source
    if isinstance(source, (bytes, bytearray, memoryview)):
        data = bytes(source)
        if not data:
            raise ImageError("the image data is empty (zero bytes)")
        handle: Any = io.BytesIO(data)
    elif isinstance(source, (str, os.PathLike)):
        path = Path(source)
        if not path.is_file():
            raise ImageError(f"{path}: no such image file")
        if path.stat().st_size == 0:
            raise ImageError(f"{path}: the file is empty (zero bytes)")
        handle = path
    else:
        return _from_array(source)
    with warnings.catch_warnings():
        # Pillow warns above its own limit; ours is lower and checked below.
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        return Image.open(handle)


def _to_rgb(image: Image.Image) -> Image.Image:
    mode = image.mode
    if mode.startswith("I;16") or mode in ("I", "F"):
        image = image.convert("I") if mode.startswith("I;16") else image
        low, high = image.getextrema()
        if image.mode == "F" and high <= 1.0:
            image = image.point(lambda value: value * 255)
        elif high > 255:  # 16-bit samples: keep the top 8 bits
            image = image.point(lambda value: value / 257)
        image = image.convert("L")
    if mode == "P" and "transparency" in image.info:
        image = image.convert("RGBA")
    if image.mode in ("RGBA", "LA", "PA", "RGBa", "La"):
        rgba = image.convert("RGBA")
        flat = Image.new("RGB", rgba.size, BACKGROUND)
        flat.paste(rgba, mask=rgba.getchannel("A"))
        return flat
    return image if image.mode == "RGB" else image.convert("RGB")


def load_image(source: ImageSource, max_pixels: int = MAX_PIXELS) -> Image.Image:
    """Any image source as an 8-bit RGB ``PIL.Image``; raises :class:`ImageError` otherwise.

    ``source``: a path, the file's bytes, a ``PIL.Image``, or an array/tensor (H, W[, 3|4]).
    """
    name = _describe(source)
    try:
        image = _open(source)
        width, height = image.size
        if width * height > max_pixels:
            raise ImageError(f"{name}: the image is too large ({width}x{height} pixels; at most {max_pixels:,} "
                             "pixels are read): make it smaller and try again")
        if getattr(image, "n_frames", 1) > 1:
            image.seek(0)  # an animation: its first frame
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            image.load()
            image = ImageOps.exif_transpose(image) or image
            return _to_rgb(image)
    except ImageError as error:
        message = str(error)
        named = message.startswith(name) or name.startswith("the ")
        raise ImageError(message if named else f"{name}: {message}") from None
    except UnidentifiedImageError:
        raise ImageError(f"{name}: not an image, or a format Pillow cannot read") from None
    except Image.DecompressionBombError:
        raise ImageError(f"{name}: the image is too large (more than {max_pixels:,} pixels are "
                         "never read): make it smaller and try again") from None
    except (OSError, SyntaxError, ValueError, EOFError, IndexError, struct.error) as error:
        reason = str(error).splitlines()[0] if str(error) else type(error).__name__
        raise ImageError(f"{name}: the image is truncated or corrupt ({reason})") from None


def to_tensor(image: Image.Image, size: int) -> torch.Tensor:
    """An RGB image resized to ``size`` x ``size`` (no crop, so left stays left), as uint8 (3, size, size)."""
    if image.size != (size, size):
        image = image.resize((size, size), Image.BILINEAR)
    pixels = torch.frombuffer(bytearray(image.tobytes()), dtype=torch.uint8)
    return pixels.view(size, size, 3).permute(2, 0, 1).contiguous()


def normalize_pixels(images: torch.Tensor) -> torch.Tensor:
    """uint8 (B, 3, H, W) -> float in about [-2, 2], centred at mid-grey."""
    return (images.float() / 255.0 - 0.5) / 0.25
