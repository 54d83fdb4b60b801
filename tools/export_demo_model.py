"""Export the book's convnet for the "Draw a digit" page (`make demo-model`).

Trains the convolutional network of chapters 11-12 with exactly the
benchmark's recipe "cnn" and seed 42 (bench/models.py), then writes what the
page's JavaScript needs to `demo/mnist_demo_model.js`, a script that sets
`window.MNIST_DEMO_MODEL` (a script, not a JSON file fetched at run time, so
the page also works when the book is opened from disk):

- Batch normalization is folded into the weights before it: at prediction
  time it is a fixed scale and shift per channel, so each convolution (or
  the dense layer) gets scaled weights and a bias, and the normalization
  disappears. Random shifts and dropout do nothing at prediction time and
  are left out.
- Every weight is rounded to 16-bit floats and stored base64-encoded
  (little-endian), which halves the file. What that rounding changes is
  judged on the 10,000 validation images (the book's rule: choices on
  validation data): answers changed, largest change of a probability.
- All the numbers the page shows are measured on the exported network
  itself, rounded weights included, rebuilt in Keras from the file
  (:func:`keras_model`): its accuracy on the 10,000 test images (reported
  once, nothing is chosen on it) and on the 1,797 UCI handwritten digits
  (chapter 12).

It is a retrained copy with the recipe and seed of chapter 12, not the file
chapter 12 saves; on the same machine and versions training is repeatable,
elsewhere the copy can differ within the benchmark's seed spread.

The file holds {"format": 1, "dtype": "float16", "meta": {...}, "layers":
[...]}; each weighted layer has "shape", "kernel" and "bias" (base64) and
"activation". Layers, in order, as the file lists them ("conv2d": 3×3, stride 1, no
padding, kernel in Keras's height × width × in × out order, then ReLU;
"maxpool2d": 2×2, stride 2; "flatten": row-major over height, width,
channels; "dense": weights in × out, then "relu" or "softmax").
"""

from __future__ import annotations

import base64
import importlib.util
import json
import platform
import sys
from datetime import date
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
MODEL_JS = ROOT / "demo" / "mnist_demo_model.js"
PREFIX = "window.MNIST_DEMO_MODEL = "
SEED = 42


#: How the file stores numbers: "float16" (the page's file) or "float32" (tests of the folding).
DTYPES = {"float16": "<f2", "float32": "<f4"}


def encode(array: np.ndarray, dtype: str = "float16") -> str:
    """Base64 of the array as little-endian floats of ``dtype``; raises ValueError for
    values that ``dtype`` cannot hold (float16 tops out at 65504)."""
    largest = float(np.abs(array).max()) if np.size(array) else 0.0
    if largest > float(np.finfo(DTYPES[dtype]).max):
        raise ValueError(f"weights too large for {dtype}: largest magnitude {largest:g}")
    return base64.b64encode(np.asarray(array, dtype=DTYPES[dtype]).tobytes()).decode("ascii")


def decode(text: str, shape, dtype: str = "float16") -> np.ndarray:
    """The inverse of :func:`encode`: a float32 array of ``shape``."""
    return np.frombuffer(base64.b64decode(text), dtype=DTYPES[dtype]).astype(np.float32).reshape(shape)


