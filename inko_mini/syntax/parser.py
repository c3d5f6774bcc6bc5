"""Source text -> inko_mini.syntax.ast.Module.

Three steps: lexer.tokenize (context-free tokens), postlex.process (settles
the newline/space rules of LANGUAGE.md §1.8 with marker tokens), then Lark's
LALR(1) parser over grammar/inko.lark, which calls the `AstBuilder` methods
below as it reduces rules, so no parse tree is ever built.
"""

from __future__ import annotations

import os
import re
import sys
import threading

from lark import Lark, Token
from lark.exceptions import UnexpectedInput, UnexpectedToken
from lark.lexer import Lexer

from inko_mini.errors import InkoSyntaxError, decode_source
from inko_mini.paths import GRAMMAR_FILE, cache_dir
from inko_mini.syntax import ast, postlex
from inko_mini.syntax import lexer as inko_lexer

__all__ = ["parse", "check_files"]


class _TokenList(Lexer):
    """Hands the post-processed token list to Lark."""

    __future_interface__ = 2

    def __init__(self, lexer_conf):
        pass

    def lex(self, lexer_state, parser_state):
        return iter(lexer_state.text)


# ------------------------------------------------------------- AST building


class _Dropped:
    """Parsed syntax without run-time meaning (types, type parameters)."""

    __slots__ = ("lambda_type",)

    def __init__(self, lambda_type=False):
        self.lambda_type = lambda_type


class _TypeName(_Dropped):
    # A type naming a constant path; objects/impls need the path itself.
    __slots__ = ("node",)

    def __init__(self, node):
        super().__init__(False)
        self.node = node


_DROPPED = _Dropped()
_GLOB = object()


class _Keyword:
    __slots__ = ("name", "value")

    def __init__(self, name, value):
        self.name = name
        self.value = value


class _Message:
    __slots__ = ("token", "args", "kwargs", "block_tail")

    def __init__(self, token, args, kwargs, block_tail=False):
        self.token = token
        self.args = args
        self.kwargs = kwargs
        # Sent without parentheses, ending in a block argument (`.or { }`).
        self.block_tail = block_tail


class _BlockArguments(tuple):
    """The (args, kwargs) of `foo { }` / `foo do (x) { }`: a block ends them."""


_SINGLE_QUOTE_ESCAPE = re.compile(r"\\(['\\])")
_DOUBLE_QUOTE_ESCAPE = re.compile(r"\\(.)", re.S)
_DOUBLE_QUOTE_CHARS = {
    '"': '"',
    "\\": "\\",
    "n": "\n",
    "r": "\r",
    "t": "\t",
    "e": "\x1b",
    "0": "\0",
}


def _double_escape(m):
    # Unknown escapes keep their backslash (§1.6).
    return _DOUBLE_QUOTE_CHARS.get(m.group(1), m.group(0))


