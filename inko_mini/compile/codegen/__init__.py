"""The code generator: each Inko method, closure, lambda and body becomes
one Python function (see gen.py); cache.py keeps the generated code of each
module on disk. Selected with INKO_MINI_BACKEND=codegen.

gen.py (with the AST and the builtins table) is imported only when a module
has to be generated: a start whose modules are all cached never loads it.
"""

from __future__ import annotations

import os


def enabled() -> bool:
    return os.environ.get("INKO_MINI_BACKEND") == "codegen"