def fold(model) -> list[dict]:
    """The layers of a trained ``mnistbook.build_cnn`` model as float32 arrays, batch
    normalization folded into the convolution or dense layer before it.

    Raises ValueError for a layer it does not know, so a changed network fails
    here rather than exporting something else.
    """
    import keras

    L = keras.layers
    layers, pending = [], None
    for layer in model.layers:
        if isinstance(layer, (L.Conv2D, L.Dense)):
            if pending:
                layers.append(pending)
            if isinstance(layer, L.Conv2D) and (layer.padding != "valid" or tuple(layer.strides) != (1, 1)
                                                or tuple(layer.kernel_size) != (3, 3)):
                raise ValueError(f"{layer.name}: the page knows 3×3 convolutions, stride 1, no padding")
            weights = layer.get_weights()
            kernel = weights[0]
            bias = weights[1] if layer.use_bias else np.zeros(kernel.shape[-1], np.float32)
            activation = layer.get_config()["activation"]
            if activation not in ("linear", "relu", "softmax"):
                raise ValueError(f"{layer.name}: activation {activation!r} is not one the page knows")
            pending = {"type": "conv2d" if isinstance(layer, L.Conv2D) else "dense",
                       "kernel": kernel, "bias": bias, "activation": activation}
        elif isinstance(layer, L.BatchNormalization):
            if pending is None or pending["activation"] != "linear":
                raise ValueError(f"{layer.name}: batch normalization must follow a layer without activation")
            gamma, beta, mean, variance = layer.get_weights()
            scale = gamma / np.sqrt(variance + layer.epsilon)
            pending["kernel"] = pending["kernel"] * scale  # scales the last (output) axis
            pending["bias"] = (pending["bias"] - mean) * scale + beta
        elif isinstance(layer, L.Activation):
            activation = layer.get_config()["activation"]
            if pending is None or pending["activation"] != "linear" or activation != "relu":
                raise ValueError(f"{layer.name}: only a ReLU right after a layer without activation is known")
            pending["activation"] = "relu"
        elif isinstance(layer, (L.MaxPooling2D, L.Flatten)):
            layers.append(pending)
            pending = None
            if isinstance(layer, L.MaxPooling2D) and (tuple(layer.pool_size) != (2, 2) or layer.padding != "valid"):
                raise ValueError(f"{layer.name}: the page knows 2×2 max pooling without padding")
            layers.append({"type": "maxpool2d" if isinstance(layer, L.MaxPooling2D) else "flatten"})
        elif not isinstance(layer, (L.RandomTranslation, L.Dropout)):  # these do nothing at prediction time
            raise ValueError(f"{layer.name}: a {type(layer).__name__} layer is not one the page knows")
    layers.append(pending)
    layers = [layer for layer in layers if layer is not None]
    if any(layer.get("activation") == "linear" for layer in layers):
        raise ValueError("a convolution or dense layer without activation is not one the page knows")
    return layers


def to_spec(layers: list[dict], dtype: str = "float16") -> dict:
    """Folded layers as the file stores them: shapes and base64 data of ``dtype``."""
    spec = []
    for layer in layers:
        if "kernel" in layer:
            spec.append({"type": layer["type"], "shape": list(layer["kernel"].shape),
                         "kernel": encode(layer["kernel"], dtype), "bias": encode(layer["bias"], dtype),
                         "activation": layer["activation"]})
        else:
            spec.append({"type": layer["type"]})
    return {"format": 1, "dtype": dtype, "layers": spec}


def read_spec(path: Path = MODEL_JS) -> dict:
    """The exported model as the page sees it: {"meta": ..., "layers": [...]}."""
    text = Path(path).read_text()
    body = text[text.index(PREFIX) + len(PREFIX):].rstrip().rstrip(";")
    return json.loads(body)


def keras_model(spec: dict):
    """A plain Keras model (no normalization, no dropout) with the exported, rounded weights."""
    import keras

    layers, weights = [keras.Input(shape=(28, 28, 1))], []
    for layer in spec["layers"]:
        if layer["type"] in ("conv2d", "dense"):
            shape = layer["shape"]
            cls = keras.layers.Conv2D(shape[-1], shape[:2], activation=layer["activation"]) \
                if layer["type"] == "conv2d" else keras.layers.Dense(shape[-1], activation=layer["activation"])
            layers.append(cls)
            weights += [decode(layer["kernel"], shape, spec["dtype"]),
                        decode(layer["bias"], (shape[-1],), spec["dtype"])]
        elif layer["type"] == "maxpool2d":
            layers.append(keras.layers.MaxPooling2D())
        else:
            layers.append(keras.layers.Flatten())
    model = keras.Sequential(layers, name="demo_cnn")
    model.set_weights(weights)
    return model


