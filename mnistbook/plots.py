"""Figures for the book: digits, predictions, training curves, errors.

Plotting code too long to inline into a lesson lives here, so a chapter reads
as one call. Every helper returns its figure (or axes), labels its axes and
sets a title, and never calls ``plt.show()``.
"""

from __future__ import annotations

import math

import matplotlib.pyplot as plt
import numpy as np

__all__ = [
    "plot_confusion_matrix",
    "plot_digits",
    "plot_histories",
    "plot_history",
    "plot_misclassified",
    "plot_prediction",
]


def _image(x) -> np.ndarray:
    return np.asarray(x).reshape(28, 28)


def _grid(n: int, ncols: int, cell: float = 1.3):
    ncols = max(1, min(ncols, n))
    nrows = math.ceil(n / ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(cell * ncols, (cell + 0.45) * nrows + 0.3), squeeze=False)
    for ax in axes.flat:
        ax.set_xticks([])
        ax.set_yticks([])
        ax.set_frame_on(False)
    return fig, axes.flat


def plot_digits(images, labels=None, *, predictions=None, n: int = 20, ncols: int = 10,
                title: str = "MNIST digits"):
    """Show the first ``n`` images in a grid, each titled with its label.

    ``images`` is a batch of 28×28 (or 784-pixel) images; ``labels``, if
    given, the digit shown above each. With ``predictions``, each title gives
    the model's answer instead, blue when it matches the label and red when
    not. Returns the matplotlib ``Figure``. Introduced in chapter 1, Loading
    the data (predictions: chapter 7, Predicting).
    """
    n = min(n, len(images))
    if n < 1:
        raise ValueError("expected at least one image to draw; got none")
    fig, axes = _grid(n, ncols)
    for i, ax in zip(range(n), axes):
        ax.imshow(_image(images[i]), cmap="gray")
        if predictions is not None:
            guess = int(predictions[i])
            if labels is None or guess == int(labels[i]):
                ax.set_title(f"says {guess}", fontsize=9, color="tab:blue")
            else:
                ax.set_title(f"is {int(labels[i])}, says {guess}", fontsize=9, color="tab:red")
        elif labels is not None:
            ax.set_title(f"label {int(labels[i])}", fontsize=9)
    if predictions is not None:
        fig.supxlabel("each image: 28 × 28 pixels; above it, the model's answer (red: wrong, with the true label)",
                      fontsize=9)
    elif labels is not None:
        fig.supxlabel("each image: 28 × 28 pixels, with its label above it", fontsize=9)
    fig.suptitle(title)
    fig.tight_layout()
    return fig


def plot_prediction(image, probabilities, *, true_label: int | None = None, title: str | None = None):
    """Show one digit beside a bar chart of the model's 10 probabilities.

    The predicted digit's bar is highlighted. Returns the ``Figure``.
    Introduced in chapter 7, Predicting.
    """
    probabilities = np.asarray(probabilities).reshape(-1)
    if probabilities.shape != (10,):
        raise ValueError(f"expected 10 probabilities; got {probabilities.shape[0]}")
    predicted = int(probabilities.argmax())
    fig, (left, right) = plt.subplots(1, 2, figsize=(8, 3.2), gridspec_kw={"width_ratios": [1, 1.6]})
    left.imshow(_image(image), cmap="gray")
    caption = f"predicted {predicted}" + ("" if true_label is None else f", true {int(true_label)}")
    left.set_title(caption)
    left.set_xlabel("pixel column")
    left.set_ylabel("pixel row")
    colors = ["tab:gray"] * 10
    colors[predicted] = "tab:blue" if true_label is None or predicted == true_label else "tab:red"
    right.bar(range(10), probabilities, color=colors)
    right.set_xticks(range(10))
    right.set_ylim(0, 1.05)
    right.set_xlabel("digit")
    right.set_ylabel("probability")
    right.set_title("the model's probabilities")
    fig.suptitle(title or "One prediction")
    fig.tight_layout()
    return fig


def plot_history(history, *, title: str = "Training history"):
    """Plot loss and accuracy per epoch, training against validation.

    ``history`` is what ``model.fit`` returns (or its ``.history`` dict).
    Returns the ``Figure`` with two axes: loss, then accuracy. Introduced in
    chapter 6, Training.
    """
    h = getattr(history, "history", history)
    epochs = np.arange(1, len(h["loss"]) + 1)
    fig, axes = plt.subplots(1, 2, figsize=(10, 3.6))
    for ax, metric, label in zip(axes, ("loss", "accuracy"), ("loss (cross-entropy)", "accuracy")):
        ax.plot(epochs, h[metric], "o-", label="training")
        if f"val_{metric}" in h:
            ax.plot(epochs, h[f"val_{metric}"], "s-", label="validation")
        ax.set_xlabel("epoch")
        ax.set_ylabel(label)
        ax.set_title(f"{metric.capitalize()} per epoch")
        ax.set_xticks(epochs)
        ax.grid(alpha=0.3)
        ax.legend()
    fig.suptitle(title)
    fig.tight_layout()
    return fig


