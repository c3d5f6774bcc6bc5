"""Inko AST -> one Python function per method, closure, lambda and body.

Each function is built as a Python `ast` tree whose nodes carry the Inko
line, compiled with the Inko file as its filename, so that CPython's own
frames say where an Inko program is (runtime/panics.py reads them through
runtime/cgframes.CG_FRAMES). Locals are Python locals, captured locals
closure cells (`nonlocal` where a closure assigns them), `self` a
parameter. Integer/Float/String operators are inline behind `type(x) is
int` guards and objects.FAST; `if`/`if_true`/`if_false`/`and`/`or`/
`while_true`/`while_false`/`loop` on literal blocks in statement position
are Python `if`/`while`, falling back to a real send when the receiver is
not a Boolean/Nil or the built-in method was redefined. Other sends go
through per-site inline caches (support.py) that call the generated
function of the method directly.

The functions keep the runtime's calling convention at the edges: every
Code has a `body(frame)` adapter, so call_block, block_caller, make_frame
(defaults, keywords, rest) and deferred blocks work unchanged.
"""

from __future__ import annotations

import ast as py
import builtins as _builtins
import copy
import os
import sys
from collections import Counter
from collections.abc import Sequence
from typing import Any, cast

from inko_mini import builtins
from inko_mini.compile.codegen import support
from inko_mini.paths import STDLIB_DIR
from inko_mini.runtime.calls import ParamInfo
from inko_mini.runtime.cgframes import CgCode
from inko_mini.runtime.hints import note_scope
from inko_mini.runtime.signals import InkoCompileError
from inko_mini.syntax import ast

DISCARD = ("discard",)
RETURN = ("return",)

_OPS = support.OPS
_BINOPS = {
    "+": py.Add,
    "-": py.Sub,
    "*": py.Mult,
    "//": py.FloorDiv,
    "/": py.Div,
    "%": py.Mod,
    "&": py.BitAnd,
    "|": py.BitOr,
    "^": py.BitXor,
}
_CMPOPS = {
    "<": py.Lt,
    ">": py.Gt,
    "<=": py.LtE,
    ">=": py.GtE,
    "==": py.Eq,
    "!=": py.NotEq,
}
_CONTROL = {"if_true", "if_false", "and", "or", "if", "while_true", "while_false", "loop"}
# Array's iterations inlined with a literal `do` block (Gen.array_each).
_EACH = {"each", "each_with_index"}


class Unsupported(Exception):
    pass


# --- small builders ---------------------------------------------------------


def N(name: str) -> py.Name:
    return py.Name(id=name, ctx=py.Load())


def S(name: str) -> py.Name:
    return py.Name(id=name, ctx=py.Store())


def C(value: Any) -> py.Constant:
    return py.Constant(value=value)


def call(fn: py.expr | str, *args: py.expr) -> py.Call:
    if isinstance(fn, str):
        fn = N(fn)
    return py.Call(func=fn, args=list(args), keywords=[])


def is_(a: py.expr, b: py.expr) -> py.Compare:
    return py.Compare(left=a, ops=[py.Is()], comparators=[b])


def is_not(a: py.expr, b: py.expr) -> py.Compare:
    return py.Compare(left=a, ops=[py.IsNot()], comparators=[b])


def and_(*values: py.expr) -> py.expr:
    return py.BoolOp(op=py.And(), values=list(values))


def or_(*values: py.expr) -> py.expr:
    return py.BoolOp(op=py.Or(), values=list(values))


def sub(value: py.expr, key: Any) -> py.Subscript:
    return py.Subscript(value=value, slice=C(key), ctx=py.Load())


def assign(name: str, value: py.expr) -> py.Assign:
    return py.Assign(targets=[S(name)], value=value)


def stamp(node: Any, line: int, col: int = 0) -> Any:
    """Give `node` the Inko `line` (and as column the inlined block it
    belongs to, see cgframes.REGIONS) unless it has a position already;
    `place` hands positions down to the children built with it."""
    if getattr(node, "lineno", None) is None:
        node.lineno = line
        node.end_lineno = line
        node.col_offset = col
        node.end_col_offset = col
    return node


def place(root: Any) -> None:
    """Give every node without a position that of its nearest ancestor."""
    stack = [(root, 1, 0)]
    pop = stack.pop
    push = stack.append
    while stack:
        n, line, col = pop()
        if "lineno" in n._attributes:
            ln = getattr(n, "lineno", None)
            if ln is None:
                n.lineno = n.end_lineno = line
                n.col_offset = n.end_col_offset = col
            else:
                line, col = ln, n.col_offset
        for field in n._fields:
            v = getattr(n, field, None)
            if type(v) is list:
                for x in v:
                    if isinstance(x, py.AST):
                        push((x, line, col))
            elif isinstance(v, py.AST):
                push((v, line, col))


def function(name: str, params: list[str], body: list[py.stmt]) -> py.FunctionDef:
    args = py.arguments(
        posonlyargs=[],
        args=[py.arg(arg=p) for p in params],
        vararg=None,
        kwonlyargs=[],
        kw_defaults=[],
        kwarg=None,
        defaults=[],
    )
    return py.FunctionDef(
        name=name, args=args, body=body or [py.Pass()], decorator_list=[], returns=None
    )


# --- analysis ----------------------------------------------------------------

_OPAQUE = (ast.MethodDef, ast.ObjectDef, ast.TraitDef, ast.ImplDef)


def _getter_attr(node: Any) -> str | None:
    """The attribute a method reads when its whole body is `@name` of its
    own name and it takes no parameters (`def velocity { @velocity }`)."""
    body = node.body
    if (
        not node.params
        and body is not None
        and len(body) == 1
        and type(body[0]) is ast.AttrRef
        and body[0].name == "@" + node.name
    ):
        return cast(str, body[0].name)
    return None


def _getter_names(tree: Any) -> frozenset[str]:
    found = set()
    stack = [tree]
    while stack:
        n = stack.pop()
        if type(n) is ast.MethodDef and _getter_attr(n) is not None:
            found.add(n.name)
        stack.extend(_children(n))
    return frozenset(found)


def _children(n: Any):
    for slot in getattr(type(n), "__slots__", ()):
        v = getattr(n, slot, None)
        if isinstance(v, ast.Node):
            yield v
        elif isinstance(v, list):
            for x in v:
                if isinstance(x, ast.Node):
                    yield x
                elif isinstance(x, tuple):
                    yield from (y for y in x if isinstance(y, ast.Node))


def _local_names(nodes: list) -> tuple[Counter, set, list]:
    """The locals declared in `nodes` (with how often), the names read or
    assigned there, and the block literals among them (methods and other
    definitions are not looked into)."""
    declared: Counter = Counter()
    used: set = set()
    blocks: list = []
    stack = list(nodes)
    while stack:
        n = stack.pop()
        t = type(n)
        if t is ast.LetLocal:
            declared[n.name] += 1
        elif t is ast.Try and n.else_name is not None:
            declared[n.else_name] += 1
        elif t is ast.Identifier or t is ast.AssignLocal:
            used.add(n.name)
        elif t is ast.BlockLit:
            blocks.append(n)
        if isinstance(n, _OPAQUE):
            continue
        stack.extend(_children(n))
    return declared, used, blocks


def _declares_and_captures(nodes: list, params: Sequence[str] = ()) -> bool:
    """Whether a block literal within `nodes` may use a local that `nodes`
    declare outside it: inlined into one Python function, such a local is
    one variable for every run of `nodes` (a loop body's iterations), while
    each run's closures must see their own. A name the block declares
    itself, as often as `nodes` do, is the block's own."""
    declared, _used, blocks = _local_names(nodes)
    declared.update(params)
    if not declared or not blocks:
        return False
    for block in blocks:
        inner, used, _blocks = _local_names(block.body)
        for p in block.params:
            inner[p.name] += 1
        for name in used:
            if declared[name] > inner[name]:
                return True
    return False


def _params_captured(block: Any) -> bool:
    """Whether a block literal within `block` may use one of its parameters
    or of the locals it declares: inlined into a loop, those are one Python
    variable for every call, while each call's closures must see their own."""
    return _declares_and_captures(block.body, [p.name for p in block.params])


def _sends_defer(nodes: list) -> bool:
    stack = list(nodes)
    while stack:
        n = stack.pop()
        if isinstance(n, (ast.BlockLit, *_OPAQUE)):
            continue
        if isinstance(n, ast.Send) and n.name == "defer":
            return True
        stack.extend(_children(n))
    return False


def inlinable(node: Any) -> bool:
    return (
        type(node) is ast.BlockLit
        and node.kind == "brace"
        and not node.params
        and not _declares_and_captures(node.body)
        and not _sends_defer(node.body)
    )


# --- units -------------------------------------------------------------------


class Unit:
    """One generated Python function (or a transparent helper, 'thunk')."""

    def __init__(self, kind: str, parent: Unit | None, forbidden: frozenset = frozenset()):
        self.kind = kind  # method, closure, lambda, module, body, thunk, default
        self.parent = parent
        self.scopes: list[dict] = [{}]
        self.declared: set = set()  # every Python local name declared here
        # Loop slow paths moved into functions of their own (loop_slow_path).
        self.outlined: list = []
        # Parameters the method never assigns -> the local holding their
        # type, read by the operator guards; `typed`: those the guards used.
        self.stable: dict[str, str] = {}
        self.typed: set[str] = set()
        self.nonlocals: set = set()
        self.needs_rt = False
        self.owns_deferred = False
        # The `try ... else` handlers whose frame this unit is: (the If
        # node taking over a throw's deferred blocks, its signal's name,
        # the unit whose function holds it); filled in by adopting_body.
        self.adopt_sites: list[tuple[py.If, str, Unit]] = []
        # A thunk's function, once made (adopting_body may add a nonlocal).
        self.fdef: py.FunctionDef | None = None
        # Names of the scope a brace block made a lambda was written in:
        # reading them panics (a lambda captures nothing).
        self.forbidden = forbidden
        # A self tail call ending a method becomes a loop (LANGUAGE.md §3.15).
        self.tail_node: Any = None
        self.tail_code: Any = None
        self.tail_params: list = []
        self.tail_used = False
        # The local holding self's attribute dict (or _NOATTRS when self has
        # no dict of its own), taken once on entry when an @attribute is
        # read or written here or in a closure within (see self_attrs).
        self.attrs_name: str | None = None
        # Whether self may not answer a receiver-less send that the module
        # does (methods of objects, traits and impls calling a module's
        # method): such sends read the receiver from the site (gen.py
        # `implicit`) instead of calling through a wrapper.
        self.self_may_miss = kind == "body"
        # A method sending nothing that could run Inko code without a
        # preemption test of its own (see _leaf_body): no test on entry.
        self.leaf = False
        # A method reading one @attribute once and writing none reads it
        # from self.attrs in place, without taking the dict on entry.
        self.single_attr = False
        # Shared temporaries of this function (Gen.unit_temp).
        self.temps: dict[str, str] = {}

    def frame_unit(self) -> Unit:
        u = self
        while u.kind == "thunk" and u.parent is not None:
            u = u.parent
        return u

    def rt_owner(self) -> Unit | None:
        u: Unit | None = self
        while u is not None:
            if u.kind in ("method", "lambda"):
                return u
            if u.kind in ("closure", "thunk"):
                u = u.parent
                continue
            return None
        return None


