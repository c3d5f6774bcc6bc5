"""The Inko object model: objects with a prototype and attributes, blocks,
and the built-in prototypes.

Native Python values (int, float, str, list, bytearray, ...) have no
attributes of their own; their prototype is found from their Python type in
one dict lookup. True, False and Nil are Python singletons whose attributes
live on stand-in objects (TRUE_OBJ, FALSE_OBJ, NIL_OBJ), so that
`impl Nil { ... }` has somewhere to put its methods.
"""

from __future__ import annotations

from collections.abc import Iterable


class InkoObject:
    __slots__ = ("proto", "attrs")

    def __init__(self, proto=None, attrs=None):
        self.proto = proto
        self.attrs = {} if attrs is None else attrs

    def __repr__(self):
        name = lookup_attr(self, "@_object_name")
        return f"<InkoObject {name}>"


# Bumped whenever a method table changes; inline caches compare against it.
# A one-element list so closures can read it with one subscript.
VERSION = [0]


class _NoKey:
    __slots__ = ()

    def __repr__(self):
        return "<no key>"


# The inline caches of generated code (compile/codegen) are pairs of globals
# in FAST (a key, a function) that the generated code tests without reading
# VERSION: instead every bump of VERSION resets the keys filled since the
# previous one (`FILLED`, their names) to NO_KEY, which no receiver matches.
NO_KEY = _NoKey()
FILLED: list = []
# The polymorphic caches of send sites (dicts: prototype or type -> function)
# that have entries, emptied by the same bumps.
POLY: list = []


# Called with no arguments after every bump: builtins/hash_map.py keeps
# tables whose bucket array it has not built yet because no method of theirs
# can read `@buckets`; a new method might, so its hook builds them all.
BUMP_HOOKS: list = []


def bump_version():
    """A method table changed: every inline cache must look again."""
    VERSION[0] += 1
    if BUMP_HOOKS:
        for hook in BUMP_HOOKS:
            hook()
    if FILLED:
        for name in FILLED:
            _NAMESPACE[name] = NO_KEY
        FILLED.clear()
    if POLY:
        for entries in POLY:
            entries.clear()
        POLY.clear()


# Flags for the compiler's guarded fast paths: they stay True until a
# program redefines one of the built-in methods the fast paths imitate.
FAST = {"int": True, "float": True, "string": True, "cond": True, "loop": True, "array": True}
# FAST is also the generated code's namespace: the same dict, for any value.
_NAMESPACE: dict = FAST
_prelude_done = [False]

OBJECT = InkoObject(None)
OBJECT.attrs["@_object_name"] = "Object"


def _proto(name, parent=OBJECT):
    obj = InkoObject(parent)
    obj.attrs["@_object_name"] = name
    return obj


BOOLEAN = _proto("Boolean")
TRUE_OBJ = _proto("True", BOOLEAN)
FALSE_OBJ = _proto("False", BOOLEAN)
NIL_OBJ = _proto("Nil")
INTEGER = _proto("Integer")
FLOAT = _proto("Float")
STRING = _proto("String")
ARRAY = _proto("Array")
BLOCK = _proto("Block")
BYTE_ARRAY = _proto("ByteArray")
TRAIT = _proto("Trait")
MODULE = _proto("Module")
INKO = _proto("Inko")

# The names the bootstrap hands to Inko code (`_INKOC.builtin('Integer')`).
BUILTINS = {
    "Object": OBJECT,
    "Boolean": BOOLEAN,
    "True": True,
    "False": False,
    "Nil": None,
    "Integer": INTEGER,
    "Float": FLOAT,
    "String": STRING,
    "Array": ARRAY,
    "Block": BLOCK,
    "ByteArray": BYTE_ARRAY,
    "Trait": TRAIT,
    "Module": MODULE,
    "Inko": INKO,
}

# Python type -> prototype object for values without attributes of their own.
NATIVE_PROTOS: dict = {
    int: INTEGER,
    float: FLOAT,
    str: STRING,
    list: ARRAY,
    bytearray: BYTE_ARRAY,
}
_NATIVE_KINDS: dict = {}


def register_native_kind(kind: str, pytype) -> None:
    """Declare that Python values of `pytype` are the VM objects called `kind`."""
    _NATIVE_KINDS[kind] = pytype
    NATIVE_PROTOS.setdefault(pytype, OBJECT)


def set_native_prototype(kind: str, proto) -> None:
    pytype = _NATIVE_KINDS.get(kind)
    if pytype is None:
        raise KeyError(kind)
    NATIVE_PROTOS[pytype] = proto
    bump_version()


def holder(value):
    """The object whose attributes `value` has (where lookup starts)."""
    t = type(value)
    if t is InkoObject:
        return value
    if t is bool:
        return TRUE_OBJ if value else FALSE_OBJ
    if value is None:
        return NIL_OBJ
    proto = NATIVE_PROTOS.get(t)
    if proto is None:
        proto = _native_proto_slow(t)
    return proto


def _native_proto_slow(t):
    for base in t.__mro__[1:]:
        proto = NATIVE_PROTOS.get(base)
        if proto is not None:
            NATIVE_PROTOS[t] = proto
            return proto
    NATIVE_PROTOS[t] = OBJECT
    return OBJECT


def has_own_attrs(value) -> bool:
    t = type(value)
    return t is InkoObject or t is bool or value is None


