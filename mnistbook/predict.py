"""Turning a model's probabilities into digits.

Introduced in chapter 7, Predicting: ``Sequential.predict_classes``, which the
article calls, was removed in TensorFlow 2.6; :func:`predict_classes` does its
job on today's Keras.
"""

from __future__ import annotations

import numpy as np

__all__ = ["as_batch", "predict_classes", "predict_proba"]

def is_numeric(array: np.ndarray) -> bool:
    """Return True when ``array`` holds integers or floats (not bool, strings or objects).

    The pixel check shared by :func:`as_batch` and
    :func:`mnistbook.images.prepare_image`. Not used in the chapters.
    """
    return array.dtype != bool and (np.issubdtype(array.dtype, np.integer) or np.issubdtype(array.dtype, np.floating))


_EXPECTED = "a 28×28 image, a flat 784-pixel image, or a batch of shape (n, 28, 28) or (n, 784)"


def as_batch(x) -> np.ndarray:
    """Validate images and return them as a float32 batch of shape (n, 784).

    Accepts one image of shape (28, 28) or (784,), or a batch of shape
    (n, 28, 28), (n, 784) or (n, 28, 28, 1), as integers or floats. Pixel
    values are passed through unchanged: scale them the way the model's
    training data was scaled. Raises ``ValueError`` for any other shape and
    for non-numeric or non-finite values. Not used in the chapters;
    :func:`predict_proba` and :func:`predict_classes` check their images
    with it.
    """
    x = np.asarray(x)
    if not is_numeric(x):
        raise ValueError(f"expected numeric pixel values (integers or floats); got dtype {x.dtype}")
    shape = x.shape
    if shape in ((28, 28), (784,)):
        x = x.reshape(1, 784)
    elif x.ndim == 3 and shape[1:] == (28, 28) or x.ndim == 4 and shape[1:] == (28, 28, 1):
        x = x.reshape(len(x), 784)
    elif x.ndim == 2 and shape[1] == 784:
        pass
    else:
        raise ValueError(f"expected {_EXPECTED}; got {shape}")
    if len(x) == 0:
        raise ValueError(f"expected at least one image; got an empty batch of shape {shape}")
    with np.errstate(over="ignore", invalid="ignore"):
        x = x.astype("float32")
    if not np.isfinite(x).all():
        raise ValueError("expected finite pixel values; got NaN or infinity")
    return x


def predict_proba(model, x) -> np.ndarray:
    """Return the model's class probabilities, shape (n, 10), for one image or a batch.

    The images are checked and reshaped by :func:`as_batch`, then to the
    model's own input shape (784 for a dense network, 28×28×1 for a
    convolutional one). Introduced in chapter 12, Saving, loading, and
    reading your own digit.
    """
    batch = as_batch(x)
    input_shape = tuple(model.input_shape[1:])
    return np.asarray(model.predict(batch.reshape((-1, *input_shape)), verbose=0))


def predict_classes(model, x) -> np.ndarray | int:
    """Return the predicted digit for each image: the index of the largest probability.

    The replacement for ``Sequential.predict_classes``, removed in TensorFlow
    2.6. For one image (28×28 or 784 pixels) it returns an ``int``; for a
    batch, an integer array of shape (n,). Raises ``ValueError`` if ``x`` has
    a shape other than those :func:`as_batch` accepts. Introduced in chapter
    7, Predicting.
    """
    single = np.shape(x) in ((28, 28), (784,))
    classes = predict_proba(model, x).argmax(axis=1)
    return int(classes[0]) if single else classes
