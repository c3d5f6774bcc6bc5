"""Ask a documentation server one HTTP question and judge the answer.

An answer counts when it is a complete HTTP/1.x response: a status line,
header lines ended by an empty line, and a body of the advertised length
(Content-Length, chunked, or up to the close when neither is given).
"""

from __future__ import annotations

import re
import socket
import time
from dataclasses import dataclass, field

from inko_mini.doctest.curl import HttpRequest

_STATUS_LINE = re.compile(rb"^HTTP/\d\.\d (\d{3})(?: (.*))?$")


class ProbeError(Exception):
    """The server did not give a complete HTTP response; says why."""


@dataclass
class HttpAnswer:
    status: int
    reason: str
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""

    def summary(self) -> str:
        return f"{self.status} {self.reason}".rstrip() + f" with a {len(self.body)}-byte body"


def _encode_request(request: HttpRequest) -> bytes:
    host = request.host if ":" not in request.host else f"[{request.host}]"
    headers = [
        ("Host", f"{host}:{request.port}"),
        ("User-Agent", "inko-mini-doctest"),
        ("Accept", "*/*"),
    ]
    names = {name.lower() for name, _ in request.headers}
    headers = [(n, v) for n, v in headers if n.lower() not in names] + request.headers
    if request.body:
        headers.append(("Content-Length", str(len(request.body))))
    head = f"{request.method} {request.target} HTTP/1.1\r\n"
    head += "".join(f"{name}: {value}\r\n" for name, value in headers) + "\r\n"
    return head.encode("latin-1") + request.body


class _Reader:
    """Buffered reads from a socket with one overall deadline."""

    def __init__(self, sock: socket.socket, deadline: float):
        self.sock, self.deadline, self.buffer, self.closed = sock, deadline, b"", False

    def fill(self) -> bool:
        remaining = self.deadline - time.monotonic()
        if remaining <= 0:
            raise ProbeError("no complete response in time")
        self.sock.settimeout(remaining)
        try:
            data = self.sock.recv(65536)
        except TimeoutError:
            raise ProbeError("no complete response in time") from None
        except ConnectionResetError:
            data = b""
        if not data:
            self.closed = True
        self.buffer += data
        return bool(data)

    def until(self, marker: bytes, what: str) -> bytes:
        while marker not in self.buffer:
            if not self.fill():
                raise ProbeError(f"connection closed {what}")
        head, _, self.buffer = self.buffer.partition(marker)
        return head

    def exactly(self, count: int, what: str) -> bytes:
        while len(self.buffer) < count:
            if not self.fill():
                raise ProbeError(f"{what}: got {len(self.buffer)} of the {count} bytes advertised")
        data, self.buffer = self.buffer[:count], self.buffer[count:]
        return data

    def rest(self) -> bytes:
        while self.fill():
            pass
        data, self.buffer = self.buffer, b""
        return data


def _read_answer(reader: _Reader, method: str) -> HttpAnswer:
    if not reader.fill() and not reader.buffer:
        raise ProbeError("connection closed without any response")
    head = reader.until(b"\r\n\r\n", "in the middle of the response headers")
    status_line, *header_lines = head.split(b"\r\n")
    match = _STATUS_LINE.match(status_line)
    if not match:
        shown = status_line[:60].decode("utf-8", "replace")
        raise ProbeError(f"not an HTTP status line: {shown!r}")
    answer = HttpAnswer(int(match[1]), (match[2] or b"").decode("latin-1"))
    for line in header_lines:
        name, colon, value = line.decode("latin-1").partition(":")
        if not colon or not name.strip():
            raise ProbeError(f"malformed header line: {line[:60].decode('latin-1')!r}")
        answer.headers[name.strip().lower()] = value.strip()
    if method == "HEAD" or answer.status in (204, 304) or 100 <= answer.status < 200:
        return answer
    length = answer.headers.get("content-length")
    if "chunked" in answer.headers.get("transfer-encoding", "").lower():
        answer.body = _read_chunks(reader)
    elif length is not None:
        if not length.isdigit():
            raise ProbeError(f"invalid Content-Length: {length!r}")
        answer.body = reader.exactly(int(length), "body cut short")
    else:
        answer.body = reader.rest()
    return answer


def _read_chunks(reader: _Reader) -> bytes:
    body = b""
    while True:
        size_line = reader.until(b"\r\n", "in a chunked body").split(b";")[0].strip()
        try:
            size = int(size_line, 16)
        except ValueError:
            raise ProbeError(f"invalid chunk size {size_line[:20]!r}") from None
        if size == 0:
            reader.until(b"\r\n", "after the last chunk")
            return body
        body += reader.exactly(size, "chunk cut short")
        reader.exactly(2, "chunk not ended")


def ask(
    request: HttpRequest, timeout: float, host: str | None = None, port: int | None = None
) -> HttpAnswer:
    """Send `request` (to host:port when given, else to its URL) and read the answer."""
    deadline = time.monotonic() + timeout
    address = (host or request.host, port or request.port)
    try:
        sock = socket.create_connection(address, timeout=timeout)
    except OSError as error:
        raise ProbeError(
            f"cannot connect to {address[0]}:{address[1]}: {error.strerror or error}"
        ) from None
    with sock:
        try:
            sock.sendall(_encode_request(request))
            return _read_answer(_Reader(sock, deadline), request.method)
        except OSError as error:
            raise ProbeError(f"connection failed: {error.strerror or error}") from None
