"""The socket and IP primitives, driven by the real scheduler and real sockets.

These run without the parser or evaluator: each test calls the primitives
the way the Inko library does, inside scheduler tasks.
"""

from __future__ import annotations

import errno
import os
import socket

import pytest

from inko_mini import scheduler
from inko_mini.builtins import io as io_prims
from inko_mini.builtins.net import options
from inko_mini.builtins.net import socket as net
from inko_mini.errors import PanicSignal, ThrowSignal

REFUSED = "The connection was refused by the remote server."
IN_USE = "The address is already in use."
NOT_FOUND = "The resource could not be found."
MUT_PANIC = "ObjectValue::as_socket_mut() called on a non socket"
REF_PANIC = "ObjectValue::as_socket() called on a non socket"


def run(fn):
    return scheduler.run(fn)


def thrown(fn, *args):
    with pytest.raises(ThrowSignal) as info:
        fn(*args)
    return info.value.value


def listener(host="127.0.0.1", domain=0):
    sock = net.socket_create(domain, 0)
    options.socket_set_option(sock, 15, True)
    options.socket_set_option(sock, 16, True)
    net.socket_bind(sock, host, 0)
    net.socket_listen(sock, 128)
    return sock


def connected():
    """A listener, a client connected to it and the accepted end (inside a
    task of `run`)."""
    server = listener()
    port = net.socket_address(server, 0)[1]
    client = net.socket_create(0, 0)
    net.socket_connect(client, "127.0.0.1", port)
    return server, client, net.socket_accept(server)


# --- error texts (§4.1) -----------------------------------------------------


@pytest.mark.parametrize(
    "number, text",
    [
        (errno.ENOENT, NOT_FOUND),
        (errno.EACCES, "The operation lacked the necessary privileges to complete."),
        (errno.ECONNRESET, "The connection was reset by the remote server."),
        (errno.EPIPE, "The operation failed because a pipe was closed."),
        (errno.ENETUNREACH, "Network is unreachable (os error 101)"),
        (errno.EISCONN, "Transport endpoint is already connected (os error 106)"),
        (errno.ENOPROTOOPT, "Protocol not available (os error 92)"),
        (errno.EDESTADDRREQ, "Destination address required (os error 89)"),
    ],
)
def test_errno_texts(number, text):
    assert io_prims.errno_text(number) == text


def test_error_without_errno_is_invalid_input():
    assert io_prims.error_text(OSError("AF_UNIX path too long")) == "An input parameter is invalid."


# --- TCP --------------------------------------------------------------------


def test_tcp_ping_between_two_processes():
    def main():
        server = listener()
        host, port = net.socket_address(server, 0)
        assert host == "127.0.0.1" and port > 0
        got = []

        def serve():
            conn = net.socket_accept(server)
            data = bytearray()
            got.append(net.socket_read(conn, data, 4))
            got.append(bytes(data))
            net.socket_write(conn, "pong")
            net.socket_close(conn)

        task = scheduler.spawn(serve)
        client = net.socket_create(0, 0)
        net.socket_connect(client, "127.0.0.1", port)
        assert net.socket_write(client, "ping") == 4
        reply = bytearray()
        assert net.socket_read(client, reply, None) == 4  # to EOF
        assert bytes(reply) == b"pong"
        assert net.socket_address(client, 1) == ["127.0.0.1", port]
        net.socket_close(client)
        net.socket_close(server)
        while task.state is not scheduler.TaskState.TERMINATED:
            scheduler.yield_now()
        return got

    assert run(main) == [4, b"ping"]


def test_read_returns_zero_at_eof_and_leaves_bytes_alone():
    def main():
        server, client, conn = connected()
        net.socket_shutdown(conn, 1)
        data = bytearray(b"x")
        result = net.socket_read(client, data, 10)
        for s in (client, conn, server):
            net.socket_close(s)
        return result, bytes(data)

    assert run(main) == (0, b"x")


def test_connect_to_a_closed_port_fails_at_the_first_write():
    def main():
        probe = socket.socket()
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
        probe.close()
        client = net.socket_create(0, 0)
        net.socket_connect(client, "127.0.0.1", port)  # does not throw (§7.6)
        first = thrown(net.socket_write, client, "x")
        second = thrown(net.socket_write, client, "x")
        net.socket_close(client)
        return first, second

    first, second = run(main)
    assert first == REFUSED
    assert second == "The operation failed because a pipe was closed."


def test_connect_to_a_closed_port_then_read():
    def main():
        port = socket.socket()
        port.bind(("127.0.0.1", 0))
        number = port.getsockname()[1]
        port.close()
        client = net.socket_create(0, 0)
        net.socket_connect(client, "127.0.0.1", number)
        first = thrown(net.socket_read, client, bytearray(), 10)
        second = net.socket_read(client, bytearray(), 10)
        net.socket_close(client)
        return first, second

    assert run(main) == (REFUSED, 0)


