"""Quiet TensorFlow start-up and reproducible runs.

Introduced in chapter 1, Loading the data (every chapter's setup cell
imports :mod:`mnistbook` first, which calls :func:`quiet_tensorflow`).
"""

from __future__ import annotations

import logging
import os
import sys

__all__ = ["quiet_tensorflow", "set_seed"]

_quieted = False


def quiet_tensorflow() -> None:
    """Import TensorFlow with its start-up log lines silenced; return None.

    TensorFlow's C++ core writes lines such as "Could not find cuda drivers"
    and "oneDNN custom operations are on" straight to the process's standard
    error while it loads, before any setting can filter them, and a Jupyter
    kernel copies them into the notebook. This function sets
    ``TF_CPP_MIN_LOG_LEVEL=3`` (unless you set it yourself: set it to 0 before
    importing mnistbook to see every message), then imports
    TensorFlow and looks up its devices with file descriptor 2 pointed at
    ``os.devnull``, so those lines go nowhere. Level 3 also hides the C++
    core's later log lines (such as the harmless "NodeDef mentions attribute
    use_unbounded_threadpool" on the first ``predict``); real failures still
    raise Python exceptions. Calling it again does nothing.

    Not used in the chapters by name: importing :mod:`mnistbook` calls it,
    which is why every chapter's setup cell imports mnistbook before keras.
    """
    global _quieted
    if _quieted:
        return
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    try:
        sys.stderr.flush()
        saved = os.dup(2)
    except (OSError, ValueError):  # no real stderr: nothing to hide
        saved = None
    if saved is not None:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 2)
    try:
        import tensorflow as tf

        tf.config.list_physical_devices()  # CUDA's start-up lines come here
    finally:
        if saved is not None:
            os.dup2(saved, 2)
            os.close(saved)
            os.close(devnull)
    tf.get_logger().setLevel(logging.ERROR)
    try:
        import absl.logging

        absl.logging.set_verbosity(absl.logging.ERROR)
    except ImportError:  # pragma: no cover - absl comes with TensorFlow
        pass
    _quieted = True


def set_seed(seed: int = 42) -> None:
    """Seed Python, NumPy and TensorFlow and turn on deterministic ops; return None.

    After this call, building and training the same model on the same
    machine gives the same numbers every run. Introduced in chapter 6,
    Training.
    """
    quiet_tensorflow()
    import keras
    import tensorflow as tf

    keras.utils.set_random_seed(seed)  # Python's random, NumPy and TensorFlow
    tf.config.experimental.enable_op_determinism()
