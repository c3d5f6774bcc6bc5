"""AST nodes for Inko 0.4.0.

The parser (inko_mini/parser.py) builds these from the Lark tree and the
compiler (inko_mini/compiler.py) turns them into closures. Neither side ever
sees the other's data structures: this module is the contract between them.

Every node carries a `span` (file, line, column; 1-based) so that errors and
stack traces can point at the source. Type annotations, `as` casts, `*`
unpacking, doc comments and type arguments have no run-time effect and are
dropped by the parser (they do not appear here).
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Span:
    file: str
    line: int
    column: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}"


@dataclass(slots=True, eq=False)
class Node:
    span: Span


# --- literals -----------------------------------------------------------


@dataclass(slots=True, eq=False)
class IntLit(Node):
    # 10, 0xff, -5, 1_000
    value: int


@dataclass(slots=True, eq=False)
class FloatLit(Node):
    # 1.5, -2.0e3
    value: float


@dataclass(slots=True, eq=False)
class StrLit(Node):
    # 'abc', "a\n" (escapes already resolved per LANGUAGE.md §1.6)
    value: str


@dataclass(slots=True, eq=False)
class ArrayLit(Node):
    # [a, b]
    items: list


@dataclass(slots=True, eq=False)
class HashLit(Node):
    # %[k: v, k2: v2]  -> list of (key_node, value_node)
    pairs: list


# --- names --------------------------------------------------------------


@dataclass(slots=True, eq=False)
class SelfRef(Node):
    # self
    pass


@dataclass(slots=True, eq=False)
class Identifier(Node):
    # x   (bare identifier, no arguments: local, else self.x, else module.x,
    #      else module global x; LANGUAGE.md §3.4)
    name: str


@dataclass(slots=True, eq=False)
class Constant(Node):
    # X   (attribute X of self via prototypes, else global X)
    name: str


@dataclass(slots=True, eq=False)
class ConstPath(Node):
    # A::B  (attribute B of the receiver, Nil when absent)
    receiver: Node
    name: str


@dataclass(slots=True, eq=False)
class ModuleGlobal(Node):
    # ::name
    name: str


@dataclass(slots=True, eq=False)
class AttrRef(Node):
    # @name   (name includes the '@')
    name: str


# --- sends --------------------------------------------------------------


@dataclass(slots=True, eq=False)
class Send(Node):
    # recv.name(args, key: value) / name(args) / a + b / x[i] / x[i] = v
    # receiver None: a receiver-less send with arguments (goes to self if it
    # responds, else to the module). Operators, `[]` and `[]=` are sends
    # named by their text. A trailing block is the last positional arg.
    # `name` includes a setter's '=' (`a.b = v` is Send(a, 'b=', [v])).
    receiver: Node | None
    name: str
    args: list = field(default_factory=list)
    # list of (keyword_name: str, value_node)
    kwargs: list = field(default_factory=list)


# --- blocks and methods -------------------------------------------------


@dataclass(slots=True, eq=False)
class Param(Node):
    # [*][mut] name [: Type] [= default]
    name: str
    default: Node | None = None
    rest: bool = False
    mutable: bool = False
    # True when the declared type is a lambda type (`lambda`, `lambda (T) -> R`);
    # a brace-block argument bound to such a parameter becomes a lambda.
    lambda_type: bool = False


@dataclass(slots=True, eq=False)
class BlockLit(Node):
    # { body }                -> kind 'brace' (closure, or lambda by inference)
    # do (params) { body }    -> kind 'do'
    # lambda (params) { body } -> kind 'lambda'
    kind: str
    params: list
    body: list


@dataclass(slots=True, eq=False)
class MethodDef(Node):
    # def name(params) { body }; body None = required method (no body)
    name: str
    params: list
    body: list | None


# --- bindings -----------------------------------------------------------


@dataclass(slots=True, eq=False)
class LetLocal(Node):
    # let [mut] x = value
    name: str
    value: Node
    mutable: bool = False


@dataclass(slots=True, eq=False)
class LetAttr(Node):
    # let [mut] @x = value
    name: str
    value: Node
    mutable: bool = False


@dataclass(slots=True, eq=False)
class LetConst(Node):
    # let X = value
    name: str
    value: Node


@dataclass(slots=True, eq=False)
class AssignLocal(Node):
    # x = value ; `x += 1` arrives as AssignLocal(x, Send(Identifier(x), '+', [1]))
    name: str
    value: Node


@dataclass(slots=True, eq=False)
class AssignAttr(Node):
    # @x = value ; `@x += 1` desugared like AssignLocal
    name: str
    value: Node


# --- control flow -------------------------------------------------------


@dataclass(slots=True, eq=False)
class Return(Node):
    # return [value]
    value: Node | None


@dataclass(slots=True, eq=False)
class Throw(Node):
    # throw value
    value: Node


@dataclass(slots=True, eq=False)
class Try(Node):
    # try expr
    # try expr else [(name)] body      (else_body is a list of nodes)
    # try! expr                         (bang=True, no else)
    expr: Node
    else_body: list | None = None
    else_name: str | None = None
    bang: bool = False


# --- definitions --------------------------------------------------------


@dataclass(slots=True, eq=False)
class ObjectDef(Node):
    # object Name [impl T1, T2] { body }   (impls are Constant/ConstPath nodes)
    name: str
    impls: list
    body: list


@dataclass(slots=True, eq=False)
class TraitDef(Node):
    # trait Name [: A + B] { body }
    name: str
    body: list


@dataclass(slots=True, eq=False)
class ImplDef(Node):
    # impl Trait for Target { body }  -> trait = Constant/ConstPath node
    # impl Target { body }            -> trait = None
    trait: Node | None
    target: Node
    body: list


# --- module level -------------------------------------------------------


@dataclass(slots=True, eq=False)
class ImportSymbol(Node):
    # name [as alias]; name 'self' means the module itself
    name: str
    alias: str | None = None


@dataclass(slots=True, eq=False)
class Import(Node):
    # import a::b                -> path ['a','b'], symbols None, glob False
    # import a::b::C             -> path ['a','b'], symbols [ImportSymbol('C')]
    # import a::b::(self, X as Y)-> path ['a','b'], symbols [...]
    # import a::b::*             -> path ['a','b'], glob True
    path: list
    symbols: list | None = None
    glob: bool = False


@dataclass(slots=True, eq=False)
class Directive(Node):
    # ![key: value]  (value: True/False for true/false, else the identifier)
    key: str
    value: object


@dataclass(slots=True, eq=False)
class Module(Node):
    # The whole file. `imports` are hoisted out of `body` (they run first, in
    # source order); `body` holds every other top-level statement in order.
    # `annotations` maps a line number to the source text right of `# =>`
    # on that line, for documentation tests (see doctest/).
    imports: list
    directives: list
    body: list
    annotations: dict = field(default_factory=dict)
