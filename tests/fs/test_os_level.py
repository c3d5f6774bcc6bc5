"""std::fs behaviour that needs the test to prepare or watch the operating
system: permissions, the mode of created and copied files, FIFOs that block,
and the rule that file work never stops the other Inko processes
(DESIGN.md §7: blocking calls run in the thread pool while the process
waits)."""

from __future__ import annotations

import os
import shutil
import socket
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest
from test_fs import TIMEOUT, inko, make_fixture

SHOW = (
    "import std::fs\nimport std::fs::dir\nimport std::fs::file\nimport std::stdio::stdout\n"
    "def show(block: do -> Dynamic) {\n"
    "  stdout.print(try { block.call.inspect } else (error) { 'throws: ' + error.message })\n"
    "}\n"
)


def _without_root_powers() -> list[str]:
    """A command prefix under which file permissions apply to this user."""
    if os.geteuid() != 0:
        return []
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        pytest.skip("running as root without setpriv: permissions are not enforced")
    # Root without CAP_DAC_OVERRIDE/CAP_DAC_READ_SEARCH obeys file modes.
    return [setpriv, "--bounding-set=-dac_override,-dac_read_search"]


def test_permission_errors(tmp_path: Path) -> None:
    make_fixture(tmp_path)
    (tmp_path / "locked.txt").write_text("secret")
    (tmp_path / "locked.txt").chmod(0)
    (tmp_path / "locked-dir").mkdir()
    (tmp_path / "locked-dir" / "f").write_text("f")
    (tmp_path / "read-only-dir").mkdir()
    (tmp_path / "read-only-dir" / "f").write_text("f")
    (tmp_path / "locked-dir").chmod(0)
    (tmp_path / "read-only-dir").chmod(0o555)
    program = tmp_path / "perm.inko"
    program.write_text(
        SHOW + "show { file.read_only('locked.txt') }\n"
        "show { file.write_only('locked.txt') }\n"
        "show { file.read_write('locked.txt') }\n"
        "show { file.copy('locked.txt', 'copy.txt') }\n"
        "show { dir.list('locked-dir') }\n"
        "show { fs.size('locked-dir/f') }\n"
        "show { fs.exists?('locked-dir/f') }\n"
        "show { fs.file?('locked-dir/f') }\n"
        "show { dir.create('read-only-dir/new') }\n"
        "show { file.write_only('read-only-dir/new.txt') }\n"
        "show { file.remove('read-only-dir/f') }\n"
        "show { dir.remove(path: 'read-only-dir', recursive: True) }\n"
        "show { fs.file?('read-only-dir/f') }\n"
    )
    denied = "throws: The operation lacked the necessary privileges to complete."
    try:
        proc = subprocess.run(
            [*_without_root_powers(), sys.executable, "-m", "inko_mini", "run", str(program)],
            cwd=tmp_path,
            env={**os.environ, "TMPDIR": str(tmp_path)},
            capture_output=True,
            text=True,
            timeout=TIMEOUT,
        )
    finally:
        (tmp_path / "locked-dir").chmod(0o755)
        (tmp_path / "read-only-dir").chmod(0o755)
    assert (proc.returncode, proc.stderr) == (0, "")
    assert proc.stdout.splitlines() == [
        denied,
        denied,
        denied,
        # fs::copy: stat says "regular file", then open(2) is refused.
        denied,
        denied,
        denied,
        "False",
        "False",
        denied,
        denied,
        denied,
        denied,
        "True",
    ]
    assert not (tmp_path / "copy.txt").exists()


def test_created_files_and_directories_follow_the_umask(tmp_path: Path) -> None:
    make_fixture(tmp_path)
    code = (
        "import std::fs::dir\nimport std::fs::file\n"
        "(try! file.write_only('w.txt')).close\n"
        "(try! file.read_write('rw.txt')).close\n"
        "(try! file.append_only('a.txt')).close\n"
        "try! dir.create('d')\n"
        "try! dir.create(path: 'p/q', recursive: True)\n"
    )
    proc = subprocess.run(
        [sys.executable, "-m", "inko_mini", "run", "-e", code],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        preexec_fn=lambda: os.umask(0o027),
    )
    assert (proc.returncode, proc.stderr) == (0, "")
    for name in ("w.txt", "rw.txt", "a.txt"):
        assert stat.S_IMODE((tmp_path / name).stat().st_mode) == 0o640, name
    for name in ("d", "p", "p/q"):
        assert stat.S_IMODE((tmp_path / name).stat().st_mode) == 0o750, name


def test_copy_keeps_the_source_permissions(tmp_path: Path) -> None:
    make_fixture(tmp_path)
    (tmp_path / "hello.txt").chmod(0o751)
    (tmp_path / "existing.txt").write_text("much longer than the source file is")
    code = (
        "import std::fs::file\nimport std::stdio::stdout\n"
        "stdout.print(try! file.copy('hello.txt', 'new.txt'))\n"
        "stdout.print(try! file.copy('hello.txt', 'existing.txt'))\n"
    )
    proc = inko(["-e", code], tmp_path)
    assert (proc.returncode, proc.stderr, proc.stdout) == (0, "", "23\n23\n")
    for name in ("new.txt", "existing.txt"):
        assert stat.S_IMODE((tmp_path / name).stat().st_mode) == 0o751, name
        assert (tmp_path / name).read_bytes() == (tmp_path / "hello.txt").read_bytes()


