"""The `inko-mini` command's entry point (and `python -m inko_mini`'s).

Plain `run` command lines are handled by fastrun.py without importing
click. When Python may not write bytecode this module is compiled from
source at every start (pycache.py's finder is installed from here), so it
stays this small.
"""

import sys


def main() -> None:
    if sys.argv[1:2] == ["run"]:
        from inko_mini import pycache

        pycache.install()
    from inko_mini.cli.fastrun import main as run

    run()
