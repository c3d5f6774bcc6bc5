"""The grammar itself: it loads, and its LALR conflicts are the intended ones.

Inko's open-ended forms (`let x = e`, `return e`, `try e`, `throw e`,
parenthesis-less arguments, `else e`, keyword-argument values, `x.y = e`,
`x[i] = e`) take a whole expression to their right, greedily, like the
original recursive-descent parser. In LALR terms each is a shift/reduce
conflict resolved as a shift. Building with strict=True must fail only on
such a conflict; this test pins the complete list (like yacc's %expect), so a
grammar change that introduces any other conflict fails here.
"""

import logging

import pytest
from lark import logger as lark_logger
from lark.exceptions import GrammarError

from inko_mini.syntax import parser

CONTINUATIONS = {"OP", "PLUS", "MINUS", "STAR", "NLDOT", "DOT", "INDEX_LSQB", "AS", "COMMA", "ELSE"}


def greedy_reason(terminal: str, rule: str):
    """Why shifting `terminal` instead of reducing `rule` is the intended parse."""
    head, _, body = rule.partition(" : ")
    if terminal in CONTINUATIONS and (body == "expr" or body.endswith(" expr")):
        return "an open form takes the whole expression on its right"
    if head in ("binary", "operand", "right_operand") and terminal in CONTINUATIONS:
        return "an argument or right-hand side continues (`foo 1 + 2` is foo(1 + 2))"
    if terminal == "COMMA" and head in ("_bare_args", "arguments", "block_arguments"):
        return "`foo bar 1, 2` is foo(bar(1, 2))"
    if terminal == "ENDARGS" and head == "arguments":
        return "the post-lexer's ENDARGS ends the innermost parenthesis-less arguments"
    if terminal == "ELSE" and head == "try":
        return "`else` belongs to the nearest `try`"
    if terminal == "LPAR" and head == "signature":
        return "`def foo (a)`: parameters even after a space"
    if head in ("where_clause", "type_bound", "block_type"):
        return "types: `where A: X + Y, B: Z`, `do (A) -> B` take all they can"
    return None


def _conflicts():
    records = []

    class Collect(logging.Handler):
        def emit(self, record):
            records.append(record.getMessage())

    handler = Collect()
    old_level = lark_logger.level
    lark_logger.addHandler(handler)
    lark_logger.setLevel(logging.DEBUG)
    try:
        parser._make_parser(debug=False)
    finally:
        lark_logger.removeHandler(handler)
        lark_logger.setLevel(old_level)
    conflicts = set()
    for i, message in enumerate(records):
        if message.startswith("Shift/Reduce conflict for terminal "):
            terminal = message.split()[4].rstrip(":")
            rule = records[i + 1].strip().removeprefix("* <").removesuffix(">")
            conflicts.add((terminal, rule))
    return conflicts


def test_strict_mode_only_objects_to_greedy_shifts():
    with pytest.raises(GrammarError) as info:
        parser._make_parser(strict=True)
    assert "Shift/Reduce" in str(info.value)


def test_every_conflict_is_an_intended_greedy_shift():
    conflicts = _conflicts()
    assert conflicts, "the open forms are expected to need greedy shifts"
    unexpected = sorted(c for c in conflicts if greedy_reason(*c) is None)
    assert unexpected == []
    # Reduce/reduce conflicts make Lark raise even when not strict, so
    # _conflicts() having built the parser also proves there are none.
