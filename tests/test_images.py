"""Tests of mnistbook.images: turning any picture of a digit into MNIST form."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from mnistbook.images import ImageError, load_image, prepare_image


def _digit_on_paper(height=60, width=40, ink=0, paper=255):
    """A dark bar-shaped '1' with a foot, on light paper, off-center."""
    image = np.full((height, width), paper, dtype=np.uint8)
    image[10:50, 25:30] = ink  # the stem
    image[45:50, 18:36] = ink  # the foot
    return image


def _center_of_mass(x):
    ys, xs = np.indices(x.shape)
    return (ys * x).sum() / x.sum(), (xs * x).sum() / x.sum()


def _assert_mnist_form(x):
    assert x.shape == (28, 28) and x.dtype == np.float32
    assert 0.0 <= x.min() and x.max() <= 1.0 and x.max() == pytest.approx(1.0, abs=0.05)
    rows, cols = np.flatnonzero(x.any(axis=1)), np.flatnonzero(x.any(axis=0))
    assert max(rows[-1] - rows[0], cols[-1] - cols[0]) + 1 <= 21  # the digit fits a 20×20 box
    cy, cx = _center_of_mass(x)
    assert abs(cy - 13.5) <= 1 and abs(cx - 13.5) <= 1


def test_dark_ink_on_paper_is_inverted_cropped_scaled_and_centered():
    x = prepare_image(_digit_on_paper())
    _assert_mnist_form(x)
    assert x[0, 0] == 0.0  # background black, like MNIST


def test_light_ink_on_black_is_not_inverted():
    x = prepare_image(255 - _digit_on_paper())
    _assert_mnist_form(x)
    np.testing.assert_allclose(x, prepare_image(_digit_on_paper()), atol=1e-6)


def test_invert_can_be_forced():
    assert prepare_image(_digit_on_paper(), invert=True).max() > 0.9
    with pytest.raises(ImageError, match="found no digit"):
        prepare_image(np.full((30, 30), 200, dtype=np.uint8), invert=False)


@pytest.mark.parametrize("channels", [1, 3, 4])
def test_color_and_channel_layouts(channels):
    gray = _digit_on_paper()
    image = np.repeat(gray[..., None], channels, axis=2)
    if channels == 4:
        image[..., 3] = 255
    _assert_mnist_form(prepare_image(image))


def test_transparent_pixels_count_as_paper():
    rgba = np.zeros((60, 40, 4), dtype=np.uint8)  # fully transparent black = white paper
    rgba[10:50, 25:30] = (0, 0, 0, 255)  # opaque black ink
    _assert_mnist_form(prepare_image(rgba))


def test_float_images_in_0_1_and_wide_digits_keep_proportions():
    wide = np.zeros((30, 100), dtype=np.float64)
    wide[12:18, 5:95] = 1.0  # a long horizontal stroke: 90×6 becomes 20 wide, ~1 tall
    x = prepare_image(wide)
    cols = np.flatnonzero(x.any(axis=0))
    rows = np.flatnonzero(x.max(axis=1) > 0.5)
    assert cols[-1] - cols[0] + 1 in (20, 21)
    assert len(rows) <= 3


@pytest.mark.parametrize("suffix,mode", [(".png", "L"), (".png", "RGB"), (".png", "RGBA"), (".jpg", "RGB")])
def test_reads_image_files(tmp_path, suffix, mode):
    path = tmp_path / f"digit{suffix}"
    Image.fromarray(_digit_on_paper()).convert(mode).save(path)
    _assert_mnist_form(prepare_image(path))
    _assert_mnist_form(prepare_image(str(path)))
    assert load_image(path).shape == (60, 40)


@pytest.mark.parametrize("suffix", [".jpg", ".png"])
def test_exif_orientation_is_applied(tmp_path, suffix):
    """A phone photo stored sideways with an EXIF Orientation tag arrives upright."""
    stored = _digit_on_paper()  # 60 tall, 40 wide, as the sensor stored it
    exif = Image.Exif()
    exif[0x0112] = 6  # Orientation 6: turn 90° clockwise to display
    path = tmp_path / f"phone{suffix}"
    Image.fromarray(stored).save(path, exif=exif)
    loaded = load_image(path)
    assert loaded.shape == (40, 60)  # width and height swapped
    expected = np.rot90(stored, k=-1).astype(np.float32) / 255.0  # clockwise
    assert np.abs(loaded - expected).mean() < 0.02
    assert np.abs(loaded - np.rot90(stored, k=1) / 255.0).mean() > 0.1
    _assert_mnist_form(prepare_image(path))


def test_missing_file(tmp_path):
    with pytest.raises(ImageError, match="does not exist: check the file name"):
        prepare_image(tmp_path / "nope.png")


def test_file_that_is_not_an_image(tmp_path):
    path = tmp_path / "notes.png"
    path.write_text("this is not a picture")
    with pytest.raises(ImageError, match=r"notes.png could not be read as an image .*Save it as PNG or JPEG"):
        prepare_image(path)


@pytest.mark.parametrize(
    "shape",
    [(784,), (28,), (2, 28, 28, 1), (28, 28, 2), (28, 28, 5), (1, 50), (50, 1)],
)
def test_impossible_shapes(shape):
    with pytest.raises(ImageError, match=r"expected .*got shape"):
        prepare_image(np.ones(shape, dtype=np.uint8))


@pytest.mark.parametrize("bad", [np.array([["a", "b"], ["c", "d"]]), np.ones((5, 5), dtype=bool)])
def test_non_numeric_pixels(bad):
    with pytest.raises(ImageError, match="expected numeric pixel values"):
        prepare_image(bad)


def test_nan_pixels():
    image = np.zeros((10, 10))
    image[3, 3] = np.nan
    with pytest.raises(ImageError, match="finite"):
        prepare_image(image)


@pytest.mark.parametrize("value", [0, 128, 255])
def test_blank_pictures(value):
    with pytest.raises(ImageError, match="found no digit: the picture is blank"):
        prepare_image(np.full((40, 40), value, dtype=np.uint8))


def test_image_error_is_a_value_error():
    assert issubclass(ImageError, ValueError)


def test_a_real_mnist_digit_survives_the_round_trip(real_mnist):
    """An MNIST digit, drawn black on white at 3× size, comes back close to itself."""
    original = real_mnist.x_test[999].astype(np.float32) / 255.0
    big = np.kron(1.0 - original, np.ones((3, 3), dtype=np.float32))  # dark on white, 84×84
    back = prepare_image(big)
    assert np.abs(back - original).mean() < 0.08


def test_a_tiny_8x8_digit_is_scaled_up_into_mnist_form():
    """Small inputs, like UCI's 8×8 digits (ink counts 0–16), are enlarged to fit 20×20."""
    tiny = np.zeros((8, 8), dtype=np.float32)
    tiny[1:7, 4:6] = 16.0  # a two-pixel-wide stem
    tiny[6, 2:7] = 16.0  # and a foot
    x = prepare_image(tiny / 16.0, invert=False)
    _assert_mnist_form(x)
    rows = np.flatnonzero(x.max(axis=1) > 0.5)
    assert rows[-1] - rows[0] + 1 >= 18  # 6 pixels tall became about 20


def test_load_uci_digits_gives_mnist_shaped_images_and_labels():
    from mnistbook import load_uci_digits

    images, labels = load_uci_digits()
    assert images.shape == (1797, 28, 28) and images.dtype == np.float32
    assert labels.shape == (1797,) and labels.dtype == np.int64
    assert 0.0 <= images.min() and images.max() <= 1.0
    assert set(np.unique(labels)) == set(range(10))
    assert np.bincount(labels).min() >= 170  # about 180 of each digit
    assert (images[:, 0, :] == 0).all() and (images[:, :, 0] == 0).all()  # a black frame, like MNIST
    for x in images[:20]:
        _assert_mnist_form(x)
