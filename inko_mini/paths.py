"""Where inko-mini's data and caches live.

The grammar and the Inko standard library sit at the top of the repository
(`grammar/`, `stdlib/`); a wheel carries copies inside the package under
`inko_mini/_data/` (setup.py puts them there), so both a checkout and an
installed wheel find them.
"""

from __future__ import annotations

import os

from inko_mini import __version__

# Defined in pycache.py, which runs before any other module and can not
# import this one (see there); every cache folder still comes from here.
from inko_mini.pycache import cache_dir as cache_dir

_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__))


def _data_dir(name: str) -> str:
    bundled = os.path.join(_PACKAGE_DIR, "_data", name)
    if os.path.isdir(bundled):
        return bundled
    return os.path.join(os.path.dirname(_PACKAGE_DIR), name)


GRAMMAR_DIR = _data_dir("grammar")
GRAMMAR_FILE = os.path.join(GRAMMAR_DIR, "inko.lark")
STDLIB_DIR = _data_dir("stdlib")
PACKAGE_DIR = _PACKAGE_DIR


def files_stamp(paths: tuple[str, ...]) -> str:
    """Changes whenever one of `paths` changes (size and modification time):
    part of the keys of caches made by inko-mini's own code."""
    parts = []
    for name in paths:
        try:
            st = os.stat(name)
            parts.append(f"{st.st_mtime_ns}:{st.st_size}")
        except OSError:
            parts.append("-")
    return ",".join(parts)


def versioned_cache_dir() -> str:
    """Cache folder for data whose format may change with inko-mini's version."""
    return cache_dir(__version__)
