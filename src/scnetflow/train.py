"""Step ``train``: fit scNET on one sample (METHOD.md section 3) and return its embeddings.

One code path serves small and large data: cells are split into ``n_subsets`` fixed random subsets (one
subset, all cells, below ``max_cells``), each with its own KNN graph; an epoch takes one optimiser step
per KNN edge mini-batch (``n_edge_batches`` with one subset, the whole subset graph otherwise). Every
``eval_every`` epochs an eval-mode pass over every subset and edge batch scores the held-out PPI edges;
the best model's outputs are kept (and its weights written to ``checkpoint``). Every ``prune_every``
epochs KNN edges are pruned by attention with the paper's rule.
"""

from __future__ import annotations

import dataclasses
import logging
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import anndata as ad
import numpy as np
import pandas as pd
import scipy.sparse as sp
import torch
from torch import Tensor

from scnetflow.errors import InputError
from scnetflow._train_graphs import (_both_directions, _global_knn, _hold_out_expression, _make_subsets, _prune,
                                     _split_ppi, _Subset, sample_non_edges, sorted_edge_keys)
from scnetflow.model import BackwardAdam, Graph, ModelConfig, ScNET
from scnetflow.selection import NEEDS_EXPRESSION, SELECTIONS, selection_score

logger = logging.getLogger(__name__)

PRECISIONS = ("auto", "fp32", "bf16")
#: The reconstruction target: the highly variable genes (the paper) or every model gene.
TARGET_GENES = ("hvg", "all")
DEVICES = ("auto", "cpu", "cuda")


@dataclass(frozen=True)
class TrainParams:
    """Training settings (METHOD.md section 3.5-3.8); the CLI options and pipeline params repeat them."""

    epochs: int = 250
    lr: float = 1e-4
    weight_decay: float = 1e-5
    lambda_ppi: float = 1.0
    lambda_expr: float = 1.0
    lambda_corr: float = 0.0
    target_genes: str = "hvg"
    n_edge_batches: int = 5
    val_fraction: float = 0.2
    expr_val_fraction: float = 0.05
    eval_every: int = 10
    selection: str = "last"
    patience: int = 0
    prune_every: int = 30
    prune_percentile: float = 10.0
    prune_max_fraction: float = 0.1
    min_cell_degree: int = 5
    max_cells: int = 10000
    n_subsets: int = 10
    n_neighbors: int = 25
    precision: str = "auto"
    recompute: bool = False
    seed: int = 0


@dataclass
class TrainResult:
    """What :func:`train` returns: everything from the evaluation kept by ``params.selection``."""

    cell_embedding: np.ndarray  #: (C, 75)
    gene_embedding: pd.DataFrame  #: (G, 75), indexed by gene symbol
    #: (C, G) reconstructed log-normalised expression (:func:`expression_units` of the decoder output)
    reconstruction: np.ndarray
    knn: sp.csr_matrix  #: pruned cell graph at the best evaluation, symmetric, (C, C)
    history: pd.DataFrame
    summary: dict = field(default_factory=dict)
    #: the same run's outputs under other selection rules (``keep_rules`` of :func:`train`), by rule
    alternatives: dict = field(default_factory=dict)
    #: (G,) whether each gene's reconstruction was trained (``params.target_genes``)
    target: np.ndarray | None = None

    def reconstruction_anndata(self, adata: ad.AnnData) -> ad.AnnData:
        """The reconstruction as cells x model genes, with ``var["reconstruction_target"]``."""
        out = ad.AnnData(self.reconstruction.astype(np.float32, copy=False), obs=adata.obs.copy(),
                         var=adata.var[[]].copy())
        if self.target is not None:
            out.var["reconstruction_target"] = self.target
        out.uns["scnet"] = {"description": "scNET reconstruction in log-normalised expression units (decoder "
                            "output standardised per gene, then each gene's mean and sd); only genes with "
                            "var['reconstruction_target'] were trained"}
        return out


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


class _Optimizer:
    """Adam (lr, L2 weight decay) as the paper. Large models step inside backward (:class:`BackwardAdam`:
    one gradient alive at a time; with bfloat16 precision, bfloat16 encoder weights and moments); small ones
    use PyTorch's fused Adam, whose single kernel beats per-parameter hooks when there is no memory to save."""

    def __init__(self, model: torch.nn.Module, params: TrainParams, dtype: torch.dtype, n_params: int):
        self.in_backward = n_params >= LARGE_MODEL
        if self.in_backward:
            self.opt = BackwardAdam(model.parameters(), lr=params.lr, weight_decay=params.weight_decay,
                                    state_dtype=dtype)
        else:
            fused = next(model.parameters()).device.type in ("cpu", "cuda")
            self.opt = torch.optim.Adam(model.parameters(), lr=params.lr, weight_decay=params.weight_decay,
                                        fused=fused)

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