class Gen:
    def __init__(self, ctx: Any):
        self.ctx = ctx
        self.file = ctx.file
        self.ns: dict[str, Any] = support.namespace()
        self.tag = support.module_tag(f"{ctx.name}\0{ctx.file}")
        self.count = 0
        # What the generated names in ns stand for, as (name, recipe): see
        # support.realize; a module's cache stores these instead of values.
        self.consts: list[tuple[str, tuple]] = []
        self.codes: list[CgCode] = []
        self.code_ids: dict[int, int] = {}
        # Per CgCode index: the default-value functions of its parameters,
        # and how to build its lambda variant.
        self.defaults: dict[int, list] = {}
        self.lambdas: dict[int, tuple] = {}
        self.regions: list = [None]
        self.ctx_ref = self.const(("ctx",), "_ctx")
        self.g_ref = self.const(("globals",), "_G")
        self.top: list[py.stmt] = []
        # (python function name, CgCode, unit, nparams, is closure)
        # Per generated function: (name, CgCode index or -1, unit kind,
        # number of parameters, owns deferred blocks); see support.bind_module.
        self.records: list[tuple[str, int, str, int, bool]] = []
        self.pycode: Any = None
        self.unit: Unit = Unit("module", None)
        self.out: list = []
        self.prims: list = []
        self.region = 0
        # Whether operator trees may be fused (fused_int).
        self.fusing = True
        # Names of the module's getters (_getter_attr): a send of one of
        # them without arguments tests first whether it may read the
        # attribute in line (cached_send).
        self.getter_names: frozenset[str] = frozenset()

    def stamp(self, node: Any, line: int) -> Any:
        return stamp(node, line, self.region)

    # --- names ---------------------------------------------------------------

    def fresh(self, prefix: str) -> str:
        self.count += 1
        return f"{prefix}{self.count}_{self.tag}"

    def const(self, recipe: tuple, prefix: str = "_k") -> py.Name:
        """A name in ns for what `recipe` makes (support.realize)."""
        name = self.fresh(prefix)
        support.define(self.ns, name, recipe, self.ctx, self.codes)
        self.consts.append((name, recipe))
        return N(name)

    def slow_site(self, kind: str, name: str, line: int, n: int, *extra: Any) -> py.Name:
        """A send site called as a function (its inline cache globals are
        filled but no generated code tests them): the real send behind
        inlined control flow and self tail calls."""
        names: tuple[str | None, ...] = (self.fresh("_k"), self.fresh("_f"), self.fresh("_pd"))
        if kind == "cimplicit":
            names += (None,)
        return self.const((kind, name, line, n, *extra, *names), "_s")

    def new_code(self, name: str, line: int, kind: str) -> CgCode:
        code = CgCode(name, self.file, line, kind, [], self.ctx)
        code.regions = self.regions
        self.code_ids[id(code)] = len(self.codes)
        self.codes.append(code)
        return code

    def code_const(self, code: CgCode) -> py.Name:
        return self.const(("code", self.code_ids[id(code)]), "_K")

    def new_region(
        self, parent: int, frame_name: str, owner: str | None, message: str, send_line: int
    ) -> int:
        self.regions.append((parent, frame_name, owner, message, send_line))
        return len(self.regions) - 1

    def unit_temp(self, prefix: str) -> str:
        """One local of the current function for every use of a temporary
        that is assigned and read within one guard with nothing evaluated
        in between (a send's receiver type, its polymorphic function): fewer
        locals make every call of the function cheaper to set up and clear."""
        temps = self.unit.temps
        name = temps.get(prefix)
        if name is None:
            name = temps[prefix] = self.fresh(prefix)
        return name

    def declare(self, name: str) -> str:
        clean = "".join(ch if ch.isalnum() or ch == "_" else "_" for ch in name)
        pyname = self.fresh(f"v_{clean}_")
        self.unit.scopes[-1][name] = pyname
        self.unit.declared.add(pyname)
        return pyname

    def resolve(self, name: str):
        """(pyname, owning unit) or None; 'forbidden' for a lambda's capture."""
        u: Unit | None = self.unit
        while u is not None:
            for d in reversed(u.scopes):
                if name in d:
                    return d[name], u
            if name in u.forbidden:
                return "forbidden"
            if u.kind in ("closure", "thunk"):
                u = u.parent
            else:
                return None
        return None

    def self_attrs(self) -> str | None:
        """The local holding self's attribute dict, for the unit whose
        `self` this code sees (a closure's is its creator's), or None where
        there is none to take on entry (parameter defaults)."""
        u: Unit | None = self.unit
        while u is not None and u.kind in ("closure", "thunk"):
            u = u.parent
        if u is None or u.kind not in ("method", "lambda", "module", "body") or u.single_attr:
            return None
        if u.attrs_name is None:
            u.attrs_name = self.fresh("_sd")
        return u.attrs_name

    # --- entry ---------------------------------------------------------------

    def compile_module(self, tree: ast.Module, name: str, run: bool = True) -> CgCode:
        """The module body as a Code; without `run`, only generated (for
        the scopes that hints read, see cache.py)."""
        code = self.new_code(name, tree.span.line, "module")
        self.getter_names = _getter_names(tree)
        fname = self.unit_function(
            self.unit, self.fresh("_module"), code, [], tree.body, RETURN, []
        )
        return self.finish(fname, code) if run else code

    def finish(self, main: str, code: CgCode) -> CgCode:
        mod = py.Module(body=self.top, type_ignores=[])
        place(mod)
        if os.environ.get("INKO_MINI_CODEGEN_DUMP") and not self.file.startswith(STDLIB_DIR):
            sys.stderr.write(py.unparse(mod) + "\n")
        self.pycode = _compile_bounded(mod, self.file)
        support.bind_module(self.pycode, self.ns, self.codes, self.records)
        return code

    def code_meta(self) -> list:
        """What rebuilds each CgCode of this module (codegen/cache.py):
        (name, line, kind, body_line, params, lambda recipe, getter)."""
        out = []
        for i, c in enumerate(self.codes):
            defaults = self.defaults.get(i) or [None] * len(c.params)
            params = [
                (p.name, d, p.rest, p.lambda_type) for p, d in zip(c.params, defaults, strict=True)
            ]
            out.append((c.name, c.line, c.kind, c.body_line, params, self.lambdas.get(i), c.getter))
        return out

    # --- functions -----------------------------------------------------------

    def unit_function(
        self,
        unit: Unit,
        fname: str,
        code: CgCode | None,
        params: list,
        nodes: list,
        target: tuple,
        prologue: list,
        nested: bool = False,
    ) -> str:
        saved_unit, saved_out = self.unit, self.out
        saved_region = self.region
        self.unit = unit
        self.out = []
        self.region = 0
        pynames = [self.declare(p.name) for p in params]
        infos = []
        default_names = []
        for p in params:
            dname = self.default_fn(p, params, pynames) if p.default is not None else None
            default = support.default_caller(self.ns, dname) if dname is not None else None
            default_names.append(dname)
            infos.append(ParamInfo(p.name, default, p.rest, p.lambda_type))
        if code is not None:
            self.defaults[self.code_ids[id(code)]] = default_names
            code.set_params(infos)
            if nodes:
                code.body_line = nodes[0].span.line
        line = code.line if code is not None else (nodes[0].span.line if nodes else 1)
        if unit.kind == "method":
            self.prepare_method(unit, code, params, pynames, nodes)
            unit.leaf = _leaf_body(nodes, params)
            unit.single_attr = _attr_nodes(nodes) == [ast.AttrRef]
        self.body(nodes, target, line)
        body = self.out
        self.revert_outlined(body)
        if unit.tail_used:
            body = [stamp(py.While(test=C(True), body=body, orelse=[]), line)]
        pre: list[py.stmt] = list(prologue)
        for py_name in sorted(unit.typed):
            pre.append(assign(unit.stable[py_name], call("type", N(py_name))))
        if unit.nonlocals:
            pre.append(py.Nonlocal(names=sorted(unit.nonlocals)))
        if unit.kind == "method" and not unit.leaf:
            pre.extend(_budget_check())
        if unit.attrs_name is not None:
            # self never changes within a unit, nor does an object's dict.
            # Only an InkoObject has `attrs` (no native kind's Python class
            # does), and a try costs nothing until it catches:
            #   try: SD = self.attrs
            #   except AttributeError: SD = _NOATTRS
            pre.append(
                py.Try(
                    body=[assign(unit.attrs_name, py.Attribute(N("self"), "attrs", py.Load()))],
                    handlers=[
                        py.ExceptHandler(
                            type=N("AttributeError"),
                            name=None,
                            body=[assign(unit.attrs_name, N("_NOATTRS"))],
                        )
                    ],
                    orelse=[],
                    finalbody=[],
                )
            )
        if unit.needs_rt:
            pre.append(assign("_rt", py.List(elts=[], ctx=py.Load())))
            handler = py.ExceptHandler(
                type=N("_ReturnSignal"),
                name="_rs",
                body=[
                    py.If(
                        test=is_(py.Attribute(N("_rs"), "target", py.Load()), N("_rt")),
                        body=[py.Return(py.Attribute(N("_rs"), "value", py.Load()))],
                        orelse=[],
                    ),
                    py.Raise(exc=None, cause=None),
                ],
            )
            body = [py.Try(body=body, handlers=[handler], orelse=[], finalbody=[])]
        body = self.adopting_body(unit, pre, body)
        args = list(pynames)
        if unit.kind in ("method", "lambda", "module", "body"):
            args.insert(0, "self")
        if unit.owns_deferred and unit.kind != "thunk":
            args.insert(0, "_f")
        fdef = stamp(function(fname, args, pre + body), line)
        unit.fdef = fdef
        if unit.kind == "method" and not unit.owns_deferred:
            fdef.args.defaults = _literal_defaults(params)
        self.unit, self.out = saved_unit, saved_out
        self.region = saved_region
        if nested:
            self.out.append(fdef)
        else:
            self.top.append(fdef)
        index = self.code_ids[id(code)] if code is not None else -1
        self.records.append((fname, index, unit.kind, len(params), unit.owns_deferred))
        return fname

    def adopting_body(self, unit: Unit, pre: list, body: list) -> list:
        """The body of a frame with `try ... else` handlers: they hand the
        deferred blocks a caught throw carries to this frame, to run when it
        returns (LANGUAGE.md §3.12). A frame that sends `defer` itself keeps
        them with its own (`_adopt`, through its deferring wrapper, which
        costs a frame per call); any other frame keeps them in a local `_ad`
        that is None until such a throw is caught, and settles them in a
        try statement around its body, free while nothing is raised."""
        sites = unit.adopt_sites
        if not sites:
            return body
        if not unit.owns_deferred:
            # A handler not lexically inside this function (none is known)
            # could not reach its local: such a frame takes the wrapper.
            inside = {id(n) for stmt in body for n in py.walk(stmt)}
            if not all(id(site) in inside for site, _sig, _holder in sites):
                unit.owns_deferred = True
        if unit.owns_deferred:
            for site, sig, _holder in sites:
                site.body = [py.Expr(call("_adopt", N(sig), N("_f")))]
            return body
        thunks: dict[int, py.FunctionDef] = {}
        for site, sig, holder in sites:
            site.body = [assign("_ad", call("_adopt_local", N(sig), N("_ad")))]
            if holder is not unit and holder.fdef is not None:
                thunks[id(holder.fdef)] = holder.fdef
        for fdef in thunks.values():
            fdef.body.insert(0, py.Nonlocal(names=["_ad"]))
        pre.append(assign("_ad", C(None)))
        unwound = py.ExceptHandler(
            type=N("BaseException"),
            name="_ae",
            body=[
                py.If(
                    test=is_not(N("_ad"), C(None)),
                    body=[
                        py.Expr(call("_settle", N("_ad"), N("_ae"))),
                        assign("_ad", C(None)),
                    ],
                    orelse=[],
                ),
                py.Raise(exc=None, cause=None),
            ],
        )
        returned = py.If(
            test=is_not(N("_ad"), C(None)),
            body=[py.Expr(call("_run_blocks", N("_ad")))],
            orelse=[],
        )
        return [py.Try(body=body, handlers=[unwound], orelse=[], finalbody=[returned])]

    def prepare_method(
        self, unit: Unit, code: CgCode | None, params: list, pynames: list, nodes: list
    ) -> None:
        """Find a self tail call ending the method (it becomes a loop) and
        the parameters the method never assigns (their types are taken once)."""
        if nodes and code is not None:
            last = nodes[-1]
            if (
                type(last) is ast.Send
                and last.name == code.name
                and not last.kwargs
                and (last.receiver is None or type(last.receiver) is ast.SelfRef)
                and len(last.args) == len(params)
                and not any(p.rest or p.lambda_type for p in params)
            ):
                unit.tail_node = last
                unit.tail_code = code
                unit.tail_params = pynames
        if unit.tail_node is None:
            assigned = _assigned_locals(nodes)
            unit.stable = {
                py_name: self.fresh("_tp")
                for p, py_name in zip(params, pynames, strict=True)
                if p.name not in assigned
            }

    def default_fn(self, p: Any, params: list, pynames: list) -> str:
        """The name of a function computing a default value from the frame."""
        unit = Unit("default", None)
        saved_unit, saved_out = self.unit, self.out
        self.unit, self.out = unit, []
        names = [self.declare(q.name) for q in params]
        pro: list[py.stmt] = [assign("self", sub(N("f"), 1))]
        for i, n in enumerate(names):
            pro.append(assign(n, sub(N("f"), 3 + i)))
        mark = len(self.prims)
        value = self.expr(p.default)
        del self.prims[mark:]
        body = self.out + [py.Return(value)]
        fname = self.fresh("_d")
        self.top.append(self.stamp(function(fname, ["f"], pro + body), p.span.line))
        self.unit, self.out = saved_unit, saved_out
        return fname

    # --- statements ----------------------------------------------------------

    def body(self, nodes: list, target: tuple, line: int) -> None:
        nodes = [n for n in nodes if type(n) not in (ast.Import, ast.Directive)]
        if not nodes:
            self.emit_value(target, C(None), line, [])
            return
        for n in nodes[:-1]:
            self.stmt(n, DISCARD)
        self.stmt(nodes[-1], target)

    def emit(self, stmt: py.stmt, line: int, prims: list) -> None:
        self.stamp(stmt, line)
        if prims:
            handler = py.ExceptHandler(
                type=N("_PRIMITIVE_ERRORS"),
                name="_pe",
                body=[py.Raise(exc=call("_prim_panic", N("_pe"), prims[0]), cause=C(None))],
            )
            stmt = self.stamp(
                py.Try(body=[stmt], handlers=[handler], orelse=[], finalbody=[]), line
            )
        self.out.append(stmt)

    def emit_value(self, target: tuple, value: py.expr, line: int, prims: list) -> None:
        kind = target[0]
        if kind == "discard":
            if isinstance(value, (py.Constant, py.Name)):
                return
            self.emit(py.Expr(value), line, prims)
        elif kind == "return":
            self.emit(self.return_stmt(value), line, prims)
        else:
            self.emit(assign(target[1], value), line, prims)

    def return_stmt(self, value: py.expr) -> py.stmt:
        """`return value` from the generated function of this unit."""
        if self.unit.kind == "thunk":
            return py.Return(value)
        return py.Return(value)

    def value(self, node: Any) -> tuple:
        mark = len(self.prims)
        v = self.expr(node)
        prims = self.prims[mark:]
        del self.prims[mark:]
        return v, prims

    def stmt(self, node: Any, target: tuple) -> None:  # noqa: C901
        t = type(node)
        line = node.span.line
        if t is ast.Send and node.receiver is not None and node.name in _CONTROL:
            if self.control(node, target):
                return
        if t is ast.Send and node.receiver is not None and node.name in _EACH:
            if self.array_each(node, target):
                return
        if t is ast.Try:
            self.try_stmt(node, target)
            return
        if node is self.unit.tail_node and target is RETURN:
            self.tail_send(node)
            return
        if t is ast.Return:
            self.inko_return(node)
            return
        if t is ast.Throw:
            v, prims = self.value(node.value)
            self.emit(py.Raise(exc=call("_ThrowSignal", v), cause=None), line, prims)
            return
        if (t is ast.LetAttr or t is ast.AssignAttr) and not _statement_form(node.value):
            # objects.set_attr in line for an object (an @attribute: no
            # method table changes).
            v, prims = self.value(node.value)
            if not _simple(v):
                tmp = self.fresh("_t")
                self.emit(assign(tmp, v), line, prims)
                v, prims = N(tmp), []
            k = node.name
            sd = self.self_attrs()
            store = py.Assign(
                targets=[
                    py.Subscript(
                        N(sd) if sd is not None else py.Attribute(N("self"), "attrs", py.Load()),
                        C(k),
                        py.Store(),
                    )
                ],
                value=_dup(v),
            )
            slow: py.expr = call("_set_attr", N("self"), C(k), _dup(v))
            body: list[py.stmt] = [store]
            if target[0] == "discard":
                orelse: list[py.stmt] = [py.Expr(slow)]
            else:
                # (set_attr gives Nil for an Integer, Float or String self)
                result = self.fresh("_t")
                body.append(assign(result, _dup(v)))
                orelse = [assign(result, slow)]
            is_object = (
                is_not(N(sd), N("_NOATTRS"))
                if sd is not None
                else is_(call("type", N("self")), N("_InkoObject"))
            )
            self.emit(py.If(test=is_object, body=body, orelse=orelse), line, prims)
            if target[0] != "discard":
                self.emit_value(target, N(result), line, [])
            return
        if t is ast.LetLocal or t is ast.AssignLocal:
            if _statement_form(node.value):
                if t is ast.AssignLocal:
                    pyname = self.local_target(node)
                    self.stmt(node.value, ("assign", pyname))
                else:
                    tmp = self.fresh("_t")
                    self.stmt(node.value, ("assign", tmp))
                    pyname = self.declare(node.name)
                    self.emit(assign(pyname, N(tmp)), line, [])
            else:
                v, prims = self.value(node.value)
                pyname = self.declare(node.name) if t is ast.LetLocal else self.local_target(node)
                self.emit(assign(pyname, v), line, prims)
            if target[0] != "discard":
                self.emit_value(target, N(pyname), line, [])
            return
        v, prims = self.value(node)
        self.emit_value(target, v, line, prims)

    def tail_send(self, node: Any) -> None:
        unit = self.unit
        line = node.span.line
        temps = []
        for a in node.args:
            v, prims = self.value(a)
            tmp = self.fresh("_x")
            self.emit(assign(tmp, v), a.span.line, prims)
            temps.append(tmp)
        n = len(temps)
        if node.receiver is None:
            site = self.slow_site("cimplicit", node.name, line, n, False)
        else:
            site = self.slow_site("csend", node.name, line, n)
        code = self.code_const(unit.tail_code)
        rebind: list[py.stmt] = [
            assign(p, N(t)) for p, t in zip(unit.tail_params, temps, strict=True)
        ]
        unit.tail_used = True
        self.emit(
            py.If(
                test=is_(call("_tail_code", site, N("self")), code),
                body=rebind + _budget_check() + [py.Continue()],
                orelse=[],
            ),
            line,
            [],
        )
        self.emit(py.Return(call(site, N("self"), *[N(t) for t in temps])), line, [])

    def local_target(self, node: Any) -> str:
        found = self.resolve(node.name)
        if found is None:
            raise InkoCompileError(f'The local variable "{node.name}" is undefined', node.span)
        if found == "forbidden":
            raise Unsupported("assignment to a captured local in a lambda")
        pyname, owner = found
        if owner is not self.unit:
            self.unit.nonlocals.add(pyname)
        return pyname

    def inko_return(self, node: Any) -> None:
        line = node.span.line
        if (
            node.value is not None
            and _statement_form(node.value)
            and self.unit.kind
            in (
                "method",
                "lambda",
            )
        ):
            self.stmt(node.value, RETURN)
            return
        if node.value is None:
            v, prims = C(None), []
        else:
            v, prims = self.value(node.value)
        self.emit(self.return_raise(v), line, prims)

    def return_raise(self, v: py.expr) -> py.stmt:
        unit = self.unit
        if unit.kind in ("method", "lambda"):
            return py.Return(v)
        owner = unit.rt_owner()
        if owner is None:
            return py.Expr(call("_do_return", C(None), v))
        owner.needs_rt = True
        return py.Raise(exc=call("_ReturnSignal", N("_rt"), v), cause=None)

    def try_stmt(self, node: Any, target: tuple) -> None:
        line = node.span.line
        if not node.bang and node.else_body is None:
            self.stmt(node.expr, target)
            return
        saved = self.out
        self.out = []
        self.stmt(node.expr, target)
        inner = self.out
        self.out = saved
        sig = self.fresh("_sg")
        if node.bang:
            handler_body: list[py.stmt] = [
                py.If(
                    test=py.Attribute(N(sig), "__dict__", py.Load()),
                    body=[py.Expr(call("_run_pending_of", N(sig)))],
                    orelse=[],
                ),
                py.Raise(
                    exc=call(
                        "_try_panic",
                        py.Attribute(N(sig), "value", py.Load()),
                        C(self.file),
                        C(line),
                    ),
                    cause=C(None),
                ),
            ]
        else:
            # What takes over the deferred blocks the throw carries depends
            # on whether the frame sends `defer` itself, which may come
            # later in its body: adopting_body fills the If in.
            adopt_if = py.If(
                test=py.Attribute(N(sig), "__dict__", py.Load()), body=[py.Pass()], orelse=[]
            )
            self.unit.frame_unit().adopt_sites.append((adopt_if, sig, self.unit))
            saved = self.out
            self.out = [adopt_if]
            self.unit.scopes.append({})
            if node.else_name:
                pyname = self.declare(node.else_name)
                self.out.append(assign(pyname, py.Attribute(N(sig), "value", py.Load())))
            else_line = node.else_body[0].span.line if node.else_body else line
            saved_region = self.region
            self.region = self.new_region(saved_region, "<else>", None, "", line)
            self.body(node.else_body, target, else_line)
            self.region = saved_region
            self.unit.scopes.pop()
            handler_body = self.out
            self.out = saved
        handler = py.ExceptHandler(type=N("_ThrowSignal"), name=sig, body=handler_body)
        self.emit(py.Try(body=inner, handlers=[handler], orelse=[], finalbody=[]), line, [])

    def sub_body(
        self,
        nodes: list,
        target: tuple,
        line: int,
        mark: tuple,
        params: Sequence[tuple[str, Any]] = (),
    ) -> list:
        """An inlined block; `mark` (frame name, owner local, message, send
        line) says what frames a trace shows while it runs. `params`: its
        parameters (name, value, or a function of the parameter's Python
        name giving the statement that binds it), bound first, inside its
        frame."""
        saved = self.out
        saved_region = self.region
        self.region = self.new_region(saved_region, *mark)
        self.out = []
        self.unit.scopes.append({})
        for pname, pvalue in params:
            pyname = self.declare(pname)
            stmt = pvalue(pyname) if callable(pvalue) else assign(pyname, pvalue)
            self.emit(stmt, line, [])
        self.body(nodes, target, line)
        self.unit.scopes.pop()
        out = self.out
        self.out = saved
        self.region = saved_region
        return out or [py.Pass()]

    def control(self, node: Any, target: tuple) -> bool:  # noqa: C901
        name = node.name
        args = node.args
        line = node.span.line
        if name in ("if_true", "if_false", "and", "or") and len(args) == 1 and not node.kwargs:
            if not inlinable(args[0]):
                return False
            r, prims = self.value(node.receiver)
            tmp = self.fresh("_r")
            blk_pre, blk = self.hoisted(args[0])
            inline = self.sub_body(
                args[0].body, target, args[0].span.line, ("<block>", tmp, name, line)
            )
            if name == "if_true":
                other: py.expr = C(None)
            elif name == "if_false":
                other = C(None)
            elif name == "and":
                other = C(False)
            else:
                other = C(True)
            skip = self.sub_value(target, other, line)
            on_true = inline if name in ("if_true", "and") else skip
            on_false = skip if name in ("if_true", "and") else inline
            slow = self.slow_site("csend", name, line, 1)
            self.cond_stmt(
                tmp,
                r,
                prims,
                line,
                on_true,
                on_false,
                self.slow_path(blk_pre, call(slow, N(tmp), blk), target, line),
            )
            return True
        if name == "if" and not args and len(node.kwargs) == 2:
            kw = dict(node.kwargs)
            if set(kw) != {"true", "false"} or not (
                inlinable(kw["true"]) and inlinable(kw["false"])
            ):
                return False
            r, prims = self.value(node.receiver)
            tmp = self.fresh("_r")
            saved = self.out
            self.out = []
            blocks = {k: self.expr(v) for k, v in node.kwargs}
            blk_pre = self.out
            self.out = saved
            mark: tuple[str, str | None, Any, Any] = ("<block>", tmp, name, line)
            t_body = self.sub_body(kw["true"].body, target, kw["true"].span.line, mark)
            f_body = self.sub_body(kw["false"].body, target, kw["false"].span.line, mark)
            slow = self.const(("kw", "if", line, ("true", "false")), "_s")
            kwargs = py.Dict(keys=[C(k) for k in blocks], values=list(blocks.values()))
            slow_call = call(slow, N(tmp), py.List(elts=[], ctx=py.Load()), kwargs)
            self.cond_stmt(
                tmp,
                r,
                prims,
                line,
                t_body,
                f_body,
                self.slow_path(blk_pre, slow_call, target, line),
            )
            return True
        if name in ("while_true", "while_false") and len(args) == 1 and not node.kwargs:
            if not (inlinable(node.receiver) and inlinable(args[0])):
                return False
            want = name == "while_true"
            c = self.fresh("_c")
            mark = ("<block>", None, name, line)
            cond = self.sub_body(node.receiver.body, ("assign", c), node.receiver.span.line, mark)
            if want:
                stop = and_(
                    is_not(N(c), C(True)),
                    or_(
                        is_(N(c), C(False)),
                        is_(N(c), C(None)),
                        py.UnaryOp(py.Not(), call("_truth", N(c))),
                    ),
                )
            else:
                stop = or_(
                    is_(N(c), C(True)),
                    and_(is_not(N(c), C(False)), is_not(N(c), C(None)), call("_truth", N(c))),
                )
            body = self.sub_body(args[0].body, DISCARD, args[0].span.line, mark)
            loop = py.While(
                test=C(True),
                body=cond
                + [py.If(test=stop, body=[py.Break()], orelse=[])]
                + body
                + _budget_check(),
                orelse=[],
            )
            pre1, recv_blk = self.hoisted(node.receiver)
            pre2, blk = self.hoisted(args[0])
            slow = self.slow_site("csend", name, line, 1)
            self.emit(
                py.If(
                    test=N("loop"),
                    body=[loop] + self.sub_value(target, C(None), line),
                    orelse=self.loop_slow_path(
                        pre1 + pre2, call(slow, recv_blk, blk), target, line
                    ),
                ),
                line,
                [],
            )
            return True
        if name == "loop" and not args and not node.kwargs:
            if not inlinable(node.receiver):
                return False
            body = self.sub_body(
                node.receiver.body, DISCARD, node.receiver.span.line, ("<block>", None, name, line)
            )
            loop = py.While(test=C(True), body=body + _budget_check(), orelse=[])
            pre, recv_blk = self.hoisted(node.receiver)
            slow = self.slow_site("csend", name, line, 0)
            self.emit(
                py.If(
                    test=N("loop"),
                    body=[loop],
                    orelse=self.loop_slow_path(pre, call(slow, recv_blk), target, line),
                ),
                line,
                [],
            )
            return True
        return False

    def array_each(self, node: Any, target: tuple) -> bool:
        """`array.each do (x) { ... }` (or `each_with_index`) in statement
        position: a Python loop over a list while Array's methods are the
        built-in ones (the "array" flag: `_L` is `list` until then), with
        the primitive's rules (the length taken once; an element removed
        meanwhile reads as Nil); anything else is the real send:

            r = <receiver>
            if type(r) is _L:
                for i in range(len(r)):
                    try:
                        v_x = r[i]
                    except IndexError:
                        v_x = None
                    <body>
                    if _P: _oor()
            else:
                <send of each to r with the block>"""
        args = node.args
        if len(args) != 1 or node.kwargs:
            return False
        blk = args[0]
        nparams = 1 if node.name == "each" else 2
        if not (
            type(blk) is ast.BlockLit
            and blk.kind == "do"
            and len(blk.params) == nparams
            and not any(p.default is not None or p.rest for p in blk.params)
            and not _params_captured(blk)
            and not _sends_defer(blk.body)
        ):
            return False
        name = node.name
        line = node.span.line
        r, prims = self.value(node.receiver)
        tmp = self.fresh("_r")
        self.emit(assign(tmp, r), line, prims)
        i = self.fresh("_i")

        def element(pyname: str) -> py.stmt:
            # (try costs nothing in CPython 3.11 until it catches, unlike a
            # bounds test against len(r) at every element)
            #   try: v_x = r[i]
            #   except IndexError: v_x = None
            return py.Try(
                body=[assign(pyname, py.Subscript(value=N(tmp), slice=N(i), ctx=py.Load()))],
                handlers=[
                    py.ExceptHandler(
                        type=N("IndexError"), name=None, body=[assign(pyname, C(None))]
                    )
                ],
                orelse=[],
                finalbody=[],
            )

        params: list[tuple[str, Any]] = [(blk.params[0].name, element)]
        if nparams == 2:
            params.append((blk.params[1].name, N(i)))
        body = self.sub_body(blk.body, DISCARD, blk.span.line, ("<block>", tmp, name, line), params)
        loop = py.For(
            target=S(i),
            iter=call("range", call("len", N(tmp))),
            body=body + _budget_check(),
            orelse=[],
        )
        blk_pre, blk_value = self.hoisted(blk)
        slow = self.slow_site("csend", name, line, 1)
        self.emit(
            py.If(
                test=is_(call("type", N(tmp)), N("_L")),
                body=[loop] + self.sub_value(target, C(None), line),
                orelse=self.slow_path(blk_pre, call(slow, N(tmp), blk_value), target, line),
            ),
            line,
            [],
        )
        return True

    def slow_path(self, pre: list, value: py.expr, target: tuple, line: int) -> list:
        """The statements of a real send that replaces inlined control flow
        (`pre` defines its closures). They go into a function of their own
        when the closures only read the locals they capture: closures
        defined in the method itself would make every local they read a
        cell, which costs each call of the method (MAKE_CELL, LOAD_DEREF)
        although the slow path almost never runs."""
        free = _free_names(pre, value, self.ns)
        if free is None:
            return pre + self.sub_value(target, value, line)
        name = self.fresh("_o")
        self.top.append(self.stamp(function(name, free, pre + [py.Return(value)]), line))
        return self.sub_value(target, call(name, *[N(x) for x in free]), line)

    def loop_slow_path(self, pre: list, value: py.expr, target: tuple, line: int) -> list:
        """slow_path for a loop, whose closures assign the method's locals:
        a function of its own takes them as arguments and hands back what
        its closures assigned (copy in, copy out), so that the locals of
        the loop's fast path stay plain locals instead of cells, the main
        cost of a counting loop. Copying is only right while no other
        closure of the method shares those locals; unit_function checks
        that once the method is complete and puts the closures back in
        line otherwise (see revert_outlined)."""
        needed, written = _function_scope([*pre, py.Expr(value)], ())
        free = sorted(x for x in needed if x not in self.ns and not hasattr(_builtins, x))
        inline = pre + self.sub_value(target, value, line)
        if not written or not written <= self.unit.declared:
            return inline
        name = self.fresh("_o")
        back = sorted(written)
        result = py.Tuple(elts=[value, *[N(w) for w in back]], ctx=py.Load())
        fdef = self.stamp(function(name, free, pre + [py.Return(result)]), line)
        self.top.append(fdef)
        r = self.fresh("_r")
        unpack = py.Assign(
            targets=[py.Tuple(elts=[S(r), *[S(w) for w in back]], ctx=py.Store())],
            value=call(name, *[N(x) for x in free]),
        )
        # `if True:` costs nothing (the compiler drops it) and gives a node
        # whose body can be swapped for the in-line form.
        holder = py.If(test=C(True), body=[unpack, *self.sub_value(target, N(r), line)], orelse=[])
        self.unit.outlined.append((holder, inline, fdef, written))
        return [holder]

    def revert_outlined(self, body: list) -> None:
        """Put outlined loop closures back in line when another closure of
        the unit captures a local they assign (copies would diverge)."""
        unit = self.unit
        if not unit.outlined:
            return
        written: set = set()
        for _holder, _inline, _fdef, names in unit.outlined:
            written |= names
        if not written & _captured_names(body):
            return
        for holder, inline, fdef, _names in unit.outlined:
            holder.body = inline
            self.top.remove(fdef)
        unit.outlined = []

    def hoisted(self, node: Any) -> tuple:
        """`node` as an expression, and the statements (closure defs) it
        needs, kept apart so that only the slow path pays for them."""
        saved = self.out
        self.out = []
        value = self.expr(node)
        pre = self.out
        self.out = saved
        return pre, value

    def sub_value(self, target: tuple, value: py.expr, line: int) -> list:
        saved = self.out
        self.out = []
        self.emit_value(target, value, line, [])
        out = self.out
        self.out = saved
        return out or [py.Pass()]

    def cond_stmt(
        self,
        tmp: str,
        r: py.expr,
        prims: list,
        line: int,
        on_true: list,
        on_false: list,
        slow: list,
    ) -> None:
        """`tmp = r` and the inlined conditional on it (guarded_cond). When
        `r` is a comparison's fast path (`CMP if TEST else OTHER`, CMP a
        Python comparison of ints, floats or strings: a bool) and the
        branches are small, the bool decides at once while the conditional
        methods are the built-in ones (the "cond" flag):

            if TEST and cond:
                if (tmp := CMP): <on_true>
                else: <on_false>
            else:
                tmp = OTHER
                <guarded_cond>

        (TEST assigned every temporary OTHER reads, so OTHER is the same
        comparison's other paths; `tmp` still holds the receiver, which
        traces read.)"""
        chain = self.guarded_cond(tmp, on_true, on_false, slow)
        if (
            prims
            or type(r) is not py.IfExp
            or type(r.body) is not py.Compare
            or not _small_branches(on_true + on_false)
        ):
            self.emit(assign(tmp, r), line, prims)
            self.emit(chain, line, [])
            return
        fast = py.If(
            test=py.NamedExpr(S(tmp), r.body),
            body=copy.deepcopy(on_true),
            orelse=copy.deepcopy(on_false),
        )
        self.emit(
            py.If(
                test=and_(r.test, N("cond")),
                body=[fast],
                orelse=[assign(tmp, r.orelse), chain],
            ),
            line,
            [],
        )

    def guarded_cond(self, tmp: str, on_true: list, on_false: list, slow: list) -> py.stmt:
        # _TRUE, _FALSE and _NIL are True, False and Nil until a program redefines
        # a conditional method of Boolean or Nil (objects.FAST "cond"): then
        # a value no receiver is, and every test takes the slow path.
        return py.If(
            test=is_(N(tmp), N("_TRUE")),
            body=on_true,
            orelse=[
                py.If(
                    test=or_(is_(N(tmp), N("_FALSE")), is_(N(tmp), N("_NIL"))),
                    body=on_false,
                    orelse=slow,
                )
            ],
        )

    # --- expressions ---------------------------------------------------------

    def expr(self, node: Any) -> py.expr:
        method = getattr(self, "x_" + type(node).__name__, None)
        if method is None:
            raise Unsupported(type(node).__name__)
        return self.stamp(method(node), node.span.line)

    def x_IntLit(self, node: Any) -> py.expr:
        if node.value < 0:
            return py.UnaryOp(py.USub(), C(-node.value))
        return C(node.value)

    def x_FloatLit(self, node: Any) -> py.expr:
        v = node.value
        if v != v or v in (float("inf"), float("-inf")) or str(v).startswith("-"):
            return self.const(("value", v))
        return C(v)

    def x_StrLit(self, node: Any) -> py.expr:
        return C(node.value)

    def x_ArrayLit(self, node: Any) -> py.expr:
        return py.List(elts=[self.expr(i) for i in node.items], ctx=py.Load())

    def x_HashLit(self, node: Any) -> py.expr:
        items = []
        for k, v in node.pairs:
            items.append(self.expr(k))
            items.append(self.expr(v))
        hm = self.constant("HashMap", node)
        return call("_hash_lit", hm, py.List(elts=items, ctx=py.Load()))

    def x_SelfRef(self, node: Any) -> py.expr:
        return N("self")

    def x_Identifier(self, node: Any) -> py.expr:
        found = self.resolve(node.name)
        if found == "forbidden":
            return call("_no_captures")
        if found is not None:
            return N(found[0])
        return self.implicit(node.name, [], node, ident=True)

    def constant(self, name: str, node: Any) -> py.expr:
        if name == "ThisModule":
            return py.Attribute(self.ctx_ref, "module", py.Load())
        # The value the last read found while the key still matches `self`
        # (support.const_getter says why that is the same value):
        #   V if self is K or (type(self) is InkoObject and self.proto is K
        #       and 'X' not in self.attrs) or type(self) is K else getter(self)
        k, v = self.fresh("_ck"), self.fresh("_cv")
        getter = self.const(("cget", name, node.span.line, k, v), "_cg")
        guard = or_(
            is_(N("self"), N(k)),
            and_(
                is_(call("type", N("self")), N("_InkoObject")),
                is_(py.Attribute(N("self"), "proto", py.Load()), N(k)),
                py.Compare(C(name), [py.NotIn()], [py.Attribute(N("self"), "attrs", py.Load())]),
            ),
            is_(call("type", N("self")), N(k)),
        )
        return py.IfExp(test=guard, body=N(v), orelse=call(getter, N("self")))

    def x_Constant(self, node: Any) -> py.expr:
        return self.constant(node.name, node)

    def x_ConstPath(self, node: Any) -> py.expr:
        return call("_const_path", self.expr(node.receiver), C(node.name))

    def x_ModuleGlobal(self, node: Any) -> py.expr:
        return call(py.Attribute(self.g_ref, "get", py.Load()), C(node.name))

    def x_AttrRef(self, node: Any) -> py.expr:
        # support.attr in line for an object's own attribute, from the dict
        # taken on entry (_NOATTRS, empty, for a self without one):
        #   SD[k] if k in SD else attr(self, k)
        k = node.name
        sd = self.self_attrs()
        if sd is not None:
            return py.IfExp(
                test=py.Compare(C(k), [py.In()], [N(sd)]),
                body=sub(N(sd), k),
                orelse=call("_attr", N("self"), C(k)),
            )
        #   d[k] if type(self) is InkoObject and k in (d := self.attrs) else attr(self, k)
        d = self.fresh("_d")
        return py.IfExp(
            test=and_(
                is_(call("type", N("self")), N("_InkoObject")),
                py.Compare(
                    C(k),
                    [py.In()],
                    [py.NamedExpr(S(d), py.Attribute(N("self"), "attrs", py.Load()))],
                ),
            ),
            body=sub(N(d), k),
            orelse=call("_attr", N("self"), C(k)),
        )

    def x_LetLocal(self, node: Any) -> py.expr:
        value = self.expr(node.value)
        pyname = self.declare(node.name)
        return py.NamedExpr(target=S(pyname), value=value)

    def x_AssignLocal(self, node: Any) -> py.expr:
        value = self.expr(node.value)
        pyname = self.local_target(node)
        return py.NamedExpr(target=S(pyname), value=value)

    def x_LetAttr(self, node: Any) -> py.expr:
        return call("_set_attr", N("self"), C(node.name), self.expr(node.value))

    x_AssignAttr = x_LetAttr

    def top_globals(self) -> py.expr:
        return self.g_ref if self.unit.kind == "module" else C(None)

    def x_LetConst(self, node: Any) -> py.expr:
        return call(
            "_let_const", N("self"), C(node.name), self.expr(node.value), self.top_globals()
        )

    def x_Return(self, node: Any) -> py.expr:
        value = self.expr(node.value) if node.value is not None else C(None)
        unit = self.unit
        owner = unit.rt_owner() if unit.kind not in ("method", "lambda") else unit
        if owner is None:
            return call("_do_return", C(None), value)
        owner.needs_rt = True
        return call("_do_return", N("_rt"), value)

    def x_Throw(self, node: Any) -> py.expr:
        return call("_throw", self.expr(node.value))

    def x_Try(self, node: Any) -> py.expr:
        if not node.bang and node.else_body is None:
            return self.expr(node.expr)
        return self.thunk(node)

    def thunk(self, node: Any) -> py.expr:
        """A statement-only construct in expression position: a nested
        function run in place (not an Inko frame)."""
        unit = Unit("thunk", self.unit)
        fname = self.fresh("_h")
        self.unit_function(unit, fname, None, [], [node], RETURN, [], nested=True)
        return call(fname)

    def x_Import(self, node: Any) -> py.expr:
        return C(None)

    x_Directive = x_Import

    # --- blocks and definitions ----------------------------------------------

    def x_BlockLit(self, node: Any) -> py.expr:
        if node.kind == "lambda":
            code = self.lambda_code(node)
            return call(
                "_Block",
                self.code_const(code),
                C(None),
                py.Attribute(self.ctx_ref, "module", py.Load()),
            )
        code = self.new_code("<block>", node.span.line, "closure")
        unit = Unit("closure", self.unit)
        fname = self.fresh("_c")
        self.unit_function(unit, fname, code, node.params, node.body, RETURN, [], nested=True)
        if node.kind == "brace":
            code.lambda_code = self.lambda_later(node, code)
        parent = py.List(elts=[N(fname), C(None), C(None)], ctx=py.Load())
        return call("_Block", self.code_const(code), parent, N("self"), C(node.kind == "brace"))

    def lambda_code(
        self, node: Any, forbidden: frozenset = frozenset(), name: str = "<lambda>"
    ) -> CgCode:
        code = self.new_code(name, node.span.line, "lambda")
        unit = Unit("lambda", None, forbidden)
        saved = self.unit
        self.unit_function(unit, self.fresh("_l"), code, node.params, node.body, RETURN, [])
        self.unit = saved
        return code

    def lambda_later(self, node: Any, code: CgCode) -> Any:
        """The CgCode of brace block `node` as a lambda, compiled on first use."""
        names: set = set()
        u: Unit | None = self.unit
        while u is not None:
            for d in u.scopes:
                names.update(d)
            names.update(u.forbidden)
            u = u.parent if u.kind in ("closure", "thunk") else None
        forbidden = frozenset(names)
        self.lambdas[self.code_ids[id(code)]] = (
            node.span.line,
            node.span.column,
            tuple(sorted(forbidden)),
        )
        return lambda: build_lambda(self.ctx, node, forbidden)

    def x_MethodDef(self, node: Any) -> py.expr:
        if node.body is None:
            return C(None)
        code = self.new_code(node.name, node.span.line, "method")
        code.getter = _getter_attr(node)
        unit = Unit("method", None)
        saved = self.unit
        unit.self_may_miss = saved.kind != "module"
        self.unit_function(unit, self.fresh("_m"), code, node.params, node.body, RETURN, [])
        self.unit = saved
        return call(
            "_define_method", N("self"), C(node.name), self.code_const(code), self.top_globals()
        )

    def body_fn(self, name: str, nodes: list, span: Any) -> py.expr:
        code = self.new_code(name, span.line, "body")
        unit = Unit("body", None)
        saved = self.unit
        fname = self.unit_function(unit, self.fresh("_b"), code, [], nodes, RETURN, [])
        self.unit = saved
        return N(fname)

    def x_ObjectDef(self, node: Any) -> py.expr:
        impls = py.List(elts=[self.expr(i) for i in node.impls], ctx=py.Load())
        body = self.body_fn(node.name, node.body, node.span)
        return call("_object_def", N("self"), C(node.name), impls, body, self.top_globals())

    def x_TraitDef(self, node: Any) -> py.expr:
        body = self.body_fn(node.name, node.body, node.span)
        return call("_trait_def", N("self"), C(node.name), body, self.top_globals())

    def x_ImplDef(self, node: Any) -> py.expr:
        target = self.expr(node.target)
        trait = self.expr(node.trait) if node.trait is not None else C(None)
        body = self.body_fn("<impl>", node.body, node.span)
        return call("_impl_def", target, trait, body)

    # --- sends ---------------------------------------------------------------

    def x_Send(self, node: Any) -> py.expr:
        recv = node.receiver
        name = node.name
        line = node.span.line
        if name == "defer":
            self.unit.frame_unit().owns_deferred = True
        if type(recv) is ast.Constant and recv.name == "_INKOC":
            return self.primitive(node)
        nargs = len(node.args)
        if recv is not None and nargs == 1 and name in _OPS and not node.kwargs:
            fused = self.fused_int(node)
            return fused if fused is not None else self.binary(node)
        if recv is not None and name in _CONTROL and _statement_form(node):
            return self.thunk(node)
        if recv is None:
            return self.implicit(name, node.args, node, kwargs=node.kwargs)
        if nargs == 0 and not node.kwargs and name in support.INT_UNARY:
            fused = self.fused_int(node)
            if fused is not None:
                return fused
            return self.int_unary(name, line, self.expr(recv))
        r = self.expr(recv)
        args = [self.expr(a) for a in node.args]
        if name == "call" and not node.kwargs and nargs <= 4:
            return self.block_call(r, args, line)
        if node.kwargs or nargs > 4:
            kw_names = tuple(k for k, _ in node.kwargs)
            site = self.const(("kw", name, line, kw_names), "_s")
            kwargs: py.expr = (
                py.Dict(
                    keys=[C(k) for k, _ in node.kwargs],
                    values=[self.expr(v) for _, v in node.kwargs],
                )
                if node.kwargs
                else C(None)
            )
            return call(site, r, py.List(elts=args, ctx=py.Load()), kwargs)
        return self.cached_send("csend", name, line, r, args, ())

    def implicit(
        self, name: str, args: list, node: Any, ident: bool = False, kwargs: Sequence[Any] = ()
    ) -> py.expr:
        line = node.span.line
        note_scope(self.file, line, name, _HintScope(self.unit))  # for "did you mean"
        values = [self.expr(a) for a in args]
        if kwargs or len(values) > 4:
            site = self.const(("implicit_kw", name, line), "_s")
            kw = (
                py.Dict(keys=[C(k) for k, _ in kwargs], values=[self.expr(v) for _, v in kwargs])
                if kwargs
                else C(None)
            )
            return call(site, N("self"), py.List(elts=values, ctx=py.Load()), kw)
        owner: Unit | None = self.unit
        while owner is not None and owner.kind in ("closure", "thunk"):
            owner = owner.parent
        receiver = self.fresh("_rv") if owner is not None and owner.self_may_miss else None
        return self.cached_send("cimplicit", name, line, N("self"), values, (ident,), receiver)

    def int_unary(self, name: str, line: int, r: py.expr) -> py.expr:
        """`x.opposite` and the like (support.INT_UNARY) in line for an
        int receiver while Integer's methods are the built-in ones:

            -x if type(x) is _I else <send of opposite to x>"""
        if type(r) is py.Name:
            first: py.expr = _dup(r)

            def X() -> py.expr:
                return _dup(r)

        else:
            t = self.fresh("_u")
            first = py.NamedExpr(S(t), r)

            def X() -> py.expr:
                return N(t)

        stable = self.unit.stable.get(r.id) if type(r) is py.Name else None
        if stable is not None:
            self.unit.typed.add(cast(py.Name, r).id)
            test: py.expr = is_(N(stable), N("_I"))
        else:
            test = is_(call("type", first), N("_I"))
        form = support.INT_UNARY[name]
        if form is None:
            body: py.expr = X()
        elif form[0] == "neg":
            body = py.UnaryOp(py.USub(), X())
        elif form[0] in _BINOPS:
            body = py.BinOp(X(), _BINOPS[form[0]](), C(form[1]))
        else:
            body = py.Compare(X(), [_CMPOPS[form[0]]()], [C(form[1])])
        return py.IfExp(
            test=test, body=body, orelse=self.cached_send("csend", name, line, X(), [], ())
        )

    def block_call(self, r: py.expr, args: list, line: int) -> py.expr:
        """`block.call(x)`: a closure that takes exactly these arguments is
        its generated function, called directly while Block#call is the
        built-in one (the "loop" flag); anything else is an ordinary send:

            b.parent[0](x) if type(b := r) is _Block and b.code.call_arity == 1
                and loop else <send of call to b>"""
        b = self.fresh("_bk")
        test = and_(
            is_(call("type", py.NamedExpr(S(b), r)), N("_Block")),
            py.Compare(
                py.Attribute(py.Attribute(N(b), "code", py.Load()), "call_arity", py.Load()),
                [py.Eq()],
                [C(len(args))],
            ),
            N("loop"),
        )
        fn = sub(py.Attribute(N(b), "parent", py.Load()), 0)
        return py.IfExp(
            test=test,
            body=call(fn, *args),
            orelse=self.cached_send(
                "csend", "call", line, N(b), [_dup(a) if _simple(a) else a for a in args], ()
            ),
        )

    def cached_send(
        self,
        kind: str,
        name: str,
        line: int,
        recv: py.expr,
        args: list,
        extra: tuple,
        receiver: str | None = None,
    ) -> py.expr:
        """A send with its inline cache in line: the cached function of the
        method when the receiver matches the cached key, else the site's
        slow path (support.cached_site), which fills the cache:

            F(r, x) if (T := type(r)) is K or (T is InkoObject and r.proto
                is K and 'name' not in r.attrs) or r is K else S(r, x)

        (support.py says why each test finds the same method). Receiver and
        arguments are evaluated once, in order, before the test, except
        arguments that are operators' fast paths: those run no Inko code,
        so the test may come first (see _pure_fast_args)."""
        k, f, pd = self.fresh("_k"), self.fresh("_f"), self.fresh("_pd")
        globals_: tuple[str | None, ...] = (k, f, pd)
        if kind == "cimplicit":
            globals_ += (receiver,)
        self_first = kind == "cimplicit" and receiver is None
        # A getter's name sent without arguments (`body.velocity`): the site
        # also keeps the set of prototypes whose method of that name is a
        # getter of '@' + name (support.cached_site), tested first.
        pg = None
        if not args and not self_first and name in self.getter_names:
            pg = self.fresh("_pg")
            globals_ += (pg,)
        site = self.const((kind, name, line, len(args), *extra, *globals_), "_s")
        parts = [recv, *args]
        # (a literal receiver gets a name too: `1 is K` is a SyntaxWarning)
        complex_at = [
            i for i, e in enumerate(parts) if not _simple(e) or (i == 0 and type(e) is py.Constant)
        ]
        fuse = complex_at == [0]
        pre: list[py.expr] = []
        names: list[str | None] = []
        for i, e in enumerate(parts):
            if i not in complex_at:
                names.append(None)
                continue
            t = self.fresh("_t")
            names.append(t)
            if not (fuse and i == 0):
                pre.append(is_(py.NamedExpr(S(t), e), N(t)))

        def use(i: int) -> py.expr:
            t = names[i]
            return N(t) if t is not None else _dup(parts[i])

        first: py.expr = py.NamedExpr(S(cast(str, names[0])), recv) if fuse else use(0)
        # (a send with a receiver takes its type once: `(T := type(r)) is K
        # or (T is InkoObject and ...)`, the slow branches run only after it
        # was; a receiver-less one, to self, mostly stops at `self is K`,
        # and a local more costs every call of the function)
        # A receiver-less send in a module's own method (self is mostly the
        # module, which holds the method: key = self) tests `self is K`
        # first; every other send tests the receiver's type first, which
        # settles a native receiver (key = its type) at once and an object
        # (key = its prototype) without two failing identity tests:
        #   (T := type(r)) is K or (T is InkoObject and r.proto is K
        #       and 'name' not in r.attrs) or r is K
        ty = None if self_first else self.unit_temp("_ty")

        def type_of_receiver(first_use: bool) -> py.expr:
            if ty is None:
                return call("type", use(0))
            if first_use and pg is None:
                return py.NamedExpr(S(ty), call("type", first))
            return N(ty)

        proto_test = and_(
            is_(type_of_receiver(False), N("_InkoObject")),
            is_(py.Attribute(use(0), "proto", py.Load()), N(k)),
            py.Compare(C(name), [py.NotIn()], [py.Attribute(use(0), "attrs", py.Load())]),
        )
        if self_first:
            guard = or_(is_(first, N(k)), is_(call("type", use(0)), N(k)), proto_test)
        else:
            guard = or_(is_(type_of_receiver(True), N(k)), proto_test, is_(use(0), N(k)))
        test = and_(*pre, guard) if pre else guard
        n = len(parts)
        slow: py.expr = call(site, *[use(i) for i in range(n)])
        # An object whose prototype the site met before (a site whose
        # receivers implement one trait; for a receiver-less send, a
        # self of several kinds running a trait's default method): the
        # function of its method from the site's dict, without calling
        # the slow path.
        #   G(r, x) if type(r) is InkoObject and (G := PD.get(r.proto))
        #       is not None and 'name' not in r.attrs else S(r, x)
        g = self.unit_temp("_g")
        poly_test = and_(
            is_(type_of_receiver(False), N("_InkoObject")),
            is_not(
                py.NamedExpr(
                    S(g),
                    call(
                        py.Attribute(N(pd), "get", py.Load()),
                        py.Attribute(use(0), "proto", py.Load()),
                    ),
                ),
                C(None),
            ),
            py.Compare(C(name), [py.NotIn()], [py.Attribute(use(0), "attrs", py.Load())]),
        )
        slow = py.IfExp(test=poly_test, body=call(N(g), *[use(i) for i in range(n)]), orelse=slow)
        fast_args = [use(i) for i in range(n)]
        if receiver is not None:
            # (the module when it answers for self: RV or self)
            fast_args[0] = or_(N(receiver), fast_args[0])
        whole = py.IfExp(test=test, body=call(f, *fast_args), orelse=slow)
        if pg is not None:
            # The getter's attribute in line, under the test that finds it
            # in the site's set: the receiver's prototype answered with
            # that getter since the last bump of VERSION, and the receiver
            # has no attribute of the method's name. Without the attribute,
            # the send runs the getter (its panic and trace unchanged).
            #   D['@n'] if (T := type(r)) is InkoObject and r.proto in PG
            #       and '@n' in (D := r.attrs) and 'n' not in D else <send>
            d = self.unit_temp("_d")
            attr_name = "@" + name
            in_line = and_(
                is_(py.NamedExpr(S(cast(str, ty)), call("type", first)), N("_InkoObject")),
                py.Compare(py.Attribute(use(0), "proto", py.Load()), [py.In()], [N(pg)]),
                py.Compare(
                    C(attr_name),
                    [py.In()],
                    [py.NamedExpr(S(d), py.Attribute(use(0), "attrs", py.Load()))],
                ),
                py.Compare(C(name), [py.NotIn()], [N(d)]),
            )
            whole = py.IfExp(test=in_line, body=sub(N(d), attr_name), orelse=whole)
        early = _pure_fast_args(parts)
        if early is None:
            return whole
        # Arguments that are all operators' fast paths on a plain receiver
        # (`count(n - 1)`: `n - 1 if T is _I else S(n, 1)`): while their
        # tests hold they run no Inko code and cannot change what the send
        # finds, so the cache is tested before they are computed, without
        # naming each argument to keep the order (about 6 bytecodes less a
        # send, a tenth of fib's instructions):
        #   F(r, n - 1) if T is _I and <guard> else <the send above>
        # The guard reads no argument, only the receiver.
        tests, bodies = early
        args_fast = [copy.deepcopy(fast_args[0]), *[copy.deepcopy(b) for b in bodies]]
        return py.IfExp(
            test=and_(*[copy.deepcopy(t) for t in tests], copy.deepcopy(guard)),
            body=call(f, *args_fast),
            orelse=whole,
        )

    def primitive(self, node: Any) -> py.expr:
        fn = builtins.lookup(node.name)
        if fn is None:
            raise InkoCompileError(f"Unknown primitive _INKOC.{node.name}", node.span)
        ref = self.const(("prim", node.name), "_p")
        self.prims.append(ref)
        return call(ref, *[self.expr(a) for a in node.args])

    def literal_binary(
        self, node: Any, lhs: py.expr, rhs: py.expr, lit_right: bool, slow: py.Name
    ) -> py.expr:
        """`x OP literal` or `literal OP x`: the literal's type is known, so
        one guard on the other operand picks the fast path of that type
        (or none: `x - 'a'` is always a send); on a parameter the method
        never assigns, against its type taken once on entry.

            x + ' ' if type(x) is _S else slow(x, ' ')"""
        name = node.name
        int_op, guard_b, float_op, str_op = _OPS[name]
        lit_node = node.args[0] if lit_right else node.receiver
        kind = _literal_kind(lit_node, rhs if lit_right else lhs)
        op, guard = {"int": (int_op, "_I"), "float": (float_op, "_FL"), "str": (str_op, "_S")}[
            cast(str, kind)
        ]
        if op is None or (guard_b and lit_right and not lit_node.value):
            # (a literal zero divisor: the send reports it)
            return call(slow, lhs, rhs)
        var = lhs if lit_right else rhs
        t = self.fresh("_a" if lit_right else "_b")
        stable = self.unit.stable.get(var.id) if type(var) is py.Name else None
        if stable is not None:
            self.unit.typed.add(cast(py.Name, var).id)
            test: py.expr = is_(N(stable), N(guard))
        elif type(var) is py.Name:
            test = is_(call("type", _dup(var)), N(guard))
        else:
            test = is_(call("type", py.NamedExpr(S(t), var)), N(guard))

        def V() -> py.expr:
            return _dup(var) if type(var) is py.Name else N(t)

        def L() -> py.expr:
            return self.expr(lit_node)

        if guard_b and not lit_right:
            test = and_(test, V())
        a, b = (V, L) if lit_right else (L, V)
        if op == "eq":
            body: py.expr = call("_float_eq", a(), b())
        elif op == "ne":
            body = py.UnaryOp(py.Not(), call("_float_eq", a(), b()))
        elif op in _BINOPS:
            body = py.BinOp(a(), _BINOPS[op](), b())
        else:
            body = py.Compare(a(), [_CMPOPS[op]()], [b()])
        return py.IfExp(test=test, body=body, orelse=call(slow, a(), b()))

    def fused_int(self, node: Any) -> py.expr | None:
        """A tree of two or more Integer operators over leaves that reading
        twice cannot tell (literals, locals, self, @attributes, constants):
        when every leaf is an int (and a divisor leaf is not zero), the
        whole tree is one Python expression, without a guard per operator;
        otherwise the operator-by-operator code of `binary` runs, reading
        the leaves again. Both give the same: with int leaves each operator
        of that code takes its int path (a comparison only at the root, so
        no Boolean meets an operator; a divisor that is not a leaf keeps its
        own guard there), which has no effects, so reading a later leaf
        before an earlier operator ran changes nothing (and a constant that
        panics does so after the same int-only work).

            (t1 * 3 + t2) % 7 if type(t1 := @a) is _I and type(t2 := b) is _I
                else <binary(node)>"""
        tree = _int_tree(node, self.resolve) if self.fusing else None
        if tree is None:
            return None
        leaves, divisors = tree
        tests: list[py.expr] = []
        temps: dict[int, str] = {}
        for leaf in leaves:
            value = self.expr(leaf)
            stable = self.unit.stable.get(value.id) if type(value) is py.Name else None
            if stable is not None:
                self.unit.typed.add(cast(py.Name, value).id)
                tests.append(is_(N(stable), N("_I")))
                temps[id(leaf)] = cast(py.Name, value).id
            else:
                t = self.fresh("_x")
                temps[id(leaf)] = t
                tests.append(is_(call("type", py.NamedExpr(S(t), value)), N("_I")))
            if id(leaf) in divisors:
                tests.append(N(temps[id(leaf)]))

        def build(n: Any) -> py.expr:
            if type(n) is ast.IntLit:
                return self.x_IntLit(n)
            if type(n) is not ast.Send:
                return N(temps[id(n)])
            if not n.args:
                x = build(n.receiver)
                form = support.INT_UNARY[n.name]
                if form is None:
                    return x
                if form[0] == "neg":
                    return py.UnaryOp(py.USub(), x)
                if form[0] in _BINOPS:
                    return py.BinOp(x, _BINOPS[form[0]](), C(form[1]))
                return py.Compare(x, [_CMPOPS[form[0]]()], [C(form[1])])
            op = _OPS[n.name][0]
            a, b = build(n.receiver), build(n.args[0])
            if op in _BINOPS:
                return py.BinOp(a, _BINOPS[op](), b)
            return py.Compare(a, [_CMPOPS[op]()], [b])

        test = and_(*tests) if len(tests) > 1 else tests[0]
        # (the fallback fuses none of its subtrees: the code stays twice
        # the tree's size, not its square)
        self.fusing = False
        try:
            if node.args:
                generic = self.binary(node)
            else:
                generic = self.int_unary(node.name, node.span.line, self.expr(node.receiver))
        finally:
            self.fusing = True
        return py.IfExp(test=test, body=build(node), orelse=generic)

    def binary(self, node: Any) -> py.expr:
        name = node.name
        int_op, guard_b, float_op, str_op = _OPS[name]
        lhs = self.expr(node.receiver)
        rhs_node = node.args[0]
        rhs = self.expr(rhs_node)
        a, b = self.fresh("_a"), self.fresh("_b")
        # Locals and literals are used as they are (no temporary) when
        # evaluating the right side can not change the left one; so is a
        # parameter the method never assigns, whose type was taken on entry.
        stable = self.unit.stable
        sa = stable.get(lhs.id) if type(lhs) is py.Name else None
        sb = stable.get(rhs.id) if type(rhs) is py.Name else None
        direct = type(lhs) is py.Name and _simple(rhs)
        direct_a = direct or sa is not None
        direct_b = direct or sb is not None

        def A() -> py.expr:
            return _dup(lhs) if direct_a else N(a)

        def B() -> py.expr:
            return _dup(rhs) if direct_b else N(b)

        a0: py.expr = _dup(lhs) if direct_a else py.NamedExpr(S(a), lhs)
        b0: py.expr = _dup(rhs) if direct_b else py.NamedExpr(S(b), rhs)
        slow = self.const(("slow", name, node.span.line), "_sb")
        slow_call: py.expr = call(slow, A(), B())

        def compute(op: str) -> py.expr:
            if op == "eq":
                return call("_float_eq", A(), B())
            if op == "ne":
                return py.UnaryOp(py.Not(), call("_float_eq", A(), B()))
            if op in _BINOPS:
                return py.BinOp(A(), _BINOPS[op](), B())
            return py.Compare(A(), [_CMPOPS[op]()], [B()])

        lit_r = _literal_kind(rhs_node, rhs)
        lit_l = _literal_kind(node.receiver, lhs)
        if (lit_r is None) != (lit_l is None):
            return self.literal_binary(node, lhs, rhs, lit_l is None, slow)
        type_a: py.expr = call("type", a0)
        type_b: py.expr = call("type", b0)
        if sa is not None:
            self.unit.typed.add(cast(py.Name, lhs).id)
            type_a = N(sa)
        if sb is not None:
            self.unit.typed.add(cast(py.Name, rhs).id)
            type_b = N(sb)
        first = py.Compare(left=type_a, ops=[py.Is(), py.Is()], comparators=[type_b, N("_I")])
        int_test = and_(first, B()) if guard_b else first
        orelse = slow_call
        if str_op is not None:
            orelse = py.IfExp(
                test=py.Compare(
                    left=call("type", A()),
                    ops=[py.Is(), py.Is()],
                    comparators=[call("type", B()), N("_S")],
                ),
                body=compute(str_op),
                orelse=orelse,
            )
        if float_op is not None:
            float_test = py.Compare(
                left=call("type", A()),
                ops=[py.Is(), py.Is()],
                comparators=[call("type", B()), N("_FL")],
            )
            orelse = py.IfExp(
                test=and_(float_test, B()) if guard_b else float_test,
                body=compute(float_op),
                orelse=orelse,
            )
        return py.IfExp(test=int_test, body=compute(int_op), orelse=orelse)


