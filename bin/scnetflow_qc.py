#!/usr/bin/env python3
"""`scnetflow qc` as a script on the PATH of every Nextflow task (bin/ is added by Nextflow)."""

from scnetflow.cli._allocator import tune_allocator

if __name__ == "__main__":
    tune_allocator()  # re-executes once, before torch loads
    from scnetflow.cli.qc import command

    command()
