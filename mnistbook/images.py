"""Turning an arbitrary picture of a digit into MNIST form.

Introduced in chapter 12, Saving, loading, and reading your own digit.
MNIST's digits were prepared in a particular way: white ink on black, the
digit scaled to fit a 20×20 box (keeping its proportions), then placed in a
28×28 frame so that its center of mass sits in the middle. A photo or a
drawing of your own must go through the same steps before a network trained
on MNIST can read it.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from .predict import is_numeric

__all__ = ["ImageError", "load_image", "prepare_image"]


class ImageError(ValueError):
    """An image could not be read, or holds no digit that can be prepared.

    The message names the file (or the array's shape) and what to change.
    Introduced in chapter 12.
    """


def load_image(path: str | os.PathLike) -> np.ndarray:
    """Read an image file (PNG, JPEG, …) as grayscale floats in [0, 1].

    Returns an array of shape (height, width); transparent pixels count as
    white paper. The EXIF orientation tag that many phone cameras write is
    applied, so a portrait photo arrives upright, not sideways. Raises
    :class:`ImageError` if the file is missing or is not an image Pillow can
    read. Introduced in chapter 12.
    """
    from PIL import Image, ImageOps, UnidentifiedImageError

    path = Path(path)
    try:
        with Image.open(path) as image:
            image.load()
            image = ImageOps.exif_transpose(image)  # phone photos: upright
            if image.mode in ("RGBA", "LA") or (image.mode == "P" and "transparency" in image.info):
                image = image.convert("RGBA")
                background = Image.new("RGBA", image.size, (255, 255, 255, 255))
                image = Image.alpha_composite(background, image)
            gray = image.convert("L")
    except FileNotFoundError:
        raise ImageError(f"{path} does not exist: check the file name and folder.") from None
    except (UnidentifiedImageError, OSError) as exc:
        raise ImageError(f"{path} could not be read as an image ({exc}). Save it as PNG or JPEG.") from exc
    return np.asarray(gray, dtype=np.float32) / 255.0


def _as_gray(image: np.ndarray) -> np.ndarray:
    """Validate an array and return it as grayscale floats in [0, 1]."""
    if not is_numeric(image):
        raise ImageError(f"expected numeric pixel values; got dtype {image.dtype}")
    shape = image.shape
    if image.ndim == 3 and shape[2] in (3, 4):
        pixels = image.astype(np.float32)
        if shape[2] == 4:  # composite over white paper
            scale = 255.0 if np.issubdtype(image.dtype, np.integer) else 1.0
            alpha = pixels[..., 3:4] / scale
            pixels = pixels[..., :3] * alpha + scale * (1 - alpha)
        image = pixels[..., :3] @ np.array([0.299, 0.587, 0.114], dtype=np.float32)
    elif image.ndim == 3 and shape[2] == 1:
        image = image[..., 0]
    if image.ndim != 2:
        raise ImageError(
            "expected a grayscale image (height, width) or a color image (height, width, 3 or 4); "
            f"got shape {shape}"
        )
    if min(image.shape) < 2:
        raise ImageError(f"expected an image at least 2 pixels wide and tall; got shape {shape}")
    image = image.astype(np.float32)
    if not np.isfinite(image).all():
        raise ImageError("expected finite pixel values; got NaN or infinity")
    if image.max() > 1.0:
        image = image / 255.0
    return np.clip(image, 0.0, 1.0)


def prepare_image(image, *, invert: bool | None = None) -> np.ndarray:
    """Turn a picture of one digit into a 28×28 MNIST-style image.

    ``image`` is a file path or an array: grayscale (H, W), or color
    (H, W, 3) or (H, W, 4), with values 0–255 or 0–1. The steps are MNIST's:

    1. grayscale, as floats from 0 to 1;
    2. white ink on black: with ``invert=None`` the picture is inverted when
       its border is mostly light (dark ink on white paper);
    3. crop to the digit (pixels brighter than 20% of the brightest);
    4. resize so the longer side is 20 pixels, keeping the proportions;
    5. paste into a 28×28 black frame with the center of mass in the middle.

    Returns a float32 array of shape (28, 28) with values in [0, 1]; multiply
    by 255 for a model trained on raw pixel values. Raises
    :class:`ImageError` for an unreadable file, an impossible shape, or a
    blank picture. Introduced in chapter 12.
    """
    from PIL import Image

    gray = load_image(image) if isinstance(image, (str, os.PathLike)) else _as_gray(np.asarray(image))
    if invert is None:
        border = np.concatenate([gray[0], gray[-1], gray[:, 0], gray[:, -1]])
        invert = float(np.median(border)) > 0.5
    if invert:
        gray = 1.0 - gray
    gray = gray - float(np.median(np.concatenate([gray[0], gray[-1], gray[:, 0], gray[:, -1]])))
    gray = np.clip(gray, 0.0, None)
    if gray.max() <= 0.05:
        raise ImageError(
            "found no digit: the picture is blank (all one shade). Draw a dark digit on light paper "
            "or a light digit on a dark background."
        )
    gray = gray / gray.max()

    rows = np.flatnonzero((gray > 0.2).any(axis=1))
    cols = np.flatnonzero((gray > 0.2).any(axis=0))
    digit = gray[rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1]

    height, width = digit.shape
    scale = 20.0 / max(height, width)
    new_h, new_w = max(1, round(height * scale)), max(1, round(width * scale))
    small = Image.fromarray(digit.astype(np.float32), mode="F").resize((new_w, new_h), Image.LANCZOS)
    small = np.clip(np.asarray(small, dtype=np.float32), 0.0, 1.0)

    frame = np.zeros((28, 28), dtype=np.float32)
    top, left = (28 - new_h) // 2, (28 - new_w) // 2
    frame[top : top + new_h, left : left + new_w] = small

    # Shift so that the center of mass lands on the middle, as MNIST did.
    # Sums in float64: in float32 a digit whose centre falls exactly between two
    # pixels can round either way, depending on the order of the additions.
    total = frame.sum(dtype=np.float64)
    ys, xs = np.indices(frame.shape)
    dy = int(round(13.5 - (ys * frame).sum(dtype=np.float64) / total))
    dx = int(round(13.5 - (xs * frame).sum(dtype=np.float64) / total))
    dy = int(np.clip(dy, -top, 28 - (top + new_h)))
    dx = int(np.clip(dx, -left, 28 - (left + new_w)))
    return np.roll(frame, (dy, dx), axis=(0, 1))
