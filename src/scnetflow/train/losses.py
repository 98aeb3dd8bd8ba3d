"""The training losses beside the PPI's binary cross-entropy (METHOD.md section 3.5)."""

from __future__ import annotations

import torch
from torch import Tensor


def standardised_target_recon(recon: Tensor, mask: Tensor | None) -> Tensor:
    """The reconstruction of the target genes (``mask``; ``None``: ``recon`` holds only them), standardised
    per gene across cells as the target is."""
    r = recon if mask is None else recon[:, mask]
    return (r - r.mean(dim=0)) / (r.std(dim=0, unbiased=False) + 1e-5)


def expression_loss(recon: Tensor, target: Tensor, mask: Tensor | None,
                     held: tuple[Tensor, Tensor] | None = None) -> Tensor:
    """MSE on the target genes (``mask``; ``None``: ``recon`` and ``target`` hold only them) after
    standardising the reconstruction per gene across cells, leaving out the held-out entries ``held``
    (rows, target-gene columns)."""
    sq = (standardised_target_recon(recon, mask) - (target if mask is None else target[:, mask])) ** 2
    if held is None:
        return sq.mean()
    return sq.index_put(held, sq.new_zeros(())).sum() / (sq.numel() - held[0].numel())


def correlation_loss(recon: Tensor, pos: Tensor, neg: Tensor) -> Tensor:
    """The authors' extra term: PPI pairs' reconstructed profiles correlate, random pairs do not."""
    z = (recon - recon.mean(dim=0)) / (recon.std(dim=0, unbiased=False) + 1e-5)
    # index_select: a deterministic backward over repeated genes (see ScNET.ppi_logits)
    r_pos = (z.index_select(1, pos[0]) * z.index_select(1, pos[1])).mean(dim=0)
    r_neg = (z.index_select(1, neg[0]) * z.index_select(1, neg[1])).mean(dim=0)
    return -torch.nn.functional.logsigmoid(r_pos).mean() - torch.nn.functional.logsigmoid(-r_neg).mean()