class AstBuilder:
    """Callbacks named after the grammar's rules and aliases."""

    def __init__(self):
        self.file = "<unknown>"
        self.source = ""
        # id() of sends after a binary expression that a `.msg` may continue.
        self._block_tail_sends: set[int] = set()

    # -- helpers
    def _span(self, tok) -> ast.Span:
        if isinstance(tok, Token):
            return ast.Span(self.file, tok.line, tok.column)
        return tok.span

    def _error(self, message, tok):
        raise InkoSyntaxError(
            message, self.file, tok.line, tok.column, inko_lexer.source_line(self.source, tok.line)
        )

    @staticmethod
    def _nodes(children):
        return [c for c in children if isinstance(c, ast.Node)]

    @staticmethod
    def _split_arguments(children):
        args, kwargs = [], []
        for c in children:
            if isinstance(c, _Keyword):
                kwargs.append((c.name, c.value))
            elif isinstance(c, ast.Node):
                args.append(c)
        return args, kwargs

    # -- module level
    def module(self, c):
        imports, directives, body = [], [], []
        for node in c:
            if isinstance(node, ast.Import):
                imports.append(node)
            elif isinstance(node, ast.Directive):
                directives.append(node)
            elif isinstance(node, ast.Node):
                body.append(node)
        return ast.Module(ast.Span(self.file, 1, 1), imports, directives, body)

    def import_stmt(self, c):
        path, symbols, glob = [], None, False
        for x in c[1:]:
            if x is _GLOB:
                glob = True
            elif isinstance(x, str) and not isinstance(x, Token):
                path.append(x)
            elif isinstance(x, list):
                symbols = x
        return ast.Import(self._span(c[0]), path, symbols, glob)

    def import_segment(self, c):
        return str(c[0])

    def import_constant(self, c):
        return [ast.ImportSymbol(self._span(c[0]), str(c[0]))]

    def import_glob(self, c):
        return _GLOB

    def import_symbols(self, c):
        return [x for x in c if x is not None]

    def import_symbol(self, c):
        alias = str(c[1]) if c[1] is not None else None
        return ast.ImportSymbol(self._span(c[0]), str(c[0]), alias)

    def directive(self, c):
        key, value = c
        value = {"true": True, "false": False}.get(str(value), str(value))
        return ast.Directive(self._span(key), str(key), value)

    # -- expressions
    def cast(self, c):
        return c[0]

    def unpack(self, c):
        return c[1]

    def binary_op(self, c):
        left, op, right = c
        return ast.Send(self._span(op), left, str(op), [right], [])

    def _send(self, receiver, message):
        return ast.Send(
            self._span(message.token), receiver, str(message.token), message.args, message.kwargs
        )

    def send_after_binary(self, c):
        return self._after_binary_send(c[0], c[2])

    def send_after_block_send(self, c):
        # LANGUAGE.md §2.2 level 5 (CHANGES.md 2026-12-04): only a send that
        # ends in a block argument without parentheses may be continued.
        # A `.msg` on the same line continues any send (`.to_string.length`).
        if c[1].type == "NLDOT" and id(c[0]) not in self._block_tail_sends:
            self._error(
                "unexpected '.': a statement can not start with it (after a binary "
                "expression, a later '.message' only continues a send that ends in a "
                "block argument)",
                c[1],
            )
        return self._after_binary_send(c[0], c[2])

    def _after_binary_send(self, receiver, message):
        node = self._send(receiver, message)
        if message.block_tail:
            self._block_tail_sends.add(id(node))
        return node

    def send_to(self, c):
        self._no_dot_after_open_form(c[0], c[1])
        return self._send(c[0], c[2])

    # A `let`, assignment, `return`, `throw` or `try` takes a whole expression;
    # a later line starting with `.` can only continue that expression, and
    # after a binary expression only one such line can (LANGUAGE.md §1.8).
    _OPEN_FORMS = (
        ast.LetLocal,
        ast.LetAttr,
        ast.LetConst,
        ast.AssignLocal,
        ast.AssignAttr,
        ast.Return,
        ast.Throw,
        ast.Try,
    )

    def _no_dot_after_open_form(self, receiver, dot):
        if dot.type == "NLDOT" and isinstance(receiver, self._OPEN_FORMS):
            self._error(
                "a value can not start with '.' (after a binary expression "
                "only one later line may start with '.')",
                dot,
            )

    def setter(self, c):
        receiver, dot, name, value = c
        self._no_dot_after_open_form(receiver, dot)
        return ast.Send(self._span(name), receiver, f"{name}=", [value], [])

    def index(self, c):
        return ast.Send(self._span(c[1]), c[0], "[]", self._nodes(c[2:]), [])

    def index_set(self, c):
        items = self._nodes(c[2:])
        return ast.Send(self._span(c[1]), c[0], "[]=", items, [])

    def message(self, c):
        name, _targs, arguments = c
        args, kwargs = arguments if arguments is not None else ([], [])
        return _Message(name, args, kwargs, isinstance(arguments, _BlockArguments))

    def paren_arguments(self, c):
        return self._split_arguments(c[1:])

    def bare_arguments(self, c):
        split = self._split_arguments(c[1:])
        ends_in_block = isinstance(c[-1], Token) and c[-1].type == "ENDARGS"
        return _BlockArguments(split) if ends_in_block else split

    def block_arguments(self, c):
        split = self._split_arguments(c[1:])
        c = [x for x in c if x is not None]
        ends_in_block = len(c) == 2 or (isinstance(c[-1], Token) and c[-1].type == "ENDARGS")
        return _BlockArguments(split) if ends_in_block else split

    def keyword_argument(self, c):
        return _Keyword(str(c[0]), c[1])

    # -- primaries
    def integer(self, c):
        tok = c[0]
        text = tok.replace("_", "")
        negative = text.startswith("-")
        digits = text[1:] if negative else text
        try:
            if digits[:2] in ("0x", "0X"):
                value = int(digits[2:], 16)
            elif digits[:2] in ("0b", "0B"):
                value = int(digits[2:], 2)
            elif len(digits) > 1 and digits[0] == "0":
                value = int(digits[1:], 8)  # a leading 0 means octal (§1.4)
            else:
                value = int(digits)
        except ValueError:
            self._error(f"{tok} is not a valid integer literal", tok)
        return ast.IntLit(self._span(tok), -value if negative else value)

    def float(self, c):
        return ast.FloatLit(self._span(c[0]), float(c[0].replace("_", "")))

    def single_string(self, c):
        tok = c[0]
        return ast.StrLit(self._span(tok), _SINGLE_QUOTE_ESCAPE.sub(r"\1", tok[1:-1]))

    def double_string(self, c):
        tok = c[0]
        return ast.StrLit(self._span(tok), _DOUBLE_QUOTE_ESCAPE.sub(_double_escape, tok[1:-1]))

    def self(self, c):
        return ast.SelfRef(self._span(c[0]))

    def attribute(self, c):
        return ast.AttrRef(self._span(c[0]), str(c[0]))

    def constant(self, c):
        return ast.Constant(self._span(c[0]), str(c[0]))

    def constant_path(self, c):
        return ast.ConstPath(self._span(c[1]), c[0], str(c[1]))

    def module_global(self, c):
        return ast.ModuleGlobal(self._span(c[0]), str(c[1]))

    def identifier(self, c):
        return ast.Identifier(self._span(c[0]), str(c[0]))

    def send_to_self(self, c):
        args, kwargs = [], []
        for x in c[1:]:
            if isinstance(x, tuple):
                args, kwargs = x
        return ast.Send(self._span(c[0]), None, str(c[0]), args, kwargs)

    def assign_local(self, c):
        return ast.AssignLocal(self._span(c[0]), str(c[0]), c[1])

    def op_assign_local(self, c):
        name, op, value = c
        span = self._span(name)
        current = ast.Identifier(span, str(name))
        return ast.AssignLocal(
            span, str(name), ast.Send(self._span(op), current, op[:-1], [value], [])
        )

    def assign_attribute(self, c):
        return ast.AssignAttr(self._span(c[0]), str(c[0]), c[1])

    def op_assign_attribute(self, c):
        name, op, value = c
        span = self._span(name)
        current = ast.AttrRef(span, str(name))
        return ast.AssignAttr(
            span, str(name), ast.Send(self._span(op), current, op[:-1], [value], [])
        )

    def array(self, c):
        return ast.ArrayLit(self._span(c[0]), self._nodes(c[1:]))

    def hash(self, c):
        return ast.HashLit(self._span(c[0]), [p for p in c[1:] if isinstance(p, tuple)])

    def hash_pair(self, c):
        return (c[0], c[1])

    def hash_pair_name(self, c):
        return (ast.Identifier(self._span(c[0]), str(c[0])), c[1])

    # -- blocks and methods
    def brace_block(self, c):
        return ast.BlockLit(self._span(c[0]), "brace", [], self._nodes(c[1:]))

    def do_block(self, c):
        return ast.BlockLit(self._span(c[0]), "do", c[1], self._nodes(c[2:]))

    def lambda_block(self, c):
        return ast.BlockLit(self._span(c[0]), "lambda", c[1], self._nodes(c[2:]))

    def signature(self, c):
        return [p for p in c if isinstance(p, ast.Param)]

    def method(self, c):
        keyword, name, params = c[0], c[1], c[2]
        has_body = any(isinstance(x, Token) and x.type == "DEF_LBRACE" for x in c[3:])
        body = self._nodes(c[3:]) if has_body else None
        return ast.MethodDef(self._span(keyword), str(name), params, body)

    def parameter(self, c):
        rest, mutable, name = c[0], c[1], c[2]
        type_ = next((x for x in c[3:] if isinstance(x, _Dropped)), None)
        default = next((x for x in c[3:] if isinstance(x, ast.Node)), None)
        return ast.Param(
            self._span(name),
            str(name),
            default,
            rest is not None,
            mutable is not None,
            bool(type_ and type_.lambda_type),
        )

    def where_clause(self, c):
        return _DROPPED

    def type_bound(self, c):
        return _DROPPED

    # -- bindings and control flow
    def let(self, c):
        keyword, mutable, target, value = c[0], c[1], c[2], c[-1]
        span = self._span(keyword)
        name = str(target)
        if target.type == "ATTR":
            return ast.LetAttr(span, name, value, mutable is not None)
        if target.type == "CONST":
            return ast.LetConst(span, name, value)
        return ast.LetLocal(span, name, value, mutable is not None)

    def return_nothing(self, c):
        return ast.Return(self._span(c[0]), None)

    def return_value(self, c):
        return ast.Return(self._span(c[0]), c[1])

    def throw(self, c):
        return ast.Throw(self._span(c[0]), c[1])

    def try_(self, c):
        expr = next(x for x in c[1:] if isinstance(x, ast.Node))
        clause = c[-1] if isinstance(c[-1], tuple) else None
        if clause is None:
            return ast.Try(self._span(c[0]), expr)
        return ast.Try(self._span(c[0]), expr, clause[1], clause[0])

    def try_bang(self, c):
        expr = next(x for x in c[1:] if isinstance(x, ast.Node))
        return ast.Try(self._span(c[0]), expr, bang=True)

    def else_clause(self, c):
        name = None
        if len(c) > 2 and isinstance(c[1], Token) and c[1].type == "ELSE_LPAR":
            name = str(c[2])
        return (name, self._nodes(c[1:]))

    # -- definitions
    def object_def(self, c):
        impls = [x.node for x in c[2:] if isinstance(x, _TypeName)]
        return ast.ObjectDef(self._span(c[0]), str(c[1]), impls, self._nodes(c[2:]))

    def trait_def(self, c):
        return ast.TraitDef(self._span(c[0]), str(c[1]), self._nodes(c[2:]))

    def impl_def(self, c):
        names = [x.node for x in c[1:] if isinstance(x, _TypeName)]
        if len(names) == 2:
            trait, target = names
        else:
            trait, target = None, names[0]
        return ast.ImplDef(self._span(c[0]), trait, target, self._nodes(c[1:]))

    # -- types (dropped)
    def type(self, c):
        base = c[-1]
        return _Dropped(isinstance(base, _Dropped) and base.lambda_type)

    def type_name(self, c):
        return _TypeName(c[0])

    def block_type(self, c):
        return _Dropped(c[0].type == "LAMBDA")

    def type_arguments(self, c):
        return _DROPPED

    def type_parameters(self, c):
        return _DROPPED

    def type_parameter(self, c):
        return _DROPPED


