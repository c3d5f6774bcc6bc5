"""`inko-mini repl`: read a statement, run it, print the inspect of its value.

One module (`main`) lives for the whole session, so top-level locals,
methods and objects defined earlier stay visible. Each input runs as the
main process of its own short program run; a panic prints its report and
the prompt comes back. In a terminal the line editor of cli/prompt.py reads
the input (history, completion, highlighting); from a pipe, plain lines.
"""

from __future__ import annotations

import os
import sys

from inko_mini import driver as runner
from inko_mini.compile.modules import Loader
from inko_mini.compile.repl_inputs import inputs_for
from inko_mini.compile.scope import ModuleContext
from inko_mini.errors import InkoLoadError, InkoSyntaxError, decode_source
from inko_mini.paths import STDLIB_DIR
from inko_mini.runtime import processes
from inko_mini.runtime.hints import _names_of_chain
from inko_mini.runtime.objects import MISSING, bump_version, lookup_attr
from inko_mini.runtime.output import flush_all
from inko_mini.runtime.sends import send_dyn
from inko_mini.runtime.signals import ExitProgram, InkoCompileError
from inko_mini.syntax import parser

HELP = """\
Type an Inko statement to run it and see the inspect of its value; locals,
methods and objects stay defined for the rest of the session. A statement
continues on the next line while a bracket or block is open.
  :help         this text
  :load FILE    run FILE in this session (its definitions stay)
  :reset        forget the session's locals and definitions
  Tab completes names, `value.` methods and `import` paths; Up/Down recall
  history; Ctrl-C clears the line; Ctrl-D (or an empty line at EOF) exits."""


def _incomplete(exc: InkoSyntaxError, source: str) -> bool:
    text = exc.message.lower()
    return "end of input" in text or "unexpected $end" in text or "eof" in text


class _Session:
    """The `main` module of the REPL and the frame its statements run in."""

    def __init__(self, loader) -> None:
        self.loader = loader
        self.ctx = ModuleContext("main", "<repl>", "main")
        loader.modules["main"] = self.ctx
        self.inputs = inputs_for(self.ctx)
        self.ready = False

        def setup():
            loader.run_module(parser.parse("", "<repl>"), self.ctx)
            self.ready = True

        processes.run_main(setup)

    def run(self, source: str, file: str = "<repl>") -> int | None:
        """Run one statement; None to go on, else the status to exit with."""

        try:
            tree = parser.parse(source, file)
        except InkoSyntaxError as exc:
            print(exc.render(), file=sys.stderr)
            return None
        try:
            for imp in tree.imports:
                self.loader.bind_import(imp, self.ctx.globals)
            if tree.imports:
                # Inline caches keep the globals bare identifiers and
                # constants read; an import may rebind one of those names.
                bump_version()
            body = self.inputs.compile(tree)
        except (InkoLoadError, InkoCompileError) as exc:
            print(exc.render(), file=sys.stderr)
            return None
        result = {}

        def run():
            value = body()
            result["text"] = send_dyn(value, "inspect", [])

        try:
            status = processes.run_main(run)
        except ExitProgram as exc:
            return exc.status
        flush_all()
        if "text" in result:
            print(result["text"])
        elif status == 130:
            print("interrupted", file=sys.stderr)
        elif status not in (0, 1):
            return status
        return None

    # -- what the completer asks ---------------------------------------------

    def local_names(self) -> list[str]:
        names = self.inputs.names()
        names += [n for n in self.ctx.globals if type(n) is str]
        module = self.ctx.module
        if module is not None:
            names += _names_of_chain(module)
        return [n for n in names if not n.startswith(("@", "_"))]

    def value_of(self, receiver: str):
        """The value a receiver written as `receiver` has (or None if unknown)."""
        if receiver == "]":
            return []
        if receiver[0] in "'\"":
            return ""
        if receiver.lstrip("-")[:1].isdigit():
            return 0.0 if "." in receiver else 0
        found, value = self.inputs.value_of(receiver)
        if found:
            return value
        if receiver in self.ctx.globals:
            return self.ctx.globals[receiver]
        value = lookup_attr(self.ctx.module, receiver)
        return None if value is MISSING else value

    def members(self, receiver: str) -> list[str]:
        value = self.value_of(receiver)
        if value is None and receiver != "Nil":
            return []
        return sorted(_names_of_chain(value))


_MODULE_PATHS: dict = {}


def _module_paths(include) -> list[str]:
    """`a::b` names of the modules an `import` can reach (looked up once per
    session: the folder the REPL runs in may be large)."""
    key = (os.getcwd(), tuple(include))
    if key not in _MODULE_PATHS:
        _MODULE_PATHS[key] = _find_modules([os.getcwd(), *include])
    return _MODULE_PATHS[key]


