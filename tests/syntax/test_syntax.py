"""Source -> AST shape for every grammar rule and every newline/space rule
of LANGUAGE.md §1.8; expectations come from the spec's examples."""

import pytest
from parser_sexp import dump_module

from inko_mini.errors import InkoSyntaxError
from inko_mini.syntax import ast
from inko_mini.syntax.parser import parse


def shape(source: str) -> str:
    return dump_module(parse(source, "t.inko"))


LITERALS = [
    ("10", "(IntLit 10)"),
    ("-5", "(IntLit -5)"),
    ("1_000_000", "(IntLit 1000000)"),
    ("0xff", "(IntLit 255)"),
    ("0b101", "(IntLit 5)"),
    ("017", "(IntLit 15)"),  # leading 0: octal (§1.4)
    ("0", "(IntLit 0)"),
    ("123456789012345678901234567890", "(IntLit 123456789012345678901234567890)"),
    ("1.5", "(FloatLit 1.5)"),
    ("-1.5", "(FloatLit -1.5)"),
    ("2e3", "(FloatLit 2000.0)"),
    ("1.5E+2", "(FloatLit 150.0)"),
    ("10.to_string", "(Send (IntLit 10) 'to_string')"),
    ("1..5", "(Send (IntLit 1) '..' [(IntLit 5)])"),
    ("1...5", "(Send (IntLit 1) '...' [(IntLit 5)])"),
    ("'abc'", "(StrLit 'abc')"),
    ("'abc'.length", "(Send (StrLit 'abc') 'length')"),
    ('"abc"', "(StrLit 'abc')"),
    # single quotes: only \' and \\ are escapes (§1.6)
    (r"'a\'b'", '(StrLit "a\'b")'),
    (r"'a\\b'", r"(StrLit 'a\\b')"),
    (r"'a\nb'", r"(StrLit 'a\\nb')"),
    (r"'a\"b'", r"""(StrLit 'a\\"b')"""),
    # double quotes: \" \\ \n \r \t \e \0; other escapes are kept
    (r'"a\"b"', "(StrLit 'a\"b')"),
    (r'"\r\n\t\e\0"', r"(StrLit '\r\n\t\x1b\x00')"),
    (r'"a\\b"', r"(StrLit 'a\\b')"),
    (r'"a\'b"', r"""(StrLit "a\\'b")"""),
    (r'"a\qb"', r"(StrLit 'a\\qb')"),
    ("'two\nlines'", r"(StrLit 'two\nlines')"),
    ("[]", "(ArrayLit [])"),
    ("[1, 2,]", "(ArrayLit [(IntLit 1) (IntLit 2)])"),
    ("[\n  1,\n  2\n]", "(ArrayLit [(IntLit 1) (IntLit 2)])"),
    ("%[]", "(HashLit [])"),
    ("%['a': 1, 'b': 2]", "(HashLit [((StrLit 'a') (IntLit 1)) ((StrLit 'b') (IntLit 2))])"),
    ("%[a: 1]", "(HashLit [((Identifier 'a') (IntLit 1))])"),
]

NAMES = [
    ("self", "(SelfRef)"),
    ("x", "(Identifier 'x')"),
    ("empty?", "(Identifier 'empty?')"),
    ("_x", "(Identifier '_x')"),
    ("_", "(Identifier '_')"),
    ("X", "(Constant 'X')"),
    ("_X", "(Constant '_X')"),
    ("A::B::C", "(ConstPath (ConstPath (Constant 'A') 'B') 'C')"),
    ("::foo", "(ModuleGlobal 'foo')"),
    ("::Foo", "(ModuleGlobal 'Foo')"),
    ("@name", "(AttrRef '@name')"),
    ("_INKOC.array_at(self, 0)", "(Send (Constant '_INKOC') 'array_at' [(SelfRef) (IntLit 0)])"),
]

