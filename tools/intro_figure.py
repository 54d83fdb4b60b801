"""Draw the picture on the book's first page and in the README, and the favicon.

Run with `make images`. It writes chapters/images/digits.png from the real,
verified training set, with the same helper chapter 1 uses, and
chapters/images/favicon.png: the first test image (a 7), enlarged to 32×32.
"""

from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
from PIL import Image  # noqa: E402

import mnistbook  # noqa: E402

IMAGES = Path(__file__).resolve().parent.parent / "chapters" / "images"
OUT = IMAGES / "digits.png"

(x_train, y_train), (x_test, _) = mnistbook.load_mnist()
fig = mnistbook.plot_digits(x_train, y_train, n=20, title="The first 20 MNIST training images and their labels")
OUT.parent.mkdir(parents=True, exist_ok=True)
fig.savefig(OUT, dpi=100, metadata={"Software": None})
print(f"wrote {OUT}")

icon = Image.fromarray(np.asarray(x_test[0], dtype=np.uint8)).resize((32, 32), Image.LANCZOS)
icon.save(IMAGES / "favicon.png")
print(f"wrote {IMAGES / 'favicon.png'}")
