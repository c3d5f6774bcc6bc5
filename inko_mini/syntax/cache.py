"""Parsed modules cached on disk, keyed on the source and the parser's version.

Parsing the prelude and standard library on every start would cost more than
running a small program; a pickled AST loads several times faster.
"""

from __future__ import annotations

import os
import pickle
import sys
from collections.abc import Callable
from typing import Any

from inko_mini.errors import decode_source
from inko_mini.paths import GRAMMAR_FILE, files_stamp, versioned_cache_dir
from inko_mini.syntax import ast

_HERE = os.path.dirname(os.path.abspath(__file__))


def parse_file(path: str, display: str) -> ast.Module:
    with open(path, "rb") as fh:
        source = decode_source(fh.read(), display)
    return parse_source(source, display, cache=True)


_PARSER_FILES = (
    os.path.join(_HERE, "parser.py"),
    os.path.join(_HERE, "lexer.py"),
    os.path.join(_HERE, "postlex.py"),
    os.path.join(_HERE, "ast.py"),
    GRAMMAR_FILE,
)
_parser_stamp: list[str] = []


def _parser_version() -> str:
    """Changes whenever the parser changes, so stale cached ASTs are ignored."""
    if not _parser_stamp:
        _parser_stamp.append(files_stamp(_PARSER_FILES))
    return _parser_stamp[0]


# Nodes are pickled as `Class(*fields)`: loading then runs each dataclass's
# own __init__, several times faster than the generic slots __setstate__.
_CACHE_FORMAT = "nodes-as-calls\0"
_reducers_done: list[bool] = []


def _sha1(data: bytes) -> Any:
    try:
        from _sha1 import sha1  # built in, unlike hashlib's OpenSSL binding
    except ImportError:
        from hashlib import sha1
    return sha1(data)


def _register_node_reducers() -> None:
    if _reducers_done:
        return
    # Imported here: only a cache miss needs them (start-up speed).
    import copyreg
    import dataclasses

    for value in vars(ast).values():
        if isinstance(value, type) and dataclasses.is_dataclass(value):
            names = tuple(f.name for f in dataclasses.fields(value) if f.init)
            copyreg.pickle(value, _node_reducer(value, names))
    _reducers_done.append(True)


def _node_reducer(
    cls: type, names: tuple[str, ...]
) -> Callable[[object], tuple[type, tuple[Any, ...]]]:
    def reduce(node: object) -> tuple[type, tuple[Any, ...]]:
        return cls, tuple(getattr(node, n) for n in names)

    return reduce


def parse_source(source: str, display: str, cache: bool = False) -> ast.Module:
    """Parse, using a pickled AST cached by content hash when allowed."""
    # The parser (and Lark) is imported only when a parse is needed: a
    # cached AST loads without it (start-up speed).
    if not cache:
        from inko_mini.syntax import parser

        return parser.parse(source, display)
    key = _sha1(
        (_CACHE_FORMAT + _parser_version() + "\0" + display + "\0" + source).encode()
    ).hexdigest()
    path = os.path.join(versioned_cache_dir(), key + ".ast")
    try:
        with open(path, "rb") as fh:
            cached: ast.Module = pickle.load(fh)
            return cached
    except Exception:
        pass
    from inko_mini.syntax import parser

    tree = parser.parse(source, display)
    limit = sys.getrecursionlimit()
    tmp = f"{path}.{os.getpid()}"
    try:
        _register_node_reducers()
        os.makedirs(os.path.dirname(path), exist_ok=True)
        # pickle recurses in C, with large C frames: under the interpreter's
        # high recursion limit a deeply nested tree (30,000 nested blocks)
        # overflowed the C stack (a segfault). A tree that deep is just not
        # cached: RecursionError comes first at this limit.
        sys.setrecursionlimit(min(limit, _PICKLE_RECURSION_LIMIT))
        with open(tmp, "wb") as fh:
            pickle.dump(tree, fh, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)
    except Exception:
        try:
            os.unlink(tmp)
        except OSError:
            pass
    finally:
        sys.setrecursionlimit(limit)
    return tree


_PICKLE_RECURSION_LIMIT = 6_000