SENDS = [
    ("foo()", "(Send None 'foo')"),
    ("foo(1, 2,)", "(Send None 'foo' [(IntLit 1) (IntLit 2)])"),
    ("foo (1)", "(Send None 'foo' [(IntLit 1)])"),
    ("foo 1, 2", "(Send None 'foo' [(IntLit 1) (IntLit 2)])"),
    ("foo 1,\n  2", "(Send None 'foo' [(IntLit 1) (IntLit 2)])"),
    ("a.b", "(Send (Identifier 'a') 'b')"),
    ("a.b(1).c", "(Send (Send (Identifier 'a') 'b' [(IntLit 1)]) 'c')"),
    ("a.b 1", "(Send (Identifier 'a') 'b' [(IntLit 1)])"),
    (
        "Foo.new(ip: '1', port: 2)",
        "(Send (Constant 'Foo') 'new' kw[('ip' (StrLit '1')) ('port' (IntLit 2))])",
    ),
    ("foo(1, key: 2)", "(Send None 'foo' [(IntLit 1)] kw[('key' (IntLit 2))])"),
    ("foo key: 2", "(Send None 'foo' kw[('key' (IntLit 2))])"),
    (
        "x.if true: { 1 }, false: { 2 }",
        "(Send (Identifier 'x') 'if' kw[('true' (BlockLit 'brace' [] [(IntLit 1)])) "
        "('false' (BlockLit 'brace' [] [(IntLit 2)]))])",
    ),
    ("foo { 1 }", "(Send None 'foo' [(BlockLit 'brace' [] [(IntLit 1)])])"),
    ("foo(1) { 2 }", "(Send None 'foo' [(IntLit 1) (BlockLit 'brace' [] [(IntLit 2)])])"),
    ("foo() do (x) { x }", "(Send None 'foo' [(BlockLit 'do' [(Param 'x')] [(Identifier 'x')])])"),
    ("foo do (x) { x }", "(Send None 'foo' [(BlockLit 'do' [(Param 'x')] [(Identifier 'x')])])"),
    (
        "vm.panicking lambda (msg) { msg }",
        "(Send (Identifier 'vm') 'panicking' [(BlockLit 'lambda' [(Param 'msg')] [(Identifier 'msg')])])",
    ),
    ("foo { 1 }, 2", "(Send None 'foo' [(BlockLit 'brace' [] [(IntLit 1)]) (IntLit 2)])"),
    # a `.` after a block argument makes the whole send the receiver (§2.3)
    (
        "{ c }.while_true { b }.foo",
        "(Send (Send (BlockLit 'brace' [] [(Identifier 'c')]) 'while_true' "
        "[(BlockLit 'brace' [] [(Identifier 'b')])]) 'foo')",
    ),
    ("foo!(T)(1)", "(Send None 'foo' [(IntLit 1)])"),
    ("foo!(T)", "(Send None 'foo')"),
    ("x.foo!(A, B)(1)", "(Send (Identifier 'x') 'foo' [(IntLit 1)])"),
    # keyword and operator message names after a dot
    ("self.lambda", "(Send (SelfRef) 'lambda')"),
    ("x.do", "(Send (Identifier 'x') 'do')"),
    ("x.try", "(Send (Identifier 'x') 'try')"),
    ("x.+(1)", "(Send (Identifier 'x') '+' [(IntLit 1)])"),
    ("x.[](1)", "(Send (Identifier 'x') '[]' [(IntLit 1)])"),
    ("x.Foo", "(Send (Identifier 'x') 'Foo')"),
    ("foo(*args)", "(Send None 'foo' [(Identifier 'args')])"),
    # prefix `*` wherever an operand may start (§2.1 operand), a no-op
    ("let a = *b", "(LetLocal 'a' (Identifier 'b'))"),
    ("a *b", "(Send (Identifier 'a') '*' [(Identifier 'b')])"),
    ("a + b", "(Send (Identifier 'a') '+' [(Identifier 'b')])"),
    ("1 + 2 * 3", "(Send (Send (IntLit 1) '+' [(IntLit 2)]) '*' [(IntLit 3)])"),
    ("a - 1", "(Send (Identifier 'a') '-' [(IntLit 1)])"),
    (
        "a == b != c",
        "(Send (Send (Identifier 'a') '==' [(Identifier 'b')]) '!=' [(Identifier 'c')])",
    ),
    ("a << 2 >> 1 | 3 & 4 ^ 5 % 6 / 7 ** 8 <= 9 >= 1 < 2 > 3 && 4 || 5", None),
    ("x[1]", "(Send (Identifier 'x') '[]' [(IntLit 1)])"),
    ("x[1, 2]", "(Send (Identifier 'x') '[]' [(IntLit 1) (IntLit 2)])"),
    ("x[1] = 2", "(Send (Identifier 'x') '[]=' [(IntLit 1) (IntLit 2)])"),
    ("a.b[0]", "(Send (Send (Identifier 'a') 'b') '[]' [(IntLit 0)])"),
    ("foo(1)[0]", "(Send (Send None 'foo' [(IntLit 1)]) '[]' [(IntLit 0)])"),
    ("'abc'[0]", "(Send (StrLit 'abc') '[]' [(IntLit 0)])"),
    ("a.b = 1", "(Send (Identifier 'a') 'b=' [(IntLit 1)])"),
    ("x as Integer", "(Identifier 'x')"),
    ("x as ?Array!(Integer) as Dynamic", "(Identifier 'x')"),
]