def _bench():
    spec = importlib.util.spec_from_file_location("bench_models", ROOT / "bench" / "models.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_models"] = module
    spec.loader.exec_module(module)
    return module


def main() -> None:
    import mnistbook  # before keras: keeps TensorFlow's start-up log quiet

    import keras
    import tensorflow as tf

    bench = _bench()
    recipe = next(r for r in bench.RECIPES if r.name == "cnn")
    data = mnistbook.load_mnist()
    print(f"training recipe 'cnn' (chapters 11-12) with seed {SEED} ...", flush=True)
    trained = bench.train(recipe, data, SEED, keep_model=True)
    original = trained["model"]

    spec = to_spec(fold(original))
    exported = keras_model(spec)  # rebuilt from the rounded numbers, as the page will use them

    (x_all, y_all), (x_test, y_test) = data
    x_all = x_all.reshape(-1, 28, 28, 1).astype("float32") / 255.0
    (_, _), (x_val, y_val) = mnistbook.split_validation(x_all, y_all)
    x_test = x_test.reshape(-1, 28, 28, 1).astype("float32") / 255.0
    # How much rounding to float16 changes: judged on the validation images.
    p_val = exported.predict(x_val, verbose=0)
    p_val_before = original.predict(x_val, verbose=0)
    # The test set, once, for the report; and the UCI digits of chapter 12.
    said = exported.predict(x_test, verbose=0).argmax(axis=1)
    x_uci, y_uci = mnistbook.load_uci_digits()
    said_uci = exported.predict(x_uci.reshape(-1, 28, 28, 1), verbose=0).argmax(axis=1)
    spec["meta"] = {
        "made_by": "tools/export_demo_model.py (make demo-model)",
        "date": str(date.today()),
        "recipe": "cnn (bench/models.py): the convnet of chapter 11 with the recipe of chapter 12, 10 epochs",
        "seed": SEED,
        "versions": f"TensorFlow {tf.__version__}, Keras {keras.__version__}, Python {platform.python_version()}",
        "parameters": int(sum(np.prod(l["shape"]) + l["shape"][-1] for l in spec["layers"] if "shape" in l)),
        "validation_images": int(len(y_val)),
        "validation_accuracy": round(float((p_val.argmax(axis=1) == y_val).mean()), 4),
        "validation_accuracy_before_export": round(float((p_val_before.argmax(axis=1) == y_val).mean()), 4),
        "validation_answers_changed_by_export": int((p_val.argmax(axis=1) != p_val_before.argmax(axis=1)).sum()),
        "validation_max_probability_change": float(f"{np.abs(p_val - p_val_before).max():.2g}"),
        "test_images": int(len(y_test)),
        "test_correct": int((said == y_test).sum()),
        "test_accuracy": round(float((said == y_test).mean()), 4),
        "uci_images": int(len(y_uci)),
        "uci_correct": int((said_uci == y_uci).sum()),
        "uci_accuracy": round(float((said_uci == y_uci).mean()), 4),
    }
    MODEL_JS.parent.mkdir(exist_ok=True)
    MODEL_JS.write_text("// The book's convnet for the Draw-a-digit page. Made by tools/export_demo_model.py\n"
                        "// (make demo-model); do not edit. Format: see that script's docstring.\n"
                        + PREFIX + json.dumps({"format": 1, "dtype": spec["dtype"], "meta": spec["meta"],
                                                      "layers": spec["layers"]})
                        + ";\n")
    print(f"wrote {MODEL_JS.relative_to(ROOT)}: {MODEL_JS.stat().st_size / 1024:,.0f} KiB")
    for key, value in spec["meta"].items():
        print(f"  {key:32} {value}")


if __name__ == "__main__":
    main()
