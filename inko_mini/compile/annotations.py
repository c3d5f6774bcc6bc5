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
from typing import Any

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


class Check:
    """The check after one annotated top-level statement (back-end neutral:
    each back end evaluates the statement, `expected` or the print's
    receiver and argument, and calls `compare` or `print_and_compare`)."""

    __slots__ = ("expected", "failures", "printing", "text", "where")

    def __init__(
        self,
        where: str,
        text: str,
        failures: list[str],
        expected: ast.Node | None = None,
        printing: tuple | None = None,
    ) -> None:
        self.where = where
        self.text = text
        self.failures = failures
        self.expected = expected  # the parsed VALUE, compared with ==
        self.printing = printing  # (receiver, argument) of `stdout.print(E)`

    def compare(self, got: Any, want: Any) -> None:
        same = send_dyn(got, "==", [want])
        if same is False or same is None:
            self.failures.append(
                f"annotation failed at {self.where}: expected "
                f"{send_dyn(want, 'inspect', [])}, got {send_dyn(got, 'inspect', [])}"
            )

    def print_and_compare(self, receiver: Any, value: Any) -> Any:
        """Run `receiver.print(value)` as written, then compare the printed
        text with the comment."""
        result = send_dyn(receiver, "print", [value])
        printed = send_dyn(value, "to_string", [])
        if not isinstance(printed, str) or not _printed_text_matches(printed, self.text):
            shown = send_dyn(printed, "inspect", [])
            self.failures.append(
                f"annotation failed at {self.where}: expected output "
                f"{send_dyn(self.text, 'inspect', [])}, got {shown}"
            )
        return result


class AnnotationHook:
    """Which top-level statements of `tree` are checked, and how."""

    def __init__(self, tree: ast.Module, lines: list[int], failures: list[str]) -> None:
        self.tree = tree
        self.lines = lines
        self.failures = failures
        self.index = {id(node): i for i, node in enumerate(tree.body)}

    def check_for(self, node: Any) -> Check | None:
        """The check of top-level statement `node` (None: not checked)."""
        body = self.tree.body
        index = self.index.get(id(node))
        if index is None or body[index] is not node:
            return None
        start = node.span.line
        end = body[index + 1].span.line if index + 1 < len(body) else 10**9
        mine = [ln for ln in self.lines if start <= ln < end]
        if not mine:
            return None
        text = self.tree.annotations[mine[-1]].strip()
        where = f"{node.span.file}:{mine[-1]}"
        printing = _print_target(node)
        if printing is not None:
            return Check(where, text, self.failures, printing=printing)
        if is_prose(text):
            return None
        try:
            expected_tree = parser.parse(text, node.span.file)
        except Exception:
            return None
        if len(expected_tree.body) != 1 or expected_tree.imports:
            return None
        return Check(where, text, self.failures, expected=expected_tree.body[0])


def annotation_hook(
    tree: ast.Module, source: str | None, failures: list[str]
) -> AnnotationHook | None:
    """The hook checking the annotated top-level statements of `tree` (None
    when there are none); both back ends take it."""
    nested = nested_annotation_lines(source) if source is not None else set()
    lines = sorted(line for line in tree.annotations if line not in nested)
    if not lines:
        return None
    return AnnotationHook(tree, lines, failures)