# Lark looks callbacks up by rule name; `try` is a Python keyword.
setattr(AstBuilder, "try", AstBuilder.try_)


# ------------------------------------------------------------------- setup

_builder = AstBuilder()
_parser = None
_lock = threading.Lock()


def _cache_path():
    import lark

    folder = cache_dir()
    try:
        os.makedirs(folder, exist_ok=True)
    except OSError:
        return True  # Lark's own temporary-directory cache
    version = "{}.{}".format(*sys.version_info[:2])
    return os.path.join(folder, f"grammar-py{version}-lark{lark.__version__}.cache")


def _make_parser(**options) -> Lark:
    return Lark.open(
        GRAMMAR_FILE,
        start="module",
        parser="lalr",
        lexer=_TokenList,
        maybe_placeholders=True,
        **options,
    )


def _get_parser() -> Lark:
    global _parser
    if _parser is None:
        # The grammar analysis is cached on disk (checked against the
        # grammar's hash), so start-up does not recompute the LALR tables.
        _parser = _make_parser(transformer=_builder, cache=_cache_path())
    return _parser


# --------------------------------------------------------------- interface


def parse(source: str, file: str) -> ast.Module:
    """Parse Inko source text; raise InkoSyntaxError on bad input."""
    if source.startswith("\ufeff"):
        source = source[1:]
    tokens, annotations = postlex.process(inko_lexer.tokenize(source, file))
    parser = _get_parser()
    with _lock:
        _builder.file = file
        _builder.source = source
        _builder._block_tail_sends.clear()
        try:
            module = parser.parse(tokens)
        except UnexpectedInput as exc:
            raise _syntax_error(exc, source, file, tokens) from None
        except RecursionError:
            raise InkoSyntaxError("the code is nested too deeply", file, 1, 1) from None
    module.annotations = annotations
    return module


