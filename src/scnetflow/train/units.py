"""The reconstruction in log-normalised expression units."""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp


def expression_units(recon: np.ndarray, X) -> np.ndarray:
    """The decoder output in log-normalised expression: standardised per gene across cells (the loss's
    view of it), then scaled by each gene's standard deviation and shifted to its mean in ``X``, inverting
    the target's standardisation. The decoder alone has no units (the loss ignores each gene's offset and
    scale), so without this two samples' reconstructions cannot be compared; each gene's mean and spread
    come from the sample, its pattern across cells from the model. A gene constant in ``X`` gets its mean.
    Works through row blocks, so no float64 or dense copy of a cells x genes array is made (100,000 cells
    x 8,000 genes is 3.2 GB in float32)."""
    mean, sd = _column_mean_sd(X)
    r_mean, r_sd = _column_mean_sd(recon)
    scale = (sd + 1e-5) * (sd > 0) / (r_sd + 1e-5)
    out = np.empty(recon.shape, dtype=np.float32)
    for start in range(0, recon.shape[0], _BLOCK):
        block = recon[start:start + _BLOCK].astype(np.float64)
        out[start:start + _BLOCK] = (block - r_mean) * scale + mean
    return out


#: Rows per block when a cells x genes array is reduced or transformed block by block.
_BLOCK = 4096


def _column_mean_sd(X) -> tuple[np.ndarray, np.ndarray]:
    """Per-column mean and (population) standard deviation in float64, dense or sparse, by row blocks."""
    n = X.shape[0]
    total, squares = np.zeros(X.shape[1]), np.zeros(X.shape[1])
    for start in range(0, n, _BLOCK):
        block = X[start:start + _BLOCK]
        block = block.toarray() if sp.issparse(block) else np.asarray(block)
        block = block.astype(np.float64)
        total += block.sum(axis=0)
        squares += np.square(block).sum(axis=0)
    mean = total / n
    return mean, np.sqrt(np.maximum(squares / n - mean**2, 0.0))