def test_connecting_twice_reports_is_connected():
    def main():
        server = listener()
        port = net.socket_address(server, 0)[1]
        client = net.socket_create(0, 0)
        net.socket_connect(client, "127.0.0.1", port)
        text = thrown(net.socket_connect, client, "127.0.0.1", port)
        net.socket_close(client)
        net.socket_close(server)
        return text

    assert run(main) == "Transport endpoint is already connected (os error 106)"


def test_second_listener_shares_the_port_but_plain_bind_is_in_use():
    def main():
        first = listener()
        port = net.socket_address(first, 0)[1]
        second = net.socket_create(0, 0)
        options.socket_set_option(second, 15, True)
        options.socket_set_option(second, 16, True)
        net.socket_bind(second, "127.0.0.1", port)
        plain = net.socket_create(0, 0)
        text = thrown(net.socket_bind, plain, "127.0.0.1", port)
        for s in (first, second, plain):
            net.socket_close(s)
        return text

    assert run(main) == IN_USE


def test_peer_reset_is_reported():
    def main():
        server, client, conn = connected()
        options.socket_set_option(conn, 4, 0.0)
        # SO_LINGER on with zero seconds makes close send a reset.
        conn.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\1\0\0\0\0\0\0\0")
        net.socket_close(conn)
        text = thrown(net.socket_read, client, bytearray(), 10)
        net.socket_close(client)
        net.socket_close(server)
        return text

    assert run(main) == "The connection was reset by the remote server."


def test_closed_socket_panics_and_second_close_is_silent():
    def main():
        sock = net.socket_create(0, 0)
        net.socket_close(sock)
        net.socket_close(sock)
        results = []
        for fn, args in (
            (net.socket_read, (sock, bytearray(), 1)),
            (net.socket_write, (sock, "x")),
            (net.socket_accept, (sock,)),
        ):
            with pytest.raises(PanicSignal) as info:
                fn(*args)
            results.append(info.value.message)
        for fn, args in (
            (net.socket_address, (sock, 0)),
            (net.socket_listen, (sock, 1)),
            (options.socket_get_option, (sock, 0)),
            (net.socket_shutdown, (sock, 2)),
        ):
            with pytest.raises(PanicSignal) as info:
                fn(*args)
            results.append(info.value.message)
        return results

    assert run(main) == [MUT_PANIC] * 3 + [REF_PANIC] * 4


def test_closing_a_socket_wakes_a_process_waiting_on_it():
    def main():
        server = listener()
        outcome = []

        def waiter():
            outcome.append(thrown(net.socket_accept, server))

        task = scheduler.spawn(waiter)
        scheduler.yield_now()  # the waiter parks in accept
        net.socket_close(server)
        while task.state is not scheduler.TaskState.TERMINATED:
            scheduler.yield_now()
        return outcome

    assert run(main) == ["Bad file descriptor (os error 9)"]


def test_copied_socket_survives_the_original_being_closed():
    def main():
        server, client, conn = connected()
        copy = conn.dup_for_message()
        assert not os.get_inheritable(copy.sock.fileno())
        net.socket_close(conn)
        net.socket_write(copy, "hi")
        data = bytearray()
        net.socket_read(client, data, 2)
        for s in (copy, client, server):
            net.socket_close(s)
        return bytes(data)

    assert run(main) == b"hi"


def test_copy_and_original_each_keep_the_connection_until_both_are_closed():
    def main():
        server, client, conn = connected()
        first = conn.dup_for_message()
        second = first.dup_for_message()
        net.socket_close(first)  # a copy closed first: the others still work
        net.socket_write(conn, "a")
        net.socket_close(conn)
        net.socket_write(second, "b")
        net.socket_close(second)  # the last one: the peer sees the end
        data = bytearray()
        net.socket_read(client, data, None)
        with pytest.raises(PanicSignal):
            net.socket_write(first, "x")
        for s in (client, server):
            net.socket_close(s)
        return bytes(data)

    assert run(main) == b"ab"


def _wait_in_accept(sock, outcome):
    def waiter():
        try:
            outcome.append(net.socket_accept(sock))
        except ThrowSignal as exc:
            outcome.append(exc.value)

    task = scheduler.spawn(waiter)
    scheduler.yield_now()  # the waiter parks in accept
    return task


def _until_done(task):
    while task.state is not scheduler.TaskState.TERMINATED:
        scheduler.yield_now()


