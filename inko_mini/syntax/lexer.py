"""Inko 0.4.0 tokens (LANGUAGE.md §1), produced by one regular expression.

The lexer is context free: it never needs the parser's state, which lets
the post-lexer (postlex.py) look ahead and behind freely. Token types are the
terminal names declared in grammar/inko.lark. Comments holding `=>` are
returned so the post-lexer can collect `# =>` annotations; it drops them.
"""

from __future__ import annotations

import re

from lark import Token

from inko_mini.errors import InkoSyntaxError

KEYWORDS = {
    "as": "AS",
    "def": "DEF",
    "do": "DO",
    "else": "ELSE",
    "for": "FOR",
    "impl": "IMPL",
    "import": "IMPORT",
    "lambda": "LAMBDA",
    "let": "LET",
    "mut": "MUT",
    "object": "OBJECT",
    "return": "RETURN",
    "self": "SELF",
    "throw": "THROW",
    "trait": "TRAIT",
    "try": "TRY",
    "where": "WHERE",
}

PUNCTUATION = {
    "(": "LPAR",
    ")": "RPAR",
    "[": "LSQB",
    "]": "RSQB",
    "{": "LBRACE",
    "}": "RBRACE",
    ",": "COMMA",
    ".": "DOT",
    ":": "COLON",
    "::": "COLONCOLON",
    "=": "EQUAL",
    "!(": "BANGLPAR",
    "![": "BANGLSQB",
    "%[": "PCTLSQB",
    "!!": "THROWS",
    "->": "ARROW",
    "?": "QMARK",
    "+": "PLUS",
    "-": "MINUS",
    "*": "STAR",
}
for _op in (
    "||",
    "&&",
    "==",
    "!=",
    "<",
    "<=",
    ">",
    ">=",
    "|",
    "^",
    "&",
    "<<",
    ">>",
    "/",
    "%",
    "**",
    "..",
    "...",
):
    PUNCTUATION[_op] = "OP"
for _op in ("+=", "-=", "*=", "/=", "%=", "**=", "&=", "|=", "^=", "<<=", ">>="):
    PUNCTUATION[_op] = "ASSIGNOP"

# Order matters: comments before `#`-less tokens, floats before integers,
# longer operators before their prefixes. A `.` belongs to a number only when
# a digit follows (`10.to_string`, `1..5`); `-` glued to a digit is part of
# the literal (`a -1` is `a(-1)`).
_TOKEN_RE = re.compile(
    r"""
    (?P<NL>\r\n|\r|\n)
    |(?P<WS>[ \t\f\v]+)
    |(?P<COMMENT>\#[^\r\n]*)
    |(?P<SSTRING>'(?:[^'\\]|\\.)*')
    |(?P<DSTRING>"(?:[^"\\]|\\.)*")
    |(?P<FLOAT>-?\d[\d_]*(?:\.\d[\d_]*(?:[eE][+-]?\d+)?|[eE][+-]?\d+))
    |(?P<INT>-?(?:0[xX][0-9a-fA-F_]+|0[bB][01_]+|\d[\d_]*))
    |(?P<ATTR>@[^\W\d][\w?]*)
    |(?P<NAME>[^\W\d][\w?]*)
    |(?P<PUNCT>\*\*=|<<=|>>=|\.\.\.|::|!\(|!\[|%\[|!!|->|==|!=|<=|>=|<<|>>|&&
        |\|\||\*\*|\.\.|\+=|-=|\*=|/=|%=|&=|\|=|\^=|[()\[\]{},.:=+\-*/%<>&|^?])
    """,
    re.X | re.S,
)
_LINE_BREAK = re.compile(r"\r\n|\r|\n")


def _classify_name(text: str) -> str:
    # Leading underscores are skipped to decide: `_X` is a constant, `_x` and
    # `_` are identifiers (§1.3).
    stripped = text.lstrip("_")
    if stripped and stripped[0].isupper():
        return "CONST"
    return KEYWORDS.get(text, "IDENT")


def source_line(source: str, line: int) -> str:
    lines = _LINE_BREAK.split(source)
    return lines[line - 1] if 0 < line <= len(lines) else ""


def tokenize(source: str, file: str) -> list:
    """Every token of `source`, comments included, with 1-based positions."""
    tokens = []
    append = tokens.append
    match = _TOKEN_RE.match
    pos = 0
    line = 1
    line_start = 0
    end = len(source)
    while pos < end:
        m = match(source, pos)
        if m is None:
            _bad_character(source, file, pos, line, line_start)
        kind = m.lastgroup
        text = m.group()
        new_pos = m.end()
        if kind == "NL":
            line += 1
            line_start = new_pos
            pos = new_pos
            continue
        if kind == "WS":
            pos = new_pos
            continue
        if kind == "COMMENT" and "=>" not in text:
            # Only `# =>` comments matter after lexing (annotations).
            pos = new_pos
            continue
        column = pos - line_start + 1
        if kind == "NAME":
            kind = _classify_name(text)
            # `try!` is one keyword; `try !=` is not (§1.3).
            if (
                kind == "TRY"
                and source.startswith("!", new_pos)
                and not source.startswith("!=", new_pos)
                and not source.startswith("!!", new_pos)
            ):
                new_pos += 1
                text = "try!"
                kind = "TRY_BANG"
        elif kind == "PUNCT":
            kind = PUNCTUATION[text]
        if kind in ("SSTRING", "DSTRING") and ("\n" in text or "\r" in text):
            breaks = list(_LINE_BREAK.finditer(text))
            end_line = line + len(breaks)
            new_line_start = pos + breaks[-1].end()
            end_column = new_pos - new_line_start + 1
            append(Token(kind, text, pos, line, column, end_line, end_column, new_pos))
            line = end_line
            line_start = new_line_start
        else:
            append(Token(kind, text, pos, line, column, line, column + (new_pos - pos), new_pos))
        pos = new_pos
    return tokens


def _bad_character(source, file, pos, line, line_start):
    char = source[pos]
    column = pos - line_start + 1
    if char in "'\"":
        message = f"this string is never closed: a {char} is missing"
    elif char == "!":
        message = "'!' must be followed by '=', '(', '[' or '!'"
    else:
        message = f"unexpected character {char!r}"
    raise InkoSyntaxError(message, file, line, column, source_line(source, line))