def check_files(paths) -> int:
    """`inko-mini check`: report every file that does not parse; 1 if any."""
    status = 0
    for path in paths:
        try:
            with open(path, "rb") as f:
                data = f.read()
        except OSError as exc:
            print(f"{path}: cannot read the file: {exc.strerror or exc}", file=sys.stderr)
            status = 1
            continue
        try:
            parse(decode_source(data, path), path)
        except InkoSyntaxError as exc:
            print(exc.render(), file=sys.stderr)
            status = 1
    return status


# ------------------------------------------------------------ syntax errors

_TOKEN_TEXT = {
    "IDENT": "an identifier",
    "CONST": "a constant",
    "ATTR": "an attribute",
    "INT": "an integer",
    "FLOAT": "a float",
    "SSTRING": "a string",
    "DSTRING": "a string",
    "OP": "an operator",
    "ASSIGNOP": "an assignment operator",
    "KWNAME": "a name followed by ':'",
    "MNAME": "a message name",
    "DEFNAME": "a method name",
    "CALL_LPAR": "'('",
    "INDEX_LSQB": "'['",
    "NLDOT": "'.'",
    "GLOBALSEP": "'::'",
    "UNPACK": "'*'",
    "RETURN_VALUE": "'return'",
    "TRY_LBRACE": "'{'",
    "ELSE_LPAR": "'('",
    "ELSE_LBRACE": "'{'",
    "DEF_LBRACE": "'{'",
    "TRY_BANG": "'try!'",
    "$END": "the end of the file",
}
# Markers the post-lexer inserts: not something a user can type.
_MARKERS = {"SARGS", "BLOCKARG", "ENDARGS"}


