"""The spawn capture check (check/captures.py) on hand-built ASTs: a block
given to `process.spawn` must not use a local of its surroundings."""

from __future__ import annotations

import pytest

from inko_mini.check import captures as C
from inko_mini.syntax import ast

SPAN = ast.Span("t.inko", 1, 1)


def ident(name, line=1):
    return ast.Identifier(ast.Span("t.inko", line, 5), name)


def spawn(*body):
    return ast.Send(SPAN, ident("process"), "spawn", [ast.BlockLit(SPAN, "brace", [], list(body))])


def module(*body):
    return ast.Module(SPAN, [], [], list(body))


def test_a_spawned_block_using_an_outer_local_is_rejected():
    tree = module(ast.LetLocal(SPAN, "x", ast.IntLit(SPAN, 1)), spawn(ident("x", line=3)))
    with pytest.raises(C.SpawnCaptureError) as info:
        C.check_spawn_captures(tree)
    assert info.value.name == "x"
    assert info.value.render().startswith("t.inko:3:5: error:")
    assert '"x"' in info.value.message


def test_a_spawned_block_may_use_its_own_locals_and_globals():
    tree = module(
        ast.LetLocal(SPAN, "x", ast.IntLit(SPAN, 1)),
        spawn(ast.LetLocal(SPAN, "x", ast.IntLit(SPAN, 2)), ident("x"), ident("process")),
        spawn(ident("y")),  # not a local anywhere: a method or global
    )
    C.check_spawn_captures(tree)


def test_a_nested_closure_in_a_spawned_block_is_checked_too():
    inner = ast.BlockLit(SPAN, "brace", [], [ident("outer")])
    method = ast.MethodDef(
        SPAN, "m", [ast.Param(SPAN, "outer")], [spawn(ast.Send(SPAN, inner, "call", []))]
    )
    with pytest.raises(C.SpawnCaptureError):
        C.check_spawn_captures(module(method))


def test_locals_defined_after_the_spawn_do_not_count():
    tree = module(spawn(ident("x")), ast.LetLocal(SPAN, "x", ast.IntLit(SPAN, 1)))
    C.check_spawn_captures(tree)
