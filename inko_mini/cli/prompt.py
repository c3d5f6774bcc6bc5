"""The REPL's line editor: a prompt_toolkit session with history kept across
sessions, completion, Inko highlighting and multi-line input.

The REPL (`repl.py`) owns evaluation; it hands this module what it needs as
callables (is this text a complete statement? which names are visible? which
methods has this receiver?), so nothing here knows how Inko runs. When the
terminal can not do line editing (`TERM=dumb`, output not a terminal,
prompt_toolkit missing or failing) `open_editor` returns None after a
one-line notice, and the REPL reads plain lines with `input()`.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

HISTORY_LIMIT = 1000

# `name.` and `name.par` at the end of the text before the cursor: the
# receiver (an identifier, constant, number, string or array literal) and
# the part of the method name typed so far.
_MEMBER = re.compile(
    r"""(?P<receiver>
          -?\d[\d_]*\.\d[\d_]*          # a Float literal
        | -?\d[\d_]*                    # an Integer literal
        | '(?:[^'\\]|\\.)*'             # a String literal
        | "(?:[^"\\]|\\.)*"
        | \]                            # the end of an Array literal
        | @?[^\s!@#$%^&*()\-+=\\:;"'<>/,.|\[\]{}]+   # a name
        )\.(?P<prefix>[^\s!@#$%^&*()\-+=\\:;"'<>/,.|\[\]{}]*)$""",
    re.VERBOSE,
)
_IMPORT = re.compile(r"(?:^|\s)import\s+(?P<path>[\w:]*)$")
_WORD = re.compile(r"[^\s!@#$%^&*()\-+=\\:;\"'<>/,.|\[\]{}]*$")


def history_file() -> Path:
    """`$XDG_STATE_HOME/inko-mini/history` (default ~/.local/state)."""
    state = os.environ.get("XDG_STATE_HOME", "").strip()
    base = Path(state) if state and os.path.isabs(state) else Path.home() / ".local" / "state"
    return base / "inko-mini" / "history"


def notice(text: str) -> None:
    try:
        sys.stderr.write(f"inko-mini: {text}\n")
        sys.stderr.flush()
    except (OSError, ValueError):
        pass


def why_no_editor() -> str | None:
    """Why plain input() must be used, or None when the terminal is fine."""
    if os.environ.get("TERM", "") == "dumb":
        return "TERM=dumb: no line editing, history or completion"
    if not sys.stdout.isatty():
        return "output is not a terminal: no line editing, history or completion"
    try:
        import prompt_toolkit  # noqa: F401
    except ImportError:
        return "prompt_toolkit is not installed: no line editing, history or completion"
    return None


class InkoCompleter:
    """Completions for the text before the cursor (a prompt_toolkit Completer,
    built lazily so that importing this module stays cheap)."""

    def __init__(
        self,
        names: Callable[[], Iterable[str]],
        members: Callable[[str], Iterable[str] | None],
        modules: Callable[[], Iterable[str]],
    ) -> None:
        self.names = names
        self.members = members
        self.modules = modules

    def candidates(self, before: str) -> tuple[int, list[str]]:
        """(how many characters before the cursor the completions replace,
        the sorted completions)."""
        found = _IMPORT.search(before)
        if found is not None:
            path = found["path"]
            return len(path), sorted(m for m in set(self.modules()) if m.startswith(path))
        found = _MEMBER.search(before)
        if found is not None:
            prefix = found["prefix"]
            names = self.members(found["receiver"]) or ()
            return len(prefix), sorted(
                n for n in set(names) if n.startswith(prefix) and not n.startswith("@")
            )
        word = _WORD.search(before)
        prefix = word[0] if word else ""
        if not prefix:
            return 0, []
        return len(prefix), sorted(
            n for n in set(self.names()) if n.startswith(prefix) and n != prefix
        )

    def as_prompt_toolkit(self) -> Any:
        from prompt_toolkit.completion import Completer, Completion

        outer = self

        class _Completer(Completer):
            def get_completions(self, document: Any, complete_event: Any) -> Iterator[Any]:
                try:
                    size, found = outer.candidates(document.text_before_cursor)
                except Exception:  # completion must never break the prompt
                    return
                for name in found:
                    yield Completion(name, start_position=-size)

        return _Completer()


def _history(path: Path) -> Any:
    """A FileHistory that never raises: a file that can not be read or
    written leaves the session with what it has in memory."""
    from prompt_toolkit.history import FileHistory, InMemoryHistory

    class _SafeHistory(FileHistory):
        def load_history_strings(self) -> Iterable[str]:
            try:
                return list(super().load_history_strings())[:HISTORY_LIMIT]
            except (OSError, ValueError) as exc:
                notice(f"history not read ({path}: {getattr(exc, 'strerror', None) or exc})")
                return []

        def store_string(self, string: str) -> None:
            try:
                super().store_string(string)
            except (OSError, ValueError):
                pass

    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "a", encoding="utf-8"):
            pass
    except OSError as exc:
        notice(f"history is not kept ({path}: {exc.strerror or exc})")
        return InMemoryHistory()
    return _SafeHistory(str(path))


class Editor:
    """One prompt_toolkit session; `read()` returns a complete statement."""

    def __init__(self, is_complete: Callable[[str], bool], completer: InkoCompleter) -> None:
        from prompt_toolkit import PromptSession
        from prompt_toolkit.key_binding import KeyBindings
        from prompt_toolkit.lexers import PygmentsLexer

        from inko_mini.syntax.highlight import InkoLexer

        keys = KeyBindings()

        @keys.add("enter")
        def _enter(event: Any) -> None:
            buffer = event.current_buffer
            text = buffer.text
            at_end = not buffer.document.text_after_cursor.strip()
            if at_end and (not text.strip() or text.lstrip().startswith(":") or is_complete(text)):
                buffer.validate_and_handle()
            else:
                buffer.insert_text("\n")

        @keys.add("escape", "enter")  # Alt-Enter: run even if it looks unfinished
        def _run_now(event: Any) -> None:
            event.current_buffer.validate_and_handle()

        self.session: PromptSession[str] = PromptSession(
            history=_history(history_file()),
            lexer=PygmentsLexer(InkoLexer),
            completer=completer.as_prompt_toolkit(),
            complete_while_typing=False,
            multiline=True,
            key_bindings=keys,
            prompt_continuation=lambda width, line, wrap: "... ".rjust(width),
            enable_history_search=False,
        )

    def read(self) -> str:
        """The next statement; EOFError on Ctrl-D, KeyboardInterrupt on Ctrl-C."""
        text = self.session.prompt("> ")
        # Bytes that were not UTF-8 arrive as lone surrogates: show them as
        # U+FFFD, as a file read with errors="replace" would.
        return text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def open_editor(is_complete: Callable[[str], bool], completer: InkoCompleter) -> Editor | None:
    reason = why_no_editor()
    if reason is None:
        try:
            return Editor(is_complete, completer)
        except Exception as exc:  # an odd terminal: degrade, never a traceback
            reason = f"line editing is off ({type(exc).__name__}: {exc})"
    notice(reason)
    return None
