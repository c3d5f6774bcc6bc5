"""The `inko-mini` command line: run, check, test, repl.

Each command is a thin shell over a function in the module that owns the
work, so the phases stay separate (parser, runtime, doctest, repl).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from typing import Any, TypeVar

import click

from inko_mini import __version__

CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"]}
F = TypeVar("F", bound=Callable[..., Any])


def include_option(help_text: str) -> Callable[[F], F]:
    """`-I/-i/--include DIR` (repeatable), as each command takes it."""
    return click.option(
        "-I",
        "-i",
        "--include",
        "include",
        multiple=True,
        metavar="DIR",
        type=click.Path(file_okay=False),
        help=help_text,
    )


@click.group(context_settings=CONTEXT_SETTINGS)
@click.version_option(__version__, "-v", "--version", prog_name="inko-mini")
def cli():
    """An interpreter for Inko 0.4.0.

    \b
    Examples:
      inko-mini run hello.inko
      inko-mini run -e "import std::stdio::stdout stdout.print('hi')"
      inko-mini check src/*.inko
      inko-mini test docs/sockets.md
    """


@cli.command(context_settings={**CONTEXT_SETTINGS, "allow_interspersed_args": False})
@include_option("Also search DIR for imported modules (repeatable).")
@click.option("-e", "--eval", "code", metavar="CODE", help="Run CODE instead of a file.")
@click.option("--debug", is_flag=True, help="Show Python tracebacks for internal errors.")
@click.option(
    "--no-hints", is_flag=True, help="No `hint:` lines after a panic (or INKO_MINI_NO_HINTS=1)."
)
@click.option(
    "--trace-processes",
    is_flag=True,
    help="Print spawns, exits and panics of processes (ids, spawning line) to stderr.",
)
@click.option(
    "--check-annotations",
    is_flag=True,
    hidden=True,
    help="Treat top-level `EXPR # => VALUE` comments as assertions.",
)
@click.argument("file", required=False)
@click.argument("args", nargs=-1, type=click.UNPROCESSED)
def run(include, code, debug, no_hints, trace_processes, check_annotations, file, args):
    """Run an Inko program: FILE with ARGS, or CODE given with -e.

    Options go before FILE; everything after FILE is passed to the program
    (std::env.arguments). FILE "-" reads the program from standard input. Imports are searched in FILE's folder, then in
    each -I folder, then in the bundled standard library.

    Exit status: 0, 1 after a panic or an error, or N after vm.exit(N).

    \b
    Examples:
      inko-mini run hello.inko
      inko-mini run -I lib server.inko 9000 --verbose
      inko-mini run -e "import std::stdio::stdout stdout.print(6 * 7)"
    """
    from inko_mini.driver import run_program

    if code is None and file is None:
        raise click.UsageError("give a FILE to run, or -e CODE")
    _diagnostics(no_hints, trace_processes)
    if code is not None and file is not None:
        args = (file,) + tuple(args)
        file = None
    status = run_program(
        path=file,
        code=code,
        include=list(include),
        args=list(args),
        debug=debug,
        check_annotations=check_annotations,
    )
    sys.exit(status)


@cli.command(context_settings=CONTEXT_SETTINGS)
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
def check(files):
    """Check the syntax of FILES without running them.

    Every file is checked; each error is printed with its position.
    Exit status: 0 when all files parse, 1 otherwise.

    \b
    Example:
      inko-mini check src/*.inko
    """
    from inko_mini.syntax.parser import check_files

    sys.exit(check_files(list(files)))


@cli.command(context_settings=CONTEXT_SETTINGS)
@click.option(
    "--timeout",
    default=10.0,
    show_default=True,
    metavar="SECONDS",
    help="Time limit for one block (a block's timeout=SECONDS marker overrides it).",
)
@click.option(
    "-k",
    "keyword",
    default=None,
    metavar="EXPRESSION",
    help="Only run blocks whose id matches: words with and/or/not/(), "
    "or an exact id such as page.md:57.",
)
@include_option("Extra import directory for blocks.")
@click.option("-q", "--quiet", is_flag=True, help="Only show failures and the summary.")
@click.option("-v", "--verbose", is_flag=True, help="Also print each block's output.")
@click.option(
    "--color",
    type=click.Choice(["auto", "always", "never"]),
    default="auto",
    show_default=True,
    help="Colour the report (auto: when stdout is a terminal).",
)
@click.option("-x", "--exitfirst", is_flag=True, help="Stop after the first failure.")
@click.option(
    "-j",
    "--jobs",
    default="1",
    show_default=True,
    metavar="N|auto",
    help="Run N blocks at a time (auto: one per CPU); servers still run one at a time.",
)
@click.option("--junitxml", metavar="FILE", default=None, help="Also write a JUnit XML report.")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True))
def test(timeout, keyword, include, quiet, verbose, color, exitfirst, jobs, junitxml, paths):
    """Run the ```inko code blocks of Markdown files (or folders of them) as tests.

    Each block runs as its own program unless its markers say otherwise
    (```inko,check / ignore / compile_fail / should_panic / continue / server);
    its `# => VALUE` comments and the ```output block after it are checked.
    docs/doctest.md describes markers, comments and side files. Exit status:
    0 when every block passes, 1 when one fails, 5 when none was selected.

    \b
    Examples:
      inko-mini test docs/sockets.md
      inko-mini test -j auto -x --timeout 30 -k "sockets.md and not 243" docs/
    """
    from inko_mini.doctest.runner import Options, jobs_from
    from inko_mini.doctest.runner import main as doctest_main

    try:
        workers = jobs_from(jobs)
    except ValueError:
        raise click.BadParameter(f"{jobs!r}: give a number of jobs or auto", param_hint="-j")
    options = Options(
        timeout=timeout,
        keyword=keyword,
        include=list(include),
        quiet=quiet,
        verbose=verbose,
        color=color,
        exitfirst=exitfirst,
        jobs=workers,
        junitxml=junitxml,
    )
    sys.exit(doctest_main(list(paths), options=options))


@cli.command(context_settings=CONTEXT_SETTINGS)
@include_option("Extra import directory.")
@click.option(
    "--no-hints", is_flag=True, help="No `hint:` lines after a panic (or INKO_MINI_NO_HINTS=1)."
)
def repl(include, no_hints):
    """Start an interactive prompt.

    Type a statement to run it and see the inspect of its value; locals,
    methods and objects stay defined for the rest of the session. A
    statement may span several lines. End with Ctrl-D.

    In a terminal: Up/Down recall history (kept in
    $XDG_STATE_HOME/inko-mini/history), Tab completes, Ctrl-C clears the
    line. Commands: :help, :load FILE, :reset.

    \b
    Example:
      $ inko-mini repl
      > let x = [1, 2, 3]
      [1, 2, 3]
      > x.length
      3
    """
    from inko_mini.cli.repl import main as repl_main

    _diagnostics(no_hints, False)
    sys.exit(repl_main(include=list(include)))


def _diagnostics(no_hints: bool, trace_processes: bool) -> None:
    # Through the environment, so that processes started from here agree.
    if no_hints:
        os.environ["INKO_MINI_NO_HINTS"] = "1"
    if trace_processes:
        os.environ["INKO_MINI_TRACE_PROCESSES"] = "1"


def main():
    cli(prog_name="inko-mini")


if __name__ == "__main__":
    main()
