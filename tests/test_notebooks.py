"""Checks of the stored chapters that nbval itself cannot make.

nbval compares each cell's new output with the stored one, so a chapter
stored unexecuted passes while checking nothing. These tests make sure every
chapter is stored executed, in order, without log noise, and that the book's
table of contents and Colab setup cells agree with _config.yml.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
CHAPTERS = sorted((ROOT / "chapters").glob("*.ipynb"))
CONFIG = yaml.safe_load((ROOT / "_config.yml").read_text())
TOC = yaml.safe_load((ROOT / "_toc.yml").read_text())
VERSION = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]


def _cells(path: Path, kind: str = "code") -> list[dict]:
    nb = json.loads(path.read_text())
    return [cell for cell in nb["cells"] if cell["cell_type"] == kind]


def _source(cell: dict) -> str:
    source = cell["source"]
    return "".join(source) if isinstance(source, list) else source


def _tags(cell: dict) -> list[str]:
    return cell.get("metadata", {}).get("tags", [])


def _toc_files() -> list[str]:
    files = [TOC["root"]]
    for part in TOC.get("parts", []):
        files += [entry["file"] for entry in part["chapters"]]
    return files


def test_there_are_chapters():
    assert len(CHAPTERS) >= 7


def test_toc_lists_every_chapter_and_every_entry_exists():
    toc = _toc_files()
    for path in CHAPTERS:
        assert f"chapters/{path.stem}" in toc, f"{path.name} is not in _toc.yml"
    for entry in toc:
        matches = list(ROOT.glob(entry + ".*"))
        assert matches, f"_toc.yml lists {entry}, which does not exist"


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_chapter_is_stored_executed_in_order(path):
    counts = [cell.get("execution_count") for cell in _cells(path)]
    assert None not in counts, f"{path.name}: {counts.count(None)} code cell(s) not executed"
    assert counts == list(range(1, len(counts) + 1)), (
        f"{path.name}: execution counts {counts} are not 1..{len(counts)}; "
        "re-run the chapter top to bottom with `make execute`"
    )


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_chapter_has_no_errors_and_no_log_noise(path):
    for cell in _cells(path):
        for output in cell["outputs"]:
            assert output["output_type"] != "error", f"{path.name}: a stored error in:\n{_source(cell)}"
            if output["output_type"] == "stream":
                assert output["name"] != "stderr", f"{path.name}: stderr output {output['text']!r}"
                text = output["text"] if isinstance(output["text"], str) else "".join(output["text"])
                # A progress bar leaves "━" runs and carriage returns behind.
                assert "━" not in text and "\r" not in text, f"{path.name}: progress-bar debris {text[:80]!r}"


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_chapter_uses_tags_not_visible_nbval_comments(path):
    for cell in _cells(path):
        assert not re.search(r"#\s*NBVAL_", _source(cell)), f"{path.name}: use the nbval-ignore-output tag"


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_chapter_has_a_title_and_hidden_checks(path):
    first = json.loads(path.read_text())["cells"][0]
    assert first["cell_type"] == "markdown" and _source(first).startswith("# "), f"{path.name}: no title"
    checks = [cell for cell in _cells(path) if "remove-cell" in _tags(cell)]
    assert checks, f"{path.name}: no check cell (tag remove-cell) asserting what must hold"
    for cell in checks:
        assert "assert " in _source(cell), f"{path.name}: a hidden cell that checks nothing"


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_colab_setup_cell_installs_this_release_from_the_configured_repository(path):
    ref = f"{CONFIG['repository']['url']}@v{VERSION}"
    setup = _cells(path)[0]
    assert "setup" in _tags(setup), f"{path.name}: the first code cell must be the tagged setup cell"
    source = _source(setup)
    installs = re.findall(r"git\+(\S+?)[\"'\s]", source)
    assert installs == [ref], (
        f"{path.name} installs mnistbook from {installs}, but _config.yml and pyproject.toml say {ref}; "
        "run `make colab-url` after changing repository.url or the version"
    )
    assert source.index("import mnistbook") < source.index("import keras"), (
        f"{path.name}: import mnistbook before keras, so TensorFlow's start-up log stays quiet"
    )


#: Runs a setup cell (stdin) in a fresh IPython shell whose %pip only prints its line.
SETUP_RUNNER = """
import sys, types
from IPython.core.interactiveshell import InteractiveShell

