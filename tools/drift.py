"""What would break if the lock file were refreshed today? (`make drift`)

`make book` and `make test` install the exact versions in requirements.lock,
so the stored outputs keep matching. This script looks ahead instead: it
builds a separate environment (.venv-drift) with the *latest* versions that
requirements.txt allows, then reports

1. every package whose version differs from the lock,
2. the quick tests (everything but the standalone, browser, rerun and colab
   tests) in that environment,
3. nbval over every chapter in that environment,

and a summary of what broke. It exits 1 if anything did. Nothing in the
repository changes; delete .venv-drift when done.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / ".venv-drift"
PY = VENV / "bin" / "python"
QUICK = "not standalone and not browser and not rerun and not colab"


def versions(lines: str) -> dict[str, str]:
    """{normalized name: version} from `name==version` lines (markers and comments dropped)."""
    found = {}
    for line in lines.splitlines():
        match = re.match(r"([A-Za-z0-9_.-]+)==([^\s;]+)", line)
        if match:
            found[re.sub(r"[-_.]+", "-", match[1]).lower()] = match[2]
    return found


def pytest(title: str, *args: str) -> list[str]:
    """Run pytest in the drift environment; return the ids of what failed."""
    print(f"\n== {title}\n", flush=True)
    result = subprocess.run([PY, "-m", "pytest", "-p", "no:cacheprovider", "-q", "-rfE", "--color=no", *args],
                            cwd=ROOT, capture_output=True, text=True)
    print(result.stdout[-6000:], result.stderr[-2000:], sep="\n", flush=True)
    failed = re.findall(r"^(?:FAILED|ERROR) (\S+)", result.stdout, flags=re.MULTILINE)
    if result.returncode not in (0, 5) and not failed:  # 5: nothing collected
        failed = [f"{title}: pytest exited with {result.returncode}"]
    return failed


def main() -> int:
    shutil.rmtree(VENV, ignore_errors=True)
    subprocess.run([sys.executable, "-m", "venv", VENV], check=True)
    print("installing the latest versions that requirements.txt allows ...", flush=True)
    subprocess.run([PY, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--upgrade",
                    "-r", ROOT / "requirements.txt"], check=True, cwd=ROOT)

    locked = versions((ROOT / "requirements.lock").read_text())
    latest = versions(subprocess.run([PY, "-m", "pip", "freeze"], capture_output=True, text=True, check=True).stdout)
    changed = sorted(name for name in locked.keys() & latest.keys() if locked[name] != latest[name])
    print(f"\n== {len(changed)} packages differ from requirements.lock\n")
    for name in changed:
        print(f"  {name:32} {locked[name]:>14} -> {latest[name]}")
    for name in sorted(latest.keys() - locked.keys()):
        print(f"  {name:32} {'(new)':>14} -> {latest[name]}")

    broke = pytest("quick tests", "tests", "-m", QUICK)
    broke += pytest("nbval over every chapter", "chapters", "--nbval", "--nbval-current-env",
                    "--nbval-sanitize-with", "chapters/sanitize.cfg")

    print("\n== summary\n")
    if not broke:
        print("nothing broke: the lock can be refreshed (see README, 'Pinned versions').")
        return 0
    print(f"{len(broke)} broke with the latest versions:")
    for test in broke:
        print(f"  {test}")
    return 1


if __name__ == "__main__":
    sys.exit(main())
