"""Fresh virtual environments for the tests that install the book like a reader.

``tests/test_standalone.py`` (the book's own stack) and ``tests/test_colab.py``
(Google Colab's stack) each build a virtual environment and install the
``mnistbook`` wheel into it. Installing TensorFlow from the network on every
run is slow and makes ``make test`` need the network every time, so the
packages are installed from a wheelhouse, ``artifacts/wheels/<python>/``:
the first run downloads what is missing into it, later runs install offline.

Nothing in here is a test; the two test modules import it.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WHEELS = ROOT / "artifacts" / "wheels"

#: The environment as pytest started, before conftest's per-test isolation (an
#: empty PATH and data cache) applies: the chapters need the real data cache.
BASE_ENV = dict(os.environ)


def clean_env() -> dict[str, str]:
    """The starting environment, less what could leak the repository into the runs."""
    env = {k: v for k, v in BASE_ENV.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV", "MPLBACKEND")}
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    return env


def run(args: list[str], check: bool = True, **kwargs) -> subprocess.CompletedProcess:
    """Run a command in :func:`clean_env`; with ``check``, fail with its output."""
    kwargs.setdefault("env", clean_env())
    result = subprocess.run([str(a) for a in args], capture_output=True, text=True, **kwargs)
    if check:
        assert result.returncode == 0, (
            f"{' '.join(map(str, args))} failed:\n{result.stdout[-4000:]}\n{result.stderr[-4000:]}"
        )
    return result


def build_wheel(dest: Path) -> Path:
    """Build the mnistbook wheel from the working tree into ``dest``; return its path.

    Built without build isolation (setuptools comes from the lock file), so
    no network is needed.
    """
    run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--quiet",
         "-w", dest, ROOT])
    wheels = list(Path(dest).glob("mnistbook-*.whl"))
    assert len(wheels) == 1, wheels
    return wheels[0]


def make_venv(python: str | Path, where: Path) -> Path:
    """Create a virtual environment with ``python``; return the environment's python."""
    run([python, "-m", "venv", where])
    return where / "bin" / "python"


def pip_install(python: Path, *args: str | Path) -> None:
    """``pip install *args`` into ``python``'s environment, from the wheelhouse.

    Offline first; when that fails (the first run, or a new version), download
    what is missing into the wheelhouse, then install offline again.
    """
    tag = run([python, "-c", "import sys; print(f'cp{sys.version_info[0]}{sys.version_info[1]}')"]).stdout.strip()
    house = WHEELS / tag
    house.mkdir(parents=True, exist_ok=True)
    offline = [python, "-m", "pip", "install", "--quiet", "--no-index", "--find-links", house, *args]
    if run(offline, check=False).returncode == 0:
        return
    run([python, "-m", "pip", "download", "--quiet", "--dest", house, *args])
    for local in house.glob("mnistbook-*"):  # the wheel under test is never cached
        local.unlink()
    run(offline)


def freeze(python: Path) -> dict[str, str]:
    """The installed distributions of ``python``'s environment: {normalized name: version}."""
    listed = run([python, "-m", "pip", "list", "--format=freeze", "--exclude-editable"]).stdout
    versions = {}
    for line in listed.splitlines():
        name, _, version = line.partition("==")
        if version:
            versions[normalize(name)] = version
    return versions


def normalize(name: str) -> str:
    """A distribution name in PEP 503 normal form (``Typing_Extensions`` -> ``typing-extensions``)."""
    return re.sub(r"[-_.]+", "-", name).lower()
