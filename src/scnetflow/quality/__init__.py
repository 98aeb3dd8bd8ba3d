"""Quality of one scNET run against its baselines: the one definition of each measure (issue 10).

Each function takes the outputs of the steps (AnnData, data frames) and returns plain numbers; none
modifies its inputs. Where a step computes a measure, this module calls that step's library function
with the step's defaults, so the numbers equal the step's outputs:

- cell embedding vs PCA: max Leiden ARI/NMI (:func:`scnetflow.cluster_eval.cluster_eval`), and a
  label-free measure, :func:`knn_heldout_r`;
- reconstruction vs the original expression: per cell type, AUPR of its marker genes
  (:func:`marker_aupr`, METHOD.md section 5), markers chosen away from the scored sample
  (:func:`marker_genes` on other samples, or :data:`PBMC_MARKERS`);
- co-embedded network vs co-expression: modularity per percentile
  (:func:`scnetflow.coembed.coembed`); vs the PPI and co-expression: Reactome AUPR and disease
  z-scores (:func:`network_evaluation`, the ``evaluate-network`` step's assembly);
- two conditions: GSEA of B vs A in one cell type on original and reconstructed expression
  (:func:`condition_gsea`, the ``gsea`` step's functions).

:func:`verdict` turns a value and its baseline into ``"better"``, ``"same"`` or ``"worse"`` with a
tolerance per measure (:data:`TOLERANCES`); :func:`verdicts` applies it to a flat score dict.

Modules: :mod:`~scnetflow.quality.cells`, :mod:`~scnetflow.quality.reconstruction`,
:mod:`~scnetflow.quality.networks`, :mod:`~scnetflow.quality.conditions` and
:mod:`~scnetflow.quality.verdicts`; everything is importable from here. Each part's ``*_scores``
function gives its flat scores: one dict, with the keys that :data:`COMPARISONS` and the quality suite's
table use.
"""

from scnetflow.quality.cells import cell_embedding, cell_scores, heldout_genes, knn_heldout_r
from scnetflow.quality.conditions import IFN_TERMS, condition_gsea, gsea_term_ranks
from scnetflow.quality.networks import modularity_scores, modularity_table, network_evaluation, network_scores
from scnetflow.quality.reconstruction import (PBMC_MARKERS, marker_aupr, marker_genes, reconstruction_markers,
                                             reconstruction_scores)
from scnetflow.quality.verdicts import COMPARISONS, TOLERANCES, VERDICTS, verdict, verdicts

__all__ = ["COMPARISONS", "IFN_TERMS", "PBMC_MARKERS", "TOLERANCES", "VERDICTS", "cell_embedding", "cell_scores",
           "condition_gsea", "gsea_term_ranks", "heldout_genes", "knn_heldout_r", "marker_aupr", "marker_genes",
           "modularity_scores", "modularity_table", "network_evaluation", "network_scores", "reconstruction_markers",
           "reconstruction_scores", "verdict", "verdicts"]
