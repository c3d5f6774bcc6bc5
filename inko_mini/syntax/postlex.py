"""Settles Inko's newline and space rules (LANGUAGE.md §1.8) before parsing.

Inko 0.4.0 has no statement separator: whether a token continues an
expression depends on its line and on the space before it. The LALR grammar
cannot see either, so this pass rewrites the token list (one linear walk,
looking at most three tokens ahead) and the grammar only sees unambiguous
tokens:

  SARGS        inserted before parenthesis-less arguments: a value token on
               the same line as a message name, after a space (`foo 1, 2`)
  BLOCKARG     inserted before a block passed as an argument: `foo { }`,
               `foo do (x) { }`, or a block after the `)` of arguments on
               the same line (`foo(1) { }`)
  CALL_LPAR    `(` on the same line as a message name: argument list
  INDEX_LSQB   `[` on the same line as the operand before it: indexing
  NLDOT        `.` starting a later line than the token before it
  MNAME        the name after a `.`: any identifier, constant, keyword or
               operator, `[]` included (`x.lambda`, `x.+(1)`)
  DEFNAME      the name after `def`, with its setter `=` (`def []=(i, v)`)
  KWNAME       `name:` (keyword argument, typed parameter or hash key)
  GLOBALSEP    `::name` (module global), as opposed to `A::B`
  UNPACK       prefix `*` (rest parameter, unpacking)
  RETURN_VALUE `return` followed by a value on the same line after a space
  TRY_LBRACE   `{` right after `try`/`try!`: `try { expr }`
  ELSE_LPAR    `(` right after `else`: `else (error) ...`
  ELSE_LBRACE  `{` of an else body
  DEF_LBRACE   `{` opening a method body (it may be on a later line)
  ENDARGS      inserted after a block that is the last parenthesis-less
               argument (`x.foo 1, { }`) when a `.` follows: the `.msg`
               applies to the whole send (LANGUAGE.md §2.2, CHANGES.md)

Comments are dropped here (doc comments `##` and `#!` too); the text right
of `# =>` is kept per line for documentation tests.
"""

from __future__ import annotations

from lark import Token

# Tokens that may start parenthesis-less arguments (§2.1 VSTART).
VALUE_START = frozenset(
    {
        "ATTR",
        "CONST",
        "IDENT",
        "KWNAME",
        "INT",
        "FLOAT",
        "SSTRING",
        "DSTRING",
        "LSQB",
        "LBRACE",
        "PCTLSQB",
        "DEF",
        "DO",
        "LAMBDA",
        "LET",
        "RETURN",
        "SELF",
        "THROW",
        "TRAIT",
        "IMPL",
        "TRY",
        "TRY_BANG",
    }
)
# Tokens a returned value may start with.
RETURN_VALUE_START = VALUE_START | {"LPAR", "COLONCOLON", "OBJECT"}
# Tokens after which `[` indexes instead of starting an array.
OPERAND_END = frozenset(
    {
        "IDENT",
        "CONST",
        "ATTR",
        "SELF",
        "INT",
        "FLOAT",
        "SSTRING",
        "DSTRING",
        "RPAR",
        "RSQB",
        "RBRACE",
        "MNAME",
    }
)
BLOCK_START = frozenset({"LBRACE", "DO", "LAMBDA"})
# What may stand between `def name` and the `{` of the body at the same depth.
SIGNATURE = frozenset(
    {
        "DEFNAME",
        "BANGLPAR",
        "LPAR",
        "RPAR",
        "THROWS",
        "ARROW",
        "QMARK",
        "CONST",
        "COLONCOLON",
        "DO",
        "LAMBDA",
        "WHERE",
        "COLON",
        "PLUS",
        "COMMA",
        "KWNAME",
    }
)
IMPORT_TOKENS = frozenset(
    {
        "IDENT",
        "CONST",
        "COLONCOLON",
        "LPAR",
        "RPAR",
        "COMMA",
        "STAR",
        "SELF",
        "AS",
        "OBJECT",
        "TRAIT",
    }
)
NAME_AFTER_DOT = frozenset(
    {
        "IDENT",
        "CONST",
        "OP",
        "PLUS",
        "MINUS",
        "STAR",
        "AS",
        "DEF",
        "DO",
        "ELSE",
        "FOR",
        "IMPL",
        "IMPORT",
        "LAMBDA",
        "LET",
        "MUT",
        "OBJECT",
        "RETURN",
        "SELF",
        "THROW",
        "TRAIT",
        "TRY",
        "WHERE",
    }
)


