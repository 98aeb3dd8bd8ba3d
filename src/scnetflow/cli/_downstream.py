"""Seed-gene parsing shared by the propagate and diffnet commands."""

from __future__ import annotations

from pathlib import Path

from scnetflow.errors import InputError


def seed_gene_list(seed_genes: tuple[str, ...], seed_file: Path | None) -> list[str]:
    """Seed genes from repeated/comma-separated ``--seed-genes`` and a one-per-line ``--seed-file``."""
    from scnetflow.io import read_gene_list

    genes = [g.strip() for item in seed_genes for g in item.split(",") if g.strip()]
    if seed_file is not None:
        genes += read_gene_list(seed_file)
    genes = list(dict.fromkeys(genes))
    if not genes:
        raise InputError("no seed genes given; pass --seed-genes STAT1[,IRF7] or --seed-file FILE (one gene a line)")
    return genes
