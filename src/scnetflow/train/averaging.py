"""An exponential moving average of a model's weights (Polyak averaging), for the trainer's evaluations.

The last snapshot of a training run carries the noise of its last few steps (a fresh draw of KNN edge
batches, dropout masks and PPI non-edges each step). An average of the weights over the last stretch of
training is one model near the centre of where the steps wander, so its outputs depend less on where the
last step happened to land (Polyak & Juditsky, 1992; the EMA of Tarvainen & Valpola, 2017, and of most
diffusion and vision training recipes).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import torch
from torch import nn


class WeightAverage:
    """Bias-corrected exponential moving average of a module's parameters.

    After step :math:`t` the average is :math:`\\bar w_t = m_t / (1 - d^t)` with
    :math:`m_t = d\\, m_{t-1} + (1 - d)\\, w_t`, :math:`m_0 = 0`: a weighted mean of every step's weights whose
    weights :math:`(1 - d) d^{t-s} / (1 - d^t)` sum to one, so it is defined from the first step on and
    holds about the last :math:`1 / (1 - d)` steps.

    Args:
        module (torch.nn.Module): The model whose parameters are averaged.
        decay (float): :math:`d`, in :math:`(0, 1)`.

    The average is kept in float32 whatever the parameters' storage type (a bfloat16 average would drop
    updates below its resolution): one float32 copy of the parameters, and a second copy of the live
    weights while :meth:`applied` is active.
    """

    def __init__(self, module: nn.Module, decay: float):
        if not 0 < decay < 1:
            raise ValueError(f"decay must be in (0, 1), got {decay}")
        self.decay = decay
        self.params = [p for p in module.parameters() if p.requires_grad]
        self.mean = [torch.zeros_like(p, dtype=torch.float32) for p in self.params]
        self.steps = 0

    @torch.no_grad()
    def update(self) -> None:
        """Fold the current weights in; call after every optimiser step."""
        self.steps += 1
        for m, p in zip(self.mean, self.params):
            m.lerp_(p.float(), 1 - self.decay)

    @contextmanager
    def applied(self) -> Iterator[None]:
        """Within the block the module holds the averaged weights; the live ones are restored after."""
        if self.steps == 0:
            yield
            return
        with torch.no_grad():
            live = [p.detach().clone() for p in self.params]
            correction = 1 - self.decay ** self.steps
            for m, p in zip(self.mean, self.params):
                p.copy_(m / correction)
        try:
            yield
        finally:
            with torch.no_grad():
                for saved, p in zip(live, self.params):
                    p.copy_(saved)
