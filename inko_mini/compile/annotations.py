"""`# => VALUE` checks for `inko-mini run --check-annotations` (CONTRACTS.md §7).

Which comments are checked:

- only comments on top-level statements: a `# =>` inside a method, block or
  object body (inside `{ }`) is documentation of that inner line and is not
  compared with the enclosing top-level statement's value;
- after a top-level `stdout.print(E)` or `stderr.print(E)`, VALUE is the
  text the statement printed (without its newline); a quoted string literal
  also matches its contents (`# => 'hi'` for a line that printed `hi`);
- elsewhere VALUE is an Inko expression compared with `==` to the
  statement's value; prose right sides (two bare words in a row outside
  string literals, such as `# => the current module`) are not checked.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from inko_mini.runtime.sends import send_dyn
from inko_mini.syntax import ast, parser

_STRINGS = re.compile(r"'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"")
_TWO_WORDS = re.compile(r"\b[A-Za-z_]\w*[?!]?\s+[A-Za-z_]\w*")
_QUOTED = re.compile(r"^(?:'((?:[^'\\]|\\.)*)'|\"((?:[^\"\\]|\\.)*)\")$")
_PRINTERS = {"stdout", "stderr"}


def is_prose(text: str) -> bool:
    """Values in documentation never pass arguments without parentheses."""
    return _TWO_WORDS.search(_STRINGS.sub("''", text)) is not None


def nested_annotation_lines(source: str) -> set[int]:
    """Lines whose `# =>` comment sits inside a `{ ... }` body."""
    nested: set[int] = set()
    depth, line, i, size = 0, 1, 0, len(source)
    while i < size:
        char = source[i]
        if char == "\n":
            line += 1
        elif char in "'\"":
            i += 1
            while i < size and source[i] != char:
                if source[i] == "\\":
                    i += 1
                elif source[i] == "\n":
                    line += 1
                i += 1
        elif char == "#":
            end = source.find("\n", i)
            end = size if end < 0 else end
            if depth > 0 and source.startswith("# =>", i):
                nested.add(line)
            i = end
            continue
        elif char == "{":
            depth += 1
        elif char == "}":
            depth = max(depth - 1, 0)
        i += 1
    return nested


def _printed_text_matches(printed: str, wanted: str) -> bool:
    if printed == wanted:
        return True
    quoted = _QUOTED.match(wanted)
    if quoted:
        inner = quoted[1] if quoted[1] is not None else quoted[2]
        return printed == re.sub(r"\\(.)", r"\1", inner)
    return False


def _print_target(node) -> tuple | None:
    """(receiver, argument) of a top-level `stdout.print(E)`, else None."""
    if (
        isinstance(node, ast.Send)
        and node.name == "print"
        and len(node.args) == 1
        and not node.kwargs
        and isinstance(node.receiver, ast.Identifier)
        and node.receiver.name in _PRINTERS
    ):
        return node.receiver, node.args[0]
    return None


def annotation_hook(tree, source: str | None, failures: list[str]) -> Callable | None:
    """A compiler hook wrapping each annotated top-level statement with its check."""
    body = tree.body
    nested = nested_annotation_lines(source) if source is not None else set()
    lines = sorted(line for line in tree.annotations if line not in nested)
    if not lines:
        return None

    def hook(node, fn, compiler, scope):
        index = body.index(node)
        start = node.span.line
        end = body[index + 1].span.line if index + 1 < len(body) else 10**9
        mine = [ln for ln in lines if start <= ln < end]
        if not mine or fn is None:
            return fn
        text = tree.annotations[mine[-1]].strip()
        where = f"{node.span.file}:{mine[-1]}"
        printing = _print_target(node)
        if printing is not None:
            return _printed_check(printing, compiler, scope, text, where, failures)
        if is_prose(text):
            return fn
        try:
            expected_tree = parser.parse(text, node.span.file)
        except Exception:
            return fn
        if len(expected_tree.body) != 1 or expected_tree.imports:
            return fn
        expected = compiler.c(expected_tree.body[0], scope)

        def checked(f):
            got = fn(f)
            want = expected(f)
            same = send_dyn(got, "==", [want])
            if same is False or same is None:
                failures.append(
                    f"annotation failed at {where}: expected "
                    f"{send_dyn(want, 'inspect', [])}, got {send_dyn(got, 'inspect', [])}"
                )
            return got

        return checked

    return hook


def _printed_check(printing, compiler, scope, text, where, failures):
    """Run `R.print(E)` as written, then compare E's printed text with the comment."""
    receiver_fn = compiler.c(printing[0], scope)
    argument_fn = compiler.c(printing[1], scope)

    def checked(f):
        receiver = receiver_fn(f)
        value = argument_fn(f)
        result = send_dyn(receiver, "print", [value])
        printed = send_dyn(value, "to_string", [])
        if not isinstance(printed, str) or not _printed_text_matches(printed, text):
            shown = send_dyn(printed, "inspect", [])
            failures.append(
                f"annotation failed at {where}: expected output "
                f"{send_dyn(text, 'inspect', [])}, got {shown}"
            )
        return result

    return checked
