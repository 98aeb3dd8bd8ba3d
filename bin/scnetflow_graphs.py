#!/usr/bin/env python3
"""`scnetflow graphs` as a script on the PATH of every Nextflow task (bin/ is added by Nextflow)."""

from scnetflow.cli.graphs import command

if __name__ == "__main__":
    command()
