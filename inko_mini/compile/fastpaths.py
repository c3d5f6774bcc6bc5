"""Generated closures for the compiler's hottest shapes (DESIGN.md §2).

Python function calls are the evaluator's main cost, so the shapes that
dominate loops are compiled from source templates into single closures:

- `a OP b` with the Python operator inline (guarded by objects.FAST), and
  its operands read inline when they are locals, `self` or literals;
- `x = a OP b` / `x += b` storing into the local in the same closure;
- `(a < b).if(true: {..}, false: {..})` and `{ a < b }.while_true {..}`
  comparing Integers inline, without materialising the Boolean.

Each fused closure falls back to the general closures the compiler also
built whenever an operand is not an Integer or a fast path is switched off,
so redefining a built-in method still works. Operands of fused comparisons
are pure reads, so evaluating them again on the fallback is harmless.
Templates are compiled once per shape and cached across runs (pycache).
"""

from __future__ import annotations

from inko_mini.pycache import compile_template
from inko_mini.runtime.calls import truth
from inko_mini.runtime.numbers import float_eq
from inko_mini.runtime.objects import FAST, guard_operators

_OPS = {
    # op: (int expr, int guard, float expr or None, float guard, str expr or None)
    "+": ("a + b", "", "a + b", "", "a + b"),
    "-": ("a - b", "", "a - b", "", None),
    "*": ("a * b", "", "a * b", "", None),
    "/": ("a // b", "b and ", "a / b", "b and ", None),
    "%": ("a % b", "b and ", None, "", None),
    "<": ("a < b", "", "a < b", "", None),
    ">": ("a > b", "", "a > b", "", None),
    "<=": ("a <= b", "", "a <= b", "", None),
    ">=": ("a >= b", "", "a >= b", "", None),
    "==": ("a == b", "", "float_eq(a, b)", "", "a == b"),
    "!=": ("a != b", "", "not float_eq(a, b)", "", "a != b"),
    "&": ("a & b", "", None, "", None),
    "|": ("a | b", "", None, "", None),
    "^": ("a ^ b", "", None, "", None),
    ">>": ("a >> b", "0 <= b < 4096 and ", None, "", None),
}
COMPARISONS = {"<", ">", "<=", ">=", "==", "!="}

# Redefining any operator inlined above turns its fast path off.
for _flag, _column in (("int", 0), ("float", 2), ("string", 4)):
    guard_operators(_flag, [op for op, forms in _OPS.items() if forms[_column] is not None])


class Operand:
    """How generated code reads a value: inline (`f[i]`, `f[1]`, a literal)
    or by calling its compiled closure."""

    __slots__ = ("kind", "value")

    def __init__(self, kind, value=None):
        # 'local0', 'local1', 'self', 'const', 'call', or 'binop|OP|KIND':
        # `local OP integer-literal` computed inline, value (read, literal, slow).
        self.kind = kind
        self.value = value

    @property
    def pure(self) -> bool:
        return self.kind != "call" and not self.kind.startswith("binop")

    def key(self):
        if self.kind == "const":
            return "const-" + type(self.value).__name__
        return self.kind

    def fn(self):
        """A closure reading the operand."""
        kind, v = self.kind, self.value
        if kind == "call":
            return v
        if kind == "local0":
            return lambda f: f[v]
        if kind == "local1":
            return lambda f: f[0][v]
        if kind == "self":
            return lambda f: f[1]
        if kind.startswith("binop"):
            return make_binary(
                kind.split("|")[1], Operand(kind.split("|")[2], v[0]), Operand("const", v[1]), v[2]
            )
        return lambda f: v


def binop_operand(op, lhs: Operand, literal: int, slow):
    """`local OP literal` read inline as an operand (no call of its own)."""
    return Operand(f"binop|{op}|{lhs.kind}", (lhs.value, literal, slow))


INLINE_BINOPS = {"+", "-", "*"}


