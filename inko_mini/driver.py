# ruff: noqa: E402 (pycache.install() must run before the rest of inko_mini is imported)
"""`inko-mini run`: parse, load the prelude, run the main module as the main
process, and turn whatever ends it into an exit status (DESIGN.md §8)."""

from __future__ import annotations

import gc
import os
import sys

from inko_mini import pycache

pycache.install()  # before the rest of inko_mini is imported

import inko_mini.runtime as runtime
from inko_mini import scheduler
from inko_mini.compile.modules import Loader
from inko_mini.compile.scope import ModuleContext
from inko_mini.errors import (  # noqa: E402
    InkoLoadError,
    InkoSyntaxError,
    PanicSignal,
    decode_source,
)
from inko_mini.runtime import objects
from inko_mini.runtime.calls import configure_reductions, reductions_from_env
from inko_mini.runtime.output import flush_all  # noqa: E402
from inko_mini.runtime.panics import traceback_frames
from inko_mini.runtime.processes import run_main
from inko_mini.runtime.signals import (
    InkoCompileError,
    ReturnSignal,  # noqa: E402
)

# Python frames, not Inko calls: a generated method calling itself takes one
# (measured: 199,000 calls in the main process), a call through a primitive
# and a block about three, so this keeps the "about 60,000 Inko calls" the
# README promises before the `Stack overflow` panic. CPython 3.11
# runs Python-to-Python calls without C recursion, so the C stack is not the
# limit at this depth (recursion through blocks, `each` and methods measured).
RECURSION_LIMIT = 200_000


def _prepare(include, args):
    sys.setrecursionlimit(max(sys.getrecursionlimit(), RECURSION_LIMIT))
    runtime.program_arguments[:] = list(args)
    configure_reductions(reductions_from_env(), scheduler.preempt, scheduler.turn)
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


def exit_process(status: int) -> None:
    """End the process with `status` now, without the interpreter's
    teardown, when that teardown could do nothing the program would notice.

    Tearing down a hello world (freeing the prelude's objects module by
    module, collecting cycles) costs about a third of its start-up. What
    the teardown does that is visible is done here first, in its order:
    wait for non-daemon threads (none are ever started by inko-mini; with
    one, the normal exit is taken), run the atexit callbacks (flushing the
    output, stopping the tick timer) and flush the standard streams. The
    rest only frees memory and closes descriptors, which the kernel does at
    exit anyway (files are unbuffered descriptors; the greenlets of
    abandoned processes must not run again). Returns, for the normal exit,
    when a tool watches the run (a tracer, a profiler, -i, warning options)
    or when something is left that the teardown would do differently."""
    if type(status) is not int or not 0 <= status <= 255:
        return  # sys.exit's own conversion decides
    flags = sys.flags
    if sys.gettrace() or sys.getprofile() or flags.inspect or flags.dev_mode or sys.warnoptions:
        return
    threading = sys.modules.get("threading")
    if threading is not None:
        main = threading.main_thread()
        if getattr(threading, "_threading_atexits", None) or any(
            not t.daemon and t is not main and t.is_alive() for t in threading.enumerate()
        ):
            return
    import atexit

    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr, sys.__stdout__, sys.__stderr__):
        if stream is not None:
            try:
                stream.flush()
            except Exception:
                return  # the teardown reports it and exits with status 120
    if "ctypes" in sys.modules:
        # C functions called through std::ffi may have left output in C's
        # own stdio buffers, which only C's exit flushes (fflush(NULL) does
        # the same for every stream).
        import ctypes

        try:
            ctypes.CDLL(None).fflush(None)
        except (OSError, AttributeError):
            return
    os._exit(status)


def _run(path, code, include, args, debug, check_annotations):
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
    loader = Loader(main_dir, include, _check_spawn_captures)
    ctx = ModuleContext("main", display, "main")
    loader.modules["main"] = ctx
    failures: list = []
    try:
        run_body = _main_module(
            loader, ctx, source, display, code is None, check_annotations, failures
        )
    except InkoSyntaxError as exc:
        sys.stderr.write(exc.render() + "\n")
        return 1

    def main():
        try:
            _load_prelude(loader)
            resume_collection()
            run_body()
        except ReturnSignal as exc:
            sig = PanicSignal("A closure returned from a method that has already returned")
            sig.frames = traceback_frames(exc)
            raise sig from None
        except RecursionError as exc:
            sig = PanicSignal("Stack overflow: too many nested calls")
            sig.frames = traceback_frames(exc)
            raise sig from None

    try:
        status = _run_main(main, runtime)
    except (InkoSyntaxError, InkoCompileError, InkoLoadError) as exc:
        flush_all()
        sys.stderr.write(exc.render() + "\n")
        return 1
    flush_all()
    if failures:
        sys.stderr.write("\n".join(failures) + "\n")
        if status == 0:
            status = 1
    return status


def _main_module(loader, ctx, source, display, is_file, check_annotations, failures):
    """A function running the main module, parsed now (a syntax error is
    reported before anything runs) unless its generated code is cached."""
    if is_file and not check_annotations:
        cached = loader.cached(source, display, ctx, user=True)
        if cached is not None:
            return lambda: loader.execute(cached.code, cached.options, cached.imports, ctx)
    from inko_mini.syntax.cache import parse_source

    tree = parse_source(source, display, cache=is_file)
    hook = None
    if check_annotations:
        from inko_mini.compile.annotations import annotation_hook

        hook = annotation_hook(tree, source, failures)
    cache_source = source if is_file else None
    return lambda: loader.run_module(
        tree, ctx, user=True, hook=hook, source=cache_source, display=display
    )


def resume_collection() -> None:
    """Turn the garbage collector back on if `inko-mini run` turned it off
    for the start-up (cli/fastrun.py), before the program's own code runs.
    What a cached start made lives until the program ends (some 28,000
    containers, none of them garbage), so it is frozen (gc.freeze): no
    collection walks it again, and none is due at once for what was
    allocated while the collector was off. Parsing and generating code
    (a start that was not cached) leave cyclic garbage behind, which is
    collected first rather than frozen."""
    if gc.isenabled():
        return
    if "lark" in sys.modules or "inko_mini.compile.codegen.gen" in sys.modules:
        gc.collect()
    gc.freeze()
    gc.enable()


def _check_spawn_captures(tree):
    # Imported on first use: a cached program is never checked again.
    from inko_mini.check.captures import check_spawn_captures

    check_spawn_captures(tree)


def _load_prelude(loader):
    loader.load(["core", "bootstrap"])
    loader.load(["core", "globals"])
    prelude = loader.load(["core", "prelude"])
    for name in ("HashMap", "Range"):
        if name in prelude.globals:
            objects.set_attr(prelude.module, name, prelude.globals[name])
    objects.prelude_loaded()


def _run_main(main, runtime):
    return run_main(main)
