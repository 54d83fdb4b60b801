"""Tests of mnistbook.metrics: confusion matrix, precision and recall, the most common mistakes."""

from __future__ import annotations

import numpy as np
import pytest

from mnistbook.metrics import confusion_matrix, most_confused, precision_recall

Y_TRUE = np.array([0, 0, 1, 1, 1, 4, 4, 9, 9, 9])
Y_PRED = np.array([0, 6, 1, 1, 7, 9, 9, 9, 9, 4])


def test_confusion_matrix_counts_pairs():
    m = confusion_matrix(Y_TRUE, Y_PRED)
    assert m.shape == (10, 10) and m.dtype.kind == "i"
    assert m.sum() == len(Y_TRUE)
    assert m[0, 0] == 1 and m[0, 6] == 1 and m[1, 1] == 2 and m[1, 7] == 1
    assert m[4, 9] == 2 and m[9, 9] == 2 and m[9, 4] == 1
    assert np.trace(m) == np.sum(Y_TRUE == Y_PRED)


def test_confusion_matrix_accepts_one_hot_and_probabilities():
    one_hot = np.eye(10)[Y_TRUE]
    probabilities = np.eye(10)[Y_PRED] * 0.9 + 0.01
    np.testing.assert_array_equal(confusion_matrix(one_hot, probabilities), confusion_matrix(Y_TRUE, Y_PRED))
    np.testing.assert_array_equal(confusion_matrix(Y_TRUE.astype(float), Y_PRED), confusion_matrix(Y_TRUE, Y_PRED))


@pytest.mark.parametrize(
    "y_true,y_pred,message",
    [
        ([1, 2, 3], [1, 2], "differ in shape"),
        ([1, 2, -1], [1, 2, 3], "expected digits 0 to 9 in y_true"),
        ([1, 2, 3], [1, 2, 10], "expected digits 0 to 9 in y_pred"),
        ([0.5, 1, 2], [1, 2, 3], "expected whole-number digits in y_true"),
        (np.zeros((3, 4)), [1, 2, 3], r"expected y_true as digits of shape \(n,\) or one-hot rows"),
    ],
)
def test_confusion_matrix_rejects_bad_labels(y_true, y_pred, message):
    with pytest.raises(ValueError, match=message):
        confusion_matrix(y_true, y_pred)


def test_precision_and_recall():
    precision, recall = precision_recall(confusion_matrix(Y_TRUE, Y_PRED))
    assert precision[9] == pytest.approx(2 / 4)  # called 9 four times, right twice
    assert recall[9] == pytest.approx(2 / 3)  # three 9s, two found
    assert recall[1] == pytest.approx(2 / 3) and precision[1] == 1.0
    assert recall[4] == 0.0 and precision[4] == 0.0
    assert np.isnan(precision[2]) and np.isnan(recall[2])  # digit 2 never seen nor predicted


def test_most_confused_lists_mistakes_from_most_to_least_frequent():
    pairs = most_confused(confusion_matrix(Y_TRUE, Y_PRED), k=3)
    assert pairs[0] == (4, 9, 2)
    assert {p[:2] for p in pairs[1:]} <= {(0, 6), (1, 7), (9, 4)} and all(p[2] == 1 for p in pairs[1:])


def test_most_confused_leaves_out_pairs_without_mistakes():
    assert most_confused(confusion_matrix([1, 2], [1, 2])) == []
    assert most_confused(confusion_matrix(Y_TRUE, Y_PRED), k=50) == sorted(
        most_confused(confusion_matrix(Y_TRUE, Y_PRED), k=50), key=lambda p: -p[2]
    )
    assert len(most_confused(confusion_matrix(Y_TRUE, Y_PRED), k=50)) == 4
