"""Primitives behind std::process (STDLIB-NET-PROCESS §3); the work is done
in inko_mini.runtime.processes, this is only the table Inko code reaches."""

from __future__ import annotations

import inko_mini.runtime as runtime
from inko_mini import scheduler
from inko_mini.builtins import primitive
from inko_mini.errors import PanicSignal
from inko_mini.runtime import objects, processes
from inko_mini.runtime.processes import ProcessRef


def _runtime():
    return runtime


def _register_kind() -> None:
    register = getattr(_runtime(), "register_native_kind", None)
    if register is None:
        register = objects.register_native_kind
    register("process", ProcessRef)


_register_kind()


def _process(value) -> ProcessRef:
    if type(value) is not ProcessRef:
        raise PanicSignal("ObjectValue::as_process() called on a non process")
    return value


# The hot ones: implemented (and named) in runtime/processes.py, and
# registered as they are, without a wrapper's call per message.
# process_receive converts a timeout that is not an Integer or a Float (a
# Duration) by its ToFloat implementation.
primitive("process_spawn")(processes.process_spawn)
primitive("process_send")(processes.process_send)
primitive("process_receive")(processes.process_receive)


@primitive("process_current")
def process_current():
    return processes.current()


@primitive("process_identifier")
def process_identifier(target):
    return _process(target).process.identifier


@primitive("process_suspend")
def process_suspend(minimum):
    wait = processes.seconds(minimum)
    processes.current_process()
    if wait == 0:
        scheduler.yield_now()
    else:
        scheduler.sleep_until(scheduler.now() + wait)
    return None


@primitive("process_terminate")
def process_terminate():
    processes.terminate()


@primitive("process_set_panic_handler")
def process_set_panic_handler(block):
    processes.current_process().panic_handler = block
    return None


@primitive("process_panic")
def process_panic(message):
    raise PanicSignal(message if type(message) is str else str(message))


@primitive("process_defer")
def process_defer(block):
    # The block belongs to the frame that called std::process.defer, which
    # only the evaluator knows.
    defer = getattr(_runtime(), "defer_to_caller", None)
    if defer is None:
        raise PanicSignal("process.defer is not supported by this runtime yet")
    defer(block)
    return None
