"""Code generated at run time (the compiler's send and operator templates),
cached across runs in one file holding {filename and source: code object},
beside the bytecode cache of pycache.py."""

from __future__ import annotations

import marshal
import os
from types import CodeType

from inko_mini.pycache import _MAGIC, cache_dir

_templates: dict | None = None
_used: set[str] = set()  # the keys this process looked up

# More entries than this and a write keeps only this process's: the file
# holds every template that any earlier version of the generator produced
# (the source is the key), and reading it is on every start's path (a file
# grown to 1.9 MB over a few hundred changes cost 5 ms a start).
_LIMIT = 256


def _templates_path() -> str:
    return os.path.join(cache_dir("pycache"), "templates.marshal")


def compile_template(source: str, filename: str) -> CodeType:
    """`compile(source, filename, 'exec')`, cached across runs."""
    global _templates
    if _templates is None:
        _templates = {}
        try:
            with open(_templates_path(), "rb") as fh:
                data = fh.read()
            if data[:16] == _MAGIC:
                loaded = marshal.loads(data[16:])
                if type(loaded) is dict:
                    _templates = loaded
        except (OSError, ValueError, EOFError, TypeError):
            pass
    key = f"{filename}\0{source}"
    _used.add(key)
    code = _templates.get(key)
    if code is None:
        code = _templates[key] = compile(source, filename, "exec")
        if len(_templates) > _LIMIT:
            _templates = {k: c for k, c in _templates.items() if k in _used}
        try:
            os.makedirs(cache_dir("pycache"), exist_ok=True)
            tmp = f"{_templates_path()}.{os.getpid()}"
            with open(tmp, "wb") as fh:
                fh.write(_MAGIC + marshal.dumps(_templates))
            os.replace(tmp, _templates_path())
        except OSError:
            pass
    return code