# CPython's compiler recurses in C over the `ast` tree, bounded by the
# recursion limit, which the driver raises very high for Inko's own deep
# calls: a machine-written expression thousands of sends deep then overflows
# the C stack (a segfault) instead of raising RecursionError. Compiling runs
# under a limit this far above the current depth.
_COMPILE_DEPTH = 3000


def _compile_bounded(mod: py.Module, file: str) -> Any:
    limit = sys.getrecursionlimit()
    depth = 0
    frame = sys._getframe()
    while frame is not None:
        depth += 1
        frame = frame.f_back  # type: ignore[assignment]
    sys.setrecursionlimit(min(limit, depth + _COMPILE_DEPTH))
    try:
        return compile(mod, file, "exec")
    finally:
        sys.setrecursionlimit(limit)


def find_block(tree: Any, line: int, column: int) -> Any:
    """The block literal of `tree` that starts at `line`:`column`."""
    stack = [tree]
    while stack:
        n = stack.pop()
        if type(n) is ast.BlockLit and n.span.line == line and n.span.column == column:
            return n
        stack.extend(_children(n))
    raise LookupError(f"no block at {line}:{column}")


def _literal_defaults(params: list) -> list:
    """Python defaults for a method's trailing parameters whose Inko
    defaults are number or string literals: a send that leaves them out
    then calls the generated function directly (the value is the same
    whenever it is computed). Stops at the first other parameter."""
    out: list = []
    for p in reversed(params):
        d = p.default
        if p.rest or p.lambda_type or d is None:
            break
        if type(d) is ast.StrLit:
            out.append(C(d.value))
        elif type(d) in (ast.IntLit, ast.FloatLit) and d.value == d.value:
            v = d.value
            if type(v) is float and (v in (float("inf"), float("-inf")) or str(v).startswith("-")):
                break
            out.append(py.UnaryOp(py.USub(), C(-v)) if v < 0 else C(v))
        else:
            break
    out.reverse()
    return out


