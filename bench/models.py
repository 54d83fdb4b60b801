"""Benchmark: train every recipe the book presents with several seeds; print one table.

Run with `make bench-models` (or `.venv/bin/python bench/models.py`; add
`--only cnn` for one recipe, `--seeds 3` for fewer runs). Each recipe is
trained with the settings of its chapter, once per seed, and scored on the
book's fixed validation set (the last 10,000 training images; chapters 6-8
keep the article's `validation_split=0.2`) and on the 10,000 test images.
The table gives mean, standard deviation, lowest and highest of both, so a
difference between two recipes can be read against the seed-to-seed spread.

Nothing here chooses a recipe: the chapters choose on validation data. The
test column is reported so that each chapter's hidden accuracy floor can be
derived from it (:func:`accuracy_floor`), and so a reader can see how far one
run of a chapter may land from another.

The results are also written to bench/results.json (one entry per recipe,
with every seed's numbers), and the table is written into README.md and the
book's page chapters/benchmark.md, between the markers ``<!-- bench:start
-->`` and ``<!-- bench:end -->`` (``--tables`` rewrites both from
results.json without training). tests/test_notebooks.py checks the
chapters' floors and both tables against results.json. About 45 minutes on
2 cores.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Callable

import mnistbook  # first: it keeps TensorFlow's start-up log quiet

import keras  # noqa: E402
import numpy as np  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results.json"
TABLE_FILES = (ROOT / "README.md", ROOT / "chapters" / "benchmark.md")
START, END = "<!-- bench:start -->", "<!-- bench:end -->"
SEEDS = (42, 1, 2, 3, 4)


@dataclass(frozen=True)
class Recipe:
    name: str
    chapter: str
    build: Callable  # learning rate (number, schedule or None) -> compiled model
    epochs: int
    batch_size: int = 32
    scaled: bool = True
    image: bool = False  # (28, 28, 1) instead of 784 pixels
    cosine_from: float | None = None  # initial rate of a cosine decay, or None: Adam's default
    early_stopping: str | None = None  # EarlyStopping's monitor (restoring the best weights), or None
    article_split: bool = False  # validation_split=0.2 as in chapters 6-8, not the fixed split


def _seed_mlp(lr):
    return mnistbook.build_seed_mlp(learning_rate=lr)


RECIPES = [
    Recipe("article", "6-8: the article as written", _seed_mlp, 10, scaled=False, article_split=True),
    Recipe("raw", "9: as written, fixed split", _seed_mlp, 10, scaled=False),
    Recipe("scaled", "9: pixels scaled to 0-1", _seed_mlp, 10),
    Recipe("cosine", "9: scaled + cosine decay", _seed_mlp, 20, cosine_from=0.001),
    Recipe("cosine-es", "9: ... + early stopping", _seed_mlp, 20, cosine_from=0.001, early_stopping="val_loss"),
    Recipe("wide", "10: 2×512, dropout 0.3", lambda lr: mnistbook.build_wide_mlp(learning_rate=lr), 20,
           batch_size=128, cosine_from=0.001, early_stopping="val_accuracy"),
    Recipe("wide-no-dropout", "10: 2×512, no dropout",
           lambda lr: mnistbook.build_wide_mlp(learning_rate=lr, dropout=0.0), 20,
           batch_size=128, cosine_from=0.001, early_stopping="val_accuracy"),
    Recipe("cnn-plain", "11: simple convnet, 4 epochs", lambda lr: mnistbook.build_simple_cnn(lr), 4,
           batch_size=128, image=True, cosine_from=0.003),
    Recipe("cnn-bn", "11: + batch norm, 4 epochs",
           lambda lr: mnistbook.build_simple_cnn(lr, batch_norm=True), 4,
           batch_size=128, image=True, cosine_from=0.003),
    Recipe("cnn-bn-aug", "11: + augmentation, 4 epochs",
           lambda lr: mnistbook.build_simple_cnn(lr, batch_norm=True, augment=True), 4,
           batch_size=128, image=True, cosine_from=0.003),
    Recipe("cnn", "11-12: the book's convnet", lambda lr: mnistbook.build_cnn(learning_rate=lr), 10,
           batch_size=128, image=True, cosine_from=0.003, early_stopping="val_accuracy"),
]


def accuracy_floor(accuracies) -> float:
    """The lowest accuracy a chapter's hidden check accepts for a recipe.

    The rule: the lowest of the benchmark's seeds, less a margin of twice the
    seed-to-seed standard deviation or 0.3 percentage points, whichever is
    larger, rounded down to 0.1 percentage points. A run on other hardware or
    another TensorFlow version should clear it; a broken recipe should not.
    """
    values = np.asarray(accuracies, dtype=float)
    margin = max(0.003, 2 * float(values.std(ddof=1)) if len(values) > 1 else 0.003)
    return math.floor((values.min() - margin) * 1000) / 1000


def prepare(recipe: Recipe, data):
    """Return (x_train, y_train), validation, (x_test, y_test) shaped and scaled for the recipe."""
    (x_all, y_all), (x_test, y_test) = data
    shape = (28, 28, 1) if recipe.image else (784,)
    x_all, x_test = x_all.reshape((-1, *shape)), x_test.reshape((-1, *shape))
    if recipe.scaled:
        x_all, x_test = x_all / 255.0, x_test / 255.0
    y_all, y_test = keras.utils.to_categorical(y_all, 10), keras.utils.to_categorical(y_test, 10)
    if recipe.article_split:
        return (x_all, y_all), None, (x_test, y_test)
    train, validation = mnistbook.split_validation(x_all, y_all)
    return train, validation, (x_test, y_test)


def train(recipe: Recipe, data, seed: int, keep_model: bool = False) -> dict:
    """Train one recipe with one seed; return its numbers (and, with ``keep_model``,
    the trained model under "model": tools/export_demo_model.py uses it)."""
    (x_train, y_train), validation, (x_test, y_test) = prepare(recipe, data)
    n_fit = len(x_train) * (0.8 if recipe.article_split else 1)
    mnistbook.set_seed(seed)
    schedule = None
    if recipe.cosine_from is not None:
        steps = recipe.epochs * math.ceil(n_fit / recipe.batch_size)
        schedule = keras.optimizers.schedules.CosineDecay(recipe.cosine_from, decay_steps=steps)
    model = recipe.build(schedule)
    callbacks = []
    if recipe.early_stopping == "val_loss":  # chapter 9's first try
        callbacks.append(keras.callbacks.EarlyStopping(monitor="val_loss", patience=3, restore_best_weights=True))
    elif recipe.early_stopping:  # the guard of chapters 10-12
        callbacks.append(keras.callbacks.EarlyStopping(monitor=recipe.early_stopping, patience=5,
                                                       restore_best_weights=True))
    start = time.perf_counter()
    history = model.fit(x_train, y_train, batch_size=recipe.batch_size, epochs=recipe.epochs,
                        validation_data=validation, validation_split=0.2 if recipe.article_split else 0.0,
                        shuffle=True, callbacks=callbacks, verbose=0)
    seconds = time.perf_counter() - start
    if validation is None:
        n_val = int(len(x_train) * 0.2)
        validation = (x_train[-n_val:], y_train[-n_val:])
    _, val_accuracy = model.evaluate(*validation, verbose=0)
    _, test_accuracy = model.evaluate(x_test, y_test, verbose=0)
    numbers = {"seed": seed, "val_accuracy": val_accuracy, "test_accuracy": test_accuracy,
               "epochs": len(history.history["loss"]), "seconds": round(seconds, 1),
               "parameters": model.count_params()}
    return {**numbers, "model": model} if keep_model else numbers


def _stats(values) -> str:
    v = np.asarray(values)
    return f"{v.mean():.2%} ± {v.std(ddof=1):.2%} | {v.min():.2%} | {v.max():.2%}"


def row(recipe: Recipe, runs: list[dict]) -> str:
    val = [r["val_accuracy"] for r in runs]
    test = [r["test_accuracy"] for r in runs]
    epochs = sorted({r["epochs"] for r in runs})
    epochs_text = str(epochs[0]) if len(epochs) == 1 else f"{epochs[0]}-{epochs[-1]}"
    seconds = np.mean([r["seconds"] for r in runs])
    return (f"| {recipe.name} ({recipe.chapter}) | {runs[0]['parameters']:,} | {epochs_text} | {seconds:.0f} | "
            f"{_stats(val)} | {_stats(test)} | {accuracy_floor(test):.1%} |")


HEADER = (
    "| recipe (chapter) | parameters | epochs | training s | validation: mean ± sd | min | max "
    "| test: mean ± sd | min | max | check floor |\n"
    "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
)


def render(results: dict) -> str:
    """The markdown table of every recipe in ``results``, in the book's order, with its machine line."""
    machines = sorted({entry["machine"] for entry in results.values()})
    seeds = sorted({len(entry["runs"]) for entry in results.values()})
    lines = [f"Measured {'; '.join(machines)}; {'/'.join(map(str, seeds))} seeds per recipe.", "", HEADER]
    lines += [row(recipe, results[recipe.name]["runs"]) for recipe in RECIPES if recipe.name in results]
    return "\n".join(lines)


