"""Reading a process group's sockets from the kernel."""

import os
import socket

from inko_mini.doctest import procinfo


def test_listening_ports_of_a_process_both_ways():
    v4 = socket.create_server(("127.0.0.1", 0))
    v6 = socket.create_server(("::", 0), family=socket.AF_INET6)
    connected = socket.create_connection(v4.getsockname())
    try:
        ports = procinfo.listening_ports([os.getpid()])
        mine = {(p.port, p.address) for p in ports}
        assert (v4.getsockname()[1], "127.0.0.1") in mine
        assert (v6.getsockname()[1], "::1") in mine  # a wildcard is reached on loopback
        assert connected.getsockname()[1] not in {p.port for p in ports}
        # the /proc fallback agrees with sock_diag on our sockets
        ours = {v4.getsockname()[1], v6.getsockname()[1]}
        via_netlink = {e[3] for e in procinfo._listening_via_netlink() or []} & ours
        via_proc = {e[3] for e in procinfo._listening_via_proc(os.getpid())} & ours
        assert via_proc == ours
        assert via_netlink in (ours, set())
    finally:
        for sock in (v4, v6, connected):
            sock.close()


def test_bound_unix_paths(tmp_path):
    path = str(tmp_path / "x.sock")
    unix = socket.socket(socket.AF_UNIX)
    unix.bind(path)
    try:
        assert procinfo.bound_unix_paths([os.getpid()]) == {path}
    finally:
        unix.close()


def test_group_states_of_our_own_group():
    states = procinfo.group_states(os.getpgid(0))
    assert states[os.getpid()] == "R"
