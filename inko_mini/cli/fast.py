"""The `inko-mini` command's entry point (and `python -m inko_mini`'s).

Plain `run` command lines are handled by fastrun.py without importing
click. When Python may not write bytecode this module is compiled from
source at every start (pycache.py's finder is installed from here), so it
stays this small.
"""

import sys


def main() -> None:
    if sys.argv[1:2] == ["run"]:
        if "inko_mini.pycache" not in sys.modules:
            _load_pycache()
        from inko_mini import pycache

        pycache.install()
    from inko_mini.cli.fastrun import main as run

    run()


def _load_pycache() -> None:
    """Import pycache.py from the code its finder cached for it (see
    pycache.install), when its source is unchanged: compiling it cost about
    a millisecond of every start. Anything amiss: the normal import."""
    import marshal
    import os
    from importlib._bootstrap_external import MAGIC_NUMBER

    import inko_mini

    path = os.path.join(os.path.dirname(inko_mini.__file__), "pycache.py")
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    try:
        st = os.stat(path)
        header = (
            MAGIC_NUMBER.ljust(16, b"\0") + f"{path}\0{st.st_size}\0{st.st_mtime_ns}\n".encode()
        )
        with open(os.path.join(base, "inko-mini", "pycache", "inko_mini.pycache.pyc"), "rb") as fh:
            data = fh.read()
        if data[: len(header)] != header:
            return
        code = marshal.loads(data[len(header) :])
    except (OSError, ValueError, EOFError, TypeError):
        return
    module = type(sys)("inko_mini.pycache")
    module.__file__ = path
    module.__package__ = "inko_mini"
    sys.modules["inko_mini.pycache"] = module
    try:
        exec(code, module.__dict__)
    except BaseException:
        del sys.modules["inko_mini.pycache"]
        raise
    inko_mini.pycache = module  # type: ignore[attr-defined]