BINDINGS = [
    ("let x = 1", "(LetLocal 'x' (IntLit 1))"),
    ("let mut x = 1", "(LetLocal 'x' (IntLit 1) :mutable)"),
    ("let x: Integer = 1", "(LetLocal 'x' (IntLit 1))"),
    ("let mut x: ?Array!(Integer) = []", "(LetLocal 'x' (ArrayLit []) :mutable)"),
    ("let @x = 1", "(LetAttr '@x' (IntLit 1))"),
    ("let mut @x: Integer = 1", "(LetAttr '@x' (IntLit 1) :mutable)"),
    ("let X = 1", "(LetConst 'X' (IntLit 1))"),
    ("let mut X: Integer = 1", "(LetConst 'X' (IntLit 1))"),
    ("x = 1", "(AssignLocal 'x' (IntLit 1))"),
    ("@x = 1", "(AssignAttr '@x' (IntLit 1))"),
    ("x += 1", "(AssignLocal 'x' (Send (Identifier 'x') '+' [(IntLit 1)]))"),
    ("n -= 1", "(AssignLocal 'n' (Send (Identifier 'n') '-' [(IntLit 1)]))"),
    ("x <<= 2", "(AssignLocal 'x' (Send (Identifier 'x') '<<' [(IntLit 2)]))"),
    ("x **= 2", "(AssignLocal 'x' (Send (Identifier 'x') '**' [(IntLit 2)]))"),
    ("@x |= 1", "(AssignAttr '@x' (Send (AttrRef '@x') '|' [(IntLit 1)]))"),
    ("let x = 1 let y = 2", "(LetLocal 'x' (IntLit 1))\n(LetLocal 'y' (IntLit 2))"),
    ("let x = a + b", "(LetLocal 'x' (Send (Identifier 'a') '+' [(Identifier 'b')]))"),
]

CONTROL = [
    ("return", "(Return None)"),
    ("return 1", "(Return (IntLit 1))"),
    ("return (1)", "(Return (IntLit 1))"),
    ("throw Error.new", "(Throw (Send (Constant 'Error') 'new'))"),
    ("try foo", "(Try (Identifier 'foo') None)"),
    ("try! foo", "(Try (Identifier 'foo') None :bang)"),
    ("try a.b + 1", "(Try (Send (Send (Identifier 'a') 'b') '+' [(IntLit 1)]) None)"),
    ("try { foo } else { bar }", "(Try (Identifier 'foo') [(Identifier 'bar')])"),
    ("try foo else bar", "(Try (Identifier 'foo') [(Identifier 'bar')])"),
    ("try foo else (e) e", "(Try (Identifier 'foo') [(Identifier 'e')] 'e')"),
    ("try foo else (e) { 1 2 }", "(Try (Identifier 'foo') [(IntLit 1) (IntLit 2)] 'e')"),
    ("try foo\nelse (e) {\n  e\n}", "(Try (Identifier 'foo') [(Identifier 'e')] 'e')"),
    ("try! foo(1) else 2", None),  # no else after try! (syntax error below)
]

