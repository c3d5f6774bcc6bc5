"""Print inko_mini's import graph between layers, its cycles, and the
function-local imports: `python3 tools/import_graph.py [--modules] [--root CHECKOUT]`.

Layers are the sub-packages (`syntax`, `compile`, `runtime`, ...) and the
top-level modules (`driver`, `errors`, ...). An import inside a function
counts as an edge too: hiding a cycle in a function does not remove it.
"""

from __future__ import annotations

import ast
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "inko_mini"


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports_of(path: Path) -> list[tuple[str, bool, int]]:
    """(imported module, inside a function?, line) for each inko_mini import."""
    tree = ast.parse(path.read_text(), str(path))
    found: list[tuple[str, bool, int]] = []

    def visit(node: ast.AST, local: bool) -> None:
        for child in ast.iter_child_nodes(node):
            inner = local or isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef))
            if isinstance(child, ast.Import):
                found.extend((a.name, local, child.lineno) for a in child.names)
            elif isinstance(child, ast.ImportFrom) and child.module and child.level == 0:
                # `from pkg import mod` depends on pkg.mod; `from mod import name` on mod.
                found.extend((f"{child.module}.{a.name}", local, child.lineno) for a in child.names)
            visit(child, inner)

    visit(tree, False)
    return [f for f in found if f[0].startswith("inko_mini")]


def layer(name: str) -> str:
    parts = name.split(".")
    return parts[1] if len(parts) > 1 else parts[0]


def main(argv: list[str]) -> int:
    global ROOT, PACKAGE
    by_module = "--modules" in argv
    if "--root" in argv:  # another checkout, e.g. to compare before and after
        ROOT = Path(argv[argv.index("--root") + 1]).resolve()
        PACKAGE = ROOT / "inko_mini"
    modules = {module_name(p): p for p in PACKAGE.rglob("*.py")}
    edges: dict[str, set[str]] = defaultdict(set)
    local_imports = []
    for name, path in sorted(modules.items()):
        for target, local, line in imports_of(path):
            while target not in modules and "." in target:
                target = target.rsplit(".", 1)[0]
            if target not in modules:
                continue
            a, b = (name, target) if by_module else (layer(name), layer(target))
            if a != b:
                edges[a].add(b)
            if local:
                local_imports.append(f"{path.relative_to(ROOT)}:{line}: {target}")
    print("edges:")
    for a in sorted(edges):
        print(f"  {a} -> {', '.join(sorted(edges[a]))}")
    cycles = find_cycles(edges)
    print(f"cycles (groups of mutually importing modules): {len(cycles)}")
    for c in cycles:
        print(f"  {len(c)} in one cycle: " + ", ".join(c))
    print(f"function-local imports: {len(local_imports)}")
    return 1 if cycles else 0


def find_cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one member (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    out: list[list[str]] = []

    def strong(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(edges.get(v, ())):
            if w not in index:
                strong(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    sys.setrecursionlimit(10_000)
    for v in sorted(set(edges) | {w for ws in edges.values() for w in ws}):
        if v not in index:
            strong(v)
    return out


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
