"""The reference server: asyncio, sending the bytes the Sockets page's servers
send, in the same way (no read of the request; shutdown, then close).

    python bench/http/asyncio_server.py [PORT]
"""

from __future__ import annotations

import asyncio
import socket
import sys

REPLY = (
    b"HTTP/1.1 200 OK\r\n"
    b"Content-Type: text/plain\r\n"
    b"Content-Length: 12\r\n"
    b"Connection: close\r\n"
    b"\r\n"
    b"Hello, HTTP!"
)


async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    writer.write(REPLY)
    try:
        await writer.drain()
        sock = writer.get_extra_info("socket")
        if sock is not None:
            sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
    writer.close()


async def main(port: int) -> None:
    server = await asyncio.start_server(
        handle, "127.0.0.1", port, reuse_address=True, backlog=65535
    )
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 8080))
