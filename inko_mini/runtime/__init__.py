"""Runtime services: the object model, calls, modules, panics (CONTRACTS.md §4).

Primitives import what they need from here; the names below are the seam.
"""

from __future__ import annotations

from inko_mini.runtime import deferred, processes
from inko_mini.runtime.calls import call_block, configure_reductions, find_method, send
from inko_mini.runtime.objects import (
    MISSING,
    Block,
    InkoObject,
    get_attr,
    holder,
    lookup_attr,
    new_object,
    object_name,
    prototype_of,
    register_native_kind,
    responds_to,
    set_attr,
    set_native_prototype,
)
from inko_mini.runtime.panics import (
    GLOBAL_HANDLER,
    current_stacktrace,
    format_panic_report,
    handle_panic,
    live_frames,
)
from inko_mini.runtime.signals import ExitProgram, InkoCompileError, ReturnSignal

# Set by the runner: the arguments after the program file (std::env.arguments).
program_arguments: list = []


def set_global_panic_handler(block) -> None:
    """`vm.panicking`: replace the default report (which exits with 1)."""
    GLOBAL_HANDLER[0] = block


def current_frames():
    """The Inko stack for std::debug, oldest first (file, line, name)."""
    return current_stacktrace()


def current_process():
    try:
        return processes.current_process()
    except Exception:  # outside any process (the REPL's compile step)
        return None


def defer_to_caller(block) -> None:
    """std::process.defer: `block` runs when the Inko block that sent
    `defer` returns, panics or exits (runtime/deferred.py)."""
    deferred.defer_to_caller(block)


__all__ = [
    "MISSING",
    "Block",
    "InkoObject",
    "get_attr",
    "set_attr",
    "new_object",
    "holder",
    "lookup_attr",
    "object_name",
    "prototype_of",
    "register_native_kind",
    "responds_to",
    "set_native_prototype",
    "call_block",
    "send",
    "find_method",
    "configure_reductions",
    "format_panic_report",
    "handle_panic",
    "live_frames",
    "ExitProgram",
    "InkoCompileError",
    "ReturnSignal",
    "program_arguments",
    "set_global_panic_handler",
    "current_frames",
    "current_process",
    "defer_to_caller",
]
