#!/usr/bin/env python3
"""`scnetflow cluster-eval` as a script on the PATH of every Nextflow task (bin/ is added by Nextflow)."""

from scnetflow.cli.cluster_eval import command

if __name__ == "__main__":
    command()
