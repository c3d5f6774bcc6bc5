"""What sockets a block's processes hold, read from Linux's /proc.

A block runs in its own process group, so "the block" is every process of
that group (children included). Its sockets are the `socket:[inode]` links
under /proc/<pid>/fd; the kernel's tables in /proc/<pid>/net/ say which of
those inodes listen on a TCP port or are bound to a Unix socket path.
"""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass

_TCP_LISTEN = "0A"


@dataclass(frozen=True, order=True)
class ListeningPort:
    port: int
    address: str   # where to connect to reach it (wildcards become loopback)
    family: int


def group_states(pgid: int) -> dict[int, str]:
    """Live processes of process group `pgid`, with their scheduler state (R, S, ...)."""
    states = {}
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
        fields = stat[stat.rfind(b")") + 2:].split()
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
    packed = b"".join(int(hex_address[i:i + 8], 16).to_bytes(4, "little")
                      for i in range(0, 32, 8))
    return socket.inet_ntop(socket.AF_INET6, packed)


def _read_table(pid: int, name: str) -> list[list[str]]:
    try:
        with open(f"/proc/{pid}/net/{name}") as handle:
            return [line.split() for line in handle.readlines()[1:]]
    except OSError:
        return []


def listening_ports(pids: list[int]) -> list[ListeningPort]:
    """TCP ports on which any of `pids` listens, lowest port first."""
    if not pids:
        return []
    inodes = _socket_inodes(pids)
    found = set()
    for table, family, decode, loopback in (
            ("tcp", socket.AF_INET, _ipv4, "127.0.0.1"),
            ("tcp6", socket.AF_INET6, _ipv6, "::1")):
        for row in _read_table(pids[0], table):
            if len(row) < 10 or row[3] != _TCP_LISTEN or int(row[9]) not in inodes:
                continue
            hex_address, hex_port = row[1].split(":")
            address = decode(hex_address)
            if address in ("0.0.0.0", "::"):
                address = loopback
            found.add(ListeningPort(int(hex_port, 16), address, family))
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
