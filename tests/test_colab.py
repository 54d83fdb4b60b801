"""Every chapter on Google Colab's own versions, the way a reader opens it there.

Marked ``colab``. Colab's runtime is not the book's stack: another Python,
TensorFlow, Keras and NumPy (``ci/colab.txt`` pins them, with its source and
date). This module builds a virtual environment from Python 3.13, installs
Colab's versions, then installs the ``mnistbook`` wheel *with its
dependencies*, as the chapters' setup cell does on Colab, and asserts that pip
replaced none of Colab's packages: on Colab a replaced NumPy or TensorFlow
forces a runtime restart, the most common way a notebook breaks there.

Then it runs every chapter alone, in an empty folder, top to bottom in a fresh
kernel, hidden checks included. The criterion is "no error, every check
holds", not nbval's output comparison: model summaries and the last digits of
losses print differently across Keras versions.

Python 3.13 is found as ``python3.13`` on PATH or through pyenv. Without it
the tests skip with the reason, unless ``MNISTBOOK_REQUIRE_COLAB=1`` (set by
``.ci/run``) makes that a failure.
"""

from __future__ import annotations

import glob
import json
import os
import platform
import shutil
import time
from datetime import date
from pathlib import Path

import pytest

from wheelhouse import BASE_ENV, ROOT, build_wheel, clean_env, freeze, make_venv, normalize, pip_install, run

pytestmark = pytest.mark.colab

CHAPTERS = sorted((ROOT / "chapters").glob("*.ipynb"))
CONSTRAINTS = ROOT / "ci" / "colab.txt"
TIMES = ROOT / "artifacts" / "colab_times.json"

#: What Colab ships and the book needs; installed at Colab's versions first.
COLAB_STACK = ("tensorflow", "keras", "numpy", "matplotlib", "ipykernel", "seaborn", "platformdirs",
               "pillow", "scikit-learn", "nbclient", "nbformat")
#: Replacing any of these on Colab forces a restart of the runtime.
MUST_STAY = ("tensorflow", "keras", "numpy", "matplotlib", "ipykernel")

#: Runs one notebook in the environment's own kernel; any error, failed check
#: included, ends it with the traceback.
RUNNER = """
import sys
import nbformat
from nbclient import NotebookClient

notebook = nbformat.read(sys.argv[1], as_version=4)
NotebookClient(notebook, timeout=1200, kernel_name="python3").execute()
print("ran", len(notebook.cells), "cells")
"""


def colab_pins() -> dict[str, str]:
    """``ci/colab.txt`` as {normalized name: version}."""
    pins = {}
    for line in CONSTRAINTS.read_text().splitlines():
        name, _, version = line.partition("==")
        if version and not line.startswith("#"):
            pins[normalize(name)] = version.strip()
    return pins


def find_python313() -> str | None:
    """A working Python 3.13: ``python3.13`` on PATH, else pyenv's newest 3.13 (pyenv's
    shim on PATH does not count unless 3.13 is active, so the version folders are searched)."""
    pyenv_root = BASE_ENV.get("PYENV_ROOT") or os.path.expanduser("~/.pyenv")
    candidates = [shutil.which("python3.13", path=BASE_ENV.get("PATH", ""))]
    candidates += sorted(glob.glob(os.path.join(pyenv_root, "versions", "3.13*", "bin", "python3.13")), reverse=True)
    for python in filter(None, candidates):
        probe = run([python, "-c", "import sys; print(sys.version_info[:2] == (3, 13))"], check=False)
        if probe.returncode == 0 and probe.stdout.strip() == "True":
            return python
    return None


@pytest.fixture(scope="module")
def colab_python(tmp_path_factory) -> Path:
    """A Python 3.13 environment with Colab's versions and the mnistbook wheel; returns its python."""
    python = find_python313()
    if python is None:
        reason = "no Python 3.13 (neither python3.13 on PATH nor a pyenv 3.13): the Colab-stack test needs it"
        if os.environ.get("MNISTBOOK_REQUIRE_COLAB"):
            pytest.fail(reason)
        pytest.skip(reason)

    base = tmp_path_factory.mktemp("colab")
    wheel = build_wheel(base / "dist")
    venv = make_venv(python, base / "venv")
    pip_install(venv, "-c", CONSTRAINTS, *COLAB_STACK)
    before = freeze(venv)

    pins = colab_pins()
    off = {n: (before.get(n), pins[n]) for n in MUST_STAY if before.get(n) != pins[n]}
    assert not off, f"the Colab stack did not install as ci/colab.txt pins it: {off}"

    pip_install(venv, wheel)  # with its dependencies, as the setup cell does on Colab
    after = freeze(venv)
    replaced = {n: f"{before[n]} -> {after.get(n)}" for n in before if after.get(n) != before[n]}
    must_stay = {n: v for n, v in replaced.items() if n in MUST_STAY}
    assert not must_stay, (
        f"installing mnistbook replaced Colab's {must_stay}: on Colab that forces a runtime restart. "
        "Loosen the lower bounds in pyproject.toml to what Colab ships (ci/colab.txt)."
    )
    assert not replaced, f"installing mnistbook replaced Colab packages: {replaced}"
    assert "mnistbook" in after

    where = run([venv, "-c", "import mnistbook; print(mnistbook.__file__)"], cwd=base)
    location = Path(where.stdout.strip())
    assert base in location.parents and ROOT not in location.parents, f"mnistbook imported from {location}"
    return venv


@pytest.fixture(scope="module")
def times(colab_python):
    """Each chapter's run time on the Colab stack; written to artifacts/colab_times.json
    when every chapter ran and passed (a partial run, e.g. with -k, leaves it alone)."""
    collected: dict[str, float] = {}
    yield collected
    if len(collected) == len(CHAPTERS):
        versions = run([colab_python, "-c", "import platform, tensorflow as tf, keras, numpy; "
                        "print(platform.python_version(), tf.__version__, keras.__version__, numpy.__version__)"])
        py, tf, keras, numpy = versions.stdout.split()
        TIMES.parent.mkdir(parents=True, exist_ok=True)
        TIMES.write_text(json.dumps({
            "date": str(date.today()),
            "machine": f"{platform.machine()}, {os.cpu_count()} cores",
            "stack": f"Python {py}, TensorFlow {tf}, Keras {keras}, NumPy {numpy}",
            "seconds": collected,
        }, indent=2) + "\n")


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda p: p.stem)
def test_chapter_runs_on_colabs_versions(colab_python, times, tmp_path, chapter):
    folder = tmp_path / chapter.stem
    folder.mkdir()
    shutil.copy(chapter, folder / chapter.name)
    runner = tmp_path / "run_notebook.py"  # outside the chapter's folder
    runner.write_text(RUNNER)

    start = time.perf_counter()
    result = run([colab_python, runner, chapter.name], check=False, cwd=folder, env=clean_env(), timeout=1500)
    seconds = time.perf_counter() - start
    assert result.returncode == 0, (
        f"{chapter.name} failed on Colab's versions (ci/colab.txt):\n{result.stdout[-3000:]}\n{result.stderr[-6000:]}"
    )
    times[chapter.stem] = round(seconds, 1)