def unpack(kind: str, param: str) -> str:
    """Source binding the parts of an operand's value (binop operands)."""
    if kind.startswith("binop"):
        return f"{param}_l, {param}_r, {param}_s = {param}"
    return "pass"


def read(kind: str, param: str) -> str:
    """Python source reading an operand of `kind` whose value is `param`."""
    if kind.startswith("binop"):
        _, op, lkind = kind.split("|")
        lhs = read(lkind, param + "_l")
        return (
            f"(_a {op} {param}_r if type(_a := {lhs}) is int and FAST['int'] "
            f"else {param}_s(f, _a, {param}_r))"
        )
    kind = kind.split("-")[0]
    if kind == "local0":
        return f"f[{param}]"
    if kind == "local1":
        return f"f[0][{param}]"
    if kind == "self":
        return "f[1]"
    if kind == "const":
        return param
    return f"{param}(f)"


def _compute(op, lkey, rkey, indent):
    """Lines computing `v = a OP b` (a and b already read)."""
    ie, ic, fe, fc, se = _OPS[op]
    known = rkey[6:] if rkey.startswith("const-") else None
    branches = [
        (t, e, g, flag)
        for t, e, g, flag in (
            ("int", ie, ic, "int"),
            ("float", fe, fc, "float"),
            ("str", se, "", "string"),
        )
        if e is not None and (known is None or known == t)
    ]
    pad = " " * indent
    out = []
    if not branches:
        out.append(f"{pad}v = slow(f, a, b)")
    elif known is not None:
        t, e, g, flag = branches[0]
        out += [
            f"{pad}if type(a) is {t} and {g}fast['{flag}']:",
            f"{pad}    v = {e}",
            f"{pad}else:",
            f"{pad}    v = slow(f, a, b)",
        ]
    else:
        out += [f"{pad}t = type(a)", f"{pad}if t is not type(b):", f"{pad}    v = slow(f, a, b)"]
        for t, e, g, flag in branches:
            out += [f"{pad}elif t is {t} and {g}fast['{flag}']:", f"{pad}    v = {e}"]
        out += [f"{pad}else:", f"{pad}    v = slow(f, a, b)"]
    return out


_MAKERS: dict = {}


def _maker(key, build):
    maker = _MAKERS.get(key)
    if maker is None:
        src = build()
        ns = {"float_eq": float_eq, "FAST": FAST, "truth": truth}
        exec(compile_template(src, "<" + " ".join(map(str, key)) + ">"), ns)
        maker = _MAKERS[key] = ns["make"]
    return maker


def make_binary(op, lhs: Operand, rhs: Operand, slow, store=None, slot=None):
    """`a OP b`; with `store` ('local0'/'local1') also `local = a OP b`."""
    lkey, rkey = lhs.key(), rhs.key()

    def build():
        lines = [
            "def make(lp, rp, slow, sp, fast):",
            "    " + unpack(lkey, "lp"),
            "    " + unpack(rkey, "rp"),
            "    def op(f):",
            f"        a = {read(lkey, 'lp')}",
            f"        b = {read(rkey, 'rp')}",
        ]
        lines += _compute(op, lkey, rkey, 8)
        if store is not None:
            lines.append(f"        {read(store, 'sp')} = v")
        lines += ["        return v", "    return op"]
        return "\n".join(lines) + "\n"

    return _maker(("op", op, lkey, rkey, store), build)(lhs.value, rhs.value, slow, slot, FAST)


