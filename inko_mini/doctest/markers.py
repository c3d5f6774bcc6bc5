"""Markers: what an author says about a block (`inko,check`, `should_panic="boom"`).

The same words come from three places, merged in this order (later wins):
the fence's info string, an `<!-- inko-mini: ... -->` comment before the
block, and the page's side file `NAME.inko-test.toml`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, fields

# one marker: a word, optionally `=value` (quoted or bare); commas or spaces between
_MARKER = re.compile(
    r"""\s*,?\s*(?P<name>[A-Za-z_][\w-]*)
        (?:\s*=\s*(?P<value>"(?:[^"\\]|\\.)*"|'[^']*'|[^,\s]*))?""",
    re.VERBOSE,
)

KNOWN = (
    "ignore",
    "check",
    "no_run",
    "compile_fail",
    "should_panic",
    "continue",
    "server",
    "timeout",
    "setup",
)


@dataclass
class Markers:
    ignore: bool = False
    check: bool = False  # parse only
    compile_fail: bool = False
    should_panic: bool = False
    panic_text: str | None = None
    continue_: bool = False
    server: bool = False
    port: int | None = None
    timeout: float | None = None
    setup: bool = False
    skip: str | None = None  # a reason, from skip-next or the side file

    @property
    def runs_normally(self) -> bool:
        """Runs as a plain program: the blocks a `continue` block builds on."""
        return not (
            self.ignore
            or self.check
            or self.compile_fail
            or self.should_panic
            or self.setup
            or self.skip
        )

    def describe(self) -> str:
        words = []
        for item in fields(self):
            value = getattr(self, item.name)
            if value not in (False, None):
                words.append(item.name.rstrip("_") + ("" if value is True else f"={value}"))
        return ", ".join(words)


@dataclass
class MarkerProblem:
    line: int
    message: str


@dataclass
class ParsedMarkers:
    settings: dict[str, object] = field(default_factory=dict)
    problems: list[MarkerProblem] = field(default_factory=list)

    def apply(self, markers: Markers) -> None:
        for name, value in self.settings.items():
            setattr(markers, name, value)


def _unquote(value: str) -> str:
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
        inner = value[1:-1]
        return re.sub(r"\\(.)", r"\1", inner) if value[0] == '"' else inner
    return value


def set_marker(name: str, value: object, parsed: ParsedMarkers, line: int, where: str) -> None:
    """Record marker `name` (value None when given bare) or a problem about it."""
    settings = parsed.settings
    if name in ("ignore", "continue", "setup", "check", "no_run", "compile_fail"):
        if value not in (None, True, False):
            parsed.problems.append(MarkerProblem(line, f"`{name}` takes no value ({where})"))
            return
        attribute = {"continue": "continue_", "no_run": "check"}.get(name, name)
        settings[attribute] = value is not False
    elif name == "should_panic":
        settings["should_panic"] = value is not False
        if isinstance(value, str):
            settings["panic_text"] = value
    elif name == "server":
        if value not in (None, True, False):
            port = str(value)
            if not port.isdigit() or not 0 < int(port) < 65536:
                parsed.problems.append(
                    MarkerProblem(line, f"`server={value}`: the port must be 1-65535 ({where})")
                )
                return
            settings["port"] = int(port)
        settings["server"] = value is not False
    elif name == "timeout":
        try:
            seconds = float(value)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            seconds = -1.0
        if not seconds > 0:
            parsed.problems.append(
                MarkerProblem(line, f"`timeout` needs a number of seconds, got {value!r} ({where})")
            )
            return
        settings["timeout"] = seconds
    else:
        parsed.problems.append(
            MarkerProblem(
                line,
                f"unknown marker {name!r} {where}; the block runs as a plain block "
                f"(known: {', '.join(KNOWN)})",
            )
        )


def parse_markers(text: str, line: int, where: str) -> ParsedMarkers:
    """Markers written as `word, word=value ...` (an info string or a directive)."""
    parsed = ParsedMarkers()
    position = 0
    text = text.rstrip()
    while position < len(text):
        match = _MARKER.match(text, position)
        if not match or match.end() == position:
            rest = text[position:].strip(" ,")
            if rest:
                parsed.problems.append(
                    MarkerProblem(line, f"cannot read the markers {rest!r} {where}")
                )
            break
        position = match.end()
        raw = match["value"]
        set_marker(match["name"], None if raw is None else _unquote(raw), parsed, line, where)
    return parsed
