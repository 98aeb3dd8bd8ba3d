#!/usr/bin/env python3
"""`scnetflow evaluate-network` as a script on the PATH of every Nextflow task (bin/ is added by Nextflow)."""

from scnetflow.cli.evaluate_network import command

if __name__ == "__main__":
    command()
