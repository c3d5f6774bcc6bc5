"""Read the request a page's `curl URL` shell line describes.

The request is replayed by the runner itself rather than by the curl
binary, so a test does not depend on curl being installed. Only the
options pages use to shape a request are understood; the rest (-s, -v,
-i, ...) do not change what is sent and are ignored.
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass, field
from urllib.parse import urlsplit


@dataclass
class HttpRequest:
    url: str
    method: str = "GET"
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""
    # the shell line it came from, for messages
    command: str = ""

    @property
    def host(self) -> str:
        return urlsplit(self.url).hostname or "127.0.0.1"

    @property
    def port(self) -> int:
        parts = urlsplit(self.url)
        return parts.port or (443 if parts.scheme == "https" else 80)

    @property
    def target(self) -> str:
        parts = urlsplit(self.url)
        path = parts.path or "/"
        return path + (f"?{parts.query}" if parts.query else "")


_WITH_VALUE = {
    "-X",
    "--request",
    "-H",
    "--header",
    "-d",
    "--data",
    "--data-raw",
    "--data-binary",
    "-A",
    "--user-agent",
    "-o",
    "--output",
    "-m",
    "--max-time",
    "-u",
    "--user",
    "-e",
    "--referer",
    "-b",
    "--cookie",
}


def parse_curl(command: str) -> HttpRequest | None:
    """The request of one shell line starting with curl (after an optional `$ `)."""
    line = command.strip()
    if line.startswith("$ "):
        line = line[2:].lstrip()
    try:
        words = shlex.split(line)
    except ValueError:
        return None
    if not words or words[0] != "curl":
        return None
    request = HttpRequest(url="", command=line)
    explicit_method = None
    args = iter(words[1:])
    for word in args:
        if word in _WITH_VALUE:
            value = next(args, "")
            if word in ("-X", "--request"):
                explicit_method = value.upper()
            elif word in ("-H", "--header") and ":" in value:
                name, _, text = value.partition(":")
                request.headers.append((name.strip(), text.strip()))
            elif word.startswith(("-d", "--data")):
                request.body += value.encode()
                request.method = "POST"
            elif word in ("-A", "--user-agent"):
                request.headers.append(("User-Agent", value))
        elif word in ("-I", "--head"):
            request.method = "HEAD"
        elif word.startswith("-"):
            continue
        elif not request.url:
            request.url = word if "://" in word else f"http://{word}"
    if not request.url:
        return None
    if explicit_method:
        request.method = explicit_method
    return request


def find_curl_request(lines: list[str]) -> HttpRequest | None:
    """The first curl request among a shell block's lines."""
    for line in lines:
        request = parse_curl(line)
        if request is not None:
            return request
    return None