def make_fused_if(op, lhs: Operand, rhs: Operand, t: Operand, fl: Operand, marks, generic):
    """`(a OP b).if(true: {t}, false: {f})` on Integers, else `generic`."""
    lkey, rkey = lhs.key(), rhs.key()
    tkey, fkey = t.key(), fl.key()

    def build():
        types = "type(a) is int" if rkey == "const-int" else "type(a) is int and type(b) is int"
        return (
            "\n".join(
                [
                    "def make(lp, rp, tp, fp, t_mark, f_mark, generic, fast):",
                    "    def if_(f):",
                    f"        a = {read(lkey, 'lp')}",
                    f"        b = {read(rkey, 'rp')}",
                    f"        if {types} and fast['int'] and fast['cond']:",
                    f"            if {_OPS[op][0]}:",
                    "                _inline = t_mark",
                    f"                return {read(tkey, 'tp')}",
                    "            _inline = f_mark",
                    f"            return {read(fkey, 'fp')}",
                    "        return generic(f)",
                    "    return if_",
                ]
            )
            + "\n"
        )

    return _maker(("if", op, lkey, rkey, tkey, fkey), build)(
        lhs.value, rhs.value, t.value, fl.value, marks[0], marks[1], generic, FAST
    )


def make_fused_while(
    op,
    lhs: Operand,
    rhs: Operand,
    want: bool,
    body,
    cond,
    marks,
    slow_send,
    recv,
    blk,
    budget,
    out_of_reductions,
):
    """`{ a OP b }.while_true { body }` comparing Integers inline; the
    statements of a short body are called one by one from the loop."""
    lkey, rkey = lhs.key(), rhs.key()
    parts = getattr(body, "parts", None) or [body]
    n = len(parts)

    def build():
        types = "type(a) is int" if rkey == "const-int" else "type(a) is int and type(b) is int"
        stop = f"not ({_OPS[op][0]})" if want else f"{_OPS[op][0]}"
        return (
            "\n".join(
                [
                    "def make(lp, rp, want, body, cond, cond_mark, body_mark, slow_send, recv, blk,",
                    "         budget, out_of_reductions, fast):",
                    "    def while_(f):",
                    "        if not fast['loop']:",
                    "            return slow_send.invoke(recv(f), [blk(f)])",
                    "        while True:",
                    f"            a = {read(lkey, 'lp')}",
                    f"            b = {read(rkey, 'rp')}",
                    f"            if {types} and fast['int']:",
                    f"                if {stop}:",
                    "                    return None",
                    "            else:",
                    "                _inline = cond_mark",
                    "                c = cond(f)",
                    "                if (c is True or (c is not False and c is not None",
                    "                                  and truth(c))) is not want:",
                    "                    return None",
                    "            _inline = body_mark",
                    *[f"            body[{i}](f)" for i in range(n)],
                    "            budget[0] -= 1",
                    "            if budget[0] <= 0:",
                    "                out_of_reductions()",
                    "    return while_",
                ]
            )
            + "\n"
        )

    return _maker(("while", op, lkey, rkey, want, n), build)(
        lhs.value,
        rhs.value,
        want,
        tuple(parts),
        cond,
        marks[0],
        marks[1],
        slow_send,
        recv,
        blk,
        budget,
        out_of_reductions,
        FAST,
    )


class TraceCode:
    """What a stack trace needs of a method run by `direct_primitive`."""

    __slots__ = ("file", "line", "name", "kind")

    def __init__(self, file, line, name):
        self.file = file
        self.line = line
        self.name = name
        self.kind = "method"


def make_direct(fn, order, nparams):
    """A method whose body only passes `self` and its parameters on to a
    primitive (`def push(v) { _INKOC.array_push(self, v) }`), as a plain
    function `(self, *args)` that sends call without building a frame: the
    primitive itself when the order matches. (The send keeps the method in
    stack traces through its `_code` local.)"""
    if list(order) == list(range(-1, nparams)):
        return fn
    params = ", ".join(["r"] + [f"x{i}" for i in range(nparams)])
    call = ", ".join("r" if i < 0 else f"x{i}" for i in order)

    def build():
        return (
            "\n".join(
                [
                    "def make(fn):",
                    f"    def direct({params}):",
                    f"        return fn({call})",
                    "    return direct",
                ]
            )
            + "\n"
        )

    return _maker(("direct", nparams, tuple(order)), build)(fn)
