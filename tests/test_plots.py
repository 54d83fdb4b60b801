"""mnistbook.plots: every helper returns its figure (or axes), titled and labelled."""

from __future__ import annotations

from types import SimpleNamespace

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from mnistbook import plot_confusion_matrix, plot_digits, plot_history, plot_misclassified, plot_prediction


@pytest.fixture(autouse=True)
def _close_figures():
    assert matplotlib.get_backend().lower() == "agg"
    yield
    plt.close("all")


@pytest.fixture
def digits():
    rng = np.random.default_rng(0)
    return rng.integers(0, 256, size=(12, 28, 28), dtype=np.uint8), rng.integers(0, 10, size=12)


def data_axes(fig: Figure) -> list[Axes]:
    """The axes that show something: an image, lines, bars or a heatmap."""
    return [ax for ax in fig.axes if ax.images or ax.lines or ax.patches or ax.collections]


def assert_titled(fig: Figure) -> None:
    axes = data_axes(fig)
    assert axes, "the figure shows nothing"
    for ax in axes:
        if ax.get_label() == "<colorbar>":
            continue
        assert ax.get_title(), f"an axes with data has no title: {ax}"


def assert_labelled(ax: Axes) -> None:
    assert ax.get_xlabel()
    assert ax.get_ylabel()


# --------------------------------------------------------------------------


def test_plot_digits(digits):
    images, labels = digits
    fig = plot_digits(images, labels, n=8, ncols=4, title="Some digits")
    assert isinstance(fig, Figure)
    assert fig.get_suptitle() == "Some digits"
    shown = [ax for ax in fig.axes if ax.images]
    assert len(shown) == 8
    assert [ax.get_title() for ax in shown] == [f"label {d}" for d in labels[:8]]
    np.testing.assert_array_equal(shown[0].images[0].get_array(), images[0])
    assert_titled(fig)


def test_plot_digits_with_predictions(digits):
    images, labels = digits
    predictions = labels.copy()
    predictions[1] = (labels[1] + 1) % 10
    fig = plot_digits(images, labels, predictions=predictions, n=3)
    shown = [ax for ax in fig.axes if ax.images]
    assert [ax.get_title() for ax in shown] == [
        f"says {predictions[0]}",
        f"is {labels[1]}, says {predictions[1]}",
        f"says {predictions[2]}",
    ]
    colors = [matplotlib.colors.to_hex(ax.title.get_color()) for ax in shown]
    blue, red = matplotlib.colors.to_hex("tab:blue"), matplotlib.colors.to_hex("tab:red")
    assert colors == [blue, red, blue]
    assert_titled(fig)


def test_plot_digits_flat_images_and_default_n(digits):
    images, labels = digits
    fig = plot_digits(images.reshape(12, 784), labels)  # n=20 > 12 images: shows all 12
    assert isinstance(fig, Figure)
    assert sum(1 for ax in fig.axes if ax.images) == 12
    assert fig.get_suptitle() == "MNIST digits"
    assert_titled(fig)


def test_plot_digits_without_labels(digits):
    images, _ = digits
    fig = plot_digits(images, n=3)
    assert isinstance(fig, Figure)
    assert sum(1 for ax in fig.axes if ax.images) == 3
    assert fig.get_suptitle()


@pytest.mark.parametrize("true_label", [None, 3, 7])
def test_plot_prediction(digits, true_label):
    images, _ = digits
    probabilities = np.full(10, 0.02)
    probabilities[3] = 0.82
    fig = plot_prediction(images[0], probabilities, true_label=true_label)
    assert isinstance(fig, Figure)
    assert fig.get_suptitle() == "One prediction"
    image_ax, bar_ax = fig.axes
    assert image_ax.images
    expected = "predicted 3" + ("" if true_label is None else f", true {true_label}")
    assert image_ax.get_title() == expected
    assert len(bar_ax.patches) == 10
    np.testing.assert_allclose([bar.get_height() for bar in bar_ax.patches], probabilities)
    for ax in fig.axes:
        assert_labelled(ax)
    assert_titled(fig)
    # The predicted bar stands out: red when wrong, blue otherwise.
    colors = [bar.get_facecolor() for bar in bar_ax.patches]
    expected_color = "tab:red" if true_label == 7 else "tab:blue"
    assert colors[3] == matplotlib.colors.to_rgba(expected_color)
    assert all(c == matplotlib.colors.to_rgba("tab:gray") for i, c in enumerate(colors) if i != 3)