DEFINITIONS = [
    ("def foo { 1 }", "(MethodDef 'foo' [] [(IntLit 1)])"),
    ("def foo\n{\n  1\n}", "(MethodDef 'foo' [] [(IntLit 1)])"),
    ("def foo -> Integer", "(MethodDef 'foo' [] None)"),
    (
        "def foo(a, b = 2, *rest) { }",
        "(MethodDef 'foo' [(Param 'a') (Param 'b' (IntLit 2)) (Param 'rest' :rest)] [])",
    ),
    ("def foo(mut a: Integer = 1) { }", "(MethodDef 'foo' [(Param 'a' (IntLit 1) :mutable)] [])"),
    (
        "def spawn(block: lambda) -> Process { }",
        "(MethodDef 'spawn' [(Param 'block' :lambda_type)] [])",
    ),
    (
        "def test(name: String, body: lambda) { }",
        "(MethodDef 'test' [(Param 'name') (Param 'body' :lambda_type)] [])",
    ),
    (
        "def run(block: lambda (Integer) !! Error -> String) { }",
        "(MethodDef 'run' [(Param 'block' :lambda_type)] [])",
    ),
    ("def each(block: do (T)) { }", "(MethodDef 'each' [(Param 'block')] [])"),
    (
        "def map!(R)(block: do (T) -> R) -> Iterator!(R) where T: Equal + Hash, R: X { }",
        "(MethodDef 'map' [(Param 'block')] [])",
    ),
    (
        "def read(size: ?Integer = Nil) !! IoError -> Integer { }",
        "(MethodDef 'read' [(Param 'size' (Constant 'Nil'))] [])",
    ),
    ("def +(other) { }", "(MethodDef '+' [(Param 'other')] [])"),
    ("def -(other) { }", "(MethodDef '-' [(Param 'other')] [])"),
    ("def ==(other) { }", "(MethodDef '==' [(Param 'other')] [])"),
    ("def [](index) { }", "(MethodDef '[]' [(Param 'index')] [])"),
    ("def []=(index, value) { }", "(MethodDef '[]=' [(Param 'index') (Param 'value')] [])"),
    ("def name=(value) { }", "(MethodDef 'name=' [(Param 'value')] [])"),
    ("def empty? -> Boolean { True }", "(MethodDef 'empty?' [] [(Constant 'True')])"),
    ("def lambda { }", "(MethodDef 'lambda' [] [])"),
    ("{ 1 }", "(BlockLit 'brace' [] [(IntLit 1)])"),
    ("do { 1 }", "(BlockLit 'do' [] [(IntLit 1)])"),
    (
        "do (a, b: Integer) -> Integer { a }",
        "(BlockLit 'do' [(Param 'a') (Param 'b')] [(Identifier 'a')])",
    ),
    ("lambda (x) !! E { x }", "(BlockLit 'lambda' [(Param 'x')] [(Identifier 'x')])"),
    (
        "object Point { def init(x) { let @x = x } }",
        "(ObjectDef 'Point' [(MethodDef 'init' [(Param 'x')] [(LetAttr '@x' (Identifier 'x'))])])",
    ),
    (
        "object Pair!(A, B: Equal) impl Equal, Hash!(A) Debug { }",
        "(ObjectDef 'Pair' [(Constant 'Equal') (Constant 'Hash') (Constant 'Debug')] [])",
    ),
    (
        "object A { object B { } trait C { } }",
        "(ObjectDef 'A' [(ObjectDef 'B' []) (TraitDef 'C' [])])",
    ),
    (
        "trait T: A + B C { def x -> Integer\n def y { 1 } }",
        "(TraitDef 'T' [(MethodDef 'x' [] None) (MethodDef 'y' [] [(IntLit 1)])])",
    ),
    ("trait Iterator!(T) { }", "(TraitDef 'Iterator' [])"),
    ("impl T for Foo { }", "(ImplDef (Constant 'T') (Constant 'Foo') [])"),
    ("impl Foo { def x { } }", "(ImplDef None (Constant 'Foo') [(MethodDef 'x' [] [])])"),
    ("impl A::T!(Integer) for A::B { }", None),
    (
        "impl ToString for ThisModule { }",
        "(ImplDef (Constant 'ToString') (Constant 'ThisModule') [])",
    ),
]

