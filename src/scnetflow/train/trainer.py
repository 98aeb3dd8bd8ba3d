"""The training loop: :class:`Trainer` fits scNET on one sample; :func:`train` runs it.

One code path serves small and large data: cells are split into ``n_subsets`` fixed random subsets (one
subset, all cells, below ``max_cells``), each with its own KNN graph; an epoch takes one optimiser step
per KNN edge mini-batch (``n_edge_batches`` with one subset, the whole subset graph otherwise). Every
``eval_every`` epochs an eval-mode pass over every subset and edge batch scores the held-out PPI edges
and expression entries; each selection rule keeps its best evaluation's outputs (the rule of
``params.selection`` also writes its weights to ``checkpoint``). Every ``prune_every`` epochs KNN edges
are pruned by attention with the paper's rule.
"""

from __future__ import annotations

import contextlib
import dataclasses
import logging
import sys
import time
from pathlib import Path

import anndata as ad
import numpy as np
import pandas as pd
import torch
from sklearn.metrics import average_precision_score, roc_auc_score  # at import: not mid-training, where a signal lands
from torch import Tensor

from scnetflow.errors import InputError
from scnetflow.model import Graph, ModelConfig, ScNET
from scnetflow.train.averaging import WeightAverage
from scnetflow.train.data import (Subset, both_directions, hold_out_expression, make_subsets, random_batches,
                                  sample_non_edges, sorted_edge_keys, split_ppi)
from scnetflow.train.losses import correlation_loss, expression_loss, standardised_target_recon
from scnetflow.train.params import TARGET_GENES, TrainParams
from scnetflow.train.pruning import prune
from scnetflow.train.result import TrainResult, kept_result
from scnetflow.train.runtime import LARGE_MODEL, Optimizer, resolve_device, resolve_precision
from scnetflow.train.selection import NEEDS_EXPRESSION, SELECTIONS, selection_score

logger = logging.getLogger(__name__)

