#!/usr/bin/env python3
"""`scnetflow check-samplesheet` as a script on the PATH of every Nextflow task (bin/ is added by Nextflow)."""

from scnetflow.cli.check_samplesheet import command

if __name__ == "__main__":
    command()