MODULE_LEVEL = [
    ("import std::process", "(Import ['std' 'process'])"),
    (
        "import std::net::socket::TcpStream",
        "(Import ['std' 'net' 'socket'] [(ImportSymbol 'TcpStream')])",
    ),
    (
        "import std::net::socket::(self, TcpStream as Stream, bind as b)",
        "(Import ['std' 'net' 'socket'] [(ImportSymbol 'self') (ImportSymbol 'TcpStream' 'Stream') "
        "(ImportSymbol 'bind' 'b')])",
    ),
    ("import a::b::(self as m)", "(Import ['a' 'b'] [(ImportSymbol 'self' 'm')])"),
    ("import a::b::(\n  X,\n  Y\n)", "(Import ['a' 'b'] [(ImportSymbol 'X') (ImportSymbol 'Y')])"),
    ("import a::b::*", "(Import ['a' 'b'] :glob)"),
    ("import std::object::Foo", "(Import ['std' 'object'] [(ImportSymbol 'Foo')])"),
    ("![import_prelude: false]", "(Directive 'import_prelude' False)"),
    ("![define_module: true]", "(Directive 'define_module' True)"),
]

ALL = LITERALS + NAMES + SENDS + BINDINGS + CONTROL + DEFINITIONS + MODULE_LEVEL


@pytest.mark.parametrize("source,expected", [c for c in ALL if c[1] is not None])
def test_shape(source, expected):
    assert shape(source) == expected


@pytest.mark.parametrize("source", [c[0] for c in ALL if c[1] is None and "try!" not in c[0]])
def test_parses(source):
    parse(source, "t.inko")


# --- §1.8: when does a newline end an expression? -----------------------