def prototype_of(value):
    t = type(value)
    if t is InkoObject:
        return value.proto
    if t is bool:
        return BOOLEAN
    if value is None:
        return OBJECT
    return holder(value)


def lookup_from(obj, name):
    """Find attribute `name` starting at object `obj`, walking prototypes."""
    while obj is not None:
        v = obj.attrs.get(name, _MISSING)
        if v is not _MISSING:
            return v
        obj = obj.proto
    return _MISSING


def lookup_attr(value, name):
    """Attribute `name` of `value` via prototypes, or _MISSING."""
    return lookup_from(holder(value), name)


def responds_to(value, name) -> bool:
    return lookup_from(holder(value), name) is not _MISSING


class _Missing:
    __slots__ = ()

    def __repr__(self):
        return "<missing>"


_MISSING = _Missing()
MISSING = _MISSING


def sync_attrs(value) -> None:
    """Make the attributes of `value` its real ones before code other than
    their owner's primitives reads or writes them one by one (reflection,
    a message copy): a HashMap table may hold its bucket layout as a log
    (builtins/hash_map.py `LazyTable`) in its attribute `_key_index`."""
    attrs = getattr(value, "attrs", None)
    if type(attrs) is dict:
        materialise = getattr(attrs.get("_key_index"), "materialise", None)
        if materialise is not None:
            materialise()


def get_attr(value, name):
    """Attribute `name` (own or inherited) of `value`; Nil when absent."""
    v = lookup_from(holder(value), name)
    return None if v is _MISSING else v


def set_attr(value, name, new):
    """Store an attribute; Integer, Float and String ignore writes (LANGUAGE §3.1)."""
    t = type(value)
    if t is InkoObject:
        obj = value
    elif t is bool:
        obj = TRUE_OBJ if value else FALSE_OBJ
    elif value is None:
        obj = NIL_OBJ
    elif t in (int, float, str):
        return None
    else:
        obj = holder(value)
    attrs = obj.attrs
    if name[0] != "@":
        old = attrs.get(name, _MISSING)
        if type(new) is Block or type(old) is Block:
            bump_version()
            if _prelude_done[0]:
                _note_redefinition(obj, name)
        elif old is not new:
            # A new constant may shadow a name that inline caches resolved
            # elsewhere (a global, an inherited attribute); a constant run
            # again (`let X` in a method) or set through a mirror replaces
            # a value that the constant caches of generated code hold.
            bump_version()
    attrs[name] = new
    return new


# Names whose built-in behaviour the compiler inlines, by the flag guarding it.
# The operator sets of "int", "float" and "string" are filled by the back
# ends from their own tables (`guard_operators`), so that no operator a
# compiler inlines can be missing here (a hand copy once lacked & | ^ >>).
_GUARDED = {
    "int": (set(), "INTEGER"),
    "float": (set(), "FLOAT"),
    "string": (set(), "STRING"),
    "cond": (
        {"if", "if_true", "if_false", "and", "or", "!="},
        ("TRUE_OBJ", "FALSE_OBJ", "NIL_OBJ", "BOOLEAN", "OBJECT"),
    ),
    "loop": ({"while_true", "while_false", "loop", "call"}, "BLOCK"),
    # Array#each and #each_with_index, run in line by the code generator.
    "array": ({"each", "each_with_index"}, "ARRAY"),
}


def guard_operators(flag: str, names: Iterable[str]) -> None:
    """A back end inlines these operators of Integer ("int"), Float ("float")
    or String ("string"): redefining one of them turns the fast path off."""
    _GUARDED[flag][0].update(names)


def _note_redefinition(obj, name):
    for flag, (names, owners) in _GUARDED.items():
        if name not in names:
            continue
        if isinstance(owners, str):
            owners = (owners,)
        if any(obj is globals()[o] for o in owners) or obj is OBJECT:
            FAST[flag] = False
            for guard in GUARD_NAMES.get(flag, ()):
                _NAMESPACE[guard] = NO_KEY


# The names in FAST that generated code (compile/codegen) compares values or
# their types with, per flag: `type(x) is _I` instead of `type(x) is int and
# FAST["int"]`. Turning a flag off makes them NO_KEY, which nothing is.
GUARD_NAMES = {
    "int": ("_I",),
    "float": ("_FL",),
    "string": ("_S",),
    "cond": ("_TRUE", "_FALSE", "_NIL"),
    "array": ("_L",),
}


def prelude_loaded():
    _prelude_done[0] = True


class Block:
    """A method, closure or lambda: compiled code plus what it captured.

    `parent` is the frame a closure captured (None for methods and lambdas);
    `receiver` is the captured `self` (closures, lambdas), or None for
    methods, which take `self` from the send.
    """

    __slots__ = ("code", "parent", "receiver", "literal")

    def __init__(self, code, parent=None, receiver=None, literal=False):
        self.code = code
        self.parent = parent
        self.receiver = receiver
        # True for a brace block literal: lambda inference may apply to it.
        self.literal = literal

    def __repr__(self):
        return f"<Block {self.code.name}>"


def new_object(proto):
    return InkoObject(proto)


def object_name(value) -> str:
    name = lookup_attr(value, "@_object_name")
    return name if type(name) is str else "Object"


NATIVE_PROTOS[Block] = BLOCK
