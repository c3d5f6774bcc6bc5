"""std::ffi through the real command line: what a program sees of the OS
(its process id, the clock), values shared between processes, and every
panic text of STDLIB-FS-OS-FFI §8 (one run per panic, since a panic ends the
program). The `.inko` files beside this one are collected by tests/conftest.py.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

TIMEOUT = 60

PRELUDE = """import std::ffi::(self, Library, Pointer, Function, LayoutBuilder)
import std::ffi::types::(self, Type)
import std::byte_array::ByteArray
import std::stdio::stdout
let libc = Library.new(['libc.so.6'])
let libm = Library.new(['libm.so.6'])
"""


def run_code(code: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "inko_mini", "run", "-e", PRELUDE + code],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
    )


def panic_message(stderr: str) -> str:
    """The message of the panic report (it may span several lines)."""
    marker = " panicked: "
    assert marker in stderr, stderr
    return stderr.split(marker, 1)[1].removesuffix("\n")


def test_getpid_is_the_process_id_the_os_gave_the_program(tmp_path: Path) -> None:
    code = "stdout.print(libc.function('getpid', [], types.i32).call)\n"
    proc = subprocess.Popen(
        [sys.executable, "-m", "inko_mini", "run", "-e", PRELUDE + code],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    out, err = proc.communicate(timeout=TIMEOUT)
    assert (proc.returncode, err) == (0, "")
    assert out == f"{proc.pid}\n"


def test_time_with_a_null_pointer_is_the_unix_time(tmp_path: Path) -> None:
    before = int(time.time())
    result = run_code(
        "stdout.print(libc.function('time', [types.pointer], types.i64).call(Pointer.null))\n",
        tmp_path,
    )
    after = int(time.time())
    assert (result.returncode, result.stderr) == (0, "")
    assert before <= int(result.stdout) <= after


def test_library_function_and_pointer_are_shared_with_other_processes(tmp_path: Path) -> None:
    # The child gets the same Library, Function and Pointer (§8, NET §2.2):
    # what it writes through the Pointer, the parent reads.
    code = """import std::process
