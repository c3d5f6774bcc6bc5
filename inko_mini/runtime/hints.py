"""Hints printed after a panic report, for readers who did not write 0.4.0's VM.

The panic text and stack trace stay exactly those of Inko 0.4.0 (programs
and the conformance tests rely on them). Where the text says little — an
unknown message reads `ObjectValue::as_block() called on a non block
object` — the place that raises the panic attaches what it knows to the
PanicSignal (`signal.hint`, a tuple), and the report writer adds `hint:`
lines computed here, on stderr after the trace.

Kinds of `signal.hint`:
- ("message", receiver, name, implicit, ctx): no method `name` for
  `receiver`; `implicit` when the send had no receiver (a bare name), `ctx`
  the ModuleContext of the send (its globals are candidates too);
- ("arity", name, code): a send with the wrong number of arguments;
- ("try", frames_of_the_throw, try_file, try_line): a `try!` that panicked;
- ("constant", self, name, ctx): an undefined constant (only "did you mean").

Hints are off with `--no-hints` or the environment variable
INKO_MINI_NO_HINTS=1 (which the CLI sets, so processes it starts inherit it).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable
from typing import Any

from inko_mini.runtime import objects

ENV = "INKO_MINI_NO_HINTS"

# (file, line, name) of a send without receiver -> the compile-time Scope
# dicts visible there, so that "did you mean" can offer locals.
_SCOPES: dict[tuple[str, int, str], tuple[Any, tuple[dict, ...]]] = {}


def enabled() -> bool:
    return os.environ.get(ENV, "").strip() in ("", "0")


def note_scope(file: str, line: int, name: str, scope: Any) -> None:
    """Called by the compiler for a send without receiver (cheap: no copy of names)."""
    if scope is not None:
        _SCOPES[(file, line, name)] = (scope, tuple(scope.dicts))


# file -> a function that notes the scopes of that file, for modules loaded
# from the code cache (compile/codegen/cache.py), which skip generation.
_LAZY: dict[str, Any] = {}


def note_lazy(file: str, regenerate: Any) -> None:
    _LAZY[file] = regenerate


def attach(signal: BaseException, *data: Any) -> BaseException:
    try:
        signal.hint = data  # type: ignore[attr-defined]
    except AttributeError:
        pass
    return signal


# -- called where panics are raised -----------------------------------------


def _inspect_send(frame: Any) -> tuple[bool, Any]:
    """(was the failing send `name(...)` without a receiver, its module
    context), read from the variables of the send closure above `frame`:
    implicit sends hold two different sites (`site`/`self_site` and
    `mod_site`)."""
    f = frame
    invoked = None  # the SendSite whose `invoke` found no method
    for _ in range(4):
        f = f.f_back
        if f is None:
            break
        loc = f.f_locals
        site = loc.get("self_site", loc.get("site"))
        if type(site).__name__ != "SendSite":
            if invoked is None and type(loc.get("self")).__name__ == "SendSite":
                invoked = loc["self"]
            elif invoked is not None:
                # The caller of `invoke` holds no site of its own: generated
                # code or its cached send closure, which make only explicit
                # sends (an implicit one keeps `site` and `mod_site`). Looking
                # further up would find the send that called this method.
                return False, getattr(invoked, "ctx", None)
            continue
        ctx = getattr(site, "ctx", None)
        implicit = loc.get("implicit")
        if type(implicit) is bool:
            return implicit, ctx
        if "self_site" in loc:
            return True, ctx
        return "mod_site" in loc and loc["mod_site"] is not site, ctx
    return False, None


def note_unknown_message(signal: BaseException, receiver: Any, name: str) -> None:
    try:
        implicit, ctx = _inspect_send(sys._getframe(1))
    except Exception:
        implicit, ctx = False, None
    attach(signal, "message", receiver, name, implicit, ctx)


def note_try(signal: BaseException, frames: list, try_file: str, try_line: int) -> None:
    """In `try!`'s handler: where the caught throw came from (`frames`, the
    trace of the thrown value)."""
    attach(signal, "try", frames, try_file, try_line)


# -- computing the text ------------------------------------------------------


def _type_name(value: Any) -> str:
    if value is None:
        return "Nil"
    if value is True or value is False:
        return "Boolean"
    if type(value) is objects.InkoObject:
        own = value.attrs.get("@_object_name")
        if type(own) is str:  # a prototype itself, e.g. `Array.lenght`
            return own
    return objects.object_name(value)


def _names_of_chain(value: Any) -> set[str]:
    names: set[str] = set()
    obj = objects.holder(value)
    seen = 0
    while obj is not None and seen < 50:
        names.update(k for k in obj.attrs if type(k) is str and not k.startswith("@"))
        obj = obj.proto
        seen += 1
    return names


def _scope_names(file: str, line: int, name: str) -> set[str]:
    entry = _SCOPES.get((file, line, name))
    if entry is None and file in _LAZY:
        try:
            _LAZY.pop(file)()
        except Exception:  # a hint is a nicety: never let it hide the panic
            pass
        entry = _SCOPES.get((file, line, name))
    names: set[str] = set()
    if entry is None:
        return names
    scope, dicts = entry
    for _ in range(50):
        for d in dicts:
            names.update(k for k in d if type(k) is str)
        outer = getattr(scope, "outer", None)
        if outer is None:
            break
        scope, dicts = outer
    return names


def _distance(a: str, b: str) -> int:
    """Edit distance counting a swap of neighbours as one edit (`valeu`)."""
    rows = [list(range(len(b) + 1))]
    for i in range(1, len(a) + 1):
        row = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = a[i - 1] != b[j - 1]
            row[j] = min(rows[-1][j] + 1, row[j - 1] + 1, rows[-1][j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                row[j] = min(row[j], rows[-2][j - 2] + 1)
        rows.append(row)
    return rows[-1][-1]


def closest(name: str, candidates: Iterable[str]) -> str | None:
    """The candidate nearest to `name` within edit distance 2 (1 for names
    of up to 4 characters, where 2 edits make anything look alike; difflib's
    ratio breaks ties), or None. Operators get no suggestion: `**` is not a
    misspelt `*`."""
    if not name or not (name[0].isalpha() or name[0] == "_"):
        return None
    limit = 1 if len(name) <= 4 else 2
    pool = [c for c in set(candidates) if c != name and c and (c[0].isalpha() or c[0] == "_")]
    near = [c for c in pool if abs(len(c) - len(name)) <= limit and _distance(c, name) <= limit]
    if not near:
        return None
    import difflib

    ranked = difflib.get_close_matches(name, near, n=1, cutoff=0.0)
    return ranked[0] if ranked else None


def _message_hint(receiver: Any, name: str, implicit: bool, ctx: Any, frames: list) -> list[str]:
    if implicit:
        lines = [f"hint: no local, constant or method named '{name}' here"]
        candidates = _names_of_chain(receiver)
        if frames:
            file, line, _ = frames[-1]
            candidates |= _scope_names(file, line, name)
        candidates |= _module_names(ctx)
    else:
        kind = _type_name(receiver)
        if kind == "Module":  # name it as the importing module does
            for key, value in (getattr(ctx, "globals", None) or {}).items():
                if value is receiver and type(key) is str:
                    kind = f"the module {key}"
                    break
        lines = [f"hint: {kind} has no method '{name}'"]
        candidates = _names_of_chain(receiver)
    suggestion = closest(name, candidates)
    if suggestion is not None:
        lines.append(f"hint: did you mean '{suggestion}'?")
    return lines


def _module_names(ctx: Any) -> set[str]:
    """Globals (imports, constants) and methods of the module of the send."""
    names = {k for k in getattr(ctx, "globals", None) or () if type(k) is str}
    module = getattr(ctx, "module", None)
    if module is not None:
        names |= _names_of_chain(module)
    return names


def _constant_hint(receiver: Any, name: str, ctx: Any) -> list[str]:
    candidates = {c for c in _names_of_chain(receiver) | _module_names(ctx) if c[:1].isupper()}
    suggestion = closest(name, candidates)
    if suggestion is None:
        return []
    return [f"hint: did you mean '{suggestion}'?"]


def _parameters(code: Any) -> str:
    parts = []
    for p in getattr(code, "params", ()):
        text = ("*" if p.rest else "") + p.name
        if p.default is not None:
            text += " = ..."
        parts.append(text)
    return "(" + ", ".join(parts) + ")"


def _where(file: str, line: int) -> str:
    return f"{file}, line {line}"


def _arity_hint(name: str, code: Any) -> list[str]:
    params = _parameters(code)
    text = f"hint: {name} is defined as {name}{params}" if params != "()" else None
    if text is None:
        text = f"hint: {name} takes no arguments"
    file = getattr(code, "file", "<builtin>")
    if file != "<builtin>":
        text += f" ({_where(file, code.line)})"
    return [text]


def _try_hint(frames: list, try_file: str, try_line: int) -> list[str]:
    # The frames of the throw, oldest first; the try! is in the last frame
    # at `try_line` of `try_file`; the first frame after it is the operation.
    index = None
    for i in range(len(frames) - 1, -1, -1):
        file, line, _ = frames[i]
        if file == try_file and line == try_line:
            index = i
            break
    inner = frames[index + 1 :] if index is not None else []
    at = _where(try_file, try_line)
    if not inner:
        return [f"hint: the value was thrown at {at}, and try! turned the throw into a panic"]
    operation = inner[0][2]
    file, line, _ = inner[-1]
    return [
        f"hint: '{operation}' threw it (the throw is at {_where(file, line)}); "
        f"try! at {at} turned the throw into a panic"
    ]


def hint_lines(signal: BaseException, frames: list | None = None) -> list[str]:
    data = getattr(signal, "hint", None)
    if not data:
        return []
    kind = data[0]
    frames = frames or getattr(signal, "frames", None) or []
    if kind == "message":
        return _message_hint(data[1], data[2], data[3], data[4], frames)
    if kind == "constant":
        return _constant_hint(data[1], data[2], data[3])
    if kind == "arity":
        return _arity_hint(data[1], data[2])
    if kind == "try":
        return _try_hint(data[1], data[2], data[3])
    return []


def write_hints(signal: BaseException | None, frames: list | None = None) -> None:
    """Print the hints of `signal` to stderr; never raises."""
    if signal is None or not enabled():
        return
    try:
        lines = hint_lines(signal, frames)
    except Exception:  # a hint is best effort; the report is already out
        return
    if lines:
        try:
            sys.stderr.write("\n".join(lines) + "\n")
            sys.stderr.flush()
        except (OSError, ValueError):
            pass