def _find_modules(roots) -> list[str]:
    found: set[str] = set()
    for root in [STDLIB_DIR, *roots]:
        root = os.path.abspath(root)
        for visited, (folder, dirs, files) in enumerate(os.walk(root)):
            if visited > 2000:  # a huge folder: what was seen so far will do
                break
            depth = folder[len(root) :].count(os.sep)
            dirs[:] = [d for d in dirs if not d.startswith(".") and depth < 4]
            for name in files:
                if name.endswith(".inko"):
                    rel = os.path.relpath(os.path.join(folder, name[:-5]), root)
                    found.add(rel.replace(os.sep, "::"))
            if len(found) > 5000:
                break
    return sorted(found)


def prompt_module():
    """inko_mini/cli/prompt.py, imported only by interactive sessions:
    prompt_toolkit takes about a tenth of a second to import."""
    from inko_mini.cli import prompt

    return prompt


def _complete(text: str) -> bool:
    """Is `text` a whole statement (not one that goes on, like `def f {`)?"""
    try:
        parser.parse(text, "<repl>")
    except InkoSyntaxError as exc:
        return not _incomplete(exc, text)
    return True


def _load(session: _Session, path: str) -> int | None:
    try:
        with open(path, "rb") as fh:
            source = decode_source(fh.read(), path)
    except OSError as exc:
        print(f"inko-mini: can not read {path}: {exc.strerror or exc}", file=sys.stderr)
        return None
    except InkoSyntaxError as exc:
        print(exc.render(), file=sys.stderr)
        return None
    return session.run(source, path)


def _read(editor, interactive: bool, prompt: str) -> str | None:
    """The next input (None at the end); KeyboardInterrupt on Ctrl-C."""
    try:
        if editor is not None:
            return editor.read()
        if interactive:
            return input(prompt)
        line = sys.stdin.readline()
        return line.rstrip("\n") if line else None
    except EOFError:
        return None
    except UnicodeDecodeError:
        print("inko-mini: the input is not UTF-8; line dropped", file=sys.stderr)
        return ""


def _command(line: str, sessions: list, loader) -> int | None:
    """Run a `:command`; None to go on, else the status to exit with."""
    name, _, argument = line.strip().partition(" ")
    if name == ":help":
        print(HELP)
    elif name == ":reset":
        sessions[:] = [_Session(loader)]
        print("session reset")
    elif name == ":load" and argument.strip():
        return _load(sessions[-1], argument.strip())
    else:
        print(f"unknown command {line.strip()!r}; :help lists the commands", file=sys.stderr)
    return None


def main(include=()) -> int:
    runner._prepare(include, [])
    loader = Loader(os.getcwd(), include)
    prelude = {"ok": False}

    def load_prelude():
        runner._load_prelude(loader)
        prelude["ok"] = True

    status = processes.run_main(load_prelude)
    if not prelude["ok"]:
        return status or 1
    sessions = [_Session(loader)]  # the current one is last (:reset adds one)
    if not sessions[-1].ready:
        return 1
    editor = None
    interactive = sys.stdin.isatty()
    if interactive:
        prompt = prompt_module()
        completer = prompt.InkoCompleter(
            lambda: sessions[-1].local_names(),
            lambda receiver: sessions[-1].members(receiver),
            lambda: _module_paths(include),
        )
        editor = prompt.open_editor(_complete, completer)
    else:
        try:  # pasted bytes that are not UTF-8 must not end the session
            # (stdin may be any TextIO without reconfigure: AttributeError below)
            sys.stdin.reconfigure(errors="replace")  # type: ignore[union-attr]
        except (AttributeError, ValueError):
            pass
    buffer = ""
    while True:
        try:
            line = _read(editor, interactive, "... " if buffer else "> ")
        except KeyboardInterrupt:
            buffer = ""
            print()
            continue
        if line is None:
            return 0
        if not buffer and line.lstrip().startswith(":"):
            outcome = _command(line, sessions, loader)
            if outcome is not None:
                return outcome
            continue
        buffer += line + "\n"
        if not buffer.strip():
            buffer = ""
            continue
        if editor is None and not _complete(buffer) and line.strip():
            continue
        source, buffer = buffer, ""
        try:
            outcome = sessions[-1].run(source)
        except KeyboardInterrupt:  # Ctrl-C while a statement runs
            print("interrupted", file=sys.stderr)
            continue
        if outcome is not None:
            return outcome
