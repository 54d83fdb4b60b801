"""The network behind the "Draw a digit" page, as committed in demo/mnist_demo_model.js.

`make demo-model` (tools/export_demo_model.py) writes that file: the book's
convnet with batch normalization folded in and its weights rounded to
16-bit floats, plus the numbers the page shows. These tests rebuild the
exported network in Keras from the committed file and check that it really
scores what the file says, that the file stays small, and that folding batch
normalization changes nothing but rounding, and that a network the page
does not know is refused rather than exported wrongly.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import numpy as np
import pytest

import mnistbook

ROOT = Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location("export_demo_model", ROOT / "tools" / "export_demo_model.py")
export = importlib.util.module_from_spec(_spec)
sys.modules["export_demo_model"] = export
_spec.loader.exec_module(export)


@pytest.fixture(scope="module")
def spec() -> dict:
    return export.read_spec()


def test_the_weights_file_is_small_enough_for_a_web_page():
    size = export.MODEL_JS.stat().st_size
    assert size <= 1_000_000, f"{export.MODEL_JS.name} is {size:,} bytes; the page allows 1 MB"


def test_the_file_describes_the_books_convnet(spec):
    meta = spec["meta"]
    assert spec["format"] == 1 and spec["dtype"] == "float16"
    assert [layer["type"] for layer in spec["layers"]] == [
        "conv2d", "conv2d", "maxpool2d", "conv2d", "conv2d", "maxpool2d", "flatten", "dense", "dense"]
    assert meta["parameters"] == export.keras_model(spec).count_params()
    assert meta["test_images"] == 10_000 and meta["uci_images"] == 1_797
    assert meta["made_by"].startswith("tools/export_demo_model.py")


def test_the_committed_network_scores_what_the_file_says(spec, real_mnist):
    """Rebuilt from the file, on the full test set and the UCI digits: the same counts
    (one image of slack for another TensorFlow's rounding)."""
    model = export.keras_model(spec)
    meta = spec["meta"]
    x_test = real_mnist.x_test.reshape(-1, 28, 28, 1).astype("float32") / 255.0
    correct = int((model.predict(x_test, verbose=0).argmax(axis=1) == real_mnist.y_test).sum())
    assert abs(correct - meta["test_correct"]) <= 1, (correct, meta["test_correct"])
    assert correct / 10_000 >= 0.992  # floor: cnn (the book's convnet, bench/results.json)
    assert meta["test_accuracy"] == round(meta["test_correct"] / meta["test_images"], 4)

    x_uci, y_uci = mnistbook.load_uci_digits()
    uci_correct = int((model.predict(x_uci.reshape(-1, 28, 28, 1), verbose=0).argmax(axis=1) == y_uci).sum())
    assert abs(uci_correct - meta["uci_correct"]) <= 1, (uci_correct, meta["uci_correct"])


@pytest.mark.parametrize("layer", [
    "conv-padding-same", "conv-tanh", "dense-tanh", "average-pooling", "relu-after-relu"])
def test_a_network_the_page_does_not_know_is_refused(layer):
    import keras

    L = keras.layers
    body = {
        "conv-padding-same": [L.Conv2D(4, 3, padding="same", activation="relu"), L.Flatten()],
        "conv-tanh": [L.Conv2D(4, 3, activation="tanh"), L.Flatten()],
        "dense-tanh": [L.Flatten(), L.Dense(8, activation="tanh")],
        "average-pooling": [L.Conv2D(4, 3, activation="relu"), L.AveragePooling2D(2), L.Flatten()],
        "relu-after-relu": [L.Conv2D(4, 3, activation="relu"), L.Activation("relu"), L.Flatten()],
    }[layer]
    model = keras.Sequential([keras.Input(shape=(28, 28, 1)), *body, L.Dense(10, activation="softmax")])
    with pytest.raises(ValueError):
        export.fold(model)


def test_folding_batch_normalization_changes_no_output():
    """An untrained convnet with made-up normalization statistics: folded and stored as
    float32, it gives the same probabilities as the original to 1e-5."""
    mnistbook.set_seed(0)
    model = mnistbook.build_cnn()
    rng = np.random.default_rng(0)
    for layer in model.layers:
        if layer.__class__.__name__ == "BatchNormalization":
            gamma, beta, mean, variance = layer.get_weights()
            layer.set_weights([rng.uniform(0.5, 2, gamma.shape), rng.normal(0, 0.5, beta.shape),
                               rng.normal(0, 0.5, mean.shape), rng.uniform(0.5, 2, variance.shape)])
    folded = export.keras_model(export.to_spec(export.fold(model), dtype="float32"))
    x = rng.uniform(0, 1, size=(16, 28, 28, 1)).astype("float32")
    np.testing.assert_allclose(folded.predict(x, verbose=0), model.predict(x, verbose=0), atol=1e-5)
    assert folded.count_params() < model.count_params()  # the normalization layers are gone


def test_float16_and_float32_round_trips():
    values = np.array([[0.5, -1.25], [3.0e-3, 100.0]], dtype=np.float32)
    back = export.decode(export.encode(values, "float16"), values.shape, "float16")
    np.testing.assert_allclose(back, values, rtol=1e-3)  # float16: about three significant digits
    back = export.decode(export.encode(values, "float32"), values.shape, "float32")
    np.testing.assert_array_equal(back, values)  # float32: exact


def test_a_weight_too_large_for_float16_is_refused():
    with pytest.raises(ValueError, match="float16"):
        export.encode(np.array([70000.0], dtype=np.float32))