def test_plot_prediction_accepts_flat_image_and_2d_probabilities(digits):
    images, _ = digits
    fig = plot_prediction(images[0].reshape(784), np.eye(10)[[5]], title="Mine")
    assert fig.get_suptitle() == "Mine"
    assert fig.axes[0].get_title() == "predicted 5"


@pytest.mark.parametrize("count", [9, 11])
def test_plot_prediction_needs_10_probabilities(digits, count):
    with pytest.raises(ValueError) as err:
        plot_prediction(digits[0][0], np.full(count, 1 / count))
    assert str(err.value) == f"expected 10 probabilities; got {count}"


HISTORY = {
    "loss": [0.9, 0.5, 0.3],
    "val_loss": [0.8, 0.6, 0.5],
    "accuracy": [0.7, 0.85, 0.9],
    "val_accuracy": [0.72, 0.8, 0.83],
}


@pytest.mark.parametrize("wrap", [False, True], ids=["dict", "History object"])
def test_plot_history(wrap):
    history = SimpleNamespace(history=HISTORY) if wrap else HISTORY
    fig = plot_history(history)
    assert isinstance(fig, Figure)
    assert fig.get_suptitle() == "Training history"
    loss_ax, acc_ax = fig.axes
    for ax, metric in ((loss_ax, "loss"), (acc_ax, "accuracy")):
        assert_labelled(ax)
        assert ax.get_xlabel() == "epoch"
        assert len(ax.lines) == 2
        np.testing.assert_array_equal(ax.lines[0].get_xdata(), [1, 2, 3])
        np.testing.assert_allclose(ax.lines[0].get_ydata(), HISTORY[metric])
        np.testing.assert_allclose(ax.lines[1].get_ydata(), HISTORY[f"val_{metric}"])
        assert [t.get_text() for t in ax.get_legend().get_texts()] == ["training", "validation"]
    assert loss_ax.get_title() == "Loss per epoch"
    assert acc_ax.get_title() == "Accuracy per epoch"
    assert_titled(fig)


def test_plot_history_without_validation():
    fig = plot_history({"loss": [1.0, 0.5], "accuracy": [0.5, 0.7]}, title="No validation")
    assert fig.get_suptitle() == "No validation"
    assert all(len(ax.lines) == 1 for ax in fig.axes)


def test_plot_confusion_matrix():
    y_true = np.array([0, 1, 2, 2, 9, 9, 9])
    y_pred = np.array([0, 1, 2, 7, 9, 9, 4])
    ax = plot_confusion_matrix(y_true, y_pred)
    assert isinstance(ax, Axes)
    assert ax.get_title() == "Confusion matrix"
    assert ax.get_xlabel() == "predicted digit"
    assert ax.get_ylabel() == "true digit"
    expected = np.zeros((10, 10), dtype=int)
    for t, p in zip(y_true, y_pred):
        expected[t, p] += 1
    # Every count is written in its cell, the correct answers included ...
    written = {(round(t.get_position()[1] - 0.5), round(t.get_position()[0] - 0.5)): int(t.get_text())
               for t in ax.texts}
    assert {cell: count for cell, count in written.items() if count} == {
        (int(i), int(j)): int(expected[i, j]) for i, j in zip(*np.nonzero(expected))}
    # ... but the colour scale is set by the mistakes alone, so they stand out.
    colours = ax.collections[0]
    assert colours.norm.vmax == 1  # the largest off-diagonal count, not the diagonal's 3
    assert_titled(ax.figure)


def test_plot_confusion_matrix_errors_only_leaves_the_diagonal_blank():
    ax = plot_confusion_matrix([0, 1, 1, 2], [0, 1, 2, 2], errors_only=True)
    assert sorted(int(t.get_text()) for t in ax.texts if int(t.get_text())) == [1]