def write_tables(results: dict) -> None:
    """Replace the text between the bench markers of README.md and chapters/benchmark.md."""
    table = render(results)
    for path in TABLE_FILES:
        text = path.read_text()
        head, rest = text.split(START, 1)
        _, tail = rest.split(END, 1)
        path.write_text(f"{head}{START}\n{table}\n{END}{tail}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", choices=[r.name for r in RECIPES], action="append", help="run only these recipes")
    parser.add_argument("--seeds", type=int, default=len(SEEDS), help=f"seeds per recipe (at most {len(SEEDS)})")
    parser.add_argument("--tables", action="store_true",
                        help="only rewrite the tables in README.md and chapters/benchmark.md from results.json")
    args = parser.parse_args()
    if args.tables:
        write_tables(json.loads(RESULTS.read_text()))
        return
    data = mnistbook.load_mnist()
    seeds = SEEDS[: args.seeds]

    results = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    machine = (f"{date.today()}, {platform.machine()}, {os.cpu_count()} cores, TensorFlow "
               f"{__import__('tensorflow').__version__}, Keras {keras.__version__}")
    print(machine)
    print(f"seeds: {', '.join(map(str, seeds))}; validation: the last 10,000 training images "
          "(chapters 6-8: the last 20%, the article's validation_split)")
    print()
    print(HEADER)
    for recipe in RECIPES:
        if args.only and recipe.name not in args.only:
            continue
        runs = [train(recipe, data, seed) for seed in seeds]
        results[recipe.name] = {"chapter": recipe.chapter, "machine": machine, "runs": runs}
        RESULTS.write_text(json.dumps(results, indent=1) + "\n")
        print(row(recipe, runs), flush=True)
    write_tables(results)


if __name__ == "__main__":
    main()
