"""mnistbook: the helper package of the MNIST tutorial book.

Small modules by concern, so the chapters stay short:

- :mod:`mnistbook.data`: the real MNIST, verified, from the cache, Keras or a mirror,
  and UCI's handwritten digits from outside MNIST;
- :mod:`mnistbook.models`: the article's network and the book's better ones;
- :mod:`mnistbook.predict`: digits from probabilities (``predict_classes``);
- :mod:`mnistbook.plots`: the book's figures;
- :mod:`mnistbook.metrics`: confusion matrix, precision and recall;
- :mod:`mnistbook.images`: any picture of a digit into MNIST form;
- :mod:`mnistbook.runtime`: quiet TensorFlow start-up and seeding;
- :mod:`mnistbook.distribute`: worker processes for training on several machines.

Importing the package silences TensorFlow's start-up log lines (see
:func:`mnistbook.runtime.quiet_tensorflow`), so import it before ``keras``.
"""

from .runtime import quiet_tensorflow, set_seed

quiet_tensorflow()

from .data import (  # noqa: E402
    MnistDataError,
    cache_dir,
    fetch_mnist,
    load_mnist,
    load_uci_digits,
    read_idx,
    split_validation,
)
from .distribute import WorkerError, free_ports, run_workers, tf_config  # noqa: E402
from .images import ImageError, load_image, prepare_image  # noqa: E402
from .metrics import confusion_matrix, most_confused, precision_recall  # noqa: E402
from .models import SEED_MLP_PARAMS, build_cnn, build_seed_mlp, build_simple_cnn, build_wide_mlp  # noqa: E402
from .plots import (  # noqa: E402
    plot_confusion_matrix,
    plot_digits,
    plot_histories,
    plot_history,
    plot_misclassified,
    plot_prediction,
)
from .predict import as_batch, predict_classes, predict_proba  # noqa: E402

__version__ = "0.1.0"

__all__ = [
    "ImageError",
    "MnistDataError",
    "SEED_MLP_PARAMS",
    "WorkerError",
    "as_batch",
    "build_cnn",
    "build_seed_mlp",
    "build_simple_cnn",
    "build_wide_mlp",
    "cache_dir",
    "confusion_matrix",
    "fetch_mnist",
    "free_ports",
    "load_image",
    "load_mnist",
    "load_uci_digits",
    "most_confused",
    "plot_confusion_matrix",
    "plot_digits",
    "plot_histories",
    "plot_history",
    "plot_misclassified",
    "plot_prediction",
    "precision_recall",
    "predict_classes",
    "predict_proba",
    "prepare_image",
    "quiet_tensorflow",
    "read_idx",
    "run_workers",
    "set_seed",
    "split_validation",
    "tf_config",
]
