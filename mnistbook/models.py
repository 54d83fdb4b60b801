"""Model builders.

Introduced in chapter 3, Building the model.
"""

from __future__ import annotations

import keras

__all__ = ["SEED_MLP_PARAMS", "build_seed_mlp"]

#: Parameters of the article's network: 50,240 + 4,160 + 8,320 + 8,256 + 650.
SEED_MLP_PARAMS = 71_626


def build_seed_mlp(compile: bool = True) -> keras.Sequential:
    """Build the article's network, compiled with the article's settings.

    Returns a ``keras.Sequential`` model: input of 784 pixels, Dense layers of
    64, 64, 128 and 64 units with ReLU, and a 10-unit softmax output, 71,626
    parameters in all. With ``compile=True`` (the default) it is compiled
    with the adam optimizer, categorical cross-entropy loss and the accuracy
    metric, so it expects one-hot labels. Introduced in chapter 3, Building
    the model (compiling: chapter 4).
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
    if compile:
        model.compile(optimizer="adam", loss="categorical_crossentropy", metrics=["accuracy"])
    return model
