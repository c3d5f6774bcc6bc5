"""The twelve ```inko blocks of the Sockets page, run as files (samples/sockets/).

The page fixes its ports (40000 for TCP, 8080 for HTTP) and the Unix path
/tmp/test.sock, so these tests run one sample at a time and clean up after
themselves. The Unix sample runs with a /tmp of its own (a private mount
namespace, `unshare -rm`) when the system allows it, so that parallel runs
of this file can not meet at /tmp/test.sock.
"""

from __future__ import annotations

import http.client
import os
import shutil
import socket
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from net_helpers import SAMPLES, needs_interpreter, port_in_use, run_inko

pytestmark = needs_interpreter

SOCKETS = SAMPLES / "sockets"
HTTP_PORT = 8080
UNIX_PATH = "/tmp/test.sock"

# What both HTTP servers of the page build and send, byte for byte.
REPLY = (
    b"HTTP/1.1 200 OK\r\n"
    b"Content-Type: text/plain\r\n"
    b"Content-Length: 12\r\n"
    b"Connection: close\r\n"
    b"\r\n"
    b"Hello, HTTP!"
)


def raw_request(port: int = HTTP_PORT) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=20) as conn:
        conn.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        chunks = []
        while True:
            try:
                chunk = conn.recv(65536)
            except ConnectionResetError:
                # The page's server closes without reading the request, so the
                # kernel may follow its FIN with a reset; the reply is complete
                # by then.
                break
            if not chunk:
                break
            chunks.append(chunk)
    return b"".join(chunks)


def library_request(port: int = HTTP_PORT) -> tuple:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=20)
    try:
        conn.request("GET", "/")
        response = conn.getresponse()
        return response.status, response.getheader("Content-Type"), response.read()
    finally:
        conn.close()


@pytest.mark.parametrize(
    "name", ["01_import", "07_ip_parse", "08_ip_to_ip_address", "09_ip_new", "10_ip_to_string"]
)
def test_blocks_without_output_exit_cleanly(name):
    result = run_inko(SOCKETS / f"{name}.inko")
    assert (result.status, result.stdout, result.stderr) == (0, "", "")


@pytest.mark.parametrize("name", ["02_listener_and_stream", "03_write", "04_accept"])
def test_tcp_setup_blocks_exit_cleanly(name):
    if port_in_use(40000):
        pytest.skip("port 40000, fixed by the page, is taken")
    result = run_inko(SOCKETS / f"{name}.inko")
    assert (result.status, result.stdout, result.stderr) == (0, "", "")


def test_tcp_example_prints_ping():
    if port_in_use(40000):
        pytest.skip("port 40000, fixed by the page, is taken")
    result = run_inko(SOCKETS / "05_tcp_ping.inko")
    assert (result.status, result.stdout, result.stderr) == (0, "ping\n", "")


def _under_tmp() -> bool:
    """A private /tmp would hide the checkout or the interpreter living there
    (a CI clone in /tmp, a venv in /tmp)."""
    places = (Path(__file__).resolve(), Path(sys.executable).resolve(), Path(sys.prefix).resolve())
    return any(str(p).startswith("/tmp/") for p in places)


def _private_tmp() -> list | None:
    """A command prefix giving what follows its own empty /tmp, or None."""
    unshare = shutil.which("unshare")
    if unshare is None or _under_tmp():
        return None
    prefix = [unshare, "-rm", "sh", "-c", 'mount -t tmpfs tmpfs /tmp && exec "$@"', "sh"]
    try:
        probe = subprocess.run([*prefix, "true"], capture_output=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return prefix if probe.returncode == 0 else None


def test_unix_example_in_a_private_tmp():
    prefix = _private_tmp()
    if prefix is None:
        pytest.skip("no private mount namespace here (the shared-/tmp test below runs instead)")
    sample = str(SOCKETS / "06_unix_ping.inko")
    # Run the sample, look for its socket file, run it again: all with the
    # same private /tmp.
    script = (
        f'"{sys.executable}" -m inko_mini run "{sample}"; echo "status $?"; '
        f'test -S {UNIX_PATH} && echo "socket file left"; '
        f'"{sys.executable}" -m inko_mini run "{sample}"; echo "status $?"'
    )
    result = subprocess.run(
        [*prefix, "sh", "-c", script],
        capture_output=True,
        text=True,
        timeout=120,
        env=dict(os.environ, PYTHONPATH=str(SAMPLES.parent)),
    )
    # "closing a UnixListener does not automatically remove the socket file"
    assert result.stdout == "ping\nstatus 0\nsocket file left\nstatus 1\n", result
    assert "The address is already in use." in result.stderr


def test_unix_example_prints_ping_and_leaves_its_socket_file():
    if _private_tmp() is not None:
        pytest.skip("covered with a private /tmp by test_unix_example_in_a_private_tmp")
    if os.path.exists(UNIX_PATH):
        os.unlink(UNIX_PATH)
    try:
        result = run_inko(SOCKETS / "06_unix_ping.inko")
        assert (result.status, result.stdout, result.stderr) == (0, "ping\n", "")
        # "closing a UnixListener does not automatically remove the socket file"
        assert os.path.exists(UNIX_PATH)
        again = run_inko(SOCKETS / "06_unix_ping.inko")
        assert again.status == 1
        assert "The address is already in use." in again.stderr
    finally:
        if os.path.exists(UNIX_PATH):
            os.unlink(UNIX_PATH)


def test_ip_to_string_annotations_hold():
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "inko_mini",
            "run",
            "--check-annotations",
            str(SOCKETS / "10_ip_to_string.inko"),
        ],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert (proc.returncode, proc.stderr) == (0, "")


def _skip_if_http_port_taken():
    if port_in_use(HTTP_PORT):
        pytest.skip("port 8080, fixed by the page, is taken")


def test_process_per_connection_server_answers_http(server):
    _skip_if_http_port_taken()
    srv = server(SOCKETS / "11_http_process_per_connection.inko", port=HTTP_PORT)
    assert raw_request() == REPLY
    assert library_request() == (200, "text/plain", b"Hello, HTTP!")
    if shutil.which("curl"):
        curl = subprocess.run(
            ["curl", "-s", "-i", f"http://127.0.0.1:{HTTP_PORT}"], capture_output=True, timeout=30
        )
        assert curl.stdout == REPLY
    assert srv.proc.poll() is None


def test_four_acceptor_server_under_concurrent_load(server):
    _skip_if_http_port_taken()
    srv = server(SOCKETS / "12_http_four_acceptors.inko", port=HTTP_PORT)
    assert raw_request() == REPLY
    if shutil.which("curl"):
        curl = subprocess.run(
            ["curl", "-s", f"http://127.0.0.1:{HTTP_PORT}"], capture_output=True, timeout=30
        )
        assert curl.stdout == b"Hello, HTTP!"
    # Warm up, then check that 300 requests from 16 clients at once all get
    # the complete reply and that no descriptor is left behind.
    for _ in range(20):
        raw_request()
    before = srv.settled_fds()
    with ThreadPoolExecutor(16) as pool:
        replies = list(pool.map(lambda _: raw_request(), range(300)))
    assert replies.count(REPLY) == 300
    # A client reads end-of-file at the server's shutdown, which comes just
    # before its close: the last connections may still be open for a moment.
    assert srv.fds_drop_to(before) <= before
    assert library_request() == (200, "text/plain", b"Hello, HTTP!")