let memory = libc.function('malloc', [types.size_t], types.pointer).call(8)
let abs = libc.function('abs', [types.i32], types.i32)
memory.write(types.i64, 1)
let child = process.spawn {
  let reply = process.receive as Process
  let pointer = process.receive as Pointer
  let function = process.receive as Function
  let library = process.receive as Library
  pointer.write(types.i64, function.call(-41) + 1)
  library.function('free', [types.pointer], types.void)
  reply.send(pointer.address)
}
child.send(process.current)
child.send(memory)
child.send(abs)
child.send(libc)
stdout.print(process.receive == memory.address)
stdout.print(memory.read(types.i64))
"""
    result = run_code(code, tmp_path)
    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout == "True\n42\n"


def test_no_library_loads(tmp_path: Path) -> None:
    result = run_code("Library.new(['does-not-exist.so', 'libnope-ffi-test.so'])\n", tmp_path)
    assert result.returncode == 1
    assert panic_message(result.stderr) == (
        "Unable to open the supplied libraries:\n"
        "\n"
        "does-not-exist.so: does-not-exist.so: cannot open shared object file: "
        "No such file or directory\n"
        "libnope-ffi-test.so: libnope-ffi-test.so: cannot open shared object file: "
        "No such file or directory"
    )


def test_an_empty_list_of_libraries(tmp_path: Path) -> None:
    result = run_code("Library.new([])\n", tmp_path)
    assert result.returncode == 1
    assert panic_message(result.stderr) == "Unable to open the supplied libraries:\n"


def test_a_linker_script_is_skipped_and_its_error_listed(tmp_path: Path) -> None:
    # A text file named like a library is not an ELF object: it fails, and
    # the search goes on (as for glibc's libc.so linker script).
    script = tmp_path / "libscript.so"
    script.write_text("GROUP ( libc.so.6 )\n")
    result = run_code(
        f"Library.new(['{script}', 'nope.so'])\n",
        tmp_path,
    )
    assert result.returncode == 1
    lines = panic_message(result.stderr).split("\n")
    assert lines[:2] == ["Unable to open the supplied libraries:", ""]
    assert lines[2].startswith(f"{script}: {script}: ")
    assert lines[3].startswith("nope.so: nope.so: cannot open shared object file")
    ok = run_code(f"Library.new(['{script}', 'libc.so.6'])\nstdout.print('loaded')\n", tmp_path)
    assert (ok.returncode, ok.stdout, ok.stderr) == (0, "loaded\n", "")


def test_a_missing_symbol_panics_with_the_dlerror_text(tmp_path: Path) -> None:
    for code in (
        "libc.variable('kittens')\n",
        "libc.function('kittens', [types.i32], types.i32)\n",
        # The symbol is looked up before the types are checked.
        "libc.function('kittens', [Type.new(99)], Type.new(98))\n",
    ):
        result = run_code(code, tmp_path)
        assert result.returncode == 1
        message = panic_message(result.stderr)
        assert message.startswith("/") and message.endswith("libc.so.6: undefined symbol: kittens")


PANICS = [
    # Library.new
    (
        'Library.new(["a\\0b"])',
        "Unable to open the supplied libraries:\n\na\0b: non-final null byte found",
    ),
    ("Library.new([10])", "ObjectPointer::as_string() called on a tagged integer"),
    ("Library.new([Object.new])", "ObjectValue::as_string() called on a non string"),
    # closed libraries
    ("libc.close\nlibc.variable('errno')", "ObjectValue::as_library() called on a non library"),
    (
        "libc.close\nlibc.function('abs', [types.i32], types.i32)",
        "ObjectValue::as_library() called on a non library",
    ),
    # Function.new: return type, then argument types, then libffi
    ("libc.function('abs', [types.i32], Type.new(15))", "Invalid FFI type: 15"),
    ("libc.function('abs', [types.i32, Type.new(-1)], types.i32)", "Invalid FFI type: -1"),
    ("libc.function('abs', [Type.new(20)], Type.new(21))", "Invalid FFI type: 21"),
    (
        "libc.function('abs', [types.void], types.i32)",
        "The type representation is invalid or unsupported",
    ),
    # Function#call: the count, then each argument
    (
        "libc.function('abs', [types.i32], types.i32).call(1, 2)",
        "Invalid number of arguments, expected 1 but got 2",
    ),
    (
        "libc.function('abs', [types.i32], types.i32).call",
        "Invalid number of arguments, expected 1 but got 0",
    ),
    (
        "libc.function('strlen', [types.string], types.size_t).call(Nil)",
        "objects of type Object can not be passed as a pointer",
    ),
    (
        "libc.function('strlen', [types.string], types.size_t).call(True)",
        "objects of type Object can not be passed as a pointer",
    ),
    (
        "libc.function('strlen', [types.string], types.size_t).call(Object.new)",
        "objects of type Object can not be passed as a pointer",
    ),
    (
        "libc.function('strlen', [types.pointer], types.size_t).call([1])",
        "objects of type Array can not be passed as a pointer",
    ),
    (
        "libc.function('strlen', [types.byte_array], types.size_t).call(1.5)",
        "objects of type Float can not be passed as a pointer",
    ),
    (
        "libc.function('strlen', [types.pointer], types.size_t).call(36893488147419103232)",
        "objects of type BigInteger can not be passed as a pointer",
    ),
    (
        "libc.function('strlen', [types.pointer], types.size_t).call(libc)",
        "objects of type Library can not be passed as a pointer",
    ),
    (
        "libc.function('strlen', [types.pointer], types.size_t).call({ 1 })",
        "objects of type Block can not be passed as a pointer",
    ),
    (
        "let f = libc.function('abs', [types.i32], types.i32)\n"
        "libc.function('strlen', [types.pointer], types.size_t).call(f)",
        "objects of type Function can not be passed as a pointer",
    ),
    (
        "libm.function('floor', [types.f64], types.f64).call(1)",
        "ObjectPointer::as_float() called on a tagged integer",
    ),
    (
        "libm.function('floorf', [types.f32], types.f32).call('1.5')",
        "as_float called non a non float value",
    ),
    (
        "libc.function('abs', [types.i32], types.i32).call('5')",
        "ObjectPointer::integer_value() called on a non integer object",
    ),
    (
        "libc.function('abs', [types.i8], types.i32).call(1.0)",
        "ObjectPointer::integer_value() called on a non integer object",
    ),
    (
        "libc.function('labs', [types.i64], types.i64).call(9223372036854775808)",
        "ObjectPointer::integer_value() called on a non integer object",
    ),
    (
        "libc.function('labs', [types.u64], types.i64).call(-1)",
        "-1 is too big to convert to an unsigned integer",
    ),
    (
        "libc.function('labs', [types.u64], types.i64).call(9223372036854775808)",
        "ObjectPointer::integer_value() called on a non integer object",
    ),
    (
        "libc.function('malloc', [types.size_t], types.pointer).call(-5)",
        "-5 is too big to convert to an unsigned integer",
    ),
    ("Function.call(1)", "ObjectValue::as_function() called on a non function"),
    # Pointer
    ("Pointer.new(-1)", "-1 is too big to convert to an unsigned integer"),
    (
        "Pointer.new(18446744073709551616)",
        "18446744073709551616 is too big to convert to an unsigned integer",
    ),
    ("Pointer.new('1')", "ObjectPointer::integer_value() called on a non integer object"),
    ("Pointer.address", "ObjectValue::as_pointer() called on a non pointer"),
    ("Pointer.new(8).read(types.void)", "Invalid FFI type: 0"),
    ("Pointer.new(8).read(Type.new(15))", "Invalid FFI type: 15"),
    ("Pointer.new(8).write(types.void, 1)", "Invalid FFI type: 0"),
    ("Pointer.new(8).read(types.i32, -1)", "-1 is too big to convert to an unsigned integer"),
    ("Type.new(99).size", "Invalid FFI type: 99"),
    ("Type.new(-3).alignment", "Invalid FFI type: -3"),
]

# Writes are checked before memory is touched; each needs real memory.
_MEMORY = "let m = libc.function('malloc', [types.size_t], types.pointer).call(16)\n"
WRITE_PANICS = [
    ("m.write(types.i8, 300)", "300 can not be converted to a signed 8 bits integer"),
    ("m.write(types.i8, -129)", "-129 can not be converted to a signed 8 bits integer"),
    ("m.write(types.i16, 32768)", "32768 can not be converted to a signed 16 bits integer"),
    (
        "m.write(types.i32, 2147483648)",
        "2147483648 can not be converted to a signed 32 bits integer",
    ),
    ("m.write(types.u8, -1)", "-1 can not be converted to a unsigned 8 bits integer"),
    ("m.write(types.u8, 256)", "256 can not be converted to a unsigned 8 bits integer"),
    ("m.write(types.u16, 65536)", "65536 can not be converted to a unsigned 16 bits integer"),
    ("m.write(types.u32, -1)", "-1 can not be converted to a unsigned 32 bits integer"),
    ("m.write(types.u64, -1)", "-1 is too big to convert to an unsigned integer"),
    ("m.write(types.size_t, -2)", "-2 is too big to convert to an unsigned integer"),
    (
        "m.write(types.i64, 9223372036854775808)",
        "ObjectPointer::integer_value() called on a non integer object",
    ),
    ("m.write(types.i32, 'x')", "ObjectPointer::integer_value() called on a non integer object"),
    (
        "m.write(types.f32, 1.0e39)",
        "1000000000000000000000000000000000000000 can not be converted to a 32 bits floating point",
    ),
    ("m.write(types.f32, 1.0 / 0.0)", "inf can not be converted to a 32 bits floating point"),
    ("m.write(types.f32, -1.0 / 0.0)", "-inf can not be converted to a 32 bits floating point"),
    ("m.write(types.f64, 1)", "ObjectPointer::as_float() called on a tagged integer"),
    ("m.write(types.f64, 'x')", "as_float called non a non float value"),
    ("m.write(types.pointer, 5)", "ObjectPointer::as_pointer() called on a tagged integer"),
    ("m.write(types.pointer, 'x')", "ObjectValue::as_pointer() called on a non pointer"),
    ("m.write(types.string, 5)", "ObjectPointer::as_string() called on a tagged integer"),
    (
        "m.write(types.string, ByteArray.new([1]))",
        "ObjectValue::as_string() called on a non string",
    ),
    ("m.write(types.byte_array, 'x')", "ObjectValue::as_byte_array() called on a non byte array"),
    (
        "m.write(type: types.i32, value: 1, offset: -4)",
        "-4 is too big to convert to an unsigned integer",
    ),
]

# Structures (pure Inko, through process.panic)
_TIMEVAL = (
    "let timeval = ffi.struct do (s) {\n  s['tv_sec'] = types.i64\n  s['tv_usec'] = types.i64\n}\n"
)
STRUCT_PANICS = [
    ("timeval['tv_nsec']", "Undefined struct member: tv_nsec"),
    ("timeval.from_pointer(Pointer.new(8))['nope']", "Undefined struct member: nope"),
    ("timeval.from_pointer(Pointer.new(8))['nope'] = 1", "Undefined struct member: nope"),
    (
        "ffi.struct do (s) {\n  s['a'] = types.i32\n  s['a'] = types.i64\n}",
        'The member "a" has already been defined',
    ),
    (
        'let b = LayoutBuilder.new\nb["q\\"uote"] = types.i8\nb["q\\"uote"] = types.i8',
        'The member "q\\"uote" has already been defined',
    ),
]

CASES = (
    [pytest.param(code, text, id=code[:60]) for code, text in PANICS]
    + [pytest.param(_MEMORY + code, text, id=code[:60]) for code, text in WRITE_PANICS]
    + [pytest.param(_TIMEVAL + code, text, id=code[:60]) for code, text in STRUCT_PANICS]
)


@pytest.mark.parametrize(("code", "message"), CASES)
def test_panic_texts(code: str, message: str, tmp_path: Path) -> None:
    result = run_code(code + "\nstdout.print('not reached')\n", tmp_path)
    assert result.returncode == 1, result.stderr
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    assert panic_message(result.stderr) == message


def test_output_of_c_stdio_reaches_a_pipe_before_the_program_ends(tmp_path: Path) -> None:
    # libc buffers a piped stdout itself; the end of the run must flush it as
    # a C program's exit would, however the interpreter leaves.
    code = (
        "let puts = libc.function('puts', [types.string], types.i32)\n"
        "puts.call('from C')\n"
        "stdout.print('from Inko')\n"
    )
    # PYTHONUNBUFFERED would make C's stdout unbuffered too, hiding the loss.
    env = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}
    result = subprocess.run(
        [sys.executable, "-m", "inko_mini", "run", "-e", PRELUDE + code],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        env=env,
    )
    assert (result.returncode, result.stderr) == (0, "")
    assert sorted(result.stdout.splitlines()) == ["from C", "from Inko"]