NEWLINE_RULES = [
    # a binary operator continues on the next line, and takes its operand from it
    ("a\n+ b", "(Send (Identifier 'a') '+' [(Identifier 'b')])"),
    ("a +\nb", "(Send (Identifier 'a') '+' [(Identifier 'b')])"),
    # `.name` on a later line continues the chain
    ("foo\n  .bar\n  .baz", "(Send (Send (Identifier 'foo') 'bar') 'baz')"),
    # after a binary expression it applies to the whole expression
    (
        "x == y\n  .if_true { 1 }",
        "(Send (Send (Identifier 'x') '==' [(Identifier 'y')]) 'if_true' "
        "[(BlockLit 'brace' [] [(IntLit 1)])])",
    ),
    # on the same line it binds to the last operand
    (
        "x == y.if_true { 1 }",
        "(Send (Identifier 'x') '==' [(Send (Identifier 'y') 'if_true' "
        "[(BlockLit 'brace' [] [(IntLit 1)])])])",
    ),
    ("a + b.c\n.d", "(Send (Send (Identifier 'a') '+' [(Send (Identifier 'b') 'c')]) 'd')"),
    # CHANGES.md 2026-12-04, LANGUAGE.md §2.2 level 5: after such a send that
    # ends in a block argument without parentheses, a further `.msg` (later
    # line or same line) applies to the whole send, and so on.
    (
        "radix < 2\n  .or { radix > 36 }\n  .if_true { 1 }",
        "(Send (Send (Send (Identifier 'radix') '<' [(IntLit 2)]) 'or' "
        "[(BlockLit 'brace' [] [(Send (Identifier 'radix') '>' [(IntLit 36)])])]) "
        "'if_true' [(BlockLit 'brace' [] [(IntLit 1)])])",
    ),
    (
        "a == b\n.and { c }\n.and { d }\n.if_true { e }",
        "(Send (Send (Send (Send (Identifier 'a') '==' [(Identifier 'b')]) 'and' "
        "[(BlockLit 'brace' [] [(Identifier 'c')])]) 'and' [(BlockLit 'brace' [] "
        "[(Identifier 'd')])]) 'if_true' [(BlockLit 'brace' [] [(Identifier 'e')])])",
    ),
    (
        "a + b\n  .to_string.length",
        "(Send (Send (Send (Identifier 'a') '+' [(Identifier 'b')]) 'to_string') 'length')",
    ),
    (
        "a == b\n.and { c }.not",
        "(Send (Send (Send (Identifier 'a') '==' [(Identifier 'b')]) 'and' "
        "[(BlockLit 'brace' [] [(Identifier 'c')])]) 'not')",
    ),
    # the same for parenthesis-less arguments whose last one is a block
    (
        "x.foo 1, do (s) { s }.size",
        "(Send (Send (Identifier 'x') 'foo' [(IntLit 1) (BlockLit 'do' [(Param 's')] "
        "[(Identifier 's')])]) 'size')",
    ),
    (
        "x.foo { 1 }, { 2 }\n.c",
        "(Send (Send (Identifier 'x') 'foo' [(BlockLit 'brace' [] [(IntLit 1)]) "
        "(BlockLit 'brace' [] [(IntLit 2)])]) 'c')",
    ),
    (
        "x.foo a.b 1, { 2 }.c",
        "(Send (Identifier 'x') 'foo' [(Send (Send (Identifier 'a') 'b' [(IntLit 1) "
        "(BlockLit 'brace' [] [(IntLit 2)])]) 'c')])",
    ),
    (
        "a + b\n.c 1, { 2 }\n.d",
        "(Send (Send (Send (Identifier 'a') '+' [(Identifier 'b')]) 'c' [(IntLit 1) "
        "(BlockLit 'brace' [] [(IntLit 2)])]) 'd')",
    ),
    (
        "struct do (s) { s }.size",
        "(Send (Send None 'struct' [(BlockLit 'do' [(Param 's')] [(Identifier 's')])]) 'size')",
    ),
    # `obj.msg 1, 2` newline `.other`: `.other` attaches to `2`
    (
        "obj.msg 1, 2\n.other",
        "(Send (Identifier 'obj') 'msg' [(IntLit 1) (Send (IntLit 2) 'other')])",
    ),
    # `as` on any line
    ("x\nas T", "(Identifier 'x')"),
    # `[` indexes only on the line where the chain starts
    ("foo\n[0]", "(Identifier 'foo')\n(ArrayLit [(IntLit 0)])"),
    ("foo\n.bar[0]", "(Send (Identifier 'foo') 'bar')\n(ArrayLit [(IntLit 0)])"),
    ("x[0]", "(Send (Identifier 'x') '[]' [(IntLit 0)])"),
    ("x [1]", "(Send None 'x' [(ArrayLit [(IntLit 1)])])"),
    # `(` after a message name: arguments only on the same line, even after a space
    ("foo (1) + 2", "(Send (Send None 'foo' [(IntLit 1)]) '+' [(IntLit 2)])"),
    ("foo\n(1)", "(Identifier 'foo')\n(IntLit 1)"),
    # value tokens after a message name: arguments only on the same line after a space
    ("foo 1 + 2", "(Send None 'foo' [(Send (IntLit 1) '+' [(IntLit 2)])])"),
    ("foo\n1", "(Identifier 'foo')\n(IntLit 1)"),
    ("foo bar 1, 2", "(Send None 'foo' [(Send None 'bar' [(IntLit 1) (IntLit 2)])])"),
    ("x.foo 'a'", "(Send (Identifier 'x') 'foo' [(StrLit 'a')])"),
    ("a = b c", "(AssignLocal 'a' (Send None 'b' [(Identifier 'c')]))"),
    # `{`/`do`/`lambda` after `)`: a block argument only on the same line
    ("foo(1)\n{ 2 }", "(Send None 'foo' [(IntLit 1)])\n(BlockLit 'brace' [] [(IntLit 2)])"),
    ("foo(1) lambda { 2 }", "(Send None 'foo' [(IntLit 1) (BlockLit 'lambda' [] [(IntLit 2)])])"),
    ("foo\n{ 2 }", "(Identifier 'foo')\n(BlockLit 'brace' [] [(IntLit 2)])"),
    # `-` glued to a digit is part of the literal
    ("foo -1", "(Send None 'foo' [(IntLit -1)])"),
    ("x -1", "(Send None 'x' [(IntLit -1)])"),
    ("a-1", "(Identifier 'a')\n(IntLit -1)"),
    ("10 -1", "(IntLit 10)\n(IntLit -1)"),
    ("10 - 1", "(Send (IntLit 10) '-' [(IntLit 1)])"),
    # `return` takes a value only on its line, after a space
    ("return\nx", "(Return None)\n(Identifier 'x')"),
    ("return(1)", "(Return None)\n(IntLit 1)"),
    ("{ return }", "(BlockLit 'brace' [] [(Return None)])"),
    # `else` after try on any line
    ("try foo\n\nelse 1", "(Try (Identifier 'foo') [(IntLit 1)])"),
    # `=` after an identifier on a later line
    ("x\n= 1", "(AssignLocal 'x' (IntLit 1))"),
    # anything else starts a new statement
    ("a b\nc", "(Send None 'a' [(Identifier 'b')])\n(Identifier 'c')"),
    ("1 2", "(IntLit 1)\n(IntLit 2)"),
    ("A::B", "(ConstPath (Constant 'A') 'B')"),
    ("a::B", "(Identifier 'a')\n(ModuleGlobal 'B')"),
]