def _assigned_locals(nodes: list) -> set:
    """The names `nodes` assign (`x = ...`), closures included."""
    out: set = set()
    stack = list(nodes)
    while stack:
        n = stack.pop()
        if type(n) is ast.AssignLocal:
            out.add(n.name)
        if isinstance(n, _OPAQUE):
            continue
        stack.extend(_children(n))
    return out


def _function_scope(stmts: list, params: Sequence[str]) -> tuple[set, set]:
    """(the free names, the free names assigned through `nonlocal`) of a
    function with body `stmts`, its nested functions included."""
    loads: set = set()
    stores: set = set(params)
    declared: set = set()
    inner_free: set = set()
    inner_written: set = set()
    stack: list = list(stmts)
    while stack:
        n = stack.pop()
        if isinstance(n, py.FunctionDef):
            stores.add(n.name)
            a = n.args
            names = [x.arg for x in (*a.posonlyargs, *a.args, *a.kwonlyargs)]
            names += [x.arg for x in (a.vararg, a.kwarg) if x is not None]
            free, written = _function_scope(n.body, names)
            inner_free |= free
            inner_written |= written
            continue
        if isinstance(n, py.Name):
            (loads if isinstance(n.ctx, py.Load) else stores).add(n.id)
        elif isinstance(n, py.Nonlocal):
            declared.update(n.names)
        elif isinstance(n, py.ExceptHandler) and n.name:
            stores.add(n.name)
        stack.extend(py.iter_child_nodes(n))
    local = stores - declared
    return (loads | declared | inner_free) - local, (declared | inner_written) - local