def test_closing_a_copy_does_not_wake_a_process_waiting_on_the_original():
    # The copy is made before the wait, then while it goes on (§2.3: two
    # descriptors, so closing one wakes only the waiters of that one).
    def main():
        server = listener()
        port = net.socket_address(server, 0)[1]
        before = server.dup_for_message()
        outcome: list = []
        task = _wait_in_accept(server, outcome)
        during = server.dup_for_message()
        net.socket_close(before)
        net.socket_close(during)
        for _ in range(5):
            scheduler.yield_now()
        woken_early = list(outcome)
        client = net.socket_create(0, 0)
        net.socket_connect(client, "127.0.0.1", port)
        _until_done(task)
        accepted = isinstance(outcome[0], net.NativeSocket)
        for s in (outcome[0], client, server):
            net.socket_close(s)
        return woken_early, accepted

    assert run(main) == ([], True)


def test_closing_the_original_wakes_its_waiter_but_not_a_copys():
    def main():
        server = listener()
        port = net.socket_address(server, 0)[1]
        copy = server.dup_for_message()
        on_original: list = []
        on_copy: list = []
        first = _wait_in_accept(server, on_original)
        second = _wait_in_accept(copy, on_copy)
        net.socket_close(server)
        _until_done(first)
        still_waiting = list(on_copy)
        client = net.socket_create(0, 0)
        net.socket_connect(client, "127.0.0.1", port)
        _until_done(second)
        accepted = isinstance(on_copy[0], net.NativeSocket)
        for s in (on_copy[0], client, copy):
            net.socket_close(s)
        return on_original, still_waiting, accepted

    assert run(main) == (["Bad file descriptor (os error 9)"], [], True)


def test_copies_waiting_at_once_wait_on_descriptors_of_their_own():
    # The poller takes one waiter per descriptor; copies of a listener that
    # all park in accept (the page's four acceptors) must not share one.
    def main():
        server = listener()
        copies = [server.dup_for_message() for _ in range(3)]
        outcomes: list = []
        tasks = [_wait_in_accept(sock, outcomes) for sock in copies]
        fds = {sock.sock.fileno() for sock in copies} | {server.sock.fileno()}
        for sock in (server, *copies):
            net.socket_close(sock)
        for task in tasks:
            _until_done(task)
        return len(fds), outcomes

    assert run(main) == (4, ["Bad file descriptor (os error 9)"] * 3)


def test_a_listener_copy_has_a_descriptor_of_its_own_at_once():
    # Its copies go to processes that wait in accept: sharing would only
    # move the dup to their first wait, and a server's descriptor count
    # would creep up after its warm-up (tests/net's four-acceptor check).
    def main():
        server = listener()
        copy = server.dup_for_message()
        second = copy.dup_for_message()
        fds = {s.sock.fileno() for s in (server, copy, second)}
        for s in (server, copy, second):
            net.socket_close(s)
        return len(fds)

    assert run(main) == 3


def test_listener_copies_accept_in_parallel():
    def main():
        server = listener()
        port = net.socket_address(server, 0)[1]
        copies = [server.dup_for_message() for _ in range(3)]
        served = []

        def acceptor(sock):
            while True:
                conn = net.socket_accept(sock)
                served.append(sock)
                net.socket_write(conn, "ok")
                net.socket_close(conn)

        for sock in copies:
            scheduler.spawn(acceptor, sock)
        net.socket_close(server)
        replies = []
        for _ in range(6):
            client = net.socket_create(0, 0)
            net.socket_connect(client, "127.0.0.1", port)
            data = bytearray()
            net.socket_read(client, data, None)
            replies.append(bytes(data))
            net.socket_close(client)
        return replies

    assert run(main) == [b"ok"] * 6


def test_ipv6_loopback_and_bad_addresses():
    def main():
        server = listener("::1", 1)
        host, port = net.socket_address(server, 0)
        bad = thrown(net.socket_bind, net.socket_create(1, 0), "fe80::1%eth0", 0)
        wrong_family = thrown(net.socket_bind, net.socket_create(0, 0), "::1", 0)
        net.socket_close(server)
        return host, bad, wrong_family

    host, bad, wrong_family = run(main)
    assert host == "::1"
    assert bad == "invalid IP address syntax"
    assert wrong_family == "Address family not supported by protocol (os error 97)"


