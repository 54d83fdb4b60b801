"""Benchmark: how long does loading MNIST take once it is cached?

Run with `make bench-data` (or `.venv/bin/python bench/data_load.py`). Prints
one table: each way of loading, the median and best of several runs.
"""

from __future__ import annotations

import os
import platform
import statistics
import time

import mnistbook
from mnistbook import data


def timed(fn, repeats: int = 7) -> list[float]:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return times


def main() -> None:
    source = mnistbook.fetch_mnist()  # make sure the cache is there first
    rows = [
        ("load_mnist(download=False): verify SHA-256 + parse", lambda: mnistbook.load_mnist(download=False)),
        ("fetch_mnist(download=False): verify SHA-256 only", lambda: mnistbook.fetch_mnist(download=False)),
        ("load_source(): parse IDX files only", lambda: data.load_source(source)),
    ]
    print(f"MNIST cached load, {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    print(f"source: {source}")
    print()
    print(f"| {'what':52s} | median s | best s |")
    print(f"| {'-' * 52} | -------: | -----: |")
    for name, fn in rows:
        times = timed(fn)
        print(f"| {name:52s} | {statistics.median(times):8.3f} | {min(times):6.3f} |")


if __name__ == "__main__":
    main()
