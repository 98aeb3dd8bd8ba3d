"""Adam applied inside the backward pass, one parameter at a time.

scNET's full-width encoder has :math:`O(G^2 + C^2)` parameters (456 M on 2,000 cells x 8,433 genes). A
step taken as soon as a parameter's gradient is ready lets that gradient be freed at once, so at most one
full gradient is alive instead of all of them; storing the moments in bfloat16 halves the optimiser state.
The update itself is PyTorch's Adam with L2 weight decay (``torch.optim.Adam`` semantics), computed in
float32; bfloat16 parameters receive it with stochastic rounding.
"""

from __future__ import annotations

import torch
from torch import Tensor, nn


def stochastic_round(x: Tensor) -> Tensor:
    """Round float32 to bfloat16 up or down with probability proportional to the distance, so that
    updates far below bfloat16's resolution still move the weight in expectation."""
    bits = x.view(torch.int32)
    noise = torch.randint(0, 1 << 16, bits.shape, dtype=torch.int32, device=x.device)
    return ((bits + noise) & -65536).view(torch.float32).to(torch.bfloat16)


class BackwardAdam:
    """Adam whose step runs in each parameter's post-accumulate-grad hook.

    Args:
        params: Parameters to optimise, or ``torch.optim``-style groups (dicts with ``"params"`` and optionally
            their own ``"lr"``).
        lr (float): Learning rate of parameters whose group names none (default: :obj:`1e-4`).
        weight_decay (float): L2 penalty added to the gradient (default: :obj:`1e-5`).
        betas (tuple): Adam's :math:`\\beta_1, \\beta_2` (default: :obj:`(0.9, 0.999)`).
        eps (float): Adam's :math:`\\epsilon` (default: :obj:`1e-8`).
        state_dtype (torch.dtype): Storage type of the moments (default: :obj:`torch.float32`).

    Call :meth:`begin_step` before each ``backward()``; the hooks do the rest.
    """

    def __init__(self, params, lr: float = 1e-4, weight_decay: float = 1e-5, betas=(0.9, 0.999),
                 eps: float = 1e-8, state_dtype: torch.dtype = torch.float32, chunk: int = 1 << 20):
        groups = list(params)
        if groups and not isinstance(groups[0], dict):
            groups = [{"params": groups}]
        self.lrs = {p: g.get("lr", lr) for g in groups for p in g["params"] if p.requires_grad}
        self.params = list(self.lrs)
        self.weight_decay, self.betas, self.eps, self.state_dtype = weight_decay, betas, eps, state_dtype
        self.chunk = chunk
        self.step_count = 0
        self.state: dict[nn.Parameter, tuple[Tensor, Tensor]] = {}
        self._handles = [p.register_post_accumulate_grad_hook(self._update) for p in self.params]

    def begin_step(self) -> None:
        self.step_count += 1

    @torch.no_grad()
    def _update(self, p: Tensor) -> None:
        grad = p.grad
        if grad is None:
            return
        if p not in self.state:
            self.state[p] = (torch.zeros_like(p, dtype=self.state_dtype), torch.zeros_like(p, dtype=self.state_dtype))
        m, v = self.state[p]
        b1, b2 = self.betas
        t = self.step_count
        step = -self.lrs[p] / (1 - b1 ** t)
        # Chunks bound the float32 temporaries to a few MB even for a 71 M-element weight.
        for pc, gc, mc, vc in zip(*(x.view(-1).split(self.chunk) for x in (p, grad, m, v))):
            p32, g32 = pc.float(), gc.float()  # no copies for float32 tensors
            if self.weight_decay:
                g32 = g32.add(p32, alpha=self.weight_decay)
            m32 = mc.float().lerp_(g32, 1 - b1)
            v32 = vc.float().mul_(b2).addcmul_(g32, g32, value=1 - b2)
            denom = (v32 / (1 - b2 ** t)).sqrt_().add_(self.eps)
            p32.addcdiv_(m32, denom, value=step)
            if pc.dtype == torch.bfloat16:
                pc.copy_(stochastic_round(p32))
            mc.copy_(m32)
            vc.copy_(v32)
        p.grad = None  # free it now: this is the point of stepping inside backward

    def state_bytes(self) -> int:
        return sum(m.numel() * m.element_size() + v.numel() * v.element_size() for m, v in self.state.values())

    def remove(self) -> None:
        for h in self._handles:
            h.remove()
