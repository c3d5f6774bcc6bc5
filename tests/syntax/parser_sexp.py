"""A compact s-expression dump of inko_mini.syntax.ast nodes, for readable expectations."""

from inko_mini.syntax import ast

_FLAGS = ("rest", "mutable", "lambda_type", "glob", "bang")


def sexp(node) -> str:
    if isinstance(node, list):
        return "[" + " ".join(sexp(x) for x in node) + "]"
    if isinstance(node, tuple):
        return "(" + " ".join(sexp(x) for x in node) + ")"
    if isinstance(node, ast.Node):
        parts = []
        for name in node.__dataclass_fields__:
            if name == "span":
                continue
            value = getattr(node, name)
            if name in _FLAGS:
                if value:
                    parts.append(f":{name}")
                continue
            if name in ("args", "kwargs", "impls") and value == []:
                continue
            if name in ("default", "alias", "symbols", "else_name") and value is None:
                continue
            parts.append(("kw" if name == "kwargs" else "") + sexp(value))
        return "(" + " ".join([type(node).__name__] + parts) + ")"
    if isinstance(node, str):
        return repr(node)
    return str(node)


def dump_module(module) -> str:
    """One line per import, directive and statement."""
    return "\n".join(sexp(n) for n in module.imports + module.directives + module.body)
