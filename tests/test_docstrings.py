"""Every "Introduced in chapter N" in mnistbook's docstrings names the chapter that really
introduces the helper.

A reader who meets ``mnistbook.split_validation`` in its docstring and is
told "Introduced in chapter 9" should find it in chapter 9, and not earlier.
The chapters' code cells are read (not run), and a name counts as used by a
chapter when a code cell names it as ``mnistbook.name`` (or
``mnistbook.module.name``), imports it with ``from mnistbook import name``
(or from a module of mnistbook), or calls it by a name such an import bound.
Comments, strings and attributes of other objects (``model.predict_classes``)
do not count.

The rule, for every public function and class of the package's modules:

- used by a chapter: the docstring says "Introduced in chapter N", N being
  the first chapter that uses it;
- used by no chapter: the docstring does not claim a chapter, and says
  "Not used in the chapters" with what it is for instead.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import json
import pkgutil
import re
from functools import cache
from pathlib import Path

import pytest
from IPython.core.inputtransformer2 import TransformerManager

import mnistbook

ROOT = Path(__file__).resolve().parent.parent
CHAPTERS = sorted((ROOT / "chapters").glob("[0-9][0-9]_*.ipynb"))

INTRODUCED = re.compile(r"Introduced in chapter (\d+)")
NOT_USED = "Not used in the chapters"


# --------------------------------------------------------------------------
# The package's public names
# --------------------------------------------------------------------------


def _modules():
    yield mnistbook
    for info in pkgutil.iter_modules(mnistbook.__path__):
        yield importlib.import_module(f"mnistbook.{info.name}")


@cache
def public_names() -> dict[str, object]:
    """{"mnistbook.module.name": object} for the public functions and classes the
    modules define, and those ``mnistbook/__init__.py`` exports."""
    names = {}
    for module in _modules():
        exported = set(getattr(module, "__all__", ()))
        for name, obj in vars(module).items():
            if not (inspect.isfunction(obj) or inspect.isclass(obj)):
                continue
            defined_here = getattr(obj, "__module__", None) == module.__name__
            if defined_here and not name.startswith("_") or module is mnistbook and name in exported:
                names.setdefault(f"{obj.__module__}.{obj.__name__}", obj)
    return names


def _where(obj) -> str:
    path = Path(inspect.getsourcefile(obj)).relative_to(ROOT)
    return f"{path}:{inspect.getsourcelines(obj)[1]}"


def _claimed_chapter(doc: str) -> int | None:
    """The N of the first "Introduced in chapter N" in ``doc`` (whitespace already collapsed)."""
    claims = INTRODUCED.findall(doc)
    return int(claims[0]) if claims else None


# --------------------------------------------------------------------------
# What the chapters use
# --------------------------------------------------------------------------


def code_cells(notebook: Path) -> list[str]:
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    return ["".join(c["source"]) if isinstance(c["source"], list) else c["source"]
            for c in cells if c["cell_type"] == "code"]


def used_objects(cells: list[str]) -> list[object]:
    """The mnistbook objects that these code cells (one kernel, in order) name."""
    to_python = TransformerManager().transform_cell  # %pip, !ls: IPython syntax into Python
    bound: dict[str, str] = {}  # local name -> dotted path under mnistbook
    found: list[object] = []

    def dotted(node) -> str | None:
        if isinstance(node, ast.Name):
            return bound.get(node.id)
        if isinstance(node, ast.Attribute):
            base = dotted(node.value)
            return f"{base}.{node.attr}" if base else None
        return None

    def resolve(path: str):
        obj = importlib.import_module("mnistbook")
        for part in path.split(".")[1:]:
            try:
                obj = getattr(obj, part)
            except AttributeError:
                try:
                    obj = importlib.import_module(f"{obj.__name__}.{part}")
                except (AttributeError, ImportError):
                    return None
        return obj

    for source in cells:
        tree = ast.parse(to_python(source))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.name == "mnistbook" or alias.name.startswith("mnistbook."):
                        if alias.asname:
                            bound[alias.asname] = alias.name
                        else:  # `import mnistbook.data` binds `mnistbook`
                            bound["mnistbook"] = "mnistbook"
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module and (
                node.module == "mnistbook" or node.module.startswith("mnistbook.")
            ):
                for alias in node.names:
                    path = f"{node.module}.{alias.name}"
                    bound[alias.asname or alias.name] = path
                    found.append(resolve(path))
        for node in ast.walk(tree):  # after the cell's imports: a cell may import, then call
            if isinstance(node, (ast.Name, ast.Attribute)):
                path = dotted(node)
                if path and path != "mnistbook":
                    found.append(resolve(path))
    return [obj for obj in found if obj is not None]


@cache
def first_use() -> dict[str, tuple[int, str]]:
    """{"mnistbook.module.name": (chapter number, notebook name)} of the first chapter using each name."""
    by_id = {id(obj): name for name, obj in public_names().items()}
    first: dict[str, tuple[int, str]] = {}
    for notebook in CHAPTERS:
        number = int(notebook.name[:2])
        for obj in used_objects(code_cells(notebook)):
            name = by_id.get(id(obj))
            if name and name not in first:
                first[name] = (number, notebook.name)
    return first


def chapter_title(number: int) -> str | None:
    """Chapter ``number``'s title, from its first heading, up to a colon; None if there is no such chapter."""
    notebook = next((p for p in CHAPTERS if int(p.name[:2]) == number), None)
    if notebook is None:
        return None
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    for cell in cells:
        if cell["cell_type"] == "markdown":
            heading = "".join(cell["source"]).splitlines()[0]
            return re.sub(r"^#+\s*\d+\.\s*", "", heading).split(":")[0].strip()
    return notebook.stem


