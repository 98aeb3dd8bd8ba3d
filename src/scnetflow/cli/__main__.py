"""``python -m scnetflow.cli``: the same as the ``scnetflow`` console script."""

from scnetflow.cli import console_main

console_main()
