"""Write the install lines of every chapter's Colab setup cell.

The setup cell installs the helper package from the book's repository at
the release the chapter was written with: `git+<repository.url>@v<version>`,
with the URL from _config.yml and the version from pyproject.toml, the one
place each is set. A fork changes `repository.url`; a release bumps
`version`; then `make colab-url` rewrites the lines above `import mnistbook`
in every chapter's first code cell. Outputs stay as they are.
"""

import tomllib
from pathlib import Path

import nbformat
import yaml

ROOT = Path(__file__).resolve().parent.parent
url = yaml.safe_load((ROOT / "_config.yml").read_text())["repository"]["url"]
version = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]

INSTALL = f'''\
# Setup. On Colab: install the book's helper package at the release this
# chapter was written with. Elsewhere: only where mnistbook is missing.
import importlib.util
import sys

HELPER = "git+{url}@v{version}"
if "google.colab" in sys.modules or not importlib.util.find_spec("mnistbook"):
    %pip install -q "mnistbook @ {{HELPER}}"

'''

for path in sorted((ROOT / "chapters").glob("*.ipynb")):
    nb = nbformat.read(path, as_version=4)
    setup = next(cell for cell in nb.cells if cell.cell_type == "code")
    rest = setup.source[setup.source.index("import mnistbook"):]
    # the install lines import these already
    rest = "\n".join(line for line in rest.split("\n") if line not in ("import sys", "import importlib.util"))
    if INSTALL + rest != setup.source:
        setup.source = INSTALL + rest
        nbformat.write(nb, path)
        print(f"updated {path.relative_to(ROOT)}")
print(f"every chapter installs mnistbook from {url} at v{version}")
