"""Step ``train``: fit scNET on one sample (METHOD.md section 3) and return its embeddings.

Modules: :mod:`~scnetflow.train.params` (the settings), :mod:`~scnetflow.train.data` (cell subsets, held-out
entries and edges, non-edge sampling), :mod:`~scnetflow.train.losses`, :mod:`~scnetflow.train.pruning`,
:mod:`~scnetflow.train.selection` (which evaluation is kept), :mod:`~scnetflow.train.runtime` (device,
precision, optimiser), :mod:`~scnetflow.train.trainer` (the loop), :mod:`~scnetflow.train.result` and
:mod:`~scnetflow.train.units` (the reconstruction in expression units).
"""

from scnetflow.train.params import DEVICES, PRECISIONS, TARGET_GENES, TrainParams
from scnetflow.train.result import TrainResult, annotate
from scnetflow.train.runtime import LARGE_MODEL, resolve_device, resolve_precision
from scnetflow.train.selection import SELECTIONS
from scnetflow.train.trainer import Trainer, train
from scnetflow.train.units import expression_units

__all__ = ["DEVICES", "LARGE_MODEL", "PRECISIONS", "SELECTIONS", "TARGET_GENES", "TrainParams", "TrainResult",
           "Trainer", "annotate", "expression_units", "resolve_device", "resolve_precision", "train"]