def test_fifo_reader_does_not_stop_a_socket_server(tmp_path: Path) -> None:
    """One process opens and reads a FIFO (both block in the OS until the
    test writes) while the main process answers on a TCP socket. If a file
    call ran on the scheduler's thread, the server would never answer."""
    os.mkfifo(tmp_path / "fifo")
    program = tmp_path / "server.inko"
    program.write_text(
        "import std::byte_array::ByteArray\n"
        "import std::fs::file\n"
        "import std::net::socket::TcpListener\n"
        "import std::process\n"
        "import std::stdio::stdout\n"
        "let listener = try! TcpListener.new(ip: '127.0.0.1', port: 0)\n"
        "stdout.print(try! listener.local_address.port)\n"
        "let reader = process.spawn {\n"
        "  let main = process.receive as Process\n"
        "  let handle = try! file.read_only('fifo')\n"
        "  let bytes = ByteArray.new\n"
        "  main.send(try! handle.read_bytes(bytes))\n"
        "}\n"
        "reader.send(process.current)\n"
        "let mut answered = 0\n"
        "{ answered < 2 }.while_true {\n"
        "  let connection = try! listener.accept\n"
        "  try! connection.write_string('pong ' + (try! connection.read_string(4)))\n"
        "  connection.close\n"
        "  answered += 1\n"
        "}\n"
        "stdout.print('read ' + process.receive.to_string + ' bytes')\n"
    )
    proc = subprocess.Popen(
        [sys.executable, "-m", "inko_mini", "run", str(program)],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        port = int(proc.stdout.readline())

        def ping(word: str) -> str:
            with socket.create_connection(("127.0.0.1", port), timeout=20) as conn:
                conn.sendall(word.encode())
                conn.shutdown(socket.SHUT_WR)
                reply = b""
                while chunk := conn.recv(100):
                    reply += chunk
                return reply.decode()

        # The reader is blocked in open(2): nobody has the FIFO open for writing.
        time.sleep(0.3)
        assert ping("one.") == "pong one."
        chunk = b"x" * 65536
        with open(tmp_path / "fifo", "wb") as fifo:
            # The reader is now blocked in read(2) in the middle of the data.
            for _ in range(64):
                fifo.write(chunk)
            fifo.flush()
            time.sleep(0.3)
            assert ping("two.") == "pong two."
            for _ in range(64):
                fifo.write(chunk)
        out, err = proc.communicate(timeout=TIMEOUT)
    finally:
        proc.kill()
        proc.wait()
    assert (proc.returncode, err) == (0, "")
    assert out == f"read {128 * 65536} bytes\n"


def test_a_timer_process_ticks_during_a_long_read(tmp_path: Path) -> None:
    """The main process reads 16 MiB from a FIFO in one `read_bytes` call,
    which takes at least half a second because the writer pauses halfway.
    A second process ticks five times every 10 ms and reports before the
    read ends; had the read held the scheduler's thread, "ticked" could only
    come after "read"."""
    os.mkfifo(tmp_path / "fifo")
    program = tmp_path / "ticks.inko"
    program.write_text(
        "import std::byte_array::ByteArray\n"
        "import std::fs::file\n"
        "import std::process\n"
        "import std::stdio::stdout\n"
        "process.spawn {\n"
        "  let mut ticks = 0\n"
        "  { ticks < 5 }.while_true {\n"
        "    process.suspend(0.01)\n"
        "    ticks += 1\n"
        "  }\n"
        "  stdout.print('ticked')\n"
        "}\n"
        "let handle = try! file.read_only('fifo')\n"
        "let bytes = ByteArray.new\n"
        "stdout.print('read ' + (try! handle.read_bytes(bytes)).to_string)\n"
    )
    proc = subprocess.Popen(
        [sys.executable, "-m", "inko_mini", "run", str(program)],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        half = os.urandom(1 << 20) * 8
        with open(tmp_path / "fifo", "wb") as fifo:
            fifo.write(half)
            fifo.flush()
            time.sleep(0.5)
            fifo.write(half)
        out, err = proc.communicate(timeout=TIMEOUT)
    finally:
        proc.kill()
        proc.wait()
    assert (proc.returncode, err) == (0, "")
    assert out == f"ticked\nread {16 << 20}\n"


def test_program_ends_while_a_process_waits_on_a_fifo(tmp_path: Path) -> None:
    """The main process ending ends the program, even when another process
    is stuck in open(2) on a FIFO that nobody will ever write."""
    os.mkfifo(tmp_path / "fifo")
    code = (
        "import std::fs::file\nimport std::process\nimport std::stdio::stdout\n"
        "process.spawn { file.read_only('fifo') }\n"
        "process.suspend(0.2)\n"
        "stdout.print('done')\n"
    )
    started = time.monotonic()
    proc = inko(["-e", code], tmp_path)
    assert (proc.returncode, proc.stderr, proc.stdout) == (0, "", "done\n")
    assert time.monotonic() - started < TIMEOUT / 2


@pytest.mark.parametrize(
    "tmpdir,expected", [(None, "/tmp"), ("", ""), ("/no/such/dir//", "/no/such/dir//")]
)
def test_temporary_directory_is_tmpdir_verbatim(
    tmpdir: str | None, expected: str, tmp_path: Path
) -> None:
    """Rust's env::temp_dir (§12): $TMPDIR as it is, else /tmp; no other
    variables, no normalisation, no check that it exists."""
    env = {k: v for k, v in os.environ.items() if k != "TMPDIR"}
    env["TEMP"] = env["TMP"] = str(tmp_path)
    if tmpdir is not None:
        env["TMPDIR"] = tmpdir
    code = "import std::env\nimport std::stdio::stdout\nstdout.print(env.temporary_directory.inspect)\n"
    proc = subprocess.run(
        [sys.executable, "-m", "inko_mini", "run", "-e", code],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
    )
    assert (proc.returncode, proc.stderr) == (0, "")
    assert proc.stdout == f'Path {{ @path = "{expected}" }}\n'