def test_plot_confusion_matrix_on_given_axes():
    fig, ax = plt.subplots()
    returned = plot_confusion_matrix([1, 2], [1, 3], ax=ax, title="Mine")
    assert returned is ax
    assert ax.get_title() == "Mine"


def test_plot_confusion_matrix_shape_mismatch():
    with pytest.raises(ValueError, match="differ in shape"):
        plot_confusion_matrix([1, 2, 3], [1, 2])


def test_plot_misclassified(digits):
    images, y_true = digits
    y_pred = y_true.copy()
    wrong = [1, 4, 7]
    y_pred[wrong] = (y_true[wrong] + 1) % 10
    fig = plot_misclassified(images, y_true, y_pred)
    assert isinstance(fig, Figure)
    assert fig.get_suptitle() == "Misclassified digits: true → predicted"
    shown = [ax for ax in fig.axes if ax.images]
    assert [ax.get_title() for ax in shown] == [f"{y_true[i]}→{y_pred[i]}" for i in wrong]
    np.testing.assert_array_equal(shown[0].images[0].get_array(), images[1])
    assert_titled(fig)


def test_plot_misclassified_most_confident_first(digits):
    images, y_true = digits
    y_pred = y_true.copy()
    wrong = [2, 5, 9]
    y_pred[wrong] = (y_true[wrong] + 1) % 10
    probabilities = np.full((12, 10), 0.0)
    for i, confidence in zip(wrong, [0.4, 0.9, 0.6]):
        probabilities[i, y_pred[i]] = confidence
    fig = plot_misclassified(images, y_true, y_pred, probabilities, n=2)
    shown = [ax for ax in fig.axes if ax.images]
    assert [ax.get_title() for ax in shown] == [f"{y_true[5]}→{y_pred[5]} (90%)", f"{y_true[9]}→{y_pred[9]} (60%)"]
    assert fig.get_suptitle().endswith("(confidence)")


def test_plot_misclassified_with_no_mistakes(digits):
    images, y_true = digits
    fig = plot_misclassified(images, y_true, y_true.copy(), title="All right")
    assert isinstance(fig, Figure)
    assert fig.get_suptitle() == "All right"
    texts = [t.get_text() for ax in fig.axes for t in ax.texts]
    assert texts == ["no mistakes"]


def test_helpers_do_not_show(monkeypatch, digits):
    monkeypatch.setattr(plt, "show", lambda *a, **k: pytest.fail("plt.show() was called"))
    images, labels = digits
    plot_digits(images, labels, n=2)
    plot_prediction(images[0], np.eye(10)[1])
    plot_history(HISTORY)
    plot_confusion_matrix(labels, labels)
    plot_misclassified(images, labels, (labels + 1) % 10, n=2)


def test_plot_digits_needs_an_image():
    with pytest.raises(ValueError, match="expected at least one image"):
        plot_digits(np.zeros((0, 28, 28)))


@pytest.mark.parametrize("bad", [-1, 10])
def test_plot_confusion_matrix_rejects_labels_outside_0_to_9(bad):
    with pytest.raises(ValueError, match="expected digits 0 to 9 in y_pred"):
        plot_confusion_matrix([1, 2, 3], [1, 2, bad])


def test_plot_histories_draws_one_curve_per_run():
    from mnistbook import plot_histories

    ax = plot_histories({"a": {"val_loss": [0.3, 0.2]}, "b": {"val_loss": [0.4, 0.3, 0.25]}},
                        title="Two runs")
    assert [line.get_label() for line in ax.get_lines()] == ["a", "b"]
    assert list(ax.get_lines()[1].get_ydata()) == [0.4, 0.3, 0.25]
    assert ax.get_xlabel() == "epoch" and ax.get_ylabel() == "validation loss"
    assert_titled(ax.figure)


def test_plot_histories_names_the_run_without_the_metric():
    from mnistbook import plot_histories

    with pytest.raises(KeyError, match="run 'b' has no 'val_accuracy'"):
        plot_histories({"a": {"val_accuracy": [0.9]}, "b": {"loss": [0.1]}}, metric="val_accuracy")
