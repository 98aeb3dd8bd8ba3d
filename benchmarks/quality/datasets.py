"""The quality suite's fixed panel of real datasets (``../shared/data``, see its SOURCES.md).

Each dataset has one or more samples (trained separately), a label column, the preprocessing
overrides of its samples, where its marker genes come from, and (Kang) a two-condition GSEA.

- ``cellbench_10x``: the CellBench 10x subset (895 cells x 894 Cepo genes; 165 model genes).
- ``cellbench_celseq2``, ``cellbench_dropseq``: full CEL-seq2 / Drop-seq count matrices with
  ``graphs.model_genes = "hvg"`` (1,165 / 1,497 model genes). With all expressed genes their models have
  0.55-0.73 billion parameters and take 34-49 s per epoch here (docs/benchmarks.md), about 3 h for
  250 epochs; a setting with ``"graphs.model_genes" = "expressed"`` trains that model.
- ``kang``: Kang IFN-beta PBMC split by condition, ``kang_ctrl`` and ``kang_stim`` trained separately on
  all expressed PPI genes (as ``benchmarks/run_kang_conditions.sh``).

Marker genes never come from the scored sample's own expression: a CellBench sample's markers are the
top-10 Wilcoxon genes per cell line on the *other two protocols* (same cell lines, other cells and
chemistry); Kang's are the canonical PBMC markers of :data:`scnetflow.quality.PBMC_MARKERS`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class Sample:
    name: str
    label: str
    path: str  # relative to shared/data
    metadata: str | None = None  # sc_mixology metadata CSV (labels), relative to shared/data
    condition: str | None = None  # keep only these cells (obs["condition"])
    qc: dict = field(default_factory=dict)
    graphs: dict = field(default_factory=dict)

    def load(self, data: Path):
        """Raw counts (cells x symbols) with the label column (and ``condition``) in ``obs``."""
        import pandas as pd

        from scnetflow.io import map_ensembl_to_symbols, read_counts

        a = map_ensembl_to_symbols(read_counts(data / self.path))
        if self.metadata:
            meta = pd.read_csv(data / self.metadata, index_col=0)
            a = a[a.obs_names.isin(meta.index)].copy()
            a.obs[self.label] = meta.loc[a.obs_names, self.label].astype(str).to_numpy()
        if self.condition:
            a = a[a.obs["condition"].astype(str) == self.condition].copy()
        return a


@dataclass(frozen=True)
class Dataset:
    samples: tuple[Sample, ...]
    markers: Callable  # (sample, graphs_path, qc_path_of(sample)) -> {label: genes}
    gsea: Callable | None = None  # ({sample: (run dir, scores)}) -> condition_gsea summary


def _model_genes(graphs_path: Path) -> list[str]:
    import anndata as ad

    return list(ad.read_h5ad(graphs_path, backed="r").var_names)


def _cross_protocol(sample: Sample, graphs_path: Path, qc_path_of) -> dict:
    import anndata as ad

    from scnetflow.quality import marker_genes

    refs = [ad.read_h5ad(qc_path_of(s)) for s in CELLBENCH if s.name != sample.name]
    return marker_genes(refs, sample.label, n_genes=10, universe=_model_genes(graphs_path))


def _pbmc(sample: Sample, graphs_path: Path, qc_path_of) -> dict:
    from scnetflow.quality import PBMC_MARKERS

    genes = set(_model_genes(graphs_path))
    return {t: [g for g in ms if g in genes] for t, ms in PBMC_MARKERS.items() if any(g in genes for g in ms)}


def _kang_gsea(runs: dict) -> dict:
    import anndata as ad

    from scnetflow.quality import condition_gsea

    names = ("kang_ctrl", "kang_stim")
    samples = [ad.read_h5ad(runs[n][0] / f"{n}.scnet.h5ad") for n in names]
    recons = [ad.read_h5ad(runs[n][0] / f"{n}.reconstructed.h5ad") for n in names]
    return condition_gsea(samples, recons, conditions=("CTRL", "STIM"), cell_type="CD14 Mono", label_key="cell_type")


CB = "cellbench/"
CELLBENCH = (
    Sample("cellbench_10x", "cell_line", CB + "cellbench_10x_3cl_cepo_subset.h5ad"),
    Sample("cellbench_celseq2", "cell_line", CB + "sc_celseq2.count.csv.gz", CB + "sc_celseq2.metadata.csv.gz",
           graphs={"model_genes": "hvg"}),
    Sample("cellbench_dropseq", "cell_line", CB + "sc_dropseq.count.csv.gz", CB + "sc_dropseq.metadata.csv.gz",
           graphs={"model_genes": "hvg"}),
)
KANG = "two_condition/kang_ifnb_2000cells.h5ad"

DATASETS: dict[str, Dataset] = {
    **{s.name: Dataset((s,), _cross_protocol) for s in CELLBENCH},
    "kang": Dataset((Sample("kang_ctrl", "cell_type", KANG, condition="CTRL"),
                     Sample("kang_stim", "cell_type", KANG, condition="STIM")), _pbmc, _kang_gsea),
}
