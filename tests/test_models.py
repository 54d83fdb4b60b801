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
