import io
import struct
import zlib

import numpy as np
import pytest
import torch
from PIL import Image

from engine.images import MAX_PIXELS, ImageError, load_image, normalize_pixels, to_tensor


def _encoded(image: Image.Image, fmt: str, **options) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, fmt, **options)
    return buffer.getvalue()


def _two_tone(mode: str = "RGB") -> Image.Image:
    """Left half red, right half blue, 40 x 20."""
    image = Image.new("RGB", (40, 20), (220, 20, 20))
    image.paste((20, 20, 220), (20, 0, 40, 20))
    return image.convert(mode) if mode != "RGB" else image


@pytest.mark.parametrize("fmt", ["PNG", "JPEG", "BMP", "WEBP", "GIF"])
def test_common_formats_decode_to_rgb(fmt):
    image = load_image(_encoded(_two_tone(), fmt))
    assert image.mode == "RGB" and image.size == (40, 20)
    left, right = image.getpixel((5, 10)), image.getpixel((35, 10))
    assert left[0] > 150 and left[2] < 100 and right[2] > 150 and right[0] < 100


def test_gif_gives_its_first_frame():
    frames = [Image.new("RGB", (8, 8), colour) for colour in ((250, 0, 0), (0, 250, 0), (0, 0, 250))]
    buffer = io.BytesIO()
    frames[0].save(buffer, "GIF", save_all=True, append_images=frames[1:], duration=50)
    red, green, blue = load_image(buffer.getvalue()).getpixel((4, 4))
    assert red > 200 and green < 50 and blue < 50


@pytest.mark.parametrize("mode", ["L", "LA", "RGBA", "P", "CMYK", "1", "I"])
def test_every_mode_becomes_rgb(mode):
    image = load_image(_two_tone(mode))
    assert image.mode == "RGB" and image.size == (40, 20)


def test_transparency_is_drawn_over_white():
    image = Image.new("RGBA", (4, 4), (255, 0, 0, 0))
    image.putpixel((0, 0), (0, 0, 255, 255))
    loaded = load_image(_encoded(image, "PNG"))
    assert loaded.getpixel((3, 3)) == (255, 255, 255) and loaded.getpixel((0, 0)) == (0, 0, 255)
    palette = Image.new("P", (4, 4), 1)
    palette.putpalette([0, 0, 0, 255, 0, 0] + [0] * 762)
    assert load_image(_encoded(palette, "PNG", transparency=1)).getpixel((1, 1)) == (255, 255, 255)


def test_sixteen_bit_keeps_its_brightness():
    image = Image.new("I;16", (4, 4), 40000)  # about 61 % of full scale
    value = load_image(_encoded(image, "PNG")).getpixel((1, 1))
    assert value[0] == value[1] == value[2] and 145 < value[0] < 165


def test_exif_rotation_is_honoured():
    image = Image.new("RGB", (30, 10), (0, 200, 0))
    exif = Image.Exif()
    exif[0x0112] = 6  # orientation: rotate 90 degrees clockwise to display
    loaded = load_image(_encoded(image, "JPEG", exif=exif.tobytes()))
    assert loaded.size == (10, 30)


def test_paths_bytes_arrays_and_tensors(tmp_path):
    path = tmp_path / "two tone.png"
    _two_tone().save(path)
    assert load_image(path).size == load_image(str(path)).size == (40, 20)
    array = np.zeros((6, 9, 3), dtype=np.uint8)
    array[:, :, 1] = 200
    assert load_image(array).getpixel((0, 0)) == (0, 200, 0)
    assert load_image(torch.full((5, 5), 0.5)).getpixel((0, 0)) == (128, 128, 128)
    assert load_image(np.full((3, 3, 4), 255, dtype=np.uint8)).getpixel((1, 1)) == (255, 255, 255)
    with pytest.raises(ImageError):
        load_image(np.zeros((4, 4, 2), dtype=np.uint8))


def _png_claiming(width: int, height: int) -> bytes:
    """A valid 1x1 PNG whose header says ``width`` x ``height`` (a decompression bomb's header)."""
    data = bytearray(_encoded(Image.new("L", (1, 1)), "PNG"))
    data[16:24] = struct.pack(">II", width, height)
    data[29:33] = struct.pack(">I", zlib.crc32(bytes(data[12:29])))
    return bytes(data)


def _one_line_error(source) -> str:
    with pytest.raises(ImageError) as caught:
        load_image(source)
    assert isinstance(caught.value, ValueError)
    message = str(caught.value)
    assert message and "\n" not in message
    return message


def test_bad_input_gives_a_one_line_error(tmp_path):
    empty = tmp_path / "empty.png"
    empty.write_bytes(b"")
    assert "empty" in _one_line_error(empty)
    assert "empty" in _one_line_error(b"")
    assert "no such" in _one_line_error(tmp_path / "missing.png")
    text = tmp_path / "notes.jpg"
    text.write_text("not a picture at all")
    assert "not an image" in _one_line_error(text)
    png = _encoded(Image.effect_noise((64, 64), 60).convert("RGB"), "PNG")
    _one_line_error(png[: len(png) // 2])  # truncated
    jpeg = _encoded(Image.effect_noise((64, 64), 60).convert("RGB"), "JPEG")
    _one_line_error(jpeg[: len(jpeg) // 3])
    corrupt = bytearray(png)
    corrupt[60:200] = bytes(140)
    _one_line_error(bytes(corrupt))


def test_oversized_images_are_refused_before_decoding():
    assert "too large" in _one_line_error(_png_claiming(10_000, 10_000))
    assert "too large" in _one_line_error(_png_claiming(60_000, 60_000))  # past Pillow's own limit too
    side = int(MAX_PIXELS ** 0.5) - 1
    assert side * side <= MAX_PIXELS  # a header just under the limit is not refused for its size
    with pytest.raises(ImageError) as caught:
        load_image(_png_claiming(side, side))
    assert "too large" not in str(caught.value)


def test_to_tensor_squashes_without_cropping():
    pixels = to_tensor(_two_tone(), 16)
    assert pixels.shape == (3, 16, 16) and pixels.dtype == torch.uint8
    assert pixels[0, 8, 1] > 150 and pixels[2, 8, 14] > 150  # red stays left, blue right
    assert normalize_pixels(pixels.unsqueeze(0)).abs().max() <= 2.0
