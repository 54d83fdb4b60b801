"""mnistbook.models (the article's network) and mnistbook.runtime (quiet start-up, seeding)."""

from __future__ import annotations

import os
import random

import keras
import numpy as np
import pytest

import mnistbook
from mnistbook import SEED_MLP_PARAMS, build_seed_mlp
from mnistbook.runtime import quiet_tensorflow, set_seed


@pytest.fixture(scope="module")
def seed_mlp():
    return build_seed_mlp()


def test_param_count(seed_mlp):
    assert SEED_MLP_PARAMS == 71_626
    assert seed_mlp.count_params() == SEED_MLP_PARAMS
    # 784·64+64, 64·64+64, 64·128+128, 128·64+64, 64·10+10
    assert [layer.count_params() for layer in seed_mlp.layers] == [50_240, 4_160, 8_320, 8_256, 650]


def test_layers(seed_mlp):
    assert isinstance(seed_mlp, keras.Sequential)
    assert seed_mlp.input_shape == (None, 784)
    assert seed_mlp.output_shape == (None, 10)
    assert all(isinstance(layer, keras.layers.Dense) for layer in seed_mlp.layers)
    assert [layer.units for layer in seed_mlp.layers] == [64, 64, 128, 64, 10]
    assert [layer.activation for layer in seed_mlp.layers] == [keras.activations.relu] * 4 + [keras.activations.softmax]


def test_compiled_with_the_articles_settings(seed_mlp):
    assert seed_mlp.compiled
    assert isinstance(seed_mlp.optimizer, keras.optimizers.Adam)
    assert seed_mlp.loss == "categorical_crossentropy"


def test_outputs_are_probabilities(seed_mlp):
    x = np.random.default_rng(0).random((3, 784), dtype=np.float32)
    p = seed_mlp.predict(x, verbose=0)
    assert p.shape == (3, 10)
    np.testing.assert_allclose(p.sum(axis=1), 1.0, rtol=1e-5)


def test_compile_false_leaves_it_uncompiled():
    model = build_seed_mlp(compile=False)
    assert not model.compiled
    assert getattr(model, "optimizer", None) is None
    assert model.count_params() == SEED_MLP_PARAMS


def test_each_call_builds_a_new_model(seed_mlp):
    assert build_seed_mlp(compile=False) is not seed_mlp


# --------------------------------------------------------------------------
# runtime
# --------------------------------------------------------------------------


def _draws():
    return (
        random.random(),
        np.random.rand(4),
        keras.ops.convert_to_numpy(keras.random.uniform((4,))),
        keras.ops.convert_to_numpy(keras.random.normal((2, 3))),
    )


def test_set_seed_makes_draws_repeat():
    set_seed(123)
    first = _draws()
    set_seed(123)
    second = _draws()
    assert first[0] == second[0]
    for a, b in zip(first[1:], second[1:]):
        np.testing.assert_array_equal(a, b)


def test_set_seed_different_seeds_differ():
    set_seed(1)
    first = _draws()
    set_seed(2)
    second = _draws()
    assert not np.array_equal(first[1], second[1])
    assert not np.array_equal(first[2], second[2])


def test_set_seed_makes_model_weights_repeat():
    set_seed(7)
    a = build_seed_mlp(compile=False).get_weights()
    set_seed(7)
    b = build_seed_mlp(compile=False).get_weights()
    for wa, wb in zip(a, b, strict=True):
        np.testing.assert_array_equal(wa, wb)


def test_quiet_tensorflow_is_idempotent():
    quiet_tensorflow()
    quiet_tensorflow()
    assert os.environ.get("TF_CPP_MIN_LOG_LEVEL")
    assert mnistbook.runtime._quieted


# --------------------------------------------------------------------------
# The book's better networks (chapters 9-11)
# --------------------------------------------------------------------------


def test_seed_mlp_learning_rate_option():
    assert float(build_seed_mlp().optimizer.learning_rate) == pytest.approx(0.001)
    assert float(build_seed_mlp(learning_rate=0.0003).optimizer.learning_rate) == pytest.approx(0.0003)
    schedule = keras.optimizers.schedules.CosineDecay(0.001, decay_steps=100)
    model = build_seed_mlp(learning_rate=schedule)
    assert model.count_params() == SEED_MLP_PARAMS
    config = model.optimizer.get_config()["learning_rate"]
    assert config["class_name"] == "CosineDecay" and config["config"]["decay_steps"] == 100


@pytest.mark.parametrize(
    "build,params,input_shape,dropouts",
    [
        (mnistbook.build_wide_mlp, 669_706, (None, 784), 2),
        (mnistbook.build_cnn, 198_442, (None, 28, 28, 1), 2),
        (mnistbook.build_simple_cnn, 34_826, (None, 28, 28, 1), 1),
    ],
)
def test_better_networks(build, params, input_shape, dropouts):
    model = build()
    assert model.count_params() == params
    assert model.input_shape == input_shape
    assert model.output_shape == (None, 10)
    assert model.layers[-1].activation.__name__ == "softmax"
    assert sum(isinstance(layer, keras.layers.Dropout) for layer in model.layers) == dropouts
    assert model.loss == "categorical_crossentropy" and type(model.optimizer).__name__ == "Adam"
    batch = np.zeros((2, *input_shape[1:]), dtype="float32")
    np.testing.assert_allclose(model.predict(batch, verbose=0).sum(axis=1), 1.0, rtol=1e-5)


def test_wide_mlp_dropout_rate_is_configurable():
    rates = [layer.rate for layer in mnistbook.build_wide_mlp(dropout=0.0).layers if isinstance(layer, keras.layers.Dropout)]
    assert rates == [0.0, 0.0]


def test_cnn_augments_only_while_training():
    model = mnistbook.build_cnn()
    assert isinstance(model.layers[0], keras.layers.RandomTranslation)
    image = np.zeros((1, 28, 28, 1), dtype="float32")
    image[0, 10:18, 12:16, 0] = 1.0
    shifted = keras.ops.convert_to_numpy(model.layers[0](image, training=False))
    np.testing.assert_array_equal(shifted, image)  # no shift at prediction time


@pytest.mark.parametrize(
    "options, params, first, norms",
    [
        ({}, 34_826, keras.layers.Conv2D, 0),
        ({"batch_norm": True}, 35_114, keras.layers.Conv2D, 2),
        ({"batch_norm": True, "augment": True}, 35_114, keras.layers.RandomTranslation, 2),
    ],
)
def test_simple_cnn_steps(options, params, first, norms):
    model = mnistbook.build_simple_cnn(**options)
    assert model.count_params() == params
    assert isinstance(model.layers[0], first)
    assert sum(isinstance(layer, keras.layers.BatchNormalization) for layer in model.layers) == norms
    convs = [layer for layer in model.layers if isinstance(layer, keras.layers.Conv2D)]
    assert [c.filters for c in convs] == [32, 64]
    assert all(c.use_bias != bool(norms) for c in convs)  # batch normalization's shift replaces the bias
