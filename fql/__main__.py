"""``python -m fql``: the same command line as the ``fql`` script."""

from .cli import console_main

console_main()
