"""The code generator: each Inko method, closure, lambda and body becomes
one Python function (see gen.py); cache.py keeps the generated code of each
module on disk, repl.py compiles the REPL's inputs and hooks.py adds the
checks of `--check-annotations`. It is the back end unless
INKO_MINI_BACKEND=closures picks the older closure compiler
(compile/compiler.py), kept until it is deleted.

gen.py (with the AST and the builtins table) is imported only when a module
has to be generated: a start whose modules are all cached never loads it.
"""

from __future__ import annotations

import os


def enabled() -> bool:
    return os.environ.get("INKO_MINI_BACKEND", "codegen") != "closures"
