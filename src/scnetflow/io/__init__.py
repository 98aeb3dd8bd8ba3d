"""Shared readers of user input, used by every step: expression, PPI tables, gene lists, h5ad files.

Expression inputs: ``.h5ad`` (counts in ``layers["counts"]`` or ``X``), 10x ``.h5``, a 10x ``mtx``
directory, and dense ``.csv``/``.tsv``/``.txt`` (optionally gzipped) in either orientation: whether rows
are genes or cells is decided from the labels (gene symbols or Ensembl IDs vs cell barcodes), else the
reader asks for ``genes_in_rows``. Every problem raises :class:`~scnetflow.errors.InputError` naming
the file (and row/column) and what to do; every change made to proceed (duplicated genes merged,
cells renamed) is logged as one warning line.

Modules: :mod:`~scnetflow.io.expression` (expression and h5ad), :mod:`~scnetflow.io.genes` (gene names)
and :mod:`~scnetflow.io.ppi` (PPI tables, gene lists); everything is importable from here.
"""

from scnetflow.io.expression import (ORIENTATION_HINT, check_values, detect_format, read_counts, read_expression,
                                     read_h5ad, table_orientation)
from scnetflow.io.genes import gene_map_path, map_ensembl_to_symbols, merge_duplicate_genes
from scnetflow.io.ppi import PPI_GENE_COLUMNS, PPI_SCORE_COLUMNS, default_ppi_path, read_gene_list, read_ppi

__all__ = ["ORIENTATION_HINT", "PPI_GENE_COLUMNS", "PPI_SCORE_COLUMNS", "check_values", "default_ppi_path",
           "detect_format", "gene_map_path", "map_ensembl_to_symbols", "merge_duplicate_genes", "read_counts",
           "read_expression", "read_gene_list", "read_h5ad", "read_ppi", "table_orientation"]