def _standardised_target_recon(recon: Tensor, mask: Tensor | None) -> Tensor:
    """The reconstruction of the target genes (``mask``; ``None``: ``recon`` holds only them), standardised
    per gene across cells as the target is."""
    r = recon if mask is None else recon[:, mask]
    return (r - r.mean(dim=0)) / (r.std(dim=0, unbiased=False) + 1e-5)


def _expression_loss(recon: Tensor, target: Tensor, mask: Tensor | None,
                     held: tuple[Tensor, Tensor] | None = None) -> Tensor:
    """MSE on the target genes (``mask``; ``None``: ``recon`` and ``target`` hold only them) after
    standardising the reconstruction per gene across cells, leaving out the held-out entries ``held``
    (rows, target-gene columns)."""
    sq = (_standardised_target_recon(recon, mask) - (target if mask is None else target[:, mask])) ** 2
    if held is None:
        return sq.mean()
    return sq.index_put(held, sq.new_zeros(())).sum() / (sq.numel() - held[0].numel())


def _correlation_loss(recon: Tensor, pos: Tensor, neg: Tensor) -> Tensor:
    """The authors' extra term: PPI pairs' reconstructed profiles correlate, random pairs do not."""
    z = (recon - recon.mean(dim=0)) / (recon.std(dim=0, unbiased=False) + 1e-5)
    r_pos = (z[:, pos[0]] * z[:, pos[1]]).mean(dim=0)
    r_neg = (z[:, neg[0]] * z[:, neg[1]]).mean(dim=0)
    return -torch.nn.functional.logsigmoid(r_pos).mean() - torch.nn.functional.logsigmoid(-r_neg).mean()


