"""What panics instead of throwing (STDLIB-FS-OS-FFI §1.4, §4.3, §6): a
closed file, values of the wrong kind given to the untyped std::fs::raw
helpers and to every fs primitive, bad modes, offsets and timestamp kinds,
and a file sent to another process. Each must end the program with the
Inko panic report (exit 1), never a Python traceback."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_fs import inko, make_fixture

PRELUDE = (
    "import std::byte_array::ByteArray\n"
    "import std::fs::file\n"
    "import std::fs::raw\n"
    "import std::process\n"
)

CLOSED = "ObjectValue::as_file_mut() called on a non file"
TAGGED_STRING = "ObjectPointer::as_string() called on a tagged integer"
NON_STRING = "ObjectValue::as_string() called on a non string"
NON_INTEGER = "ObjectPointer::integer_value() called on a non integer object"

CASES = {
    # A closed file: reading, writing, flushing and seeking panic.
    "closed_read": ("let f = try! file.read_only('hello.txt')\nf.close\nf.read_string", CLOSED),
    "closed_read_bytes": (
        "let f = try! file.read_write('x')\nf.close\nf.read_bytes(ByteArray.new)",
        CLOSED,
    ),
    "closed_write": ("let f = try! file.write_only('x')\nf.close\nf.write_string('a')", CLOSED),
    "closed_write_bytes": (
        "let f = try! file.append_only('x')\nf.close\nf.write_bytes(ByteArray.new)",
        CLOSED,
    ),
    "closed_print": ("let f = try! file.read_append('x')\nf.close\nf.print('a')", CLOSED),
    "closed_flush": ("let f = try! file.write_only('x')\nf.close\nf.flush", CLOSED),
    "closed_seek": ("let f = try! file.read_only('hello.txt')\nf.close\nf.seek(1)", CLOSED),
    "closed_twice_then_raw": (
        "let f = try! raw.open('hello.txt', 0)\nf.close\nf.close\nraw.flush(f)",
        CLOSED,
    ),
    # Sizes, offsets, modes and timestamp kinds.
    "negative_size": (
        "(try! file.read_only('hello.txt')).read_string(-1)",
        "-1 is too big to convert to an unsigned integer",
    ),
    "float_size": ("(try! file.read_only('hello.txt')).read_string(1.5)", NON_INTEGER),
    "negative_seek": (
        "(try! file.read_only('hello.txt')).seek(-1)",
        "-1 is not a valid seek offset",
    ),
    "huge_seek": (
        "(try! file.read_only('hello.txt')).seek(18446744073709551616)",
        "18446744073709551616 is too big for a seek offset",
    ),
    "float_seek": ("(try! file.read_only('hello.txt')).seek(1.5)", NON_INTEGER),
    "bad_mode": ("raw.open('x', 5)", "Invalid file open mode: 5"),
    "negative_mode": ("raw.open('x', -1)", "Invalid file open mode: -1"),
    "string_mode": ("raw.open('x', '0')", NON_INTEGER),
    "bad_time_kind": ("raw.file_time('hello.txt', 3)", "3 is not a valid type of timestamp"),
    "string_time_kind": ("raw.file_time('hello.txt', 'a')", NON_INTEGER),
    # Wrong kinds given to the untyped raw helpers.
    "raw_size_integer": ("raw.size(5)", TAGGED_STRING),
    "raw_size_float": ("raw.size(1.5)", NON_STRING),
    "raw_open_array": ("raw.open([], 0)", NON_STRING),
    "raw_remove_nil": ("raw.remove(Nil)", NON_STRING),
    "raw_copy_integer": ("raw.copy('hello.txt', 3)", TAGGED_STRING),
    "raw_file_integer": ("raw.file?(7)", TAGGED_STRING),
    "raw_time_nil": ("raw.modified_at(Nil)", NON_STRING),
    "raw_read_integer": (
        "raw.read_bytes(file: 5, bytes: ByteArray.new)",
        "ObjectPointer::as_file_mut() called on a tagged integer",
    ),
    "raw_read_string": ("raw.read_bytes(file: 'x', bytes: ByteArray.new)", CLOSED),
    "raw_seek_object": ("raw.seek(Object.new, 0)", CLOSED),
    "raw_flush_path": ("raw.flush('hello.txt'.to_path)", CLOSED),
    "raw_read_into_string": (
        "raw.read_bytes(try! raw.open('hello.txt', 0), 'abc')",
        "ObjectValue::as_byte_array_mut() called on a non byte array",
    ),
    "raw_write_integer": (
        "raw.write_bytes(try! raw.open('x', 1), 5)",
        "ObjectPointer::as_byte_array() called on a tagged integer",
    ),
    "raw_write_array": (
        "raw.write_string(try! raw.open('x', 1), [1])",
        "ObjectValue::as_byte_array() called on a non byte array",
    ),
    # The primitives themselves.
    "prim_dir_create": ("_INKOC.fs_dir_create(1, False)", TAGGED_STRING),
    "prim_dir_remove": ("_INKOC.fs_dir_remove(2.0, True)", NON_STRING),
    "prim_dir_list": ("_INKOC.fs_dir_list(Nil)", NON_STRING),
    "prim_type": ("_INKOC.fs_type(True)", NON_STRING),
    "prim_close": ("_INKOC.fs_close(3)", "ObjectPointer::as_file_mut() called on a tagged integer"),
    "prim_close_object": ("_INKOC.fs_close(Object.new)", CLOSED),
    "prim_prototype": ("_INKOC.fs_file_prototype('a')", NON_INTEGER),
    "prim_prototype_range": ("_INKOC.fs_file_prototype(3)", "3 is not a file prototype"),
    # A file can not be sent to another process (STDLIB-NET-PROCESS §2.2).
    "send_file": (
        "let f = try! file.read_only('hello.txt')\n"
        "let p = process.spawn { process.receive }\n"
        "p.send(f)",
        "The VM panicked with an unknown error",
    ),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_panic(name: str, tmp_path: Path) -> None:
    code, message = CASES[name]
    make_fixture(tmp_path)
    proc = inko(["-e", PRELUDE + code], tmp_path)
    assert proc.returncode == 1, proc.stderr
    assert "Traceback" not in proc.stderr
    assert proc.stderr.rstrip("\n").splitlines()[-1].endswith(f"panicked: {message}"), proc.stderr
