"""A stand-in for `inko-mini run`, used only by the runner's own unit tests.

It takes the runner's command line (`--check-annotations -I DIR... FILE`)
and treats each line of FILE as one command, so tests can make a "block"
print, exit, panic, hang, or serve HTTP without depending on the Inko
interpreter. The Inko end-to-end tests use the real interpreter.
"""

import os
import socket
import subprocess
import sys
import time


def main(argv):  # noqa: C901 (one branch per scripted behaviour)
    includes, path, i = [], None, 0
    while i < len(argv):
        if argv[i] in ("-I", "-i"):
            includes.append(argv[i + 1])
            i += 2
        elif argv[i].startswith("--"):
            i += 1
        else:
            path = argv[i]
            break
    status = 0
    keep = []  # sockets held open until the program ends
    with open(path) as handle:
        lines = handle.read().splitlines()
    for number, line in enumerate(lines, start=1):
        command, _, rest = line.strip().partition(" ")
        if command == "print":
            print(rest, flush=True)
        elif command == "error":
            print(rest, file=sys.stderr, flush=True)
        elif command == "exit":
            sys.exit(int(rest))
        elif command == "includes":
            print(" ".join(includes), flush=True)
        elif command == "cwd":
            print(os.getcwd(), flush=True)
        elif command == "panic":
            sys.stderr.write(
                "Stack trace (the most recent call comes last):\n"
                f'  0: "{path}", line {number}, in "main"\n'
                f"Process 0x7f00deadbeef panicked: {rest}"
            )
            sys.stderr.write("\n")
            sys.exit(1)
        elif command == "annotation-fail":
            expected, got = rest.split(" ", 1)
            print(
                f"annotation failed at {path}:{number}: expected {expected}, got {got}",
                file=sys.stderr,
                flush=True,
            )
            status = 1
        elif command == "syntax-error":
            print(f"{path}:{number}:3: syntax error: {rest}", file=sys.stderr)
            sys.exit(1)
        elif command == "sleep":
            time.sleep(float(rest))
        elif command == "hang":
            while True:
                time.sleep(1)
        elif command == "child-sleep":
            # a child that would outlive the block if the group were not stopped
            child = subprocess.Popen(
                [sys.executable, "-c", "import time; print('child', flush=True); time.sleep(60)"]
            )
            keep.append(child)
        elif command == "listen":
            listener = socket.create_server(("127.0.0.1", int(rest or 0)))
            keep.append(listener)
        elif command == "talk-to-self":
            # listen, connect to ourselves and leave: not a server
            listener = socket.create_server(("127.0.0.1", 0))
            client = socket.create_connection(listener.getsockname())
            listener.accept()[0].close()
            client.close()
            listener.close()
        elif command == "listen-busy":
            # bound, but still working (on the CPU) rather than waiting for clients
            listener = socket.create_server(("127.0.0.1", 0))
            until = time.monotonic() + float(rest)
            while time.monotonic() < until:
                pass
            listener.close()
        elif command == "bind-unix":
            unix = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            unix.bind(rest)
            unix.listen()
            keep.append(unix)
        elif command.startswith("serve-"):
            port = int(rest.split()[0]) if rest.strip() else 0
            serve(command, socket.create_server(("127.0.0.1", port)), rest)
        elif command and not command.startswith("#"):
            print(f"{path}:{number}:1: syntax error: unknown command {command!r}", file=sys.stderr)
            sys.exit(1)
    sys.exit(status)


def serve(kind, listener, rest):
    body = rest.split(" ", 1)[1].encode() if " " in rest else b"Hello, HTTP!"
    while True:
        client, _ = listener.accept()
        client.recv(65536)
        if kind == "serve-http":
            client.sendall(
                b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n"
                b"Content-Length: %d\r\nConnection: close\r\n\r\n%s" % (len(body), body)
            )
        elif kind == "serve-partial":
            client.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nshort")
        elif kind == "serve-garbage":
            client.sendall(b"hello there\r\n\r\n")
        elif kind == "serve-crash":
            sys.stderr.write(
                "Stack trace (the most recent call comes last):\n"
                f'  0: "{sys.argv[-1]}", line 1, in "main"\n'
                "Process 0x7f00deadbeef panicked: oops\n"
            )
            os._exit(1)
        elif kind == "serve-then-die":
            client.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
            client.close()
            time.sleep(0.01)
            os._exit(3)
        client.close()


if __name__ == "__main__":
    main(sys.argv[1:])