def train(adata: ad.AnnData, params: TrainParams = TrainParams(), model_config: ModelConfig = ModelConfig(), *,
          device: str = "auto", checkpoint: str | Path | None = None, progress: bool | None = None,
          keep_rules: tuple[str, ...] = ()) -> TrainResult:
    """Train scNET on the output of the ``graphs`` step.

    Parameters
    ----------
    adata
        Cells x model genes: log-normalised ``X``, ``varp["ppi"]``, ``var["highly_variable"]`` (the
        reconstruction target), ``obsp["connectivities"]`` and ``obsm["X_pca"]``. Not modified.
    params, model_config
        Training and architecture settings.
    device
        ``auto`` (CUDA if available), ``cpu`` or ``cuda``.
    checkpoint
        Where to write the best model's weights (``.pt``); not written when ``None``.
    progress
        A tqdm bar (``True``), log lines every few epochs (``False``), or ``None``: a bar on a terminal.
    keep_rules
        Other selection rules whose kept outputs to return too, in ``alternatives``: the rule only picks
        among evaluations, so one run answers every rule (without ``patience``, which watches
        ``params.selection``). Each kept evaluation's outputs stay in memory until the end.

    Returns
    -------
    :class:`TrainResult` from the evaluation that ``params.selection`` keeps (:mod:`scnetflow.selection`).
    """
    from sklearn.metrics import average_precision_score, roc_auc_score

    t_start = time.perf_counter()
    if "ppi" not in adata.varp:
        raise InputError("varp['ppi'] is missing; run the graphs step first")
    if adata.n_obs <= params.min_cell_degree:
        raise InputError(f"only {adata.n_obs} cells; need more than --min-cell-degree={params.min_cell_degree}")
    for rule in (params.selection, *keep_rules):
        if rule not in SELECTIONS:
            raise InputError(f"unknown selection rule {rule!r}; use one of {SELECTIONS}")
    if {params.selection, *keep_rules} & set(NEEDS_EXPRESSION) and params.expr_val_fraction <= 0:
        raise InputError(f"--selection {params.selection} scores held-out expression entries; set "
                         "--expr-val-fraction above 0")
    rules = list(dict.fromkeys((params.selection, *keep_rules)))  # params.selection first
    dev = resolve_device(device)
    from torch_geometric import seed_everything

    seed_everything(params.seed)  # Python's, NumPy's and torch's generators
    rng = np.random.default_rng(params.seed)

    subsets = _make_subsets(adata, params, rng)
    width = len(subsets[0].cells)
    G = adata.n_vars
    if params.target_genes not in TARGET_GENES:
        raise InputError(f"unknown target genes {params.target_genes!r}; use one of {TARGET_GENES}")
    mask_np = np.ones(G, bool)
    if params.target_genes == "hvg" and "highly_variable" in adata.var:
        mask_np = adata.var["highly_variable"].to_numpy(dtype=bool)
    mask = torch.as_tensor(mask_np, device=dev)
    _hold_out_expression(subsets, np.flatnonzero(mask_np), params.expr_val_fraction, rng)
    train_ppi, val_ppi, val_neg = _split_ppi(adata.varp["ppi"], params.val_fraction, rng)
    if len(val_ppi) == 0 or len(train_ppi) == 0:
        raise InputError(f"the PPI among model genes has {len(train_ppi) + len(val_ppi)} edges; too few to hold out "
                         "validation edges")
    ppi_graph = Graph.from_edge_index(_both_directions(train_ppi), G, model_config.encoder).to(dev)
    train_pos = torch.from_numpy(train_ppi.T.copy()).to(dev)
    edge_keys = sorted_edge_keys(ppi_graph.edge_index, G)
    val_pairs = torch.from_numpy(np.concatenate([val_ppi, val_neg]).T.copy()).to(dev)
    val_labels = np.r_[np.ones(len(val_ppi)), np.zeros(len(val_neg))]

    model = ScNET(G, width, model_config).to(dev)
    n_params = sum(p.numel() for p in model.parameters())
    dtype = resolve_precision(params.precision, dev)
    if dtype == torch.bfloat16 and n_params >= LARGE_MODEL:
        # The full-width encoder holds ~all weights (O(G^2 + C^2)); storing them in bfloat16 (updated with
        # stochastic rounding) halves their memory and drops autocast's cached bfloat16 copies.
        model.encoder.to(torch.bfloat16)
    model.recompute = params.recompute
    opt = _Optimizer(model, params, dtype, n_params)
    n_batches = params.n_edge_batches if len(subsets) == 1 else 1
    logger.info("train: %d cells x %d genes, %d PPI edges (%d held out), %d KNN edges, %d subset(s) of %d cells, "
                "%d edge batch(es), %s params, device %s, %s, seed %d", adata.n_obs, G, len(train_ppi) + len(val_ppi),
                len(val_ppi), sum(len(s.edges) for s in subsets), len(subsets), width, n_batches, f"{n_params:,}",
                dev, str(dtype).removeprefix("torch."), params.seed)

    # Training decodes only the target genes unless the correlation term needs every gene's reconstruction;
    # when every gene is a target there is nothing to select (no copy of the targets or the decoder weight).
    every_gene = bool(mask_np.all())
    target_genes = None if params.lambda_corr or every_gene else torch.as_tensor(np.flatnonzero(mask_np), device=dev)
    targets = [s.target.to(dev)[:, mask] if target_genes is not None else s.target.to(dev) for s in subsets]
    loss_mask = None if target_genes is not None or every_gene else mask  # the columns the loss still selects

    def run(sub: _Subset, edges: np.ndarray, genes: Tensor | None = None):
        knn = Graph.from_edge_index(_both_directions(edges), width, model_config.encoder).to(dev)
        with torch.autocast(dev.type, dtype=torch.bfloat16, enabled=dtype == torch.bfloat16):
            zg, zc, recon, alpha = model(sub.x.to(dev), knn, ppi_graph, genes)
        e = len(edges)  # both directions of an edge get the mean of their two scores
        return zg, zc, recon, ((alpha[:e] + alpha[e:]) / 2)

    def evaluate() -> tuple[dict, dict]:
        """Eval-mode outputs over every subset and edge batch, and the held-out criteria."""
        model.eval()
        zg_sum, zc, recon = 0, np.zeros((adata.n_obs, model_config.embedding_dim), np.float32), np.zeros((adata.n_obs, G), np.float32)
        count, held_pred, held_true = 0, [], []
        with torch.no_grad():
            for sub in subsets:
                zc_s, rec_s = 0, 0
                for batch in np.array_split(sub.edges, n_batches):
                    zg_b, zc_b, rec_b, _ = run(sub, batch)
                    zg_sum, zc_s, rec_s, count = zg_sum + zg_b, zc_s + zc_b, rec_s + rec_b, count + 1
                rec_s = rec_s / n_batches
                if sub.held is not None:
                    rows, cols = (h.to(dev) for h in sub.held)
                    held_pred.append(_standardised_target_recon(rec_s, mask)[rows, cols].cpu().numpy())
                    held_true.append(sub.target.to(dev)[:, mask][rows, cols].cpu().numpy())
                own = sub.cells[:sub.n_real]
                zc[own] = (zc_s / n_batches)[:sub.n_real].cpu().numpy()
                recon[own] = rec_s[:sub.n_real].cpu().numpy()
            zg = zg_sum / count
            scores = torch.sigmoid(ScNET.ppi_logits(zg, val_pairs)).cpu().numpy()
        model.train()
        crit = {"val_auroc": float(roc_auc_score(val_labels, scores)),
                "val_aupr": float(average_precision_score(val_labels, scores)),
                "val_expr_r": np.nan, "val_expr_mse": np.nan}
        if held_pred:
            p, t = np.concatenate(held_pred), np.concatenate(held_true)
            crit["val_expr_r"] = float(np.corrcoef(p, t)[0, 1]) if p.std() > 0 and t.std() > 0 else 0.0
            crit["val_expr_mse"] = float(np.mean((p - t) ** 2))
        return crit, {"zg": zg.cpu().numpy(), "zc": zc, "recon": recon}

    history, kept, attention_hist = [], dict.fromkeys(rules), None
    evals_since_best = 0
    show_bar = sys.stderr.isatty() if progress is None else progress
    log_every = max(1, params.epochs // 25)
    epochs = range(1, params.epochs + 1)
    if show_bar:
        from tqdm import tqdm

        epochs = tqdm(epochs, desc="train", unit="epoch", file=sys.stderr)
    model.train()
    for epoch in epochs:
        t0 = time.perf_counter()
        sums = np.zeros(4)
        steps = 0
        for k in rng.permutation(len(subsets)):
            sub = subsets[k]
            order = rng.permutation(len(sub.edges))
            sub.scores = np.zeros(len(sub.edges), np.float32)
            for idx in np.array_split(order, n_batches):
                zg, zc, recon, alpha = run(sub, sub.edges[idx], target_genes)
                neg = sample_non_edges(edge_keys, G, train_pos.shape[1])
                logits = ScNET.ppi_logits(zg, torch.cat([train_pos, neg], dim=1))
                labels = torch.cat([torch.ones(train_pos.shape[1]), torch.zeros(neg.shape[1])]).to(dev)
                loss_ppi = torch.nn.functional.binary_cross_entropy_with_logits(logits, labels)
                held = None if sub.held is None else tuple(h.to(dev) for h in sub.held)
                loss_expr = _expression_loss(recon, targets[k], loss_mask, held)
                loss = params.lambda_ppi * loss_ppi + params.lambda_expr * loss_expr
                loss_corr = torch.zeros(())
                if params.lambda_corr:
                    loss_corr = _correlation_loss(recon, train_pos, neg)
                    loss = loss + params.lambda_corr * loss_corr
                opt.step(loss)
                sub.scores[idx] = alpha.detach().cpu().numpy()
                sums += [loss.item(), loss_ppi.item(), loss_expr.item(), loss_corr.item()]
                steps += 1
        row = {"epoch": epoch, "loss": sums[0] / steps, "loss_ppi": sums[1] / steps, "loss_expr": sums[2] / steps,
               "loss_corr": sums[3] / steps, "val_auroc": np.nan, "val_aupr": np.nan, "val_expr_r": np.nan,
               "val_expr_mse": np.nan, "val_combined": np.nan,
               "n_knn_edges": sum(len(s.edges) for s in subsets), "n_pruned": 0}
        if params.prune_every and epoch % params.prune_every == 0 and epoch < params.epochs:
            if attention_hist is None:  # the paper shows this distribution before the first pruning
                counts, edges_ = np.histogram(np.concatenate([s.scores for s in subsets]), bins=50, range=(0, 1))
                attention_hist = {"epoch": epoch, "bin_edges": edges_.tolist(), "counts": counts.tolist()}
            for s in subsets:
                before = len(s.edges)
                s.edges = _prune(s.edges, s.scores, width, params)
                row["n_pruned"] += before - len(s.edges)
        if epoch % params.eval_every == 0 or epoch == params.epochs:
            crit, out = evaluate()
            crit["val_combined"] = selection_score("combined", epoch, crit["val_auroc"], crit["val_expr_r"])
            row.update(crit)
            evals_since_best += 1
            for rule in rules:
                score = selection_score(rule, epoch, crit["val_auroc"], crit["val_expr_r"])
                if kept[rule] is not None and score <= kept[rule]["score"]:
                    continue
                kept[rule] = {"score": score, **crit, "epoch": epoch, **out,
                              "knn": [(s.cells, s.n_real, s.edges.copy()) for s in subsets]}
                if rule == params.selection:
                    evals_since_best = 0
                    if checkpoint is not None:
                        torch.save({"state_dict": model.state_dict(), "model_config": dataclasses.asdict(model_config),
                                    "train_params": dataclasses.asdict(params), "genes": list(adata.var_names),
                                    "epoch": epoch, "selection": rule, **crit}, checkpoint)
        best = kept[params.selection]
        row["seconds"] = time.perf_counter() - t0
        history.append(row)
        if show_bar:
            epochs.set_postfix(loss=f"{row['loss']:.3f}", auroc=f"{best['val_auroc']:.3f}" if best else "-",
                               kept=best["epoch"] if best else "-")
        elif epoch % log_every == 0 or epoch == params.epochs:
            logger.info("epoch %d/%d loss %.4f (ppi %.4f, expr %.4f) val AUROC %s, expr r %s, %d KNN edges, "
                        "%.1f s elapsed", epoch, params.epochs, row["loss"], row["loss_ppi"], row["loss_expr"],
                        _fmt(row["val_auroc"]), _fmt(row["val_expr_r"]), row["n_knn_edges"],
                        time.perf_counter() - t_start)
        if params.patience and evals_since_best >= params.patience:
            logger.info("early stop at epoch %d: no gain of the %s criterion in %d evaluations", epoch,
                        params.selection, params.patience)
            break
    opt.remove()

    if attention_hist is None:  # no pruning happened: show the last epoch's scores
        counts, edges_ = np.histogram(np.concatenate([s.scores for s in subsets]), bins=50, range=(0, 1))
        attention_hist = {"epoch": history[-1]["epoch"], "bin_edges": edges_.tolist(), "counts": counts.tolist()}
    hist = pd.DataFrame(history)
    run_summary = {"epochs_run": int(hist["epoch"].iloc[-1]), "n_params": int(n_params), "device": str(dev),
                   "precision": str(dtype).removeprefix("torch."), "n_subsets": len(subsets), "subset_cells": width,
                   "n_edge_batches": n_batches, "knn_edges_start": int(hist["n_knn_edges"].iloc[0]),
                   "seconds_total": time.perf_counter() - t_start,
                   "seconds_per_epoch_median": float(np.median(hist["seconds"].to_numpy())),
                   "attention_histogram": attention_hist, "seed": params.seed}
    run_summary["n_target_genes"] = int(mask_np.sum())
    results = {rule: _kept_result(kept[rule], rule, adata, hist, run_summary) for rule in rules}
    for r in results.values():
        r.target = mask_np
    logger.info("train finished: kept epoch %d (selection %s): val AUROC %.3f (AUPR %.3f), expr r %s, %.1f s",
                best["epoch"], params.selection, best["val_auroc"], best["val_aupr"], _fmt(best["val_expr_r"]),
                run_summary["seconds_total"])
    result = results.pop(params.selection)
    result.alternatives = results
    return result


def _kept_result(best: dict, rule: str, adata: ad.AnnData, hist: pd.DataFrame, run_summary: dict) -> TrainResult:
    """A :class:`TrainResult` from the evaluation kept under ``rule``."""
    knn = _global_knn(best["knn"], adata.n_obs)
    summary = {"selection": rule, "best_epoch": best["epoch"], "best_val_auroc": best["val_auroc"],
               "best_val_aupr": best["val_aupr"], "best_val_expr_r": best["val_expr_r"],
               "best_val_expr_mse": best["val_expr_mse"], "knn_edges_best": int(knn.nnz // 2), **run_summary}
    genes = pd.DataFrame(best["zg"], index=pd.Index(adata.var_names, name="gene"),
                         columns=[f"scnet_{i}" for i in range(best["zg"].shape[1])])
    return TrainResult(best["zc"], genes, expression_units(best["recon"], adata.X), knn, hist, summary)


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


def _fmt(value: float) -> str:
    return "-" if np.isnan(value) else f"{value:.3f}"


def annotate(adata: ad.AnnData, result: TrainResult, params: TrainParams, model_config: ModelConfig) -> ad.AnnData:
    """Return a copy of ``adata`` with ``obsm["X_scnet"]``, ``obsp["scnet_connectivities"]``, ``varm["scnet"]``
    and ``uns["scnet"]`` (params, seed, version, best epoch and AUROC)."""
    from scnetflow import __version__

    out = adata.copy()
    out.obsm["X_scnet"] = result.cell_embedding
    out.obsp["scnet_connectivities"] = result.knn
    out.varm["scnet"] = result.gene_embedding.loc[out.var_names].to_numpy()
    flat = {k: v for k, v in result.summary.items() if not isinstance(v, dict)}
    out.uns["scnet"] = {"params": {**dataclasses.asdict(params), **dataclasses.asdict(model_config)},
                        "version": __version__, **flat}
    return out
