"""mnistbook.predict: as_batch, predict_proba, predict_classes."""

from __future__ import annotations

import keras
import numpy as np
import pytest

from mnistbook import as_batch, predict_classes, predict_proba

EXPECTED = "expected a 28×28 image, a flat 784-pixel image, or a batch of shape (n, 28, 28) or (n, 784); got "


@pytest.fixture(scope="module")
def dense_model():
    """A tiny untrained dense model with fixed weights (784 → 10, softmax)."""
    return keras.Sequential(
        [
            keras.Input(shape=(784,)),
            keras.layers.Dense(10, activation="softmax", kernel_initializer=keras.initializers.GlorotUniform(seed=1),
                               bias_initializer=keras.initializers.RandomNormal(seed=2)),
        ]
    )


@pytest.fixture(scope="module")
def conv_model():
    """A tiny untrained convolutional model whose input is (28, 28, 1)."""
    return keras.Sequential(
        [
            keras.Input(shape=(28, 28, 1)),
            keras.layers.Conv2D(2, 3, strides=3, kernel_initializer=keras.initializers.GlorotUniform(seed=3)),
            keras.layers.Flatten(),
            keras.layers.Dense(10, activation="softmax", kernel_initializer=keras.initializers.GlorotUniform(seed=4)),
        ]
    )


def images(n: int, dtype="uint8") -> np.ndarray:
    rng = np.random.default_rng(n)
    x = rng.integers(0, 256, size=(n, 28, 28)).astype(dtype)
    return x / 255 if np.issubdtype(np.dtype(dtype), np.floating) else x


# --------------------------------------------------------------------------
# as_batch
# --------------------------------------------------------------------------


GOOD_SHAPES = {
    "(28, 28)": ((28, 28), 1),
    "(784,)": ((784,), 1),
    "(5, 28, 28)": ((5, 28, 28), 5),
    "(5, 784)": ((5, 784), 5),
    "(5, 28, 28, 1)": ((5, 28, 28, 1), 5),
    "(1, 784)": ((1, 784), 1),
}


@pytest.mark.parametrize("shape, n", list(GOOD_SHAPES.values()), ids=list(GOOD_SHAPES))
@pytest.mark.parametrize("dtype", ["uint8", "int64", "float32", "float64", "float16"])
def test_as_batch_accepts(shape, n, dtype):
    x = np.arange(int(np.prod(shape))).reshape(shape) % 256
    x = x.astype(dtype)
    batch = as_batch(x)
    assert batch.shape == (n, 784)
    assert batch.dtype == np.float32
    # Pixels are passed through unchanged, in row-major order.
    np.testing.assert_array_equal(batch, x.reshape(n, 784).astype(np.float32))


def test_as_batch_accepts_nested_lists():
    assert as_batch([[0] * 28] * 28).shape == (1, 784)


BAD_SHAPES = [(28, 29), (10,), (2, 28, 29), (2, 785), (28, 28, 1), (2, 28, 28, 3), (2, 1, 28, 28), ()]


@pytest.mark.parametrize("shape", BAD_SHAPES, ids=str)
def test_as_batch_rejects_shape(shape):
    with pytest.raises(ValueError) as err:
        as_batch(np.zeros(shape, dtype=np.uint8))
    assert str(err.value) == EXPECTED + str(shape)


def test_as_batch_bad_shape_exact_message():
    with pytest.raises(ValueError) as err:
        as_batch(np.zeros((28, 29)))
    assert str(err.value) == (
        "expected a 28×28 image, a flat 784-pixel image, or a batch of shape (n, 28, 28) or (n, 784); got (28, 29)"
    )


@pytest.mark.parametrize("shape", [(0, 784), (0, 28, 28), (0, 28, 28, 1)], ids=str)
def test_as_batch_rejects_empty_batch(shape):
    with pytest.raises(ValueError) as err:
        as_batch(np.zeros(shape))
    assert str(err.value) == f"expected at least one image; got an empty batch of shape {shape}"


