"""`python -m inko_mini run ...` without importing click (entered from fast.py).

Importing click (and the inspect, uuid and pathlib modules it pulls in)
costs about as much as starting Python itself, which matters for the
start-up of short programs. The plain forms of `run` are parsed here
exactly as cli.py's click command parses them; everything else (help,
other commands, unusual options) goes to the click interface unchanged.
"""

from __future__ import annotations

import gc
import os
import sys

from inko_mini.cli.fast import main as entry_point


def _parse_run(argv):
    """(include, code, debug, check_annotations, file, args) or None."""
    include, code, debug, check = [], None, False, False
    i = 0
    while i < len(argv):
        arg = argv[i]
        if arg in ("-I", "-i", "--include", "-e", "--eval"):
            if i + 1 >= len(argv):
                return None
            value = argv[i + 1]
            if arg in ("-e", "--eval"):
                code = value
            else:
                if os.path.isfile(value):
                    return None  # click reports it
                include.append(value)
            i += 2
        elif arg.startswith("--include="):
            include.append(arg[len("--include=") :])
            i += 1
        elif arg == "--debug":
            debug = True
            i += 1
        elif arg == "--no-hints":  # read from the environment by runtime/hints.py
            os.environ["INKO_MINI_NO_HINTS"] = "1"
            i += 1
        elif arg == "--trace-processes":  # read from the environment by processes.py
            os.environ["INKO_MINI_TRACE_PROCESSES"] = "1"
            i += 1
        elif arg == "--check-annotations":
            check = True
            i += 1
        elif arg == "--":
            i += 1
            break
        elif arg.startswith("-"):
            return None
        else:
            break
    rest = argv[i:]
    file, args = (rest[0], rest[1:]) if rest else (None, [])
    if code is None and file is None:
        return None
    if code is not None and file is not None:
        args = [file] + args
        file = None
    return include, code, debug, check, file, args


def main():
    argv = sys.argv[1:]
    parsed = _parse_run(argv[1:]) if argv[:1] == ["run"] else None
    if parsed is None:
        from inko_mini.cli.commands import main as click_main

        click_main()
        return
    include, code, debug, check, file, args = parsed
    # A cached start allocates some 28,000 containers that live until the
    # program ends (inko-mini's modules, the library's code and objects) and
    # no cyclic garbage: collecting walked them seven times, about 2 ms of a
    # hello world. The collector is off until the program's own code starts
    # (driver.resume_collection).
    gc.disable()
    try:
        from inko_mini.driver import exit_process, run_program

        status = run_program(
            path=file, code=code, include=include, args=args, debug=debug, check_annotations=check
        )
    finally:
        gc.enable()
    top = sys.modules.get("__main__")
    spec = getattr(top, "__spec__", None)
    if (
        getattr(top, "main", None) is entry_point
        or getattr(spec, "name", None) == "inko_mini.__main__"
    ):
        exit_process(status)  # the whole program is ours: no teardown needed
    sys.exit(status)
