"""What sockets a block's processes hold, read from Linux's /proc.

A block runs in its own process group, so "the block" is every process of
that group (children included). Its sockets are the `socket:[inode]` links
under /proc/<pid>/fd; the kernel's tables in /proc/<pid>/net/ say which of
those inodes listen on a TCP port or are bound to a Unix socket path.
"""

from __future__ import annotations

import os
import socket
import struct
from dataclasses import dataclass

_TCP_LISTEN = "0A"


@dataclass(frozen=True, order=True)
class ListeningPort:
    port: int
    address: str  # where to connect to reach it (wildcards become loopback)
    family: int


def group_states(pgid: int) -> dict[int, str]:
    """Live processes of process group `pgid`, with their scheduler state (R, S, ...)."""
    states: dict[int, str] = {}
    try:
        entries = os.listdir("/proc")
    except OSError:
        return states
    for entry in entries:
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as handle:
                stat = handle.read()
        except OSError:
            continue
        # the command name may hold spaces and parentheses: split after the last ')'
        fields = stat[stat.rfind(b")") + 2 :].split()
        if len(fields) > 2 and fields[0] != b"Z" and int(fields[2]) == pgid:
            states[int(entry)] = fields[0].decode()
    return states


def group_pids(pgid: int) -> list[int]:
    """Live processes whose process group is `pgid`."""
    return list(group_states(pgid))


def _socket_inodes(pids: list[int]) -> set[int]:
    inodes = set()
    for pid in pids:
        try:
            names = os.listdir(f"/proc/{pid}/fd")
        except OSError:
            continue
        for name in names:
            try:
                target = os.readlink(f"/proc/{pid}/fd/{name}")
            except OSError:
                continue
            if target.startswith("socket:["):
                inodes.add(int(target[8:-1]))
    return inodes


def _ipv4(hex_address: str) -> str:
    packed = int(hex_address, 16).to_bytes(4, "little")
    return socket.inet_ntop(socket.AF_INET, packed)


def _ipv6(hex_address: str) -> str:
    # four 32-bit words, each in host (little-endian) order
    packed = b"".join(
        int(hex_address[i : i + 8], 16).to_bytes(4, "little") for i in range(0, 32, 8)
    )
    return socket.inet_ntop(socket.AF_INET6, packed)


def _read_table(pid: int, name: str) -> list[list[str]]:
    try:
        with open(f"/proc/{pid}/net/{name}") as handle:
            return [line.split() for line in handle.readlines()[1:]]
    except OSError:
        return []


_NETLINK_SOCK_DIAG = 4
_SOCK_DIAG_BY_FAMILY = 20
_NLM_F_REQUEST_DUMP = 0x1 | 0x300
_NLMSG_ERROR, _NLMSG_DONE = 2, 3
_TCP_LISTEN_STATE = 10


def _listening_via_netlink() -> list[tuple[int, int, str, int]] | None:
    """(inode, family, address, port) of every listening TCP socket, or None.

    Asks the kernel's sock_diag for listening sockets only: on a machine with
    thousands of TIME_WAIT connections /proc/net/tcp takes far longer to read.
    """
    found: list[tuple[int, int, str, int]] = []
    try:
        with socket.socket(socket.AF_NETLINK, socket.SOCK_DGRAM, _NETLINK_SOCK_DIAG) as link:
            link.settimeout(1.0)
            for family in (socket.AF_INET, socket.AF_INET6):
                request = struct.pack(
                    "=BBBBI48x", family, socket.IPPROTO_TCP, 0, 0, 1 << _TCP_LISTEN_STATE
                )
                header = struct.pack(
                    "=IHHII", 16 + len(request), _SOCK_DIAG_BY_FAMILY, _NLM_F_REQUEST_DUMP, 1, 0
                )
                link.send(header + request)
                if not _read_dump(link, family, found):
                    return None
    except OSError:
        return None
    return found


def _read_dump(link: socket.socket, family: int, found: list[tuple[int, int, str, int]]) -> bool:
    while True:
        data = link.recv(65536)
        offset = 0
        while offset + 16 <= len(data):
            length, kind = struct.unpack_from("=IH", data, offset)
            if kind == _NLMSG_DONE:
                return True
            if kind == _NLMSG_ERROR or length < 16:
                return False
            body = offset + 16
            port = struct.unpack_from("!H", data, body + 4)[0]
            raw = data[body + 8 : body + 8 + (4 if family == socket.AF_INET else 16)]
            inode = struct.unpack_from("=I", data, body + 68)[0]
            found.append((inode, family, socket.inet_ntop(family, raw), port))
            offset += (length + 3) & ~3


def _listening_via_proc(pid: int) -> list[tuple[int, int, str, int]]:
    found: list[tuple[int, int, str, int]] = []
    for table, family, decode in (("tcp", socket.AF_INET, _ipv4), ("tcp6", socket.AF_INET6, _ipv6)):
        for row in _read_table(pid, table):
            if len(row) >= 10 and row[3] == _TCP_LISTEN:
                hex_address, hex_port = row[1].split(":")
                found.append((int(row[9]), family, decode(hex_address), int(hex_port, 16)))
    return found


def listening_ports(pids: list[int]) -> list[ListeningPort]:
    """TCP ports on which any of `pids` listens, lowest port first."""
    if not pids:
        return []
    inodes = _socket_inodes(pids)
    if not inodes:
        return []
    listening = _listening_via_netlink()
    if listening is None:
        listening = _listening_via_proc(pids[0])
    found = set()
    for inode, family, address, port in listening:
        if inode in inodes:
            if address in ("0.0.0.0", "::"):
                address = "127.0.0.1" if family == socket.AF_INET else "::1"
            found.add(ListeningPort(port, address, family))
    return sorted(found)


def bound_unix_paths(pids: list[int]) -> set[str]:
    """Filesystem paths of the Unix sockets any of `pids` has bound."""
    if not pids:
        return set()
    inodes = _socket_inodes(pids)
    paths = set()
    for row in _read_table(pids[0], "unix"):
        # Num RefCount Protocol Flags Type St Inode [Path]
        if len(row) >= 8 and int(row[6]) in inodes and row[7].startswith("/"):
            paths.add(row[7])
    return paths
