"""Model selection: which evaluation's model a training run keeps (:mod:`scnetflow.train`).

Every ``eval_every`` epochs the trainer scores two held-out criteria (METHOD.md section 3.6):

- ``val_auroc``: the gene embedding's AUROC on held-out PPI edges against as many non-edges (the paper);
- ``val_expr_r``: Pearson correlation between the reconstruction and the expression on held-out
  (cell, target gene) entries, which are masked in the encoder's input and left out of the loss.

A rule maps an evaluation to a score; the kept model is the first evaluation with the highest score.

- ``auroc``: best held-out PPI AUROC (the paper's text);
- ``last``: the last evaluation (what the authors' code releases);
- ``expr``: best held-out expression correlation;
- ``combined``: best mean of the two skills, :math:`\\tfrac12((2\\,\\mathrm{AUROC} - 1) + r)`, both 0 at
  chance and 1 when perfect, so neither side of the model is traded away for a small gain on the other.
"""

from __future__ import annotations

import math

SELECTIONS = ("auroc", "last", "expr", "combined")

#: Rules that need held-out expression entries (``expr_val_fraction > 0``).
NEEDS_EXPRESSION = ("expr", "combined")


def selection_score(rule: str, epoch: int, val_auroc: float, val_expr_r: float) -> float:
    """The score of one evaluation under ``rule``; higher is kept. ``nan`` criteria score ``-inf``."""
    if rule == "auroc":
        score = val_auroc
    elif rule == "last":
        score = float(epoch)
    elif rule == "expr":
        score = val_expr_r
    elif rule == "combined":
        score = ((2 * val_auroc - 1) + val_expr_r) / 2
    else:
        raise ValueError(f"unknown selection rule {rule!r}; use one of {SELECTIONS}")
    return -math.inf if math.isnan(score) else float(score)
