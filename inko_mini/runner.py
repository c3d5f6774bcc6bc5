"""`inko-mini run`: parse, load the prelude, run the main module as the main
process, and turn whatever ends it into an exit status (DESIGN.md §8)."""

from __future__ import annotations

import os
import sys

from inko_mini import pycache

pycache.install()  # before the rest of inko_mini is imported

from inko_mini.errors import (  # noqa: E402
    InkoLoadError,
    InkoSyntaxError,
    PanicSignal,
    ThrowSignal,
    decode_source,
)
from inko_mini.runtime.signals import ReturnSignal  # noqa: E402

# Python frames, not Inko calls: a non-tail Inko call takes about three, so
# this gives the "about 60,000 Inko calls" the README promises (measured:
# 66,000 in the main process) before the `Stack overflow` panic. CPython 3.11
# runs Python-to-Python calls without C recursion, so the C stack is not the
# limit at this depth (recursion through blocks, `each` and methods measured).
RECURSION_LIMIT = 200_000


def _prepare(include, args):
    sys.setrecursionlimit(max(sys.getrecursionlimit(), RECURSION_LIMIT))
    import inko_mini.runtime as runtime
    from inko_mini import scheduler
    from inko_mini.runtime.calls import configure_reductions

    runtime.program_arguments[:] = list(args)
    configure_reductions(scheduler.REDUCTIONS, scheduler.preempt)
    return runtime


def _internal_error(exc, debug):
    if debug:
        import traceback

        traceback.print_exception(exc)
    line = f"{type(exc).__name__}: {exc}".splitlines()[0] if str(exc) else type(exc).__name__
    sys.stderr.write(f"inko-mini: internal error: {line}\n")
    if not debug:
        sys.stderr.write("inko-mini: rerun with --debug to see the Python traceback\n")
    sys.stderr.flush()
    return 1


def _annotation_hook(tree, failures):
    """`# => VALUE` checks for --check-annotations (CONTRACTS.md §7)."""
    from inko_mini import parser

    body = tree.body
    lines = sorted(tree.annotations)
    if not lines:
        return None

    def hook(node, fn, compiler, scope):
        index = body.index(node)
        start = node.span.line
        end = body[index + 1].span.line if index + 1 < len(body) else 10**9
        mine = [ln for ln in lines if start <= ln < end]
        if not mine or fn is None:
            return fn
        text = tree.annotations[mine[-1]]
        if _is_prose(text):
            return fn
        try:
            expected_tree = parser.parse(text, node.span.file)
        except Exception:
            return fn
        if len(expected_tree.body) != 1 or expected_tree.imports:
            return fn
        expected = compiler.c(expected_tree.body[0], scope)
        where = f"{node.span.file}:{mine[-1]}"

        def checked(f):
            from inko_mini.compiler import send_dyn

            got = fn(f)
            want = expected(f)
            same = send_dyn(got, "==", [want])
            if same is False or same is None:
                failures.append(
                    f"annotation failed at {where}: expected "
                    f"{send_dyn(want, 'inspect', [])}, got {send_dyn(got, 'inspect', [])}"
                )
            return got

        return checked

    return hook


_STRINGS = None
_TWO_WORDS = None