def _captured_names(body: list) -> set:
    """The names the functions nested in `body` read or assign."""
    out: set = set()
    for node in py.walk(py.Module(body=list(body), type_ignores=[])):
        if isinstance(node, (py.FunctionDef, py.Lambda)):
            for inner in py.walk(node):
                if isinstance(inner, py.Name):
                    out.add(inner.id)
                elif isinstance(inner, py.Nonlocal):
                    out.update(inner.names)
    return out


def _free_names(stmts: list, value: py.expr, ns: dict, allow_nonlocal: bool = False) -> list | None:
    """The local names of the enclosing function that `stmts` and `value`
    read (sorted), or None when a closure among them assigns a local of an
    enclosing function (`nonlocal`) and that is not allowed."""
    loaded: set = set()
    bound: set = set()
    nonlocals: set = set()
    for node in py.walk(py.Module(body=[*stmts, py.Expr(value)], type_ignores=[])):
        if isinstance(node, py.Name):
            if isinstance(node.ctx, py.Load):
                loaded.add(node.id)
            else:
                bound.add(node.id)
        elif isinstance(node, py.FunctionDef):
            bound.add(node.name)
            a = node.args
            bound.update(x.arg for x in (*a.posonlyargs, *a.args, *a.kwonlyargs))
            if a.vararg is not None:
                bound.add(a.vararg.arg)
            if a.kwarg is not None:
                bound.add(a.kwarg.arg)
        elif isinstance(node, py.Nonlocal):
            nonlocals.update(node.names)
        elif isinstance(node, py.ExceptHandler) and node.name:
            bound.add(node.name)
    if nonlocals and not allow_nonlocal:
        return None
    loaded |= nonlocals
    return sorted(x for x in loaded - bound if x not in ns and not hasattr(_builtins, x))