@pytest.mark.parametrize("source,expected", NEWLINE_RULES)
def test_newline_rules(source, expected):
    assert shape(source) == expected


def test_comments_and_annotations():
    module = parse("#! module doc\n## doc\nfoo # comment\nbar # => 'x'\n# => 3\n", "t.inko")
    assert dump_module(module) == "(Identifier 'foo')\n(Identifier 'bar')"
    assert module.annotations == {4: "'x'", 5: "3"}


def test_imports_are_hoisted():
    module = parse("foo\nimport a::b\nbar\n![import_prelude: false]", "t.inko")
    assert [i.path for i in module.imports] == [["a", "b"]]
    assert [type(n).__name__ for n in module.body] == ["Identifier", "Identifier"]
    assert module.directives[0].key == "import_prelude"


def test_spans_point_at_the_source():
    module = parse("let x = 1\n  foo.bar(2)\n", "dir/t.inko")
    let, send = module.body
    assert (let.span.file, let.span.line, let.span.column) == ("dir/t.inko", 1, 1)
    assert (send.span.line, send.span.column) == (2, 7)  # the message name
    assert (send.receiver.span.line, send.receiver.span.column) == (2, 3)


def test_shebang_and_crlf():
    module = parse("#!/usr/bin/env inko\r\nlet x = 1\r\nx\r\n", "t.inko")
    assert dump_module(module) == "(LetLocal 'x' (IntLit 1))\n(Identifier 'x')"
    assert module.body[1].span.line == 3


def test_node_types_are_the_contract():
    module = parse("foo(1)", "t.inko")
    assert isinstance(module, ast.Module)
    assert isinstance(module.body[0], ast.Send)


BAD = [
    ("let = 1", 1, 5, "unexpected '='"),
    ("foo(1, 2", 1, 9, "unexpected end of input; expected ')' or ','"),
    ("x = }", 1, 5, "unexpected '}'; expected a value"),
    ("{ 1", 1, 4, "expected a value or '}'"),
    ("'abc", 1, 1, "never closed"),
    ("a $ b", 1, 3, "unexpected character '$'"),
    ("a ! b", 1, 3, "'!' must be followed by"),
    ("08", 1, 1, "not a valid integer literal"),
    ("object foo { }", 1, 8, "expected a constant"),
    ("try! foo else bar", 1, 10, "unexpected 'else'"),
    ("foo\n.bar\n  .baz(1,", 3, 10, "unexpected end of input"),
    ("a + b\n.c\n.d", 3, 1, "unexpected '.'"),
    ("def foo(a b) { }", 1, 11, "unexpected 'b'"),
]


@pytest.mark.parametrize("source,line,column,message", BAD)
def test_syntax_errors(source, line, column, message):
    with pytest.raises(InkoSyntaxError) as info:
        parse(source, "bad.inko")
    err = info.value
    assert (err.line, err.column) == (line, column), err.render()
    assert message in err.message
    rendered = err.render()
    assert rendered.startswith(f"bad.inko:{line}:{column}: ")
    assert rendered.splitlines()[-1].index("^") == column + 1
