"""A chapter run twice, top to bottom, in one kernel, must not break.

Marked ``rerun``. Readers re-run cells: a chapter that appends to a list,
scales its data in place or counts on a fresh kernel fails the second time.
Chapter 9 trains four versions and keeps a table of them, the pattern most
at risk, so it runs twice in one kernel here (about 5 minutes); every hidden
check cell runs both times.
"""

from __future__ import annotations

import shutil

import nbformat
import pytest
from nbclient import NotebookClient

from wheelhouse import BASE_ENV, ROOT

pytestmark = pytest.mark.rerun


@pytest.mark.parametrize("name", ["09_same_network_better.ipynb"])
def test_chapter_runs_twice_in_one_kernel(tmp_path, monkeypatch, name):
    for key in ("PATH", "MNISTBOOK_CACHE", "KERAS_HOME"):
        if key in BASE_ENV:
            monkeypatch.setenv(key, BASE_ENV[key])
        else:
            monkeypatch.delenv(key, raising=False)
    shutil.copy(ROOT / "chapters" / name, tmp_path / name)
    notebook = nbformat.read(tmp_path / name, as_version=4)
    client = NotebookClient(notebook, timeout=1200, kernel_name="python3",
                            resources={"metadata": {"path": str(tmp_path)}})
    with client.setup_kernel():
        for run in (1, 2):
            for index, cell in enumerate(notebook.cells):
                client.execute_cell(cell, index)  # raises CellExecutionError on any error
            errors = [o for c in notebook.cells if c.cell_type == "code" for o in c.outputs
                      if o.output_type == "error"]
            assert not errors, f"run {run}: {errors}"
