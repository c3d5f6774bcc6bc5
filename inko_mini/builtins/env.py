"""`std::env`: arguments, variables, directories; and path queries."""

from __future__ import annotations

import os

import inko_mini.runtime as runtime
from inko_mini.builtins import primitive
from inko_mini.builtins.io import error_text
from inko_mini.errors import PanicSignal, ThrowSignal


@primitive("env_arguments")
def env_arguments():
    # A new Array per call (STDLIB-CORE.md §18): the program may change it.
    return list(runtime.program_arguments)


@primitive("env_get")
def env_get(name):
    return os.environ.get(name)


@primitive("env_set")
def env_set(name, value):
    try:
        os.environ[name] = value
    except (ValueError, OSError) as exc:
        raise PanicSignal(f"Failed to set the environment variable {name!s}: {exc}") from None
    return value


@primitive("env_remove")
def env_remove(name):
    os.environ.pop(name, None)
    return None


@primitive("env_variables")
def env_variables():
    return [[key, value] for key, value in os.environ.items()]


@primitive("env_home_directory")
def env_home_directory():
    home = os.environ.get("HOME")
    if home:
        return home
    try:
        import pwd

        return pwd.getpwuid(os.getuid()).pw_dir
    except (ImportError, KeyError):
        return None


@primitive("env_temporary_directory")
def env_temporary_directory():
    # Rust's env::temp_dir: $TMPDIR verbatim when set, else /tmp (STDLIB-FS-OS-FFI §12).
    return os.environ.get("TMPDIR", "/tmp")


def _io_error(exc: OSError):
    raise ThrowSignal(error_text(exc)) from None


@primitive("env_working_directory")
def env_working_directory():
    try:
        return os.getcwd()
    except OSError as exc:
        _io_error(exc)


@primitive("env_set_working_directory")
def env_set_working_directory(directory):
    try:
        os.chdir(directory)
    except OSError as exc:
        _io_error(exc)
    return directory
