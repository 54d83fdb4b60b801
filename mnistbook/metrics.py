"""Numbers for judging a classifier beyond its accuracy.

Introduced in chapter 8, Evaluating honestly.
"""

from __future__ import annotations

import numpy as np

__all__ = ["confusion_matrix", "most_confused", "precision_recall"]


def _digits(name: str, y) -> np.ndarray:
    y = np.asarray(y)
    if y.ndim == 2 and y.shape[1] == 10:  # one-hot rows or probabilities
        y = y.argmax(axis=1)
    if y.ndim != 1:
        raise ValueError(f"expected {name} as digits of shape (n,) or one-hot rows (n, 10); got {y.shape}")
    if not np.issubdtype(y.dtype, np.integer):
        if not np.all(np.mod(y, 1) == 0):
            raise ValueError(f"expected whole-number digits in {name}; got dtype {y.dtype}")
        y = y.astype(int)
    if y.size and (y.min() < 0 or y.max() > 9):
        raise ValueError(f"expected digits 0 to 9 in {name}; got values from {y.min()} to {y.max()}")
    return y.astype(int)


def confusion_matrix(y_true, y_pred) -> np.ndarray:
    """Count how often each true digit was given each predicted digit.

    ``y_true`` and ``y_pred`` are digits (shape (n,)) or one-hot/probability
    rows (shape (n, 10)). Returns a (10, 10) integer array whose cell (i, j)
    counts the images of digit i that were called j; the diagonal holds the
    correct answers. Raises ``ValueError`` for other shapes, labels outside
    0–9, or inputs of different lengths. Introduced in chapter 8.
    """
    y_true, y_pred = _digits("y_true", y_true), _digits("y_pred", y_pred)
    if y_true.shape != y_pred.shape:
        raise ValueError(f"y_true and y_pred differ in shape: {y_true.shape} vs {y_pred.shape}")
    matrix = np.zeros((10, 10), dtype=int)
    np.add.at(matrix, (y_true, y_pred), 1)
    return matrix


def precision_recall(matrix) -> tuple[np.ndarray, np.ndarray]:
    """Per-digit precision and recall from a confusion matrix.

    Precision of digit d: of the images the model called d, the share that
    were d. Recall of d: of the images of d, the share the model called d.
    Returns two float arrays of shape (10,); a digit never predicted (or
    never present) gets NaN rather than a division by zero. Introduced in
    chapter 8.
    """
    matrix = np.asarray(matrix, dtype=float)
    correct = np.diag(matrix)
    with np.errstate(invalid="ignore", divide="ignore"):
        precision = correct / matrix.sum(axis=0)
        recall = correct / matrix.sum(axis=1)
    return precision, recall


def most_confused(matrix, k: int = 5) -> list[tuple[int, int, int]]:
    """Return the ``k`` most frequent mistakes as (true digit, predicted digit, count).

    Sorted from most to least frequent; pairs with no mistakes are left out.
    Introduced in chapter 8.
    """
    matrix = np.array(matrix, dtype=int)
    np.fill_diagonal(matrix, 0)
    order = np.argsort(-matrix, axis=None, kind="stable")[:k]
    pairs = [(int(i // 10), int(i % 10), int(matrix.flat[i])) for i in order]
    return [pair for pair in pairs if pair[2] > 0]
