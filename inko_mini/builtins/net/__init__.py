"""Primitives for std::net::socket, std::net::unix and std::net::ip, by
subject: socket.py (native sockets, waiting, addresses, the socket calls),
options.py (socket options) and ip.py (0.4.0's IP address parser and
IPv6 formatting). builtins.SUBMODULES imports each of them."""
