"""A Pygments lexer for Inko 0.4.0 (LANGUAGE.md §1).

Registered as the `pygments.lexers` entry point `inko` in pyproject.toml, so
`pygmentize -l inko file.inko` and documentation generators highlight Inko;
the REPL highlights its input with it. It only colours text: it never
rejects anything (a character that starts no Inko token is plain Text, not
an Error token), and it imports nothing of the interpreter.
"""

from __future__ import annotations

from pygments.lexer import RegexLexer, bygroups, include, words
from pygments.token import (
    Comment,
    Keyword,
    Name,
    Number,
    Operator,
    Punctuation,
    String,
    Text,
    Whitespace,
)

__all__ = ["InkoLexer"]

# Characters that end a name (§1.3, plus `{`, `}` and tab, which inko-mini
# treats as terminators; see the README's differences). `?` is a name
# character.
_SPECIAL = r"\s!@#$%^&*()\-+=\\:;\"'<>/,.|\[\]{}"
_NAME_CHAR = rf"[^{_SPECIAL}]"
_IDENT = rf"_*(?![A-Z0-9]){_NAME_CHAR}+"
_CONST = rf"_*[A-Z]{_NAME_CHAR}*"
# What may follow `def`: a name (with an optional setter `=`), or an operator.
_OPERATOR_METHODS = r"\[\]=?|\*\*|<<|>>|==|!=|<=|>=|\.\.\.|\.\.|[-+*/%<>&|^]"

_KEYWORDS = (
    "as",
    "do",
    "else",
    "for",
    "impl",
    "lambda",
    "let",
    "mut",
    "return",
    "throw",
    "try",
    "where",
)


class InkoLexer(RegexLexer):
    """Inko 0.4.0 source code."""

    name = "Inko"
    aliases = ["inko"]
    filenames = ["*.inko"]
    mimetypes = ["text/x-inko"]
    url = "https://inko-lang.org"

    tokens = {
        "root": [
            (r"\n", Whitespace),
            (r"[ \t\r\f\v]+", Whitespace),
            (r"#!.*?$", Comment.Hashbang),
            (r"##.*?$", String.Doc),
            (r"#.*?$", Comment.Single),
            (r"'", String.Single, "single"),
            (r'"', String.Double, "double"),
            include("numbers"),
            (r"try!", Keyword),
            (
                rf"(def)(\s+)({_OPERATOR_METHODS}|{_NAME_CHAR}+=?)",
                bygroups(Keyword, Whitespace, Name.Function),
            ),
            (r"(object|trait)(\s+)(" + _CONST + ")", bygroups(Keyword, Whitespace, Name.Class)),
            (r"(import)(\s+)", bygroups(Keyword.Namespace, Whitespace), "import"),
            (words(("def", "object", "trait", "import"), suffix=rf"(?!{_NAME_CHAR})"), Keyword),
            (words(_KEYWORDS, suffix=rf"(?!{_NAME_CHAR})"), Keyword),
            (words(("True", "False", "Nil"), suffix=rf"(?!{_NAME_CHAR})"), Keyword.Constant),
            (rf"self(?!{_NAME_CHAR})", Name.Builtin.Pseudo),
            (rf"_INKOC(?!{_NAME_CHAR})", Name.Builtin),
            (rf"@{_NAME_CHAR}+", Name.Variable.Instance),
            (_CONST, Name.Constant),
            (r"\?(?=_*[A-Z])", Operator),  # an optional type: ?Integer
            (rf"({_IDENT})(:)(?!:)", bygroups(Name.Label, Punctuation)),
            (_IDENT, Name),
            (r"\*\*=|<<=|>>=|[-+*/%&|^]=|==|!=|<=|>=|\*\*|<<|>>|&&|\|\||\.\.\.|\.\.", Operator),
            (r"!!|->|!\(|!\[|%\[", Punctuation),
            (r"::", Punctuation),
            (r"[-+*/%<>=&|^?]", Operator),
            (r"[()\[\]{},.:]", Punctuation),
            # `$`, `;`, `\`, a lone `!`, ...: Inko rejects them, but a
            # highlighter shows them as they are.
            (r".", Text),
        ],
        "numbers": [
            (r"-?0[xX][0-9a-fA-F_]+", Number.Hex),
            (r"-?0[bB][01_]+", Number.Bin),
            (r"-?\d[\d_]*\.\d[\d_]*(?:[eE][+-]?\d+)?", Number.Float),
            (r"-?\d[\d_]*[eE][+-]?\d+", Number.Float),
            (r"-?\d[\d_]*", Number.Integer),
        ],
        "import": [
            (r"[ \t]+", Whitespace),
            (r"::", Punctuation),
            (r"\(", Punctuation, "import-symbols"),
            (rf"{_NAME_CHAR}+", Name.Namespace),
            (r"", Text, "#pop"),
        ],
        "import-symbols": [
            (r"\)", Punctuation, "#pop:2"),
            (r"\s+", Whitespace),
            (r"[,]", Punctuation),
            (r"as(?=\s)", Keyword),
            (rf"self(?!{_NAME_CHAR})", Name.Builtin.Pseudo),
            (_CONST, Name.Constant),
            (rf"{_NAME_CHAR}+", Name),
            (r".", Text),
        ],
        "single": [
            (r"\\['\\]", String.Escape),
            (r"[^'\\]+", String.Single),
            (r"\\", String.Single),
            (r"'", String.Single, "#pop"),
        ],
        "double": [
            (r'\\["\\nrte0]', String.Escape),
            (r'[^"\\]+', String.Double),
            (r"\\", String.Double),
            (r'"', String.Double, "#pop"),
        ],
    }
