"""Write chapters/execution_statistics.md from the last full `make test` (`make stats`).

tests/test_standalone.py times every chapter run alone on the book's own
stack and saves the times in artifacts/execution_times.json;
tests/test_colab.py does the same on Google Colab's versions, in
artifacts/colab_times.json. This script turns them into the book's page, to
be committed: `make book` never rewrites a tracked file. Without the first
file the page is left as it is; without the second, its column is left out.
"""

import json
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
TIMES = ROOT / "artifacts" / "execution_times.json"
COLAB = ROOT / "artifacts" / "colab_times.json"
PAGE = ROOT / "chapters" / "execution_statistics.md"

if not TIMES.exists():
    print(f"{TIMES.relative_to(ROOT)} not found: {PAGE.relative_to(ROOT)} left as it is")
    sys.exit(0)

run = json.loads(TIMES.read_text())
colab = json.loads(COLAB.read_text()) if COLAB.exists() else None
rows = []
for stem, seconds in sorted(run["seconds"].items()):
    notebook = nbformat.read(ROOT / "chapters" / f"{stem}.ipynb", as_version=4)
    title = notebook.cells[0].source.splitlines()[0].lstrip("# ").strip()
    row = f"| {{doc}}`{title} <{stem}>` | {seconds:.0f} s |"
    if colab:
        row += f" {colab['seconds'][stem]:.0f} s |"
    rows.append(row)
total = f"**{sum(run['seconds'].values()) / 60:.1f} min** |"
if colab:
    total += f" **{sum(colab['seconds'].values()) / 60:.1f} min** |"

header, rule, colab_text = "| Chapter | Run time |", "| --- | ---: |", ""
if colab:
    header, rule = "| Chapter | Book's versions | Colab's versions |", "| --- | ---: | ---: |"
    colab_text = f"""
The second column is the same run on Google Colab's versions ({colab["stack"]};
measured {colab["date"]} on the same machine), the check that every chapter
works there. Both columns come from one machine: they differ by the versions
of Python and the libraries, and by run-to-run noise. Colab's own machines
are faster or slower than this one.
"""

PAGE.write_text(f"""# Execution statistics

How long each chapter takes to run from top to bottom, measured the way
Colab runs it: alone, in a fresh Python session, with only the `mnistbook`
package installed. The times include starting Python and loading TensorFlow
(a few seconds per chapter) and every training run in the chapter. They come
from the automatic check of the book on {run["date"]}, on a machine with
no GPU ({run["machine"]}). Your machine's times will differ, and the
chapters that train most (9 to 12) gain most from a GPU.
{colab_text}
{header}
{rule}
{chr(10).join(rows)}
| **All chapters** | {total}
""")
print(f"wrote {PAGE.relative_to(ROOT)} from {TIMES.relative_to(ROOT)} ({run['date']})"
      + (f" and {COLAB.relative_to(ROOT)}" if colab else ""))