if sys.argv[1] == "colab":
    sys.modules["google.colab"] = types.ModuleType("google.colab")
shell = InteractiveShell.instance()
shell.magics_manager.magics["line"]["pip"] = lambda line: print("%pip", line)
shell.run_cell(sys.stdin.read()).raise_error()
"""


@pytest.mark.parametrize("where", ["elsewhere", "colab"])
def test_setup_cell_installs_on_colab_and_nowhere_mnistbook_is_installed(where):
    """Chapter 1's setup cell, run in a fresh process: pip runs on Colab, and only there."""
    result = subprocess.run([sys.executable, "-c", SETUP_RUNNER, where], input=_source(_cells(CHAPTERS[0])[0]),
                            capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert result.returncode == 0, result.stderr[-3000:]
    pips = [line for line in result.stdout.splitlines() if line.startswith("%pip")]
    expected = [f'%pip install -q "mnistbook @ git+{CONFIG["repository"]["url"]}@v{VERSION}"']
    assert pips == (expected if where == "colab" else [])


def test_kernelspec_is_plain_python3():
    for path in CHAPTERS:
        spec = json.loads(path.read_text())["metadata"]["kernelspec"]
        assert spec["name"] == "python3", f"{path.name}: kernel {spec['name']!r} would not exist on Colab"


# --------------------------------------------------------------------------
# Accuracy floors and the benchmark's tables follow bench/results.json
# --------------------------------------------------------------------------

BENCH = ROOT / "bench"
FLOOR = re.compile(r"(0\.\d+)\)?,?\s*#\s*floor:\s*([\w-]+)")


def _bench():
    import importlib.util

    spec = importlib.util.spec_from_file_location("bench_models", BENCH / "models.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("bench_models", module)  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module, json.loads((BENCH / "results.json").read_text())


def _floors() -> list[tuple[str, float, str]]:
    found = []
    for path in CHAPTERS:
        for cell in _cells(path):
            if "remove-cell" in _tags(cell):
                found += [(path.name, float(v), name) for v, name in FLOOR.findall(_source(cell))]
    return found


def test_accuracy_floors_follow_the_benchmark_rule():
    bench, results = _bench()
    floors = _floors()
    assert {name for _, _, name in floors} >= {"article", "cosine", "wide", "cnn"}, floors
    for chapter, value, recipe in floors:
        assert recipe in results, f"{chapter}: no benchmark results for {recipe!r}; run make bench-models"
        expected = bench.accuracy_floor([run["test_accuracy"] for run in results[recipe]["runs"]])
        assert value == pytest.approx(expected), (
            f"{chapter}: the floor for {recipe} is {value}, but bench/results.json gives {expected:.3f}"
        )


def test_every_accuracy_floor_names_its_benchmark_recipe():
    literal = re.compile(r"accuracy\w*\s*>=\s*0\.\d")
    for path in CHAPTERS:
        for cell in _cells(path):
            if "remove-cell" not in _tags(cell):
                continue
            for line in _source(cell).splitlines():
                assert not literal.search(line) or FLOOR.search(line), (
                    f"{path.name}: an accuracy floor typed without its benchmark recipe: {line.strip()!r}; "
                    "write it as `0.xyz  # floor: RECIPE` (see bench/models.py, accuracy_floor)"
                )


def test_benchmark_tables_match_the_results():
    bench, results = _bench()
    table = bench.render(results)
    for path in bench.TABLE_FILES:
        text = path.read_text()
        inside = text.split(bench.START, 1)[1].split(bench.END, 1)[0].strip()
        assert inside == table, f"{path.name}: the benchmark table is out of date; run bench/models.py --tables"