def _marker(kind: str, at: Token) -> Token:
    return Token(kind, "", at.start_pos, at.line, at.column, at.line, at.column, at.start_pos)


def _retype(kind: str, tok: Token, value: str | None = None) -> Token:
    return Token(
        kind,
        tok.value if value is None else value,
        tok.start_pos,
        tok.line,
        tok.column,
        tok.end_line,
        tok.end_column,
        tok.end_pos,
    )


def _annotation(comment: str):
    body = comment[1:].lstrip()
    if body.startswith("=>"):
        return body[2:].strip()
    return None


def process(raw: list) -> tuple[list, dict]:  # noqa: C901 (one linear pass settling every rule of LANGUAGE.md §1.8)
    """Rewrite lexer tokens for the grammar; return (tokens, annotations)."""
    annotations = {}
    toks = []
    for tok in raw:
        if tok.type == "COMMENT":
            text = _annotation(tok.value)
            if text is not None:
                annotations[tok.line] = text
        else:
            toks.append(tok)

    out = []
    emit = out.append
    n = len(toks)
    stack = []  # open brackets: 'call', 'targs', 'group', 'brace', ...
    prev = None  # last real token emitted
    callable_prev = False  # prev is a message name that may take arguments
    block_arg_next = False  # `)` of call arguments: a block on its line is an argument
    def_depth = -1  # bracket depth of a `def` still waiting for its body
    else_state = 0  # 1: after else, 2: in `else (`, 3: after `else (e)`
    in_import = False
    bare_depths: set = set()  # bracket depths with parenthesis-less arguments
    arg_block_depth = -1  # depth of a `do`/`lambda` argument awaiting its `{`
    i = 0
    while i < n:
        t = toks[i]
        tt = t.type
        same_line = prev is not None and t.line == prev.end_line
        spaced = prev is None or t.start_pos > prev.end_pos

        if in_import:
            # Import paths keep `::` and `*` as written; names there are not sends.
            if stack and stack[-1] == "import" or (same_line and tt in IMPORT_TOKENS):
                if tt == "LPAR":
                    stack.append("import")
                elif tt == "RPAR" and stack and stack[-1] == "import":
                    stack.pop()
                emit(t)
                prev = t
                i += 1
                continue
            in_import = False

        if def_depth >= 0 and len(stack) == def_depth and tt not in SIGNATURE and tt != "LBRACE":
            def_depth = -1

        # A message name directly followed by something that makes it a call.
        if callable_prev and same_line:
            if tt == "LPAR":
                t = _retype("CALL_LPAR", t)
                tt = "CALL_LPAR"
            elif spaced and tt in VALUE_START:
                emit(_marker("BLOCKARG" if tt in BLOCK_START else "SARGS", t))
                bare_depths.add(len(stack))  # `foo 1, 2` and `foo { }, 2`
                callable_prev = False
        elif block_arg_next and same_line and tt in BLOCK_START:
            emit(_marker("BLOCKARG", t))
        was_callable = callable_prev
        callable_prev = False
        block_arg_next = False

        if tt == "IDENT":
            nxt = toks[i + 1] if i + 1 < n else None
            if nxt is not None and nxt.type == "COLON" and nxt.line == t.line:
                t = _retype("KWNAME", t)
                emit(t)
                prev = nxt
                i += 2
                continue
            callable_prev = not in_import and (
                prev is None or prev.type not in ("LET", "MUT", "COLONCOLON", "GLOBALSEP")
            )
        elif tt in ("DOT", "NLDOT"):
            if prev is not None and t.line > prev.end_line:
                t = _retype("NLDOT", t)
            emit(t)
            prev = t
            i += 1
            if i < n:
                name, used = _message_name(toks, i, after_dot=True)
                if name is not None:
                    emit(name)
                    prev = toks[i + used - 1]
                    callable_prev = True
                    i += used
            continue
        elif tt == "DEF":
            emit(t)
            prev = t
            i += 1
            if i < n:
                name, used = _message_name(toks, i, after_dot=False)
                if name is not None:
                    emit(name)
                    prev = toks[i + used - 1]
                    i += used
            def_depth = len(stack)
            continue
        elif tt == "COLONCOLON":
            if not in_import and not (prev is not None and prev.type == "CONST" and not spaced):
                t = _retype("GLOBALSEP", t)
        elif tt == "STAR":
            if not in_import and (prev is None or prev.type not in OPERAND_END):
                t = _retype("UNPACK", t)
        elif tt == "LSQB":
            # Indexing only on the line where the chain starts: after
            # `foo` newline `.bar`, `[0]` is a new array (§1.8).
            if (
                prev is not None
                and prev.type in OPERAND_END
                and same_line
                and out[-1].type != "SARGS"
                and not (out[-1].type == "MNAME" and out[-2].type == "NLDOT")
            ):
                t = _retype("INDEX_LSQB", t)
            stack.append("index")
        elif tt == "LPAR":
            if else_state == 1:
                stack.append("else")
                emit(_retype("ELSE_LPAR", t))
                else_state = 2
                prev = t
                i += 1
                continue
            else:
                stack.append("group")
        elif tt == "CALL_LPAR":
            stack.append("call")
        elif tt == "BANGLPAR":
            # Directly after a message name: type arguments of a send, after
            # which arguments may still follow (`foo!(T)(x)`).
            stack.append("targs" if was_callable and not spaced else "type")
        elif tt in ("PCTLSQB", "BANGLSQB"):
            stack.append("index")
        elif tt == "RPAR" or tt == "RSQB":
            kind = stack.pop() if stack else None
            bare_depths.discard(len(stack) + 1)
            if kind == "call":
                block_arg_next = True
            elif kind == "targs":
                callable_prev = True
            elif kind == "else":
                else_state = 3
                emit(t)
                prev = t
                i += 1
                continue
        elif tt in ("DO", "LAMBDA"):
            if prev is not None and prev.type == "COMMA" and len(stack) in bare_depths:
                arg_block_depth = len(stack)
        elif tt == "LBRACE":
            # The emitted token, not `prev`: `def try {` and `x.try {` emit
            # the keyword as a method name.
            if out and out[-1].type in ("TRY", "TRY_BANG"):
                t = _retype("TRY_LBRACE", t)
            elif else_state in (1, 3):
                t = _retype("ELSE_LBRACE", t)
            elif def_depth == len(stack):
                t = _retype("DEF_LBRACE", t)
                def_depth = -1
            # A block directly after a comma of parenthesis-less arguments.
            argument = t.type == "LBRACE" and (
                arg_block_depth == len(stack)
                or (prev is not None and prev.type == "COMMA" and len(stack) in bare_depths)
            )
            arg_block_depth = -1
            stack.append("argbrace" if argument else "brace")
        elif tt == "RBRACE":
            kind = stack.pop() if stack else None
            bare_depths.discard(len(stack) + 1)
            nxt = toks[i + 1] if i + 1 < n else None
            if kind == "argbrace" and nxt is not None and nxt.type == "DOT":
                emit(t)
                emit(_marker("ENDARGS", nxt))
                bare_depths.discard(len(stack))
                prev = t
                i += 1
                else_state = 0
                continue
            if def_depth > len(stack):
                def_depth = -1
        elif tt == "RETURN":
            nxt = toks[i + 1] if i + 1 < n else None
            if (
                nxt is not None
                and nxt.line == t.end_line
                and nxt.start_pos > t.end_pos
                and nxt.type in RETURN_VALUE_START
            ):
                t = _retype("RETURN_VALUE", t)
        elif tt == "IMPORT":
            in_import = True

        else_state = 1 if tt == "ELSE" else (2 if else_state == 2 and tt == "IDENT" else 0)
        emit(t)
        prev = t
        i += 1
    return out, annotations


def _message_name(toks: list, i: int, after_dot: bool):
    """The message name at toks[i] as one token, and how many tokens it used."""
    t = toks[i]
    tt = t.type
    used = 1
    if tt == "LSQB" and i + 1 < len(toks) and toks[i + 1].type == "RSQB":
        value = "[]"
        end = toks[i + 1]
        used = 2
    elif tt in NAME_AFTER_DOT or (not after_dot and tt == "TRY_BANG"):
        value = t.value
        end = t
    else:
        return None, 0
    # `def name=` and `x.[]=(i, v)`; after a dot an ordinary name's `=` is
    # the setter syntax `a.b = v`, left to the grammar.
    if (not after_dot or value == "[]") and i + used < len(toks):
        eq = toks[i + used]
        if eq.type == "EQUAL" and eq.start_pos == end.end_pos:
            value += "="
            end = eq
            used += 1
    kind = "MNAME" if after_dot else "DEFNAME"
    return Token(
        kind, value, t.start_pos, t.line, t.column, end.end_line, end.end_column, end.end_pos
    ), used
