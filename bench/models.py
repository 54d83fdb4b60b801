"""Benchmark: train every recipe the book presents and print one table.

Run with `make bench-models` (or `.venv/bin/python bench/models.py`; add
`--only cnn` for one recipe). Each recipe trains on the full 60,000 training
images (less its validation share) and is scored on the 10,000 test images,
with the same settings as its chapter. Takes about 6 minutes on 2 cores.
"""

from __future__ import annotations

import argparse
import os
import platform
import time
from dataclasses import dataclass
from datetime import date
from typing import Callable

import mnistbook  # first: it keeps TensorFlow's start-up log quiet

import keras  # noqa: E402
import numpy as np  # noqa: E402


@dataclass(frozen=True)
class Recipe:
    name: str
    chapter: str
    build: Callable  # learning-rate schedule or None -> compiled model
    scaled: bool
    image_shape: tuple
    epochs: int
    batch_size: int
    validation_split: float
    cosine_from: float | None  # initial learning rate of a cosine decay, or None for Adam's default


RECIPES = [
    Recipe("seed", "6-7: the article as written", lambda lr: mnistbook.build_seed_mlp(), False, (784,), 10, 32, 0.2, None),
    Recipe("seed-scaled", "9: pixels scaled to 0-1", lambda lr: mnistbook.build_seed_mlp(), True, (784,), 10, 32, 0.2, None),
    Recipe("seed-cosine", "9: scaled + cosine decay", lambda lr: mnistbook.build_seed_mlp(learning_rate=lr), True, (784,), 20, 32, 0.2, 0.001),
    Recipe("wide", "10: 2×512 + dropout", lambda lr: mnistbook.build_wide_mlp(learning_rate=lr), True, (784,), 20, 128, 0.1, 0.001),
    Recipe("cnn", "11: convnet", lambda lr: mnistbook.build_cnn(learning_rate=lr), True, (28, 28, 1), 10, 128, 0.1, 0.003),
]


def train(recipe: Recipe, data) -> tuple[int, float, float]:
    """Train one recipe; return (parameters, training seconds, test accuracy)."""
    (x_train, y_train), (x_test, y_test) = data
    x_train = x_train.reshape((-1, *recipe.image_shape))
    x_test = x_test.reshape((-1, *recipe.image_shape))
    if recipe.scaled:
        x_train, x_test = x_train / 255.0, x_test / 255.0
    y_train = keras.utils.to_categorical(y_train, 10)
    y_test = keras.utils.to_categorical(y_test, 10)

    mnistbook.set_seed(42)
    schedule = None
    if recipe.cosine_from is not None:
        steps = recipe.epochs * int(np.ceil(len(x_train) * (1 - recipe.validation_split) / recipe.batch_size))
        schedule = keras.optimizers.schedules.CosineDecay(recipe.cosine_from, decay_steps=steps)
    model = recipe.build(schedule)
    start = time.perf_counter()
    model.fit(x_train, y_train, batch_size=recipe.batch_size, epochs=recipe.epochs,
              validation_split=recipe.validation_split, shuffle=True, verbose=0)
    seconds = time.perf_counter() - start
    _, accuracy = model.evaluate(x_test, y_test, verbose=0)
    return model.count_params(), seconds, accuracy


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", choices=[r.name for r in RECIPES], action="append", help="run only these recipes")
    args = parser.parse_args()
    data = mnistbook.load_mnist()

    print(f"{date.today()}, {platform.machine()}, {os.cpu_count()} cores, TensorFlow "
          f"{__import__('tensorflow').__version__}, Keras {keras.__version__}")
    print()
    print("| recipe (chapter) | parameters | epochs | training s | test accuracy |")
    print("| --- | ---: | ---: | ---: | ---: |")
    print("| the article's reported figure (validation, not test) | 71,626 | 10 | - | 95.7% |")
    for recipe in RECIPES:
        if args.only and recipe.name not in args.only:
            continue
        params, seconds, accuracy = train(recipe, data)
        print(f"| {recipe.name} ({recipe.chapter}) | {params:,} | {recipe.epochs} | {seconds:.0f} | {accuracy:.2%} |",
              flush=True)


if __name__ == "__main__":
    main()
