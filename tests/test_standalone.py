"""Every chapter run the way Colab runs it: alone, with nothing of the repository around.

Marked ``standalone``. Builds a wheel of mnistbook, installs it into a fresh
virtual environment, copies each chapter by itself into an empty folder and
runs nbval there: every cell re-executed in a fresh kernel and its outputs
compared with the stored ones. A chapter that reads a file from the
repository, imports mnistbook from the working tree, or relies on another
chapter's state fails here. This run *is* the book's nbval check (no second
run of the same notebooks), and it records each chapter's run time in
``artifacts/execution_times.json`` for the book's "Execution statistics" page.
"""

from __future__ import annotations

import json
import os
import platform
import shutil
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import pytest

from wheelhouse import ROOT, build_wheel, clean_env, make_venv, pip_install, run

CHAPTERS = sorted((ROOT / "chapters").glob("*.ipynb"))
TIMES = ROOT / "artifacts" / "execution_times.json"

pytestmark = pytest.mark.standalone


LOCK = ROOT / "requirements.lock"


@pytest.fixture(scope="module")
def wheel_env(tmp_path_factory) -> Path:
    """A fresh virtual environment with mnistbook installed from a freshly built wheel,
    at the lock file's versions (the ones the stored outputs were made with); returns its python."""
    base = tmp_path_factory.mktemp("standalone")
    wheel = build_wheel(base / "dist")
    python = make_venv(sys.executable, base / "venv")
    pins = base / "constraints.txt"  # the lock, less its editable line (pip refuses that as a constraint)
    pins.write_text("".join(line for line in LOCK.read_text().splitlines(keepends=True) if not line.startswith("-e")))
    pip_install(python, "-c", pins, wheel, "nbval", "pytest", "ipykernel")

    where = run([python, "-c", "import mnistbook; print(mnistbook.__file__)"], cwd=base)
    location = Path(where.stdout.strip())
    assert base in location.parents and ROOT not in location.parents, f"mnistbook imported from {location}"
    return python


@pytest.fixture(scope="module")
def times():
    """Collects each chapter's run time; written to artifacts/execution_times.json at the end,
    only when every chapter ran and passed (a partial run, e.g. with -k, leaves it alone)."""
    collected: dict[str, float] = {}
    yield collected
    if len(collected) == len(CHAPTERS):
        TIMES.parent.mkdir(parents=True, exist_ok=True)
        TIMES.write_text(json.dumps({
            "date": str(date.today()),
            "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
            "seconds": collected,
        }, indent=2) + "\n")


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda p: p.stem)
def test_chapter_runs_alone_and_reproduces_its_outputs(wheel_env, times, tmp_path, chapter):
    folder = tmp_path / chapter.stem
    folder.mkdir()
    shutil.copy(chapter, folder / chapter.name)
    sanitize = tmp_path / "sanitize.cfg"  # nbval's settings, outside the chapter's folder
    shutil.copy(ROOT / "chapters" / "sanitize.cfg", sanitize)

    start = time.perf_counter()
    result = subprocess.run(
        [str(wheel_env), "-m", "pytest", "--nbval", "--nbval-current-env", "--nbval-sanitize-with", str(sanitize),
         "-p", "no:cacheprovider", "-q", "--color=no", chapter.name],
        cwd=folder, env=clean_env(), capture_output=True, text=True, timeout=1200,
    )
    seconds = time.perf_counter() - start
    assert result.returncode == 0, f"{chapter.name} failed when run alone:\n{result.stdout[-6000:]}\n{result.stderr[-2000:]}"
    times[chapter.stem] = round(seconds, 1)