@pytest.mark.parametrize(
    "x, dtype_name",
    [
        (np.full((28, 28), "a"), "<U1"),
        (np.zeros((28, 28), dtype=bool), "bool"),
        (np.empty((28, 28), dtype=object), "object"),
        (np.zeros((2, 784), dtype=np.complex64), "complex64"),
    ],
    ids=["strings", "bool", "object", "complex"],
)
def test_as_batch_rejects_dtype(x, dtype_name):
    with pytest.raises(ValueError) as err:
        as_batch(x)
    assert str(err.value) == f"expected numeric pixel values (integers or floats); got dtype {dtype_name}"


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf], ids=["nan", "inf", "-inf"])
def test_as_batch_rejects_non_finite(bad):
    x = np.zeros((3, 784), dtype=np.float32)
    x[1, 100] = bad
    with pytest.raises(ValueError) as err:
        as_batch(x)
    assert str(err.value) == "expected finite pixel values; got NaN or infinity"


@pytest.mark.filterwarnings("ignore:overflow encountered in cast:RuntimeWarning")
def test_as_batch_rejects_values_that_overflow_float32():
    x = np.full((784,), 1e300)
    with pytest.raises(ValueError, match="finite"):
        as_batch(x)


# --------------------------------------------------------------------------
# predict_classes / predict_proba
# --------------------------------------------------------------------------


@pytest.mark.parametrize("dtype", ["uint8", "float32"])
def test_single_image_returns_int(dense_model, dtype):
    x = images(3, dtype)
    expected = np.argmax(dense_model.predict(x.reshape(3, 784).astype("float32"), verbose=0), axis=1)
    for i in range(3):
        for single in (x[i], x[i].reshape(784)):
            digit = predict_classes(dense_model, single)
            assert type(digit) is int
            assert digit == expected[i]


@pytest.mark.parametrize("shape", [(6, 28, 28), (6, 784), (6, 28, 28, 1)], ids=str)
@pytest.mark.parametrize("dtype", ["uint8", "float64"])
def test_batch_returns_array_equal_to_argmax(dense_model, shape, dtype):
    x = images(6, dtype).reshape(shape)
    proba = dense_model.predict(x.reshape(6, 784).astype("float32"), verbose=0)
    classes = predict_classes(dense_model, x)
    assert isinstance(classes, np.ndarray)
    assert classes.shape == (6,)
    assert np.issubdtype(classes.dtype, np.integer)
    np.testing.assert_array_equal(classes, proba.argmax(axis=1))


def test_batch_of_one_is_still_a_batch(dense_model):
    classes = predict_classes(dense_model, images(1).reshape(1, 784))
    assert isinstance(classes, np.ndarray) and classes.shape == (1,)


def test_predict_proba(dense_model):
    x = images(4, "float32")
    proba = predict_proba(dense_model, x)
    assert proba.shape == (4, 10)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-5)
    np.testing.assert_allclose(proba, dense_model.predict(x.reshape(4, 784), verbose=0), rtol=1e-6)
    assert predict_proba(dense_model, x[0]).shape == (1, 10)


@pytest.mark.parametrize("shape", [(28, 29), (10,), (2, 28, 29), (0, 784)], ids=str)
def test_predict_classes_rejects_bad_shapes(dense_model, shape):
    with pytest.raises(ValueError, match="^expected "):
        predict_classes(dense_model, np.zeros(shape))


def test_predict_classes_rejects_nan(dense_model):
    x = np.zeros((28, 28))
    x[0, 0] = np.nan
    with pytest.raises(ValueError, match="finite"):
        predict_classes(dense_model, x)


@pytest.mark.parametrize(
    "shape, n",
    [((28, 28), 1), ((784,), 1), ((3, 28, 28), 3), ((3, 784), 3), ((3, 28, 28, 1), 3)],
    ids=str,
)
def test_conv_model_gets_its_own_input_shape(conv_model, shape, n):
    x = images(n, "float32").reshape(shape)
    proba = predict_proba(conv_model, x)
    assert proba.shape == (n, 10)
    expected = conv_model.predict(x.reshape(n, 28, 28, 1), verbose=0)
    np.testing.assert_allclose(proba, expected, rtol=1e-6)
    classes = predict_classes(conv_model, x)
    if shape in ((28, 28), (784,)):
        assert type(classes) is int and classes == int(expected.argmax())
    else:
        np.testing.assert_array_equal(classes, expected.argmax(axis=1))
