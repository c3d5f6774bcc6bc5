"""Unix socket files: a page runs the same the second time."""

import os
import socket
import stat

from conftest import run_cli


def is_socket(path):
    return os.path.exists(path) and stat.S_ISSOCK(os.stat(path).st_mode)


def test_socket_file_a_block_binds_is_removed_afterwards(page, tmp_path):
    sock = tmp_path / "test.sock"
    path = page(f"""
        ```inko
        bind-unix {sock}
        print bound
        ```
    """)
    # the path is in the block as a bare word, not a string literal: found via /proc
    # only while the block runs, so give it a moment alive
    path.write_text(path.read_text().replace("print bound", "sleep 0.3"))
    for _ in range(2):
        result = run_cli(path)
        assert result.lines == [f"{path}:1: PASS", "1 passed, 0 failed"]
        assert not os.path.exists(sock)


def test_stale_socket_file_is_removed_before_the_block(page, tmp_path):
    sock = tmp_path / "stale.sock"
    dead = socket.socket(socket.AF_UNIX)
    dead.bind(str(sock))
    dead.close()
    assert is_socket(sock)
    path = page(f"""
        ```inko
        # binds '{sock}'
        bind-unix {sock}
        ```
    """)
    result = run_cli(path)
    assert result.lines == [f"{path}:1: PASS", "1 passed, 0 failed"]
    assert not os.path.exists(sock)


def test_socket_file_someone_listens_on_is_left_alone(page, tmp_path):
    sock = tmp_path / "live.sock"
    live = socket.socket(socket.AF_UNIX)
    live.bind(str(sock))
    live.listen()
    try:
        path = page(f"""
            ```inko
            # binds '{sock}'
            bind-unix {sock}
            ```
        """)
        result = run_cli(path)
        assert result.lines[0].startswith(f"{path}:1: FAIL: exit status 1")
        assert is_socket(sock)
    finally:
        live.close()