def plot_histories(histories: dict, *, metric: str = "val_loss", title: str | None = None, ax=None):
    """Compare several training runs: one curve per run, for one metric.

    ``histories`` maps a run's name to what ``model.fit`` returned (or its
    ``.history`` dict); ``metric`` is a key of those dicts, such as
    ``"val_loss"`` or ``"val_accuracy"``. Runs of different lengths are fine.
    Returns the ``Axes``. Raises ``KeyError`` naming the run that lacks
    ``metric``. Introduced in chapter 9, Getting more from the same network.
    """
    if ax is None:
        _, ax = plt.subplots(figsize=(8, 3.6))
    longest = 1
    for name, history in histories.items():
        h = getattr(history, "history", history)
        if metric not in h:
            raise KeyError(f"run {name!r} has no {metric!r}; it has {sorted(h)}")
        values = h[metric]
        longest = max(longest, len(values))
        ax.plot(np.arange(1, len(values) + 1), values, "o-", markersize=4, label=name)
    ax.set_xticks(range(1, longest + 1, max(1, longest // 10)))
    ax.set_xlabel("epoch")
    ax.set_ylabel(metric.replace("val_", "validation ").replace("_", " "))
    ax.set_title(title or f"{metric} per epoch")
    ax.grid(alpha=0.3)
    ax.legend()
    ax.figure.tight_layout()
    return ax


def plot_confusion_matrix(y_true, y_pred, *, ax=None, title: str = "Confusion matrix",
                          errors_only: bool = False):
    """Draw a seaborn heatmap of true against predicted digits.

    ``y_true`` and ``y_pred`` are digits or one-hot/probability rows, as for
    :func:`mnistbook.metrics.confusion_matrix`. Cell (i, j) counts the test images of digit i that the model called j;
    the diagonal holds the correct answers. The colours follow the mistakes
    only (the diagonal is drawn gray with its count), so the errors stand
    out instead of fading next to the large diagonal; with
    ``errors_only=True`` the diagonal is left blank. Returns the ``Axes``.
    Introduced in chapter 8, Evaluating honestly.
    """
    import seaborn as sns

    from .metrics import confusion_matrix

    matrix = confusion_matrix(y_true, y_pred)
    if ax is None:
        _, ax = plt.subplots(figsize=(7, 6))
    diagonal = np.eye(len(matrix), dtype=bool)
    errors = np.where(diagonal, 0, matrix)
    vmax = max(1, int(errors.max()))
    sns.heatmap(errors, mask=diagonal, annot=True, fmt="d", cmap="Reds", vmin=0, vmax=vmax, cbar=True,
                square=True, ax=ax, annot_kws={"fontsize": 8}, cbar_kws={"label": "number of mistakes"})
    if not errors_only:
        for i in range(len(matrix)):
            ax.add_patch(plt.Rectangle((i, i), 1, 1, color="0.85"))
            ax.text(i + 0.5, i + 0.5, f"{matrix[i, i]}", ha="center", va="center", fontsize=8)
    ax.set_xlabel("predicted digit")
    ax.set_ylabel("true digit")
    ax.set_title(title)
    return ax


def plot_misclassified(images, y_true, y_pred, probabilities=None, *, n: int = 20, ncols: int = 10,
                       title: str = "Misclassified digits"):
    """Show up to ``n`` images the model got wrong, titled true → predicted.

    With ``probabilities`` (shape (N, 10)) each title also gives the model's
    confidence in its wrong answer, and the most confident mistakes come
    first. Returns the ``Figure``. Introduced in chapter 8, Evaluating
    honestly.
    """
    y_true = np.asarray(y_true).astype(int)
    y_pred = np.asarray(y_pred).astype(int)
    wrong = np.flatnonzero(y_true != y_pred)
    confidence = None
    if probabilities is not None:
        confidence = np.asarray(probabilities)[wrong, y_pred[wrong]]
        order = np.argsort(-confidence)
        wrong, confidence = wrong[order], confidence[order]
    n = min(n, len(wrong))
    if n == 0:
        fig, ax = plt.subplots(figsize=(4, 1))
        ax.axis("off")
        ax.text(0.5, 0.5, "no mistakes", ha="center", va="center")
        fig.suptitle(title)
        return fig
    fig, axes = _grid(n, ncols, cell=1.5)
    for k, ax in zip(range(n), axes):
        i = wrong[k]
        ax.imshow(_image(images[i]), cmap="gray")
        text = f"{y_true[i]}→{y_pred[i]}"
        if confidence is not None:
            text += f" ({confidence[k]:.0%})"
        ax.set_title(text, fontsize=9, color="tab:red")
    fig.supxlabel("each image: 28 × 28 pixels; above it, true digit → the model's answer", fontsize=9)
    fig.suptitle(f"{title}: true → predicted" + (" (confidence)" if confidence is not None else ""))
    fig.tight_layout()
    return fig