# Branches of an inlined conditional up to this many `ast` nodes are
# copied into a comparison's fast path (Gen.cond_stmt). 600 takes in a
# branch of two sends and an operator over their results (fib's, about 450
# nodes), which then skips the `is _TRUE`/`is _FALSE` tests: 2% of fib's
# instructions, for 0.3% more generated code over the standard library.
_SMALL_BRANCHES = 600


def _small_branches(stmts: list) -> bool:
    """Whether `stmts` may appear twice in a function: small, and defining
    no function (whose code object traces map to one Inko block)."""
    count = 0
    for stmt in stmts:
        for n in py.walk(stmt):
            count += 1
            if count > _SMALL_BRANCHES or isinstance(n, (py.FunctionDef, py.Lambda)):
                return False
    return True


def _leaf_body(nodes: list, params: list) -> bool:
    """Whether a method with body `nodes` may skip the preemption test on
    entry (CONTRACTS.md, Preemption): it runs no loop and enters no Inko
    code except through the slow paths of operators, which go through
    sends.run_call and test the flag there; its time is then bounded by
    its size and its caller's own tests cover it. Only literals, locals,
    self, @attributes, constants, assignments, return/throw, operators and
    _INKOC primitives qualify (no block, so no inlined loop or closure)."""
    if any(p.default is not None for p in params):
        return False
    # (in evaluation order: a name read before its `let` is a send)
    locals_ = {p.name for p in params}

    def walk(n: Any) -> bool:
        t = type(n)
        if t is ast.Send:
            r = n.receiver
            primitive = type(r) is ast.Constant and r.name == "_INKOC"
            operator = r is not None and len(n.args) == 1 and n.name in _OPS
            if n.kwargs or not (primitive or operator):
                return False
        elif t is ast.Identifier:
            return n.name in locals_
        elif t not in _LEAF_NODES:
            return False
        if not all(walk(c) for c in _children(n)):
            return False
        if t is ast.LetLocal:
            locals_.add(n.name)
        return True

    return all(walk(n) for n in nodes)


