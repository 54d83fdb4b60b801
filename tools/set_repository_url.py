"""Point every chapter's Colab setup cell at the repository in _config.yml.

A fork changes `repository.url` in _config.yml, then runs `make colab-url`.
Only the `git+<url>` in each chapter's first code cell changes; outputs stay.
"""

import re
from pathlib import Path

import nbformat
import yaml

ROOT = Path(__file__).resolve().parent.parent
url = yaml.safe_load((ROOT / "_config.yml").read_text())["repository"]["url"]

for path in sorted((ROOT / "chapters").glob("*.ipynb")):
    nb = nbformat.read(path, as_version=4)
    setup = next(cell for cell in nb.cells if cell.cell_type == "code")
    new = re.sub(r"git\+\S+?(?=[\"'\s])", f"git+{url}", setup.source)
    if new != setup.source:
        setup.source = new
        nbformat.write(nb, path)
        print(f"updated {path.relative_to(ROOT)}")
print(f"every chapter installs mnistbook from {url}")
