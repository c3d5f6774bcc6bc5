"""The code generator: each Inko method, closure, lambda and body becomes
one Python function (see gen.py). Selected with INKO_MINI_BACKEND=codegen."""

from __future__ import annotations

import os
from typing import Any

from inko_mini.compile.codegen.gen import Gen, Unsupported

__all__ = ["Unsupported", "compile_module", "enabled"]


def enabled() -> bool:
    return os.environ.get("INKO_MINI_BACKEND") == "codegen"


def compile_module(ctx: Any, tree: Any, name: str) -> Any:
    """The module body of `tree` as a Code (kind 'module') for run_frame."""
    return Gen(ctx).compile_module(tree, name)
