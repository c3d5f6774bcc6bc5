"""Run-time side of the code generator (compile/codegen/).

The generator turns each Inko method, closure, lambda and body into one
Python function whose code object carries the Inko file and lines. This
module holds what the rest of the runtime needs to know about them:

- `CgCode`, a `Code` with the generated function `fn` (called directly by
  generated send sites: `fn(self, *args)`), and the lambda variant of a
  brace closure (`as_lambda`, for lambda inference);
- `CG_FRAMES`, Python code object -> CgCode, read by stack traces
  (runtime/panics.py, after `index_frames`): such a frame is an Inko frame
  whose current line is the Python frame's own `f_lineno`.
"""

from __future__ import annotations

from typing import Any

from inko_mini.runtime.calls import Code
from inko_mini.runtime.objects import Block, holder, lookup_from

# Python code object -> CgCode of the Inko block it runs. Filled only when
# a trace first needs it (index_frames): walking the code objects of every
# module a start loads costs about a millisecond that a program which never
# reads a trace should not pay.
CG_FRAMES: dict = {}
# Modules bound since the last index_frames: (module code object, its
# CgCodes, its records; see compile/codegen/support.bind_module).
PENDING_FRAMES: list = []


def index_frames() -> None:
    """Add the code objects of the modules in PENDING_FRAMES to CG_FRAMES."""
    # (in the order the modules were bound, as when each was indexed then)
    pending = PENDING_FRAMES[:]
    PENDING_FRAMES.clear()
    for pycode, codes, records in pending:
        by_name = {rec[0]: rec for rec in records}
        stack = [pycode]
        while stack:
            co = stack.pop()
            rec = by_name.get(co.co_name)
            if rec is not None and rec[2] != "thunk" and rec[1] >= 0:
                CG_FRAMES[co] = codes[rec[1]]
            stack.extend(c for c in co.co_consts if hasattr(c, "co_code"))


def cg_entries(fr: Any, cg: Any, lasti: int | None = None) -> list:
    """The Inko frames of generated frame `fr`, innermost first; at
    instruction `lasti` when given, else at the frame's own."""
    line = fr.f_lineno
    region = 0
    try:
        positions = list(fr.f_code.co_positions())
        if lasti is not None:
            line = positions[lasti // 2][0] or line
        else:
            lasti = fr.f_lasti
        region = positions[lasti // 2][2] or 0
    except (IndexError, ValueError):
        region = 0
    regions = cg.regions
    if not region or region >= len(regions):
        return [(cg.file, line, cg.name)] if cg.own_frame else []
    chain = []
    while region:
        chain.append(regions[region])
        region = regions[region][0]
    out = []
    for _parent, frame_name, owner, message, send_line in chain:
        out.append((cg.file, line, frame_name))
        if owner is not None:
            value = fr.f_locals.get(owner)
            method = lookup_from(holder(value), message)
            code = method.code if type(method) is Block else None
            if code is not None and code.native is None:
                out.append((code.file, code.body_line, code.name))
        line = send_line
    if cg.own_frame:
        out.append((cg.file, line, cg.name))
    return out


class CgCode(Code):
    """A Code whose body is a generated Python function."""

    __slots__ = (
        "fn",
        "lambda_code",
        "own_frame",
        "regions",
        "plain",
        "py_arity",
        "call_arity",
        "getter",
    )

    generated = True

    def __init__(self, name: str, file: str, line: int, kind: str, params: list, ctx: Any):
        super().__init__(name, file, line, kind, params, ctx)
        self.fn: Any = None
        # The fewest arguments `fn` takes (parameters with literal defaults
        # are Python defaults); sends of py_arity..fast_arity call it.
        self.py_arity = 1 << 30
        self.call_arity = -1
        # For a brace closure: the CgCode of the same block compiled as a
        # lambda (no captures), used when lambda inference applies, or a
        # function building it on first use.
        self.lambda_code: Any = None
        # The inlined blocks of its generated module (see cg_entries): the
        # column of every instruction of such a block is its index here, so
        # a trace finds the frames the block would have had without any
        # run-time bookkeeping. Each: (parent index, frame name, owner local
        # or None, message, send line); the owner local names the variable
        # holding the receiver whose method would have run the block (None:
        # a native method, no frame of its own). Per module, so that cached
        # code objects keep valid columns.
        self.regions: list = [None]
        # Whether the generated function takes the arguments as they are
        # (no frame: it owns no deferred blocks). For a closure the function
        # is `block.parent[0]` (see compile/codegen/gen.py x_BlockLit).
        self.plain = False
        # False for a REPL input: it runs as statements of the session, not
        # as a call, so a trace shows only the blocks inlined into it (as
        # the closure compiler's REPL did, and the README shows).
        self.own_frame = True
        # For a method whose whole body reads one attribute of self
        # (`def velocity { @velocity }`): that attribute's name, which a
        # send site reads in line instead of calling `fn` (codegen
        # support.cached_site); else None.
        self.getter: str | None = None

    def as_lambda(self) -> Code:
        made = self.lambda_code
        if made is None:
            return super().as_lambda()
        if type(made) is not CgCode:
            made = self.lambda_code = made()
        return made
