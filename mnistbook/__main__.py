"""Command line: ``python -m mnistbook data``.

``data`` fetches MNIST if needed, verifies it, and prints where it is and
which source it came from; on failure it prints the same advice as
:class:`mnistbook.MnistDataError` and exits with status 1.
"""

from __future__ import annotations

import argparse
import sys

from . import __version__
from .data import MnistDataError, cache_dir, fetch_mnist, load_source


def main(argv: list[str] | None = None) -> int:
    """Run the command line; return the exit status.

    Not used in the chapters; ``python -m mnistbook data`` (and ``make data``)
    runs it.
    """
    parser = argparse.ArgumentParser(prog="python -m mnistbook", description="Helpers of the mnistbook tutorial.")
    parser.add_argument("--version", action="version", version=f"mnistbook {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)
    data = sub.add_parser("data", help="fetch MNIST if needed, verify it, and say where it is")
    data.add_argument("--offline", action="store_true", help="use the caches only; never download")
    args = parser.parse_args(argv)

    if args.command == "data":
        try:
            source = fetch_mnist(download=not args.offline)
            (x_train, _), (x_test, _) = load_source(source)
        except MnistDataError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 1
        print(f"MNIST is ready: {len(x_train):,} training and {len(x_test):,} test images, verified by SHA-256.")
        print(f"source: {source}")
        print(f"mnistbook cache folder: {cache_dir()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