def _describe(name: str, parser: Lark) -> str | None:
    if name in _MARKERS:
        return None
    if name in _TOKEN_TEXT:
        return _TOKEN_TEXT[name]
    for term in parser.terminals:
        if term.name == name and term.pattern.type == "str":
            return f"'{term.pattern.value}'"
    return name.lower()


def _found(tok) -> str:
    if tok.type == "$END":
        return "the end of the file"
    if tok.type in ("SARGS", "BLOCKARG"):
        return "an argument"
    if tok.type in ("SSTRING", "DSTRING"):
        return "a string"
    text = str(tok)
    return f"'{text}'" if text else tok.type.lower()


def _syntax_error(exc, source, file, tokens) -> InkoSyntaxError:
    parser = _get_parser()
    tok = getattr(exc, "token", None)
    if tok is None or tok.type == "$END" or tok.line is None:
        last = tokens[-1] if tokens else None
        line = last.end_line if last is not None else 1
        column = last.end_column if last is not None else 1
        found = "the end of the file"
    else:
        if tok.type in _MARKERS:
            # Report the token the marker stands in front of.
            tok = next(
                (t for t in tokens if t.start_pos >= tok.start_pos and t.type not in _MARKERS), tok
            )
        line, column, found = tok.line, tok.column, _found(tok)
    expected = set()
    if isinstance(exc, UnexpectedToken):
        for name in exc.expected:
            text = _describe(name, parser)
            if text:
                expected.add(text)
    if found == "the end of the file":
        message = "unexpected end of input"
    else:
        message = f"unexpected {found}"
    closers = sorted(expected & {"')'", "']'", "'}'"})
    statement_ends = "the end of the file" in expected or (
        isinstance(exc, UnexpectedToken) and "RBRACE" in exc.expected and "IDENT" in exc.expected
    )
    if statement_ends and found != "the end of the file":
        # The statement before is complete; this token cannot begin another.
        message += ": a statement can not start with it"
    elif expected and len(expected) <= 6:
        message += "; expected " + _join(sorted(expected))
    elif {"an identifier", "an integer"} <= expected:
        message += "; expected a value" + ("" if not closers else " or " + _join(closers))
    elif closers:
        message += "; expected " + _join(closers)
    elif expected:
        message += "; a statement can not start here"
    return InkoSyntaxError(message, file, line, column, inko_lexer.source_line(source, line))


def _join(items) -> str:
    if len(items) == 1:
        return items[0]
    return ", ".join(items[:-1]) + " or " + items[-1]