# The nodes a leaf method may hold besides operators, primitives and locals.
_LEAF_NODES = frozenset(
    (
        ast.IntLit,
        ast.FloatLit,
        ast.StrLit,
        ast.ArrayLit,
        ast.SelfRef,
        ast.Constant,
        ast.AttrRef,
        ast.LetLocal,
        ast.AssignLocal,
        ast.LetAttr,
        ast.AssignAttr,
        ast.Return,
        ast.Throw,
    )
)


def _attr_nodes(nodes: list) -> list:
    """The types of the @attribute reads and writes in `nodes`, blocks
    within included."""
    out: list = []
    stack = list(nodes)
    while stack:
        n = stack.pop()
        t = type(n)
        if t is ast.AttrRef or t is ast.LetAttr or t is ast.AssignAttr:
            out.append(t)
        if isinstance(n, _OPAQUE):
            continue
        stack.extend(_children(n))
    return out


def _pure_leaf(n: Any, resolve: Any) -> bool:
    """Whether reading `n` runs no Inko code and can be repeated unseen:
    a local, self, an @attribute or a constant."""
    t = type(n)
    if t is ast.Identifier:
        found = resolve(n.name)
        return found is not None and found != "forbidden"
    if t is ast.Constant:
        return n.name != "ThisModule"
    return t is ast.AttrRef or t is ast.SelfRef