# --------------------------------------------------------------------------
# The scanner itself
# --------------------------------------------------------------------------


def test_scanner_counts_real_uses_only():
    cells = [
        '%pip install -q "mnistbook"\n!ls\nimport sys',
        "import mnistbook  # before keras\n"
        "# mnistbook.read_idx is how load_mnist reads the files\n"
        'print("mnistbook.as_batch")\n'
        "model.predict_classes(x)\n"
        "data = mnistbook.load_mnist()",
        "from mnistbook import split_validation as split, metrics\nsplit(x, y)\nmetrics.confusion_matrix(a, b)",
        "import mnistbook.images as im\nim.prepare_image(p)\nmnistbook.data.fetch_mnist",
        "from mnistbook.plots import plot_digits",
    ]
    used = {f"{o.__module__}.{o.__name__}" for o in used_objects(cells) if inspect.isfunction(o)}
    assert used >= {
        "mnistbook.data.load_mnist",
        "mnistbook.data.split_validation",
        "mnistbook.metrics.confusion_matrix",
        "mnistbook.images.prepare_image",
        "mnistbook.data.fetch_mnist",
        "mnistbook.plots.plot_digits",
    }
    assert not used & {"mnistbook.data.read_idx", "mnistbook.predict.as_batch", "mnistbook.predict.predict_classes"}


def test_the_chapters_are_found_and_use_the_package():
    assert len(CHAPTERS) >= 12
    uses = first_use()
    assert uses["mnistbook.data.load_mnist"][0] == 1
    assert uses["mnistbook.predict.predict_classes"][0] == 7
    assert uses["mnistbook.data.split_validation"][0] == 9


# --------------------------------------------------------------------------
# The docstrings
# --------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(public_names()))
def test_docstring_names_the_chapter_that_introduces_it(name):
    obj = public_names()[name]
    where = _where(obj)
    doc = " ".join((inspect.getdoc(obj) or "").split())
    assert doc, f"{name} ({where}) has no docstring: write one, ending with its chapter as the others do."
    claimed = _claimed_chapter(doc)  # doc's lines joined: a claim may wrap
    used = first_use().get(name)
    if used is None:
        assert claimed is None, (
            f"{name} ({where}) says 'Introduced in chapter {claimed}', but no chapter uses it. "
            f"Replace that with what it is for, starting '{NOT_USED}', e.g. "
            f"'{NOT_USED}; load_mnist() calls it.' (the helper that calls it) or "
            f"'{NOT_USED}; the command line (`python -m mnistbook data`) uses it.'"
        )
        assert NOT_USED in doc, (
            f"{name} ({where}) is used by no chapter: say so in its docstring, with what it is for "
            f"(which helper calls it, or who else uses it), e.g. '{NOT_USED}; load_mnist() calls it.'"
        )
        return
    number, notebook = used
    suggestion = f"'Introduced in chapter {number}, {chapter_title(number)}.'"
    assert claimed is not None, (
        f"{name} ({where}) is first used in chapter {number} ({notebook}) but its docstring does "
        f"not say so: end it with {suggestion}"
    )
    assert claimed == number, (
        f"{name} ({where}) says 'Introduced in chapter {claimed}', but the first chapter that uses it "
        f"is chapter {number} ({notebook}): change it to {suggestion}"
    )
    assert NOT_USED not in doc, (
        f"{name} ({where}) says '{NOT_USED}', but chapter {number} ({notebook}) uses it: "
        f"say {suggestion} instead."
    )
    assert_title_matches(name, where, doc)


def assert_title_matches(name: str, where: str, doc: str) -> None:
    """Where "Introduced in chapter N, Title" names the chapter, the title is chapter N's."""
    for match in INTRODUCED.finditer(doc):
        number, rest = int(match.group(1)), doc[match.end():]
        if not rest.startswith(","):
            continue
        title = chapter_title(number)
        assert title is not None, f"{name} ({where}) says 'Introduced in chapter {number}', but there is no chapter {number}"
        assert rest[1:].lstrip().startswith(title), (
            f"{name} ({where}) says 'Introduced in chapter {number}{rest[:len(title) + 2]}…', but chapter "
            f"{number} is called '{title}': change it to 'Introduced in chapter {number}, {title}'"
        )


@pytest.mark.parametrize("module", [m.__name__ for m in _modules()])
def test_module_docstring_names_chapters_by_their_titles(module):
    module = importlib.import_module(module)
    doc = " ".join((module.__doc__ or "").split())
    assert_title_matches(module.__name__, str(Path(module.__file__).relative_to(ROOT)), doc)
