"""The verdict of one sample: each scNET output against its baseline on the same cells and genes.

The numbers are read from the steps' outputs wherever a step computes them, so they equal those files;
the rest comes from the quality suite's functions (:mod:`scnetflow.quality`) on the step outputs:

- cell embedding (``X_scnet``) vs PCA: with labels, max Leiden ARI from ``<prefix>.cluster_eval.json``;
  without, the label-free kNN held-out-gene r (:func:`scnetflow.quality.knn_heldout_r` on the
  ``scnet.h5ad`` and the ``qc.h5ad``, which has the genes neither representation was built from);
- co-embedded network vs co-expression: modularity from ``<prefix>.modularity.tsv`` at the percentile of
  the network evaluate-network scored (:func:`coembed_percentile`);
- co-embedded network vs the PPI: mean pathway AUPR from ``<prefix>.network_eval.json``
  (:func:`scnetflow.quality.network_scores`);
- reconstructed vs original expression: marker AUPR per cell type, mean over types
  (:func:`scnetflow.quality.reconstruction_scores` on the ``scnet.h5ad`` and ``reconstructed.h5ad``), with
  markers never chosen on the scored sample (:func:`pick_markers`).

Each sign is :func:`scnetflow.quality.verdict` with :data:`scnetflow.quality.TOLERANCES`, the quality
suite's definitions, and the score keys are the suite's (``ari_scnet``, ``modularity_coembed_p99``, ...).
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from scnetflow import quality as Q
from scnetflow.errors import InputError

logger = logging.getLogger(__name__)

#: words shown for each sign.
SIGN_TEXT = {"better": "better", "same": "same within noise", "worse": "worse", "n/a": "not available"}


@dataclass
class Measure:
    """One row of a verdict: scNET's value against its baseline, with the sign."""

    output: str  # "cell embedding"
    measure: str  # "max ARI vs cell_type"
    baseline_name: str  # "PCA"
    value_key: str  # the quality suite's score key, e.g. "ari_scnet"
    baseline_key: str
    tolerance_key: str  # key of quality.TOLERANCES
    value: float | None = None
    baseline: float | None = None
    source: str = ""  # the file(s) the numbers come from
    note: str = ""  # why it is not available

    @property
    def tolerance(self) -> float:
        return Q.TOLERANCES[self.tolerance_key]

    @property
    def sign(self) -> str:
        if self.value is None or self.baseline is None:
            return "n/a"
        return Q.verdict(self.value, self.baseline, self.tolerance)


@dataclass
class Verdict:
    """All measures of one sample plus the tables behind the figures (``None`` where absent)."""

    sample: str
    measures: list[Measure]
    label_key: str | None = None
    percentile: float | None = None
    cluster_table: pd.DataFrame | None = field(default=None, repr=False)
    knn: dict | None = field(default=None, repr=False)
    modularity: pd.DataFrame | None = field(default=None, repr=False)
    networks: dict | None = field(default=None, repr=False)
    markers: pd.DataFrame | None = field(default=None, repr=False)

    def scores(self) -> dict[str, float]:
        """The numbers as the quality suite's flat score dict (``{"ari_scnet": ..., "ari_pca": ...}``)."""
        out = {}
        for m in self.measures:
            if m.value is not None and m.baseline is not None:
                out[m.value_key], out[m.baseline_key] = m.value, m.baseline
        return out


def _json(path: Path | None) -> dict | None:
    return None if path is None else json.loads(Path(path).read_text())


def _label_key(cluster_json: dict | None, scnet_h5ad: Path | None) -> str | None:
    """The label column: cluster-eval's, else the qc step's record in ``uns['sample']``; ``None`` if unlabelled."""
    if cluster_json is not None:
        key = cluster_json.get("label_key")
        reps = cluster_json.get("representations", {})
        return key if key and any("max_ari" in r for r in reps.values()) else None
    if scnet_h5ad is not None:
        import anndata as ad

        from scnetflow.labels import label_key_of

        a = ad.read_h5ad(scnet_h5ad, backed="r")
        try:
            key = label_key_of(a)
            return key if key is not None and a.obs[key].nunique() >= 2 else None
        finally:
            a.file.close()
    return None


def coembed_percentile(modularity: pd.DataFrame, network_eval: dict | None) -> float | None:
    """The percentile of the co-embedded network the pipeline went on with: the one whose edge count equals
    the network evaluate-network scored; else the coembed step's default (99) when evaluated; else the highest."""
    co = modularity[modularity["network"] == "coembed"]
    if co.empty:
        return None
    n_edges = ((network_eval or {}).get("networks", {}).get("coembed") or {}).get("n_edges")
    hit = co[co["n_edges"] == n_edges] if n_edges is not None else co.iloc[0:0]
    if len(hit):
        return float(hit["percentile"].iloc[0])
    from scnetflow.coembed import CoembedParams

    default = float(CoembedParams().percentile)
    return default if (co["percentile"] == default).any() else float(co["percentile"].max())


def pick_markers(adata, label_key: str, others: list[Path]) -> tuple[dict[str, list[str]], str]:
    """Marker genes for ``adata``'s labels, never chosen on ``adata`` itself (as the quality suite):
    the canonical PBMC markers when at least two labels are PBMC types; else the top Wilcoxon genes of
    each label on the other samples (``others``: their scnet.h5ad) that have the same label column."""
    import anndata as ad

    labels = set(adata.obs[label_key].astype(str))
    genes = set(adata.var_names)
    pbmc = {t: [g for g in ms if g in genes] for t, ms in Q.PBMC_MARKERS.items() if t in labels}
    pbmc = {t: ms for t, ms in pbmc.items() if ms}
    if len(pbmc) >= 2:
        return pbmc, "canonical PBMC markers (scnetflow.quality.PBMC_MARKERS)"
    refs = []
    for p in others:
        r = ad.read_h5ad(p)
        if label_key in r.obs and set(r.obs[label_key].astype(str)) & labels:
            refs.append(r)
    if not refs:
        return {}, ""
    m = Q.marker_genes(refs, label_key, n_genes=10, universe=list(adata.var_names))
    return {t: g for t, g in m.items() if t in labels and g}, f"top-10 Wilcoxon genes on {len(refs)} other sample(s)"