def _int_tree(node: Any, resolve: Any) -> tuple[list, set] | None:
    """For Gen.fused_int: the leaves of the operator tree `node` in the
    order they are evaluated, and the ids of those that are divisors; None
    when `node` is not such a tree of two or more operators."""
    leaves: list[Any] = []
    divisors: set[int] = set()
    ops = [0]

    def operator(n: Any, root: bool) -> bool:
        name = n.name
        if not (
            n.receiver is not None
            and len(n.args) == 1
            and not n.kwargs
            and name in _OPS
            and (root or name not in _CMPOPS)
        ):
            return False
        ops[0] += 1
        if not (walk(n.receiver, False) and walk(n.args[0], False)):
            return False
        if _OPS[name][1]:
            divisor = n.args[0]
            if type(divisor) is ast.IntLit:
                return divisor.value != 0
            if type(divisor) is ast.Send:
                return False
            divisors.add(id(divisor))
        return True

    def unary(n: Any, root: bool) -> bool:
        form = support.INT_UNARY[n.name]
        # (zero? and the like give a Boolean: only at the root)
        if form is not None and form[0] in _CMPOPS and not root:
            return False
        ops[0] += 1
        return walk(n.receiver, False)

    def walk(n: Any, root: bool) -> bool:
        t = type(n)
        if t is ast.Send:
            if (
                not n.args
                and not n.kwargs
                and n.receiver is not None
                and n.name in support.INT_UNARY
            ):
                return unary(n, root)
            return operator(n, root)
        if t is ast.IntLit:
            return True
        if _pure_leaf(n, resolve):
            leaves.append(n)
            return True
        return False

    if not walk(node, True) or ops[0] < 2 or not leaves:
        return None
    return leaves, divisors


def _literal_kind(node: Any, value: py.expr) -> str | None:
    """'int', 'float' or 'str' when `node` is a literal of that type whose
    generated `value` is a constant expression, else None."""
    t = type(node)
    if t is ast.IntLit:
        return "int"
    if t is ast.FloatLit and type(value) is py.Constant:
        return "float"
    if t is ast.StrLit:
        return "str"
    return None


_PURE_NODES = (
    py.Name,
    py.Constant,
    py.Compare,
    py.BinOp,
    py.UnaryOp,
    py.BoolOp,
    py.operator,
    py.cmpop,
    py.unaryop,
    py.boolop,
    py.Load,
)


def _pure(e: py.expr) -> bool:
    """Whether `e` only reads locals and globals and applies Python
    operators to them: no call, no assignment, so no Inko code runs (the
    runtime's objects define no operator methods)."""
    for n in py.walk(e):
        if isinstance(n, _PURE_NODES):
            continue
        # `type(x)` of a local: the builtin (generated code never rebinds it)
        if not (
            type(n) is py.Call
            and type(n.func) is py.Name
            and n.func.id == "type"
            and len(n.args) == 1
            and type(n.args[0]) is py.Name
            and not n.keywords
        ):
            return False
    return True


def _pure_fast_args(parts: list) -> tuple[list, list] | None:
    """For a send's receiver and arguments: when the receiver is a plain
    name and every argument is simple or an operator's fast path `BODY if
    TEST else SLOW` with TEST and BODY pure, the TESTs and the argument
    values under them (BODY, or the simple argument); else None."""
    if type(parts[0]) is not py.Name:
        return None
    tests: list = []
    bodies: list = []
    for e in parts[1:]:
        if _simple(e):
            bodies.append(e)
        elif type(e) is py.IfExp and _pure(e.test) and _pure(e.body):
            tests.append(e.test)
            bodies.append(e.body)
        else:
            return None
    return (tests, bodies) if tests else None


def _simple(e: py.expr) -> bool:
    """Evaluating `e` again has no effect and gives the same value."""
    return type(e) is py.Name or type(e) is py.Constant


def _dup(e: py.expr) -> py.expr:
    if type(e) is py.Name:
        return N(cast(py.Name, e).id)
    return C(cast(py.Constant, e).value)


def build_lambda(ctx: Any, node: Any, forbidden: frozenset) -> CgCode:
    """Brace block `node` compiled as a lambda that captures nothing."""
    return lambda_gen(ctx, node, forbidden).codes[0]


def lambda_gen(ctx: Any, node: Any, forbidden: frozenset) -> Gen:
    """The generator that compiled `node` as a lambda (its code is
    `codes[0]`), for the code cache to store."""
    gen = Gen(ctx)
    # An inferred lambda keeps its name in traces (CHANGES.md 2026-12-04).
    code = gen.lambda_code(node, forbidden, "<block>")
    gen.finish("", code)
    return gen


class _HintScope:
    """The names of a unit for runtime/hints.py, shaped like the closure
    compiler's Scope (`dicts`, and `outer` for closures)."""

    __slots__ = ("dicts", "outer")

    def __init__(self, unit: Unit):
        self.dicts = unit.scopes
        parent = unit.parent if unit.kind in ("closure", "thunk") else None
        self.outer = (_HintScope(parent), tuple(parent.scopes)) if parent is not None else None


def _statement_form(node: Any) -> bool:
    """Whether `node` compiles to statements (inlined control flow, try)."""
    t = type(node)
    if t is ast.Try:
        return node.bang or node.else_body is not None
    if t is not ast.Send or node.receiver is None:
        return False
    name = node.name
    if name in ("if_true", "if_false", "and", "or"):
        return len(node.args) == 1 and not node.kwargs and inlinable(node.args[0])
    if name == "if":
        kw = dict(node.kwargs)
        return (
            not node.args
            and len(node.kwargs) == 2
            and set(kw) == {"true", "false"}
            and inlinable(kw["true"])
            and inlinable(kw["false"])
        )
    if name in ("while_true", "while_false"):
        return len(node.args) == 1 and inlinable(node.receiver) and inlinable(node.args[0])
    if name == "loop":
        return not node.args and inlinable(node.receiver)
    return False


def _budget_check() -> list:
    """`if _P: _oor()`: the preemption flag (runtime/calls.py) is tested at
    every method entry and loop back-edge."""
    return [py.If(test=N("_P"), body=[py.Expr(call("_oor"))], orelse=[])]
