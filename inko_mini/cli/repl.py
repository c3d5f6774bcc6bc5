"""`inko-mini repl`: read a statement, run it, print the inspect of its value.

One module (`main`) lives for the whole session, so top-level locals,
methods and objects defined earlier stay visible. Each input runs as the
main process of its own short program run; a panic prints its report and
the prompt comes back.
"""

from __future__ import annotations

import os
import sys

from inko_mini.errors import InkoLoadError, InkoSyntaxError


def _incomplete(exc: InkoSyntaxError, source: str) -> bool:
    text = exc.message.lower()
    return "end of input" in text or "unexpected $end" in text or "eof" in text


def main(include=()) -> int:
    from inko_mini import driver as runner
    from inko_mini.compile.compiler import Compiler, ModuleContext, Scope, send_dyn
    from inko_mini.compile.modules import Loader
    from inko_mini.runtime import processes
    from inko_mini.runtime.output import flush_all
    from inko_mini.runtime.signals import ExitProgram, InkoCompileError
    from inko_mini.syntax import parser

    runner._prepare(include, [])
    loader = Loader(os.getcwd(), include)
    ctx = ModuleContext("main", "<repl>", "main")
    loader.modules["main"] = ctx
    scope = Scope("module")
    frame: list = [None, None, None]
    state = {"ready": False}

    def setup():
        runner._load_prelude(loader)
        empty = parser.parse("", "<repl>")
        loader.run_module(empty, ctx)
        frame[1] = ctx.module
        state["ready"] = True

    status = processes.run_main(setup)
    if not state["ready"]:
        return status or 1
    interactive = sys.stdin.isatty()
    buffer = ""
    while True:
        prompt = "... " if buffer else "> "
        try:
            if interactive:
                line = input(prompt)
            else:
                line = sys.stdin.readline()
                if not line:
                    break
                line = line.rstrip("\n")
        except EOFError:
            break
        except KeyboardInterrupt:
            buffer = ""
            print()
            continue
        buffer += line + "\n"
        if not buffer.strip():
            buffer = ""
            continue
        try:
            tree = parser.parse(buffer, "<repl>")
        except InkoSyntaxError as exc:
            if _incomplete(exc, buffer) and line.strip():
                continue
            print(exc.render(), file=sys.stderr)
            buffer = ""
            continue
        buffer = ""
        try:
            for imp in tree.imports:
                loader.bind_import(imp, ctx.globals)
            body = Compiler(ctx).body(tree.body, scope)
        except (InkoLoadError, InkoCompileError) as exc:
            print(exc.render(), file=sys.stderr)
            continue
        frame.extend([None] * (3 + scope.nslots - len(frame)))
        result = {}

        def run():
            value = body(frame)
            result["text"] = send_dyn(value, "inspect", [])

        try:
            status = processes.run_main(run)
        except ExitProgram as exc:
            return exc.status
        flush_all()
        if "text" in result:
            print(result["text"])
        elif status not in (0, 1):
            return status
    return 0
