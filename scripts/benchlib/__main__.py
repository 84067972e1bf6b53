"""scripts/bench: the benchmark suite of issue 7 (see ``scripts/bench --help``)."""

from benchlib.cli import main

main()
