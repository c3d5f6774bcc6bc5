"""Fixtures for the networking tests."""

from __future__ import annotations

import pytest
from net_helpers import Server


@pytest.fixture
def server():
    started = []

    def start(path, *args, **kwargs) -> Server:
        srv = Server(path, *args, **kwargs)
        started.append(srv)
        srv.wait_listening()
        return srv

    yield start
    for srv in started:
        srv.stop()
