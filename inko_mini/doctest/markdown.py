"""Find the fenced code blocks of a Markdown page, with what the page says about them.

Only what documentation pages actually use is recognised: ``` and ~~~
fences (CommonMark rules for lengths and closing), an info string whose
first word is the language, and fences indented inside list items. Each
```inko block is a test. Around it the page may say more:

- markers after the language: ```` ```inko,check ```` or ```` ```inko check ````;
- an HTML comment before the block: `<!-- inko-mini: check -->`, and the
  page-level `<!-- inko-mini: skip-next N -->`, `<!-- inko-mini: page continue -->`,
  `<!-- inko-mini: setup CODE -->` (hidden code run before every later block);
- an ```` ```output ```` fence right after the block (or a `text` fence after
  `<!-- inko-mini: output -->`): the stdout the block must print;
- a shell block right after it with a `curl` line: how to ask its server.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from inko_mini.doctest.curl import HttpRequest, find_curl_request
from inko_mini.doctest.markers import MarkerProblem, Markers, parse_markers

_FENCE_OPEN = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})(?P<info>.*)$")
_DIRECTIVE = re.compile(r"^[ \t]*<!--\s*inko-mini:(?P<rest>.*)$")
_SHELL_LANGUAGES = {"bash", "sh", "shell", "console", "shell-session", "zsh"}
_OUTPUT_LANGUAGES = {"output"}


@dataclass
class Segment:
    """Inko code taken from the page, and the page line of its first line."""

    source: str
    first_line: int
    origin: Path | None = None  # the file it comes from when not the page (a side file)


@dataclass
class ExpectedOutput:
    line: int  # the output fence's opening line
    text: str


@dataclass
class CodeBlock:
    """One ```inko fence of a page."""

    page: Path
    line: int  # line of the opening fence, 1-based
    ordinal: int  # position among the page's inko blocks, 1-based
    source: str
    # the request of a shell `curl URL` block that directly follows, if any
    request: HttpRequest | None = None
    markers: Markers = field(default_factory=Markers)
    output: ExpectedOutput | None = None
    # hidden setup code of the page that comes before this block
    setups: list[Segment] = field(default_factory=list)

    @property
    def first_source_line(self) -> int:
        return self.line + 1


@dataclass
class PageProblem:
    """Something wrong with the page itself, reported like a failed block."""

    page: Path
    line: int
    message: str


@dataclass
class Page:
    path: Path
    blocks: list[CodeBlock] = field(default_factory=list)
    problems: list[PageProblem] = field(default_factory=list)
    warnings: list[PageProblem] = field(default_factory=list)
    page_continue: bool = False


@dataclass
class _Fence:
    line: int
    end_line: int
    language: str
    info: str  # what follows the language
    body: list[str]


@dataclass
class _Directive:
    line: int
    end_line: int
    text: str  # everything between `inko-mini:` and `-->`


def _language(info: str) -> tuple[str, str]:
    """(language, the rest) of an info string; `inko,check` and `{.inko}` included."""
    text = info.strip()
    if text.startswith("{") and text.endswith("}"):
        text = text[1:-1].strip()
    match = re.match(r"\.?([^\s,{}]*)[\s,]*(.*)$", text)
    return (match[1].lower(), match[2]) if match else ("", "")


def _split(text: str) -> tuple[list[_Fence | _Directive], tuple[int, str] | None]:
    """Fences and directives in page order, plus (line, fence) of one left open."""
    items: list[_Fence | _Directive] = []
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        directive = _DIRECTIVE.match(lines[i])
        if directive:
            rest, j = directive["rest"], i
            while "-->" not in rest and j + 1 < len(lines):
                j += 1
                rest += "\n" + lines[j]
            if "-->" not in rest:
                # an unterminated comment hides the rest of the page: say so, keep going
                items.append(_Directive(i + 1, i + 1, "\0unterminated"))
                i += 1
                continue
            items.append(_Directive(i + 1, j + 1, rest.split("-->")[0]))
            i = j + 1
            continue
        match = _FENCE_OPEN.match(lines[i])
        if not match or (match["fence"][0] == "`" and "`" in match["info"]):
            i += 1
            continue
        fence, indent = match["fence"], len(match["indent"].expandtabs(4))
        closing = re.compile(
            r"^[ \t]*" + re.escape(fence[0]) + "{" + str(len(fence)) + r",}[ \t]*$"
        )
        body: list[str] = []
        j = i + 1
        while j < len(lines) and not closing.match(lines[j]):
            body.append(_dedent(lines[j], indent))
            j += 1
        if j >= len(lines):
            return items, (i + 1, fence)
        language, rest = _language(match["info"])
        items.append(_Fence(i + 1, j + 1, language, rest, body))
        i = j + 1
    return items, None


def _dedent(line: str, indent: int) -> str:
    # content lines lose at most the fence's own indentation
    expanded = line.expandtabs(4)
    strip = min(indent, len(expanded) - len(expanded.lstrip(" ")))
    return expanded[strip:] if strip else line


def _only_blank_between(lines: list[str], after: int, before: int) -> bool:
    """True when page lines after..before (exclusive, 1-based) are blank or directives."""
    return all(
        not line.strip() or _DIRECTIVE.match(line) or line.strip().endswith("-->")
        for line in lines[after : before - 1]
    )


class _PageReader:
    def __init__(self, page: Page, lines: list[str]):
        self.page, self.lines = page, lines
        self.pending = Markers()
        self.pending_problems: list[MarkerProblem] = []
        self.skip_next = 0
        self.output_next = False
        self.setups: list[Segment] = []

    def problem(self, line: int, message: str) -> None:
        self.page.warnings.append(PageProblem(self.page.path, line, message))

    def directive(self, item: _Directive) -> None:
        if item.text == "\0unterminated":
            self.problem(item.line, "this <!-- inko-mini: ... comment is never closed with -->")
            return
        words = item.text.strip()
        head = re.split(r"\s", words, maxsplit=1)[0]
        rest = words[len(head) :].strip()
        if head == "skip-next":
            count = rest or "1"
            if not count.isdigit() or int(count) < 1:
                self.problem(item.line, f"`skip-next` needs a positive count, got {count!r}")
            else:
                self.skip_next = int(count)
        elif head == "page":
            if rest == "continue":
                self.page.page_continue = True
            else:
                self.problem(item.line, f"unknown page directive {rest!r} (known: page continue)")
        elif head == "output" and not rest:
            self.output_next = True
        elif head == "setup" and rest:
            # the code starts after `setup`, on the comment's line or the next ones
            code_lines = item.text.split("setup", 1)[1].split("\n")
            first = item.line
            while code_lines and not code_lines[0].strip():
                code_lines, first = code_lines[1:], first + 1
            self.setups.append(Segment("\n".join(code_lines).rstrip() + "\n", first))
        else:
            parsed = parse_markers(words, item.line, f"in the comment on line {item.line}")
            parsed.apply(self.pending)
            self.pending_problems += parsed.problems

    def fence(self, index: int, items: list) -> None:
        item = items[index]
        if item.language in _OUTPUT_LANGUAGES or (self.output_next and item.language == "text"):
            self.output_next = False
            self.attach_output(index, items)
            return
        self.output_next = False
        if item.language != "inko":
            return
        markers, self.pending = self.pending, Markers()
        parsed = parse_markers(item.info, item.line, "in the info string")
        parsed.apply(markers)
        for problem in [*self.pending_problems, *parsed.problems]:
            self.problem(problem.line, problem.message)
        self.pending_problems = []
        if self.skip_next:
            self.skip_next -= 1
            markers.skip = markers.skip or "skip-next"
        source = "\n".join(item.body) + ("\n" if item.body else "")
        if markers.setup:
            self.setups.append(Segment(source, item.line + 1))
            return
        block = CodeBlock(
            self.page.path,
            item.line,
            len(self.page.blocks) + 1,
            source,
            markers=markers,
            setups=list(self.setups),
        )
        following = items[index + 1] if index + 1 < len(items) else None
        if isinstance(following, _Fence) and following.language in _SHELL_LANGUAGES:
            block.request = find_curl_request(following.body)
        self.page.blocks.append(block)

    def attach_output(self, index: int, items: list) -> None:
        item = items[index]
        previous = next((p for p in reversed(items[:index]) if isinstance(p, _Fence)), None)
        block = self.page.blocks[-1] if self.page.blocks else None
        if (
            block is None
            or previous is None
            or previous.line != block.line
            or block.output is not None
            or not _only_blank_between(self.lines, previous.end_line, item.line)
        ):
            self.problem(
                item.line,
                "an output block must directly follow an ```inko block (blank lines only)",
            )
            return
        text = "\n".join(item.body) + ("\n" if item.body else "")
        block.output = ExpectedOutput(item.line, text)


def read_page(path: Path | str) -> Page:
    """Parse a Markdown file into its Inko blocks and page-level problems."""
    page = Page(Path(path))
    try:
        text = page.path.read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        page.problems.append(PageProblem(page.path, 0, f"not UTF-8 text ({error.reason})"))
        return page
    except OSError as error:
        page.problems.append(PageProblem(page.path, 0, f"cannot read: {error.strerror}"))
        return page
    items, unterminated = _split(text)
    reader = _PageReader(page, text.splitlines())
    for index, item in enumerate(items):
        if isinstance(item, _Directive):
            reader.directive(item)
        else:
            reader.fence(index, items)
    if unterminated is not None:
        line, fence = unterminated
        page.problems.append(
            PageProblem(
                page.path, line, f"unterminated code fence: the {fence} opened here is never closed"
            )
        )
    return page
