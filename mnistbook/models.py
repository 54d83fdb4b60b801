"""Model builders.

Introduced in chapter 3, Building the model.
"""

from __future__ import annotations

import keras

__all__ = ["SEED_MLP_PARAMS", "build_cnn", "build_seed_mlp", "build_simple_cnn", "build_wide_mlp"]

#: Parameters of the article's network: 50,240 + 4,160 + 8,320 + 8,256 + 650.
SEED_MLP_PARAMS = 71_626


def build_seed_mlp(compile: bool = True, learning_rate=None) -> keras.Sequential:
    """Build the article's network, compiled with the article's settings.

    Returns a ``keras.Sequential`` model: input of 784 pixels, Dense layers of
    64, 64, 128 and 64 units with ReLU, and a 10-unit softmax output, 71,626
    parameters in all. With ``compile=True`` (the default) it is compiled
    with the adam optimizer, categorical cross-entropy loss and the accuracy
    metric, so it expects one-hot labels. ``learning_rate`` (a number or a
    ``keras.optimizers.schedules`` schedule) replaces Adam's default of
    0.001. Introduced in chapter 3, Building the model (compiling: chapter 4;
    ``learning_rate``: chapter 9).
    """
    model = keras.Sequential(
        [
            keras.Input(shape=(784,)),
            keras.layers.Dense(64, activation="relu"),
            keras.layers.Dense(64, activation="relu"),
            keras.layers.Dense(128, activation="relu"),
            keras.layers.Dense(64, activation="relu"),
            keras.layers.Dense(10, activation="softmax"),
        ],
        name="seed_mlp",
    )
    return _compile(model, learning_rate) if compile else model


def _compile(model: keras.Model, learning_rate) -> keras.Model:
    optimizer = keras.optimizers.Adam(0.001 if learning_rate is None else learning_rate)
    model.compile(optimizer=optimizer, loss="categorical_crossentropy", metrics=["accuracy"])
    return model


def build_wide_mlp(learning_rate=None, dropout: float = 0.3) -> keras.Sequential:
    """Build the wider dense network of chapter 10, compiled.

    Returns a ``keras.Sequential`` model: 784 inputs, two Dense layers of 512
    ReLU units, each followed by ``Dropout(dropout)``, and a 10-unit softmax
    output (669,706 parameters). Compiled like :func:`build_seed_mlp`, with
    Adam at ``learning_rate`` (a number or a schedule; default 0.001).
    Introduced in chapter 10, A wider network, and dropout.
    """
    model = keras.Sequential(
        [
            keras.Input(shape=(784,)),
            keras.layers.Dense(512, activation="relu"),
            keras.layers.Dropout(dropout),
            keras.layers.Dense(512, activation="relu"),
            keras.layers.Dropout(dropout),
            keras.layers.Dense(10, activation="softmax"),
        ],
        name="wide_mlp",
    )
    return _compile(model, learning_rate)


def _shift() -> keras.layers.Layer:
    """Data augmentation: random shifts of up to 8% (about 2 pixels), training only."""
    return keras.layers.RandomTranslation(0.08, 0.08, fill_mode="constant")


def _conv(filters: int, batch_norm: bool) -> list:
    """A 3×3 convolution with ReLU; with batch normalization between the two."""
    layers = keras.layers
    if not batch_norm:
        return [layers.Conv2D(filters, 3, activation="relu")]
    return [layers.Conv2D(filters, 3, use_bias=False), layers.BatchNormalization(), layers.Activation("relu")]


def build_simple_cnn(learning_rate=None, *, batch_norm: bool = False, augment: bool = False) -> keras.Sequential:
    """Build the first convnet of chapter 11 (keras.io's "Simple MNIST convnet"), compiled.

    Returns a ``keras.Sequential`` model for inputs of shape (28, 28, 1) with
    pixels scaled to 0–1: two blocks of one 3×3 convolution (32, then 64
    filters, ReLU) and 2×2 max pooling, then ``Dropout(0.5)`` and a 10-unit
    softmax output (34,826 parameters). ``batch_norm=True`` puts batch
    normalization between each convolution (then without bias) and its ReLU
    (35,114 parameters); ``augment=True`` starts with random shifts of up to
    8%, applied in training only. Compiled like :func:`build_seed_mlp`.
    Introduced in chapter 11, A convolutional network.
    """
    layers = keras.layers
    model = keras.Sequential(
        [
            keras.Input(shape=(28, 28, 1)),
            *([_shift()] if augment else []),
            *_conv(32, batch_norm),
            layers.MaxPooling2D(),
            *_conv(64, batch_norm),
            layers.MaxPooling2D(),
            layers.Flatten(),
            layers.Dropout(0.5),
            layers.Dense(10, activation="softmax"),
        ],
        name="simple_cnn",
    )
    return _compile(model, learning_rate)


def build_cnn(learning_rate=None) -> keras.Sequential:
    """Build the convolutional network of chapter 11, compiled.

    Returns a ``keras.Sequential`` model for inputs of shape (28, 28, 1) with
    pixels scaled to 0–1: random shifts of up to 8% (training only), two
    blocks of two 3×3 convolutions (32 then 64 filters, each with batch
    normalization and ReLU) followed by 2×2 max pooling, then dropout, a
    128-unit dense layer with batch normalization, dropout, and a 10-unit
    softmax output. Compiled like :func:`build_seed_mlp`. Introduced in
    chapter 11, A convolutional network.
    """
    layers = keras.layers
    model = keras.Sequential(
        [
            keras.Input(shape=(28, 28, 1)),
            _shift(),
            *_conv(32, True),
            *_conv(32, True),
            layers.MaxPooling2D(),
            *_conv(64, True),
            *_conv(64, True),
            layers.MaxPooling2D(),
            layers.Flatten(),
            layers.Dropout(0.3),
            layers.Dense(128, use_bias=False),
            layers.BatchNormalization(),
            layers.Activation("relu"),
            layers.Dropout(0.3),
            layers.Dense(10, activation="softmax"),
        ],
        name="cnn",
    )
    return _compile(model, learning_rate)