#: second word of the evaluation's generator seed, ``(params.seed, EVAL_STREAM)``: a stream apart from training's
EVAL_STREAM = 1


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
        Where to write the kept model's weights (``.pt``); not written when ``None``.
    progress
        A tqdm bar (``True``), log lines every few epochs (``False``), or ``None``: a bar on a terminal.
    keep_rules
        Other selection rules whose kept outputs to return too, in ``alternatives``: the rule only picks
        among evaluations, so one run answers every rule (without ``patience``, which watches
        ``params.selection``). Each kept evaluation's outputs stay in memory until the end.

    Returns
    -------
    :class:`TrainResult` from the evaluation that ``params.selection`` keeps (:mod:`scnetflow.train.selection`).
    """
    return Trainer(adata, params, model_config, device=device, keep_rules=keep_rules).fit(checkpoint, progress)


def _check(adata: ad.AnnData, params: TrainParams, keep_rules: tuple[str, ...]) -> None:
    """Refuse inputs and settings the run cannot use, before any work."""
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
    if params.target_genes not in TARGET_GENES:
        raise InputError(f"unknown target genes {params.target_genes!r}; use one of {TARGET_GENES}")


class Trainer:
    """One training run of scNET on one sample (see :func:`train` for the arguments).

    Building it draws the cell subsets, the held-out expression entries and the held-out PPI edges (in that
    order, from ``params.seed``) and the model's initial weights; :meth:`fit` runs the epochs.
    """

    def __init__(self, adata: ad.AnnData, params: TrainParams = TrainParams(),
                 model_config: ModelConfig = ModelConfig(), *, device: str = "auto", keep_rules: tuple[str, ...] = ()):
        from torch_geometric import seed_everything

        _check(adata, params, keep_rules)
        self.t_start = time.perf_counter()
        self.adata, self.params, self.model_config = adata, params, model_config
        self.rules = list(dict.fromkeys((params.selection, *keep_rules)))  # params.selection first
        self.dev = dev = resolve_device(device)
        seed_everything(params.seed)  # Python's, NumPy's and torch's generators
        self.rng = np.random.default_rng(params.seed)

        self.subsets = make_subsets(adata, params, self.rng)
        self.width, G = len(self.subsets[0].cells), adata.n_vars
        self.target = np.ones(G, bool)  # the reconstruction's target genes
        if params.target_genes == "hvg" and "highly_variable" in adata.var:
            self.target = adata.var["highly_variable"].to_numpy(dtype=bool)
        self.mask = torch.as_tensor(self.target, device=dev)
        hold_out_expression(self.subsets, np.flatnonzero(self.target), params.expr_val_fraction, self.rng)
        self._split_ppi()

        self.model = ScNET(G, self.width, model_config).to(dev)
        self.model_config = self.model.config  # "auto" encoder and init resolved for this size
        self.n_params = sum(p.numel() for p in self.model.parameters())
        self.dtype = resolve_precision(params.precision, dev)
        if self.dtype == torch.bfloat16 and self.n_params >= LARGE_MODEL:
            # The full-width encoder holds ~all weights (O(G^2 + C^2)); storing them in bfloat16 (updated with
            # stochastic rounding) halves their memory and drops autocast's cached bfloat16 copies.
            self.model.encoder.to(torch.bfloat16)
        self.opt = Optimizer(self.model, params, self.dtype, self.n_params)
        self.average = WeightAverage(self.model, params.ema_decay) if params.ema_decay else None
        self.n_batches = params.n_edge_batches if len(self.subsets) == 1 else 1
        self._select_target_columns()
        self.history: list[dict] = []
        self.kept: dict[str, dict | None] = dict.fromkeys(self.rules)
        self.attention_hist: dict | None = None
        self.evals_since_best = 0
        self._log_start()

    def _split_ppi(self) -> None:
        """Held-out PPI edges and non-edges; the training PPI graph and its non-edge lookup table."""
        train_ppi, val_ppi, val_neg = split_ppi(self.adata.varp["ppi"], self.params.val_fraction, self.rng,
                                                self.params.val_split)
        n_edges = len(train_ppi) + len(val_ppi)
        if len(val_ppi) == 0 or len(train_ppi) == 0:
            hint = "; --val-split uniform may hold some out" if self.params.val_split == "keep_degree" else ""
            raise InputError(f"the PPI among model genes has {n_edges} edges; too few to hold out validation "
                             f"edges{hint}")
        G, dev = self.adata.n_vars, self.dev
        self.n_ppi_edges, self.n_val_edges = n_edges, len(val_ppi)
        self.ppi_graph = Graph.from_edge_index(both_directions(train_ppi), G).to(dev)
        self.train_pos = torch.from_numpy(train_ppi.T.copy()).to(dev)
        self.edge_keys = sorted_edge_keys(self.ppi_graph.edge_index, G)
        self.val_pairs = torch.from_numpy(np.concatenate([val_ppi, val_neg]).T.copy()).to(dev)
        self.val_labels = np.r_[np.ones(len(val_ppi)), np.zeros(len(val_neg))]

    def _select_target_columns(self) -> None:
        """Training decodes only the target genes unless the correlation term needs every gene's
        reconstruction; when every gene is a target there is nothing to select (no copy of the targets or
        the decoder weight)."""
        every_gene = bool(self.target.all())
        self.target_genes = None if self.params.lambda_corr or every_gene else \
            torch.as_tensor(np.flatnonzero(self.target), device=self.dev)
        select = self.target_genes is not None
        self.targets = [s.target.to(self.dev)[:, self.mask] if select else s.target.to(self.dev) for s in self.subsets]
        self.loss_mask = None if select or every_gene else self.mask  # the columns the loss still selects

    def _log_start(self) -> None:
        a = self.adata
        c = self.model_config
        logger.info("train: %d cells x %d genes, %d PPI edges (%d held out), %d KNN edges, %d subset(s) of %d "
                    "cells, %d edge batch(es), encoder %s (init %s), %s params, device %s, %s, weight average %s, "
                    "seed %d", a.n_obs, a.n_vars, self.n_ppi_edges, self.n_val_edges,
                    sum(len(s.edges) for s in self.subsets), len(self.subsets), self.width, self.n_batches, c.encoder,
                    c.encoder_init, f"{self.n_params:,}", self.dev, str(self.dtype).removeprefix("torch."),
                    f"decay {self.params.ema_decay:g}" if self.average is not None else "off", self.params.seed)

    def forward(self, sub: Subset, edges: np.ndarray, genes: Tensor | None = None,
                cell_embedding_aggr: str | None = None):
        """The model on one subset with the KNN ``edges`` (E, 2); attention is the mean of an edge's two
        directions."""
        knn = Graph.from_edge_index(both_directions(edges), self.width).to(self.dev)
        with torch.autocast(self.dev.type, dtype=torch.bfloat16, enabled=self.dtype == torch.bfloat16):
            zg, zc, recon, alpha = self.model(sub.x.to(self.dev), knn, self.ppi_graph, genes, cell_embedding_aggr)
        e = len(edges)
        return zg, zc, recon, ((alpha[:e] + alpha[e:]) / 2)

    def step(self, k: int, idx: np.ndarray) -> np.ndarray:
        """One optimiser step on subset ``k`` with its KNN edges ``idx``; returns the four losses."""
        sub, p, dev = self.subsets[k], self.params, self.dev
        zg, zc, recon, alpha = self.forward(sub, sub.edges[idx], self.target_genes)
        neg = sample_non_edges(self.edge_keys, self.adata.n_vars, self.train_pos.shape[1])
        logits = ScNET.ppi_logits(zg, torch.cat([self.train_pos, neg], dim=1))
        labels = torch.cat([torch.ones(self.train_pos.shape[1]), torch.zeros(neg.shape[1])]).to(dev)
        loss_ppi = torch.nn.functional.binary_cross_entropy_with_logits(logits, labels)
        held = None if sub.held is None else tuple(h.to(dev) for h in sub.held)
        loss_expr = expression_loss(recon, self.targets[k], self.loss_mask, held)
        loss = p.lambda_ppi * loss_ppi + p.lambda_expr * loss_expr
        loss_corr = torch.zeros(())
        if p.lambda_corr:
            loss_corr = correlation_loss(recon, self.train_pos, neg)
            loss = loss + p.lambda_corr * loss_corr
        self.opt.step(loss)
        if self.average is not None:
            self.average.update()
        sub.scores[idx] = alpha.detach().cpu().numpy()
        return np.array([loss.item(), loss_ppi.item(), loss_expr.item(), loss_corr.item()])

    def train_epoch(self, epoch: int) -> dict:
        """Every subset in random order, each in random edge batches; the epoch's mean losses."""
        sums, steps = np.zeros(4), 0
        for k in self.rng.permutation(len(self.subsets)):
            sub = self.subsets[k]
            batches = random_batches(len(sub.edges), self.n_batches, self.rng)
            sub.scores = np.zeros(len(sub.edges), np.float32)
            for idx in batches:
                sums += self.step(k, idx)
                steps += 1
        return {"epoch": epoch, "loss": sums[0] / steps, "loss_ppi": sums[1] / steps, "loss_expr": sums[2] / steps,
                "loss_corr": sums[3] / steps, "val_auroc": np.nan, "val_aupr": np.nan, "val_expr_r": np.nan,
                "val_expr_mse": np.nan, "val_combined": np.nan,
                "n_knn_edges": sum(len(s.edges) for s in self.subsets), "n_pruned": 0}

    def _attention_histogram(self, epoch: int) -> dict:
        counts, edges = np.histogram(np.concatenate([s.scores for s in self.subsets]), bins=50, range=(0, 1))
        return {"epoch": epoch, "bin_edges": edges.tolist(), "counts": counts.tolist()}

    def prune(self, epoch: int) -> int:
        """The paper's pruning of every subset's KNN edges by their latest attention; edges removed."""
        if self.attention_hist is None:  # the paper shows this distribution before the first pruning
            self.attention_hist = self._attention_histogram(epoch)
        removed = 0
        for s in self.subsets:
            before = len(s.edges)
            s.edges = prune(s.edges, s.scores, self.width, self.params)
            removed += before - len(s.edges)
        return removed

    def eval_batches(self, edges: np.ndarray, rng: np.random.Generator,
                     partitions: int | None = None) -> list[np.ndarray]:
        """The KNN edge batches (each (E_b, 2)) an evaluation averages over: ``params.eval_partitions`` random
        partitions into ``n_batches``, as :meth:`train_epoch` draws them, so each cell meets about 1/n_batches of
        its edges per batch as in training (contiguous batches of the sorted edges give a cell most of its edges
        in one batch and few in the others); 0: contiguous batches. ``rng`` is the evaluation's own generator,
        so training's random stream is the same whatever this draws. ``partitions`` in place of
        ``params.eval_partitions``: the batches another setting of it would give."""
        partitions = self.params.eval_partitions if partitions is None else partitions
        if self.n_batches == 1:
            return [edges]
        if partitions == 0:
            return np.array_split(edges, self.n_batches)
        return [edges[idx] for _ in range(partitions)
                for idx in random_batches(len(edges), self.n_batches, rng)]

    @torch.no_grad()
    def evaluate(self) -> tuple[dict, dict]:
        """Eval-mode outputs over every subset and edge batch, and the held-out criteria."""
        a, dev = self.adata, self.dev
        self.model.eval()
        zg_sum, count, held_pred, held_true = 0, 0, [], []
        zc = np.zeros((a.n_obs, self.model_config.embedding_dim), np.float32)
        recon = np.zeros((a.n_obs, a.n_vars), np.float32)
        rng = np.random.default_rng([self.params.seed, EVAL_STREAM])  # the same partitions at every evaluation
        for sub in self.subsets:
            zc_s, rec_s = 0, 0
            batches = self.eval_batches(sub.edges, rng)
            for batch in batches:
                zg_b, zc_b, rec_b, _ = self.forward(sub, batch, cell_embedding_aggr=self.params.cell_embedding_aggr)
                zg_sum, zc_s, rec_s, count = zg_sum + zg_b, zc_s + zc_b, rec_s + rec_b, count + 1
            rec_s = rec_s / len(batches)
            if sub.held is not None:
                rows, cols = (h.to(dev) for h in sub.held)
                held_pred.append(standardised_target_recon(rec_s, self.mask)[rows, cols].cpu().numpy())
                held_true.append(sub.target.to(dev)[:, self.mask][rows, cols].cpu().numpy())
            own = sub.cells[:sub.n_real]
            zc[own] = (zc_s / len(batches))[:sub.n_real].cpu().numpy()
            recon[own] = rec_s[:sub.n_real].cpu().numpy()
        zg = zg_sum / count
        scores = torch.sigmoid(ScNET.ppi_logits(zg, self.val_pairs)).cpu().numpy()
        self.model.train()
        crit = {"val_auroc": float(roc_auc_score(self.val_labels, scores)),
                "val_aupr": float(average_precision_score(self.val_labels, scores)),
                "val_expr_r": np.nan, "val_expr_mse": np.nan}
        if held_pred:
            p, t = np.concatenate(held_pred), np.concatenate(held_true)
            crit["val_expr_r"] = float(np.corrcoef(p, t)[0, 1]) if p.std() > 0 and t.std() > 0 else 0.0
            crit["val_expr_mse"] = float(np.mean((p - t) ** 2))
        crit["val_combined"] = selection_score("combined", 0, crit["val_auroc"], crit["val_expr_r"])
        return crit, {"zg": zg.cpu().numpy(), "zc": zc, "recon": recon}

    def keep(self, epoch: int, crit: dict, out: dict, checkpoint: str | Path | None) -> None:
        """Keep this evaluation for every rule it scores best under (ties keep the earlier one); the rule of
        ``params.selection`` also writes the weights to ``checkpoint``."""
        self.evals_since_best += 1
        for rule in self.rules:
            score = selection_score(rule, epoch, crit["val_auroc"], crit["val_expr_r"])
            if self.kept[rule] is not None and score <= self.kept[rule]["score"]:
                continue
            self.kept[rule] = {"score": score, **crit, "epoch": epoch, **out,
                               "knn": [(s.cells, s.n_real, s.edges.copy()) for s in self.subsets]}
            if rule != self.params.selection:
                continue
            self.evals_since_best = 0
            if checkpoint is not None:
                torch.save({"state_dict": self.model.state_dict(),
                            "model_config": dataclasses.asdict(self.model_config),
                            "train_params": dataclasses.asdict(self.params), "genes": list(self.adata.var_names),
                            "epoch": epoch, "selection": rule, **crit}, checkpoint)

    def fit(self, checkpoint: str | Path | None = None, progress: bool | None = None) -> TrainResult:
        """Run the epochs (evaluating, pruning, keeping and stopping early as ``params`` says)."""
        p = self.params
        show_bar = sys.stderr.isatty() if progress is None else progress
        epochs = range(1, p.epochs + 1)
        if show_bar:
            from tqdm import tqdm

            epochs = tqdm(epochs, desc="train", unit="epoch", file=sys.stderr)
        self.model.train()
        for epoch in epochs:
            t0 = time.perf_counter()
            row = self.train_epoch(epoch)
            if p.prune_every and epoch % p.prune_every == 0 and epoch < p.epochs:
                row["n_pruned"] = self.prune(epoch)
            if epoch % p.eval_every == 0 or epoch == p.epochs:
                with self.average.applied() if self.average is not None else contextlib.nullcontext():
                    crit, out = self.evaluate()
                    self.keep(epoch, crit, out, checkpoint)  # the checkpoint holds the weights evaluated
                row.update(crit)
            row["seconds"] = time.perf_counter() - t0
            self.history.append(row)
            self._report(row, epochs if show_bar else None)
            if p.patience and self.evals_since_best >= p.patience:
                logger.info("early stop at epoch %d: no gain of the %s criterion in %d evaluations", epoch,
                            p.selection, p.patience)
                break
        self.opt.remove()
        return self._results()

    def _report(self, row: dict, bar) -> None:
        best, p = self.kept[self.params.selection], self.params
        if bar is not None:
            bar.set_postfix(loss=f"{row['loss']:.3f}", auroc=f"{best['val_auroc']:.3f}" if best else "-",
                            kept=best["epoch"] if best else "-")
        elif row["epoch"] % max(1, p.epochs // 25) == 0 or row["epoch"] == p.epochs:
            logger.info("epoch %d/%d loss %.4f (ppi %.4f, expr %.4f) val AUROC %s, expr r %s, %d KNN edges, "
                        "%.1f s elapsed", row["epoch"], p.epochs, row["loss"], row["loss_ppi"], row["loss_expr"],
                        _fmt(row["val_auroc"]), _fmt(row["val_expr_r"]), row["n_knn_edges"],
                        time.perf_counter() - self.t_start)

    def _results(self) -> TrainResult:
        """The kept outputs of ``params.selection``, with the other rules' in ``alternatives``."""
        hist = pd.DataFrame(self.history)
        if self.attention_hist is None:  # no pruning happened: show the last epoch's scores
            self.attention_hist = self._attention_histogram(int(hist["epoch"].iloc[-1]))
        run_summary = {"epochs_run": int(hist["epoch"].iloc[-1]), "n_params": int(self.n_params),
                       "encoder": self.model_config.encoder, "encoder_init": self.model_config.encoder_init,
                       "device": str(self.dev), "precision": str(self.dtype).removeprefix("torch."),
                       "threads": torch.get_num_threads(),
                       "lr": self.params.lr, "gene_encoder_lr_scale": self.params.gene_encoder_lr_scale,
                       "val_split": self.params.val_split, "n_val_edges": int(self.n_val_edges),
                       "ema_decay": self.params.ema_decay, "cell_embedding_norm": self.params.cell_embedding_norm,
                       "cell_embedding_aggr": self.params.cell_embedding_aggr,
                       "n_subsets": len(self.subsets), "subset_cells": self.width, "n_edge_batches": self.n_batches,
                       "eval_partitions": self.params.eval_partitions,
                       "knn_edges_start": int(hist["n_knn_edges"].iloc[0]),
                       "seconds_total": time.perf_counter() - self.t_start,
                       "seconds_per_epoch_median": float(np.median(hist["seconds"].to_numpy())),
                       "attention_histogram": self.attention_hist, "seed": self.params.seed,
                       "n_target_genes": int(self.target.sum())}
        results = {rule: kept_result(self.kept[rule], rule, self.adata, hist, run_summary,
                                     self.params.cell_embedding_norm) for rule in self.rules}
        for r in results.values():
            r.target = self.target
        best = self.kept[self.params.selection]
        logger.info("train finished: kept epoch %d (selection %s): val AUROC %.3f (AUPR %.3f), expr r %s, %.1f s",
                    best["epoch"], self.params.selection, best["val_auroc"], best["val_aupr"],
                    _fmt(best["val_expr_r"]), run_summary["seconds_total"])
        result = results.pop(self.params.selection)
        result.alternatives = results
        return result


def _fmt(value: float) -> str:
    return "-" if np.isnan(value) else f"{value:.3f}"
