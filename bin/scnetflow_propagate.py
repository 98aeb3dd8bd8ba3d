#!/usr/bin/env python3
"""`scnetflow propagate` as a script on the PATH of every Nextflow task (bin/ is added by Nextflow)."""

from scnetflow.cli.propagate import command

if __name__ == "__main__":
    command()
