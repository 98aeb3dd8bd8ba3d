"""The ``scnetflow`` command: one subcommand per pipeline step.

Subcommands are imported lazily so that ``scnetflow --help`` and light steps do not pay for torch.
"""

from __future__ import annotations

import importlib
import importlib.util
import warnings

import click

from scnetflow import __version__
from scnetflow.allocator import tune_allocator
# The plumbing every step is built from: public for a step of your own (docs/architecture.md).
from scnetflow.cli._util import Interrupted, common_options, staged_outputs  # noqa: F401

#: Library-internal notices that every run would print and no user can act on (PyG's own use of
#: torch.jit.script and of beta CSR tensors); everything else still warns.
LIBRARY_NOTICES = (
    (r"`torch\.jit\.script` is deprecated", FutureWarning),
    (r"Sparse invariant checks are implicitly disabled", UserWarning),
    (r"Sparse CSR tensor support is in beta state", UserWarning),
)


def silence_library_notices() -> None:
    """Hide :data:`LIBRARY_NOTICES` in this process: the commands do, importing the package does not."""
    for message, category in LIBRARY_NOTICES:
        warnings.filterwarnings("ignore", message=message, category=category)


#: step name -> module under ``scnetflow.cli`` that defines ``command``.
STEPS: dict[str, str] = {
    "check-samplesheet": "check_samplesheet",
    "qc": "qc",
    "graphs": "graphs",
    "train": "train",
    "coembed": "coembed",
    "propagate": "propagate",
    "evaluate-network": "evaluate_network",
    "diffnet": "diffnet",
    "gsea": "gsea",
    "cluster-eval": "cluster_eval",
    "report": "report",
}


class LazyGroup(click.Group):
    """A click group whose subcommands live in ``scnetflow.cli.<module>`` and load on first use."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return [name for name, mod in STEPS.items() if importlib.util.find_spec(f"scnetflow.cli.{mod}")]

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in STEPS:
            return None
        module = importlib.import_module(f"scnetflow.cli.{STEPS[cmd_name]}")
        return module.command


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "-V", "--version", prog_name="scnetflow")
def main() -> None:
    """scnetflow: scNET gene and cell embeddings from scRNA-seq + a PPI network.

    Steps, in pipeline order: check-samplesheet, qc, graphs, train, then coembed, propagate,
    evaluate-network, diffnet, gsea, cluster-eval and report. Run ``scnetflow STEP --help``.
    """


def console_main() -> None:
    """The ``scnetflow`` console script and ``python -m scnetflow.cli``: :func:`tune_allocator`,
    :func:`silence_library_notices`, then :data:`main`."""
    tune_allocator()
    silence_library_notices()
    main()


def run_step(step: str) -> None:
    """One step's command as a script (``bin/scnetflow_<step>.py``, on the PATH of every Nextflow task), set up
    as :func:`console_main` sets up the ``scnetflow`` command."""
    tune_allocator()
    silence_library_notices()
    importlib.import_module(f"scnetflow.cli.{STEPS[step]}").command()