def test_argument_checks_panic():
    sock = net.socket_create(0, 0)
    with pytest.raises(PanicSignal) as info:
        net.socket_bind(sock, "127.0.0.1", 70000)
    assert info.value.message == "70000 can not be converted to a unsigned 16 bits integer"
    with pytest.raises(PanicSignal) as info:
        net.socket_read(sock, bytearray(), -1)
    assert info.value.message == "-1 is too big to convert to an unsigned integer"
    with pytest.raises(PanicSignal) as info:
        net.socket_create(7, 0)
    assert info.value.message == "7 is not a valid socket domain"
    assert thrown(net.socket_create, 0, 3) == "Protocol not supported (os error 93)"
    assert thrown(net.socket_create, 0, 2) == "Socket type not supported (os error 94)"
    net.socket_close(sock)


def test_options_round_trip():
    sock = net.socket_create(0, 0)
    assert options.socket_set_option(sock, 2, True) is True
    assert options.socket_get_option(sock, 2) is True
    options.socket_set_option(sock, 0, 42)
    assert options.socket_get_option(sock, 0) == 42
    options.socket_set_option(sock, 4, 5.9)
    assert options.socket_get_option(sock, 4) == 5.0
    options.socket_set_option(sock, 4, 0)
    assert options.socket_get_option(sock, 4) == 0.0
    options.socket_set_option(sock, 7, 30)
    assert options.socket_get_option(sock, 7) == 30.0
    assert thrown(options.socket_set_option, sock, 7, 0.5) == "An input parameter is invalid."
    assert thrown(options.socket_get_option, sock, 1) == "Protocol not available (os error 92)"
    with pytest.raises(PanicSignal) as info:
        options.socket_set_option(sock, 4, -1.0)
    assert info.value.message == "-1 is not a valid time duration"
    net.socket_close(sock)
    udp = net.socket_create(0, 1)
    assert options.socket_set_option(udp, 12, "127.0.0.1") == "127.0.0.1"
    assert options.socket_get_option(udp, 12) == "127.0.0.1"
    assert thrown(options.socket_set_option, udp, 12, "nope") == "invalid IP address syntax"
    net.socket_close(udp)


def test_udp_send_to_and_receive_from():
    def main():
        a = net.socket_create(0, 1)
        b = net.socket_create(0, 1)
        net.socket_bind(a, "127.0.0.1", 0)
        net.socket_bind(b, "127.0.0.1", 0)
        port_a = net.socket_address(a, 0)[1]
        assert net.socket_send_to(b, bytearray(b"hello"), "127.0.0.1", port_a) == 5
        data = bytearray(b">")
        sender = net.socket_receive_from(a, data, 3)
        unconnected = thrown(net.socket_write, a, "x")
        for s in (a, b):
            net.socket_close(s)
        return bytes(data), sender[0], unconnected

    assert run(main) == (b">hel", "127.0.0.1", "Destination address required (os error 89)")


# --- Unix sockets -----------------------------------------------------------


def test_unix_stream_and_errors(tmp_path):
    path = str(tmp_path / "s.sock")

    def main():
        server = net.socket_create(2, 0)
        net.socket_bind(server, path)
        net.socket_listen(server, 16)
        again = thrown(net.socket_bind, net.socket_create(2, 0), path)
        missing = thrown(net.socket_connect, net.socket_create(2, 0), path + ".missing")
        client = net.socket_create(2, 0)
        net.socket_connect(client, path)
        net.socket_write(client, "ping")
        conn = net.socket_accept(server)
        data = bytearray()
        net.socket_read(conn, data, 4)
        addresses = (
            net.socket_address(server, 0),
            net.socket_address(client, 0),
            net.socket_address(client, 1),
        )
        for s in (client, conn, server):
            net.socket_close(s)
        return again, missing, bytes(data), addresses

    again, missing, data, addresses = run(main)
    assert again == IN_USE
    assert missing == NOT_FOUND
    assert data == b"ping"
    assert addresses == (path, "", path)
    assert os.path.exists(path)  # closing does not remove the file


def test_unix_refused_and_too_long(tmp_path):
    path = str(tmp_path / "dead.sock")
    dead = socket.socket(socket.AF_UNIX)
    dead.bind(path)
    dead.close()

    def main():
        refused = thrown(net.socket_connect, net.socket_create(2, 0), path)
        too_long = thrown(net.socket_bind, net.socket_create(2, 0), "/tmp/" + "x" * 120)
        return refused, too_long

    assert run(main) == (REFUSED, "An input parameter is invalid.")


def test_unix_abstract_datagram():
    name = f"\0inko-mini-test-{os.getpid()}"

    def main():
        a = net.socket_create(2, 1)
        net.socket_bind(a, name)
        b = net.socket_create(2, 1)
        net.socket_send_to(b, "hey", name)
        data = bytearray()
        sender = net.socket_receive_from(a, data, 10)
        local = net.socket_address(a, 0)
        for s in (a, b):
            net.socket_close(s)
        return bytes(data), sender, local

    assert run(main) == (b"hey", "", name)
