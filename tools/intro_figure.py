"""Draw the picture on the book's first page and in the README.

Run with `make images`. It writes chapters/images/digits.png from the real,
verified training set, with the same helper chapter 1 uses.
"""

from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import mnistbook  # noqa: E402

OUT = Path(__file__).resolve().parent.parent / "chapters" / "images" / "digits.png"

(x_train, y_train), _ = mnistbook.load_mnist()
fig = mnistbook.plot_digits(x_train, y_train, n=20, title="The first 20 MNIST training images and their labels")
OUT.parent.mkdir(parents=True, exist_ok=True)
fig.savefig(OUT, dpi=100, metadata={"Software": None})
print(f"wrote {OUT}")
