"""Where and how a training run computes: device, precision and the optimiser."""

from __future__ import annotations

from pathlib import Path

import torch
from torch import Tensor

from scnetflow.errors import InputError
from scnetflow.model import BackwardAdam
from scnetflow.train.params import DEVICES, PRECISIONS, TrainParams


def resolve_device(device: str) -> torch.device:
    """``auto`` -> CUDA when available, else CPU; ``cuda`` without a GPU is an error."""
    if device not in DEVICES:
        raise InputError(f"unknown device {device!r}; use one of {DEVICES}")
    if device == "cuda" and not torch.cuda.is_available():
        raise InputError("--device cuda but no CUDA GPU is visible; use --device cpu or auto")
    if device == "auto":
        device = "cuda" if torch.cuda.is_available() else "cpu"
    return torch.device(device)


#: From this many parameters on, Adam steps inside backward and bfloat16 runs store the encoder's weights
#: in bfloat16; below it PyTorch's fused Adam on float32 weights is faster and memory is no concern.
LARGE_MODEL = 20_000_000


def resolve_precision(precision: str, device: torch.device) -> torch.dtype:
    """``auto`` -> bfloat16 matrix products where the hardware has them (CUDA bf16, or CPU AMX/AVX512-BF16),
    else float32. On the CellBench subset (5.5 M parameters) bfloat16 was 15 % faster per epoch with the
    same clustering and a held-out AUROC within noise (``docs/benchmarks.md``), so model size does not
    enter."""
    if precision not in PRECISIONS:
        raise InputError(f"unknown precision {precision!r}; use one of {PRECISIONS}")
    if precision == "auto":
        if device.type == "cuda":
            return torch.bfloat16 if torch.cuda.is_bf16_supported() else torch.float32
        return torch.bfloat16 if _cpu_has_fast_bf16() else torch.float32
    return torch.bfloat16 if precision == "bf16" else torch.float32


def _cpu_has_fast_bf16() -> bool:
    try:
        flags = Path("/proc/cpuinfo").read_text().split("flags", 2)[1].split("\n", 1)[0].split()
    except (OSError, IndexError):
        return False
    return "amx_bf16" in flags or "avx512_bf16" in flags


def param_groups(model: torch.nn.Module, params: TrainParams) -> list[dict]:
    """Adam's parameter groups: the gene encoder (``gene_gcn``, ``gene_attention``) at ``lr *
    gene_encoder_lr_scale``, everything else at ``lr``. Only the PPI loss reaches the gene encoder, and Adam
    moves each weight by about ``lr`` per step whatever the loss weights, so its own rate is what lets the gene
    embedding travel further in the same epochs."""
    gene = [p for m in (model.gene_gcn, model.gene_attention) for p in m.parameters()]
    ids = {id(p) for p in gene}
    rest = [p for p in model.parameters() if id(p) not in ids]
    return [{"params": rest, "lr": params.lr}, {"params": gene, "lr": params.lr * params.gene_encoder_lr_scale}]


class Optimizer:
    """Adam (lr, L2 weight decay) as the paper. Large models step inside backward (:class:`BackwardAdam`:
    one gradient alive at a time; with bfloat16 precision, bfloat16 encoder weights and moments); small ones
    use PyTorch's fused Adam, whose single kernel beats per-parameter hooks when there is no memory to save."""

    def __init__(self, model: torch.nn.Module, params: TrainParams, dtype: torch.dtype, n_params: int):
        self.in_backward = n_params >= LARGE_MODEL
        groups = param_groups(model, params)
        if self.in_backward:
            self.opt = BackwardAdam(groups, lr=params.lr, weight_decay=params.weight_decay, state_dtype=dtype)
        else:
            fused = next(model.parameters()).device.type in ("cpu", "cuda")
            self.opt = torch.optim.Adam(groups, lr=params.lr, weight_decay=params.weight_decay, fused=fused)

    def step(self, loss: Tensor) -> None:
        if self.in_backward:
            self.opt.begin_step()
            loss.backward()
        else:
            self.opt.zero_grad(set_to_none=True)
            loss.backward()
            self.opt.step()

    def remove(self) -> None:
        if self.in_backward:
            self.opt.remove()