def _is_prose(text) -> bool:
    """A `# => ...` right side is prose, not a value, when outside string
    literals it has two bare words in a row (CONTRACTS.md, note under §7):
    values in documentation never pass arguments without parentheses."""
    global _STRINGS, _TWO_WORDS
    if _STRINGS is None:
        import re

        _STRINGS = re.compile(r"'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"")
        _TWO_WORDS = re.compile(r"\b[A-Za-z_]\w*[?!]?\s+[A-Za-z_]\w*")
    return _TWO_WORDS.search(_STRINGS.sub("''", text)) is not None


def _reopen_closed_std_streams():
    """A standard descriptor closed by the caller (`prog >&-`) becomes
    /dev/null, so output to it is dropped like output to a vanished reader,
    and every layer that flushes sys.stdout can rely on it existing."""
    for fd, name, mode in ((0, "stdin", "r"), (1, "stdout", "w"), (2, "stderr", "w")):
        if getattr(sys, name) is None:
            try:
                opened = os.open(os.devnull, os.O_RDONLY if mode == "r" else os.O_WRONLY)
                if opened != fd:
                    os.dup2(opened, fd)
                    os.close(opened)
                setattr(sys, name, open(fd, mode, closefd=False))
            except OSError:
                pass


def run_program(path, code, include, args, debug=False, check_annotations=False) -> int:
    _reopen_closed_std_streams()
    try:
        return _run(path, code, include, args, debug, check_annotations)
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # a bug in inko-mini, not in the program
        return _internal_error(exc, debug)


def _run(path, code, include, args, debug, check_annotations):
    from inko_mini.runtime.modules import Loader, parse_source
    from inko_mini.runtime.signals import InkoCompileError

    if code is not None:
        display, source, main_dir = "-e", code, os.getcwd()
    elif path == "-":  # the program comes on stdin, as with `python -`
        try:
            source = decode_source(sys.stdin.buffer.read(), "<stdin>")
        except InkoSyntaxError as exc:
            sys.stderr.write(exc.render() + "\n")
            return 1
        display, main_dir = "<stdin>", os.getcwd()
        code = source  # not a file: no parse cache
    else:
        display = path
        try:
            with open(path, "rb") as fh:
                data = fh.read()
            source = decode_source(data, path)
        except OSError as exc:
            sys.stderr.write(f"inko-mini: can not read {path}: {exc.strerror or exc}\n")
            return 1
        except InkoSyntaxError as exc:
            sys.stderr.write(exc.render() + "\n")
            return 1
        main_dir = os.path.dirname(os.path.abspath(path))
    runtime = _prepare(include, args)
    try:
        tree = parse_source(source, display, cache=code is None)
    except InkoSyntaxError as exc:
        sys.stderr.write(exc.render() + "\n")
        return 1

    try:
        from inko_mini.processes import check_spawn_captures
    except ImportError:
        check_spawn_captures = None
    loader = Loader(main_dir, include, check_spawn_captures)
    failures: list = []
    hook = _annotation_hook(tree, failures) if check_annotations else None

    from inko_mini.compiler import ModuleContext

    ctx = ModuleContext("main", display, "main")
    loader.modules["main"] = ctx

    def main():
        try:
            _load_prelude(loader)
            loader.run_module(tree, ctx, user=True, hook=hook)
        except ReturnSignal as exc:
            from inko_mini.runtime.panics import traceback_frames

            sig = PanicSignal("A closure returned from a method that has already returned")
            sig.frames = traceback_frames(exc)
            raise sig from None
        except RecursionError as exc:
            from inko_mini.runtime.panics import traceback_frames

            sig = PanicSignal("Stack overflow: too many nested calls")
            sig.frames = traceback_frames(exc)
            raise sig from None

    try:
        status = _run_main(main, runtime)
    except (InkoSyntaxError, InkoCompileError, InkoLoadError) as exc:
        _flush()
        sys.stderr.write(exc.render() + "\n")
        return 1
    except _SpawnCaptureError() as exc:
        _flush()
        sys.stderr.write(exc.render() + "\n")
        return 1
    _flush()
    if failures:
        sys.stderr.write("\n".join(failures) + "\n")
        if status == 0:
            status = 1
    return status


def _SpawnCaptureError():
    try:
        from inko_mini.processes import SpawnCaptureError

        return SpawnCaptureError
    except ImportError:
        return ()


def _load_prelude(loader):
    from inko_mini.runtime import objects

    loader.load(["core", "bootstrap"])
    loader.load(["core", "globals"])
    prelude = loader.load(["core", "prelude"])
    for name in ("HashMap", "Range"):
        if name in prelude.globals:
            objects.set_attr(prelude.module, name, prelude.globals[name])
    objects.prelude_loaded()


def _flush():
    io = sys.modules.get("inko_mini.builtins.io")
    flush_all = getattr(io, "flush_all", None)
    try:
        if flush_all is not None:
            flush_all()
        if sys.stdout is not None:
            sys.stdout.flush()
    except (OSError, ValueError):
        pass


class _MainProcess:
    panic_handler = None
    is_main = True
    identifier = "0x1"


def _run_main(main, runtime):
    try:
        from inko_mini.processes import run_main
    except ImportError:
        run_main = None
    if run_main is not None:
        return run_main(main)
    # Without the process layer: run directly in this thread.
    proc = _MainProcess()
    try:
        main()
        return 0
    except runtime.ExitProgram as exc:
        return exc.status
    except PanicSignal as sig:
        status = runtime.handle_panic(sig, proc)
        return 0 if status is None else status
    except ThrowSignal:
        sig = PanicSignal(f"A thrown value reached the top-level in process {proc.identifier}")
        status = runtime.handle_panic(sig, proc)
        return 0 if status is None else status
