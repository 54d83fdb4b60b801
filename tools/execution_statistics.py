"""Write chapters/execution_statistics.md from the last standalone run.

tests/test_standalone.py times every chapter run alone (as on Colab) and
saves the times in artifacts/execution_times.json; `make book` calls this
script first, so the book shows the times of the machine that built it.
Without that file the committed page is left as it is.
"""

import json
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
TIMES = ROOT / "artifacts" / "execution_times.json"
PAGE = ROOT / "chapters" / "execution_statistics.md"

if not TIMES.exists():
    print(f"{TIMES.relative_to(ROOT)} not found: {PAGE.relative_to(ROOT)} left as it is")
    sys.exit(0)

run = json.loads(TIMES.read_text())
rows = []
for stem, seconds in sorted(run["seconds"].items()):
    notebook = nbformat.read(ROOT / "chapters" / f"{stem}.ipynb", as_version=4)
    title = notebook.cells[0].source.splitlines()[0].lstrip("# ").strip()
    rows.append(f"| {{doc}}`{title} <{stem}>` | {seconds:.0f} s |")
total = sum(run["seconds"].values())

PAGE.write_text(f"""# Execution statistics

How long each chapter takes to run from top to bottom, measured the way
Colab runs it: alone, in a fresh Python session, with only the `mnistbook`
package installed. The times include starting Python and loading TensorFlow
(a few seconds per chapter) and every training run in the chapter. They come
from the automatic check of the book on {run["date"]}, on a machine with
no GPU ({run["machine"]}). Your machine's times will differ, and the
chapters that train most (9 to 11) gain most from a GPU.

| Chapter | Run time |
| --- | ---: |
{chr(10).join(rows)}
| **All chapters** | **{total / 60:.1f} min** |
""")
print(f"wrote {PAGE.relative_to(ROOT)} from {TIMES.relative_to(ROOT)} ({run['date']})")