def sample_verdict(group, others: list[Path] = ()) -> Verdict:
    """The verdict of one sample (a :class:`scnetflow.report.ResultGroup`), from its step outputs.

    Parameters
    ----------
    group
        The sample's result files.
    others
        scnet.h5ad files of the other samples (marker genes for a non-PBMC labelled sample come from them).
    """
    f = group.files
    ce = _json(f.get("cluster_eval_json"))
    ne = _json(f.get("network_eval"))
    label_key = _label_key(ce, f.get("scnet_h5ad"))
    v = Verdict(group.name, [], label_key=label_key)

    # cell embedding vs PCA
    if label_key is not None:
        m = Measure("cell embedding", f"max Leiden ARI vs {label_key}", "PCA", "ari_scnet", "ari_pca", "max_ari",
                    source=f.get("cluster_eval_json").name if f.get("cluster_eval_json") else "")
        reps = (ce or {}).get("representations", {})
        if "X_scnet" in reps and "X_pca" in reps:
            m.value, m.baseline = reps["X_scnet"].get("max_ari"), reps["X_pca"].get("max_ari")
            if "cluster_eval" in f:
                v.cluster_table = pd.read_csv(f["cluster_eval"], sep="\t")
        else:
            m.note = "cluster-eval results (<prefix>.cluster_eval.json) not found"
    else:
        m = Measure("cell embedding", "kNN held-out-gene r (no labels)", "PCA", "knn_r_scnet", "knn_r_pca",
                    "knn_heldout_r")
        if "scnet_h5ad" in f and "qc_h5ad" in f:
            import anndata as ad

            kr = Q.knn_heldout_r(ad.read_h5ad(f["scnet_h5ad"]), ad.read_h5ad(f["qc_h5ad"]))
            m.value, m.baseline = kr["X_scnet"]["r_mean"], kr["X_pca"]["r_mean"]
            m.source = f"{f['scnet_h5ad'].name} + {f['qc_h5ad'].name}"
            v.knn = kr
        else:
            m.note = "no labels, and the label-free measure needs <prefix>.scnet.h5ad and <prefix>.qc.h5ad"
    v.measures.append(m)

    # co-embedded network vs co-expression: modularity at the network's threshold
    m = Measure("co-embedded network", "modularity", "co-expression", "", "", "modularity")
    if "modularity" in f:
        t = pd.read_csv(f["modularity"], sep="\t")
        p = coembed_percentile(t, ne)
        v.modularity, v.percentile = t, p
        at = t[t["percentile"] == p].set_index("network")["modularity"] if p is not None else pd.Series(dtype=float)
        m.measure = f"modularity at the {p:g}th percentile of |r|" if p is not None else "modularity"
        m.value_key, m.baseline_key = f"modularity_coembed_p{p:g}", f"modularity_coexpr_p{p:g}"
        if "coembed" in at and "coexpr" in at:
            m.value, m.baseline = float(at["coembed"]), float(at["coexpr"])
        m.source = f["modularity"].name
    if m.value is None:
        m.note = "coembed results (<prefix>.modularity.tsv with both networks) not found"
    v.measures.append(m)

    # co-embedded network vs the PPI: pathway reconstruction
    gmt = ", ".join((ne or {}).get("inputs", {}).get("gmt", [])) or "pathway"
    m = Measure("co-embedded network", f"mean pathway AUPR ({gmt})", "PPI", "reactome_aupr_coembed",
                "reactome_aupr_ppi", "pathway_aupr")
    v.networks = (ne or {}).get("networks") or None
    ns = Q.network_scores(ne) if v.networks else {}
    if ns.get(m.value_key) is not None and ns.get(m.baseline_key) is not None:
        m.value, m.baseline, m.source = ns[m.value_key], ns[m.baseline_key], f["network_eval"].name
    else:
        m.note = "evaluate-network pathway results (<prefix>.network_eval.json) not found or without pathways"
    v.measures.append(m)

    # reconstruction vs original expression: marker AUPR
    m = Measure("reconstructed expression", "mean marker AUPR over cell types", "original expression",
                "marker_aupr_reconstructed", "marker_aupr_original", "marker_aupr")
    if label_key is None:
        m.note = "needs cell-type labels"
    elif "scnet_h5ad" not in f or "reconstructed_h5ad" not in f:
        m.note = "needs <prefix>.scnet.h5ad and <prefix>.reconstructed.h5ad"
    else:
        import anndata as ad

        adata = ad.read_h5ad(f["scnet_h5ad"])
        markers, how = pick_markers(adata, label_key, list(others))
        try:
            if not markers:
                raise InputError("no marker genes: the labels are not PBMC types and no other sample has them")
            rs = Q.reconstruction_scores(adata, ad.read_h5ad(f["reconstructed_h5ad"]), markers, label_key)
        except InputError as e:
            m.note = str(e)
        else:
            m.value, m.baseline = rs[m.value_key], rs[m.baseline_key]
            m.measure = f"mean marker AUPR over {rs['marker_types']} cell types ({how})"
            m.source = f"{f['scnet_h5ad'].name} + {f['reconstructed_h5ad'].name}"
            v.markers = pd.DataFrame(rs["per_type"])
    v.measures.append(m)
    return v
