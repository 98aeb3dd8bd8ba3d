#!/usr/bin/env python3
"""`scnetflow diffnet` as a script on the PATH of every Nextflow task (bin/ is added by Nextflow)."""

from scnetflow.cli import run_step

if __name__ == "__main__":
    run_step("diffnet")
