"""`-k EXPRESSION`: choose blocks by id, with pytest's expression syntax.

`-k "sockets and not 243"`, `-k "a.md or b.md"`, `-k "(tcp or udp) and not server"`:
words combined with `and`, `or`, `not` and parentheses. A word matches an
id (`docs/page.md:57`) that contains it, ignoring case, except a word that
ends in `:LINE`: that is an exact id, so `page.md:5` selects the block at
line 5 and not the one at line 57 (the path may be given in full or from
any folder boundary: `page.md:5`, `docs/page.md:5`).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import NoReturn

_TOKEN = re.compile(r"\s*(\(|\)|[\w:+\-.\[\]\\/]+)")


class ExpressionError(ValueError):
    """A -k expression that does not parse; the message says where."""


def _word_matcher(word: str) -> Callable[[str], bool]:
    if re.search(r":\d+$", word):

        def exact(identifier: str) -> bool:
            return identifier == word or identifier.endswith("/" + word)

        return exact
    lowered = word.lower()
    return lambda identifier: lowered in identifier.lower()


class _Parser:
    def __init__(self, text: str):
        self.text = text
        self.tokens: list[tuple[str, int]] = []
        position = 0
        while position < len(text):
            if text[position:].strip() == "":
                break
            match = _TOKEN.match(text, position)
            if not match:
                raise ExpressionError(
                    f"-k {text!r}: unexpected character {text[position:].strip()[0]!r} "
                    f"at column {position + 1}"
                )
            self.tokens.append((match[1], match.start(1)))
            position = match.end()
        self.index = 0

    def peek(self) -> str | None:
        return self.tokens[self.index][0] if self.index < len(self.tokens) else None

    def take(self) -> str:
        token = self.tokens[self.index][0]
        self.index += 1
        return token

    def fail(self, wanted: str) -> NoReturn:
        if self.index < len(self.tokens):
            token, column = self.tokens[self.index]
            raise ExpressionError(
                f"-k {self.text!r}: expected {wanted} at column {column + 1}, got {token!r}"
            )
        raise ExpressionError(f"-k {self.text!r}: expected {wanted} at the end")

    def parse(self) -> Callable[[str], bool]:
        if not self.tokens:
            return lambda identifier: True
        result = self.disjunction()
        if self.peek() is not None:
            self.fail("`and`, `or` or the end")
        return result

    def disjunction(self) -> Callable[[str], bool]:
        left = self.conjunction()
        while self.peek() == "or":
            self.take()
            right = self.conjunction()
            left = (lambda a, b: lambda i: a(i) or b(i))(left, right)
        return left

    def conjunction(self) -> Callable[[str], bool]:
        left = self.negation()
        while self.peek() == "and":
            self.take()
            right = self.negation()
            left = (lambda a, b: lambda i: a(i) and b(i))(left, right)
        return left

    def negation(self) -> Callable[[str], bool]:
        if self.peek() == "not":
            self.take()
            inner = self.negation()
            return lambda i: not inner(i)
        token = self.peek()
        if token == "(":
            self.take()
            inner = self.disjunction()
            if self.peek() != ")":
                self.fail("`)`")
            self.take()
            return inner
        if token is None or token in (")", "and", "or"):
            self.fail("a word, `not` or `(`")
        return _word_matcher(self.take())


def compile_expression(text: str) -> Callable[[str], bool]:
    """A predicate over ids; raises ExpressionError for a malformed expression."""
    return _Parser(text).parse()
