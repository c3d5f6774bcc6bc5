"""Find the fenced code blocks of a Markdown page.

Only what documentation pages actually use is recognised: ``` and ~~~
fences (CommonMark rules for lengths and closing), an info string whose
first word is the language, and fences indented inside list items. Each
```inko block is a test; the shell block right after it may hold a `curl`
line that tells how to talk to the server the block starts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from inko_mini.doctest.curl import HttpRequest, find_curl_request

_FENCE_OPEN = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})(?P<info>.*)$")
_SHELL_LANGUAGES = {"bash", "sh", "shell", "console", "shell-session", "zsh"}


@dataclass
class CodeBlock:
    """One ```inko fence of a page."""

    page: Path
    line: int  # line of the opening fence, 1-based
    ordinal: int  # position among the page's inko blocks, 1-based
    source: str
    # the request of a shell `curl URL` block that directly follows, if any
    request: HttpRequest | None = None

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


@dataclass
class _Fence:
    line: int
    language: str
    info: str
    body: list[str]


def _language(info: str) -> str:
    # kramdown also writes `{:.language-inko}`-less infos like "inko linenos"
    words = info.strip().strip("{}").split()
    return words[0].lower().lstrip(".") if words else ""


def _split_fences(text: str) -> tuple[list[_Fence], tuple[int, str] | None]:
    """All fences in order, plus (line, fence) of one left open at the end."""
    fences: list[_Fence] = []
    lines = text.splitlines()
    i = 0
    while i < len(lines):
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
            return fences, (i + 1, fence)
        fences.append(_Fence(i + 1, _language(match["info"]), match["info"].strip(), body))
        i = j + 1
    return fences, None


def _dedent(line: str, indent: int) -> str:
    # content lines lose at most the fence's own indentation
    expanded = line.expandtabs(4)
    strip = min(indent, len(expanded) - len(expanded.lstrip(" ")))
    return expanded[strip:] if strip else line


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
    fences, unterminated = _split_fences(text)
    for index, fence in enumerate(fences):
        if fence.language != "inko":
            continue
        source = "\n".join(fence.body) + ("\n" if fence.body else "")
        block = CodeBlock(page.path, fence.line, len(page.blocks) + 1, source)
        following = fences[index + 1] if index + 1 < len(fences) else None
        if following is not None and following.language in _SHELL_LANGUAGES:
            block.request = find_curl_request(following.body)
        page.blocks.append(block)
    if unterminated is not None:
        line, fence = unterminated
        page.problems.append(
            PageProblem(
                page.path, line, f"unterminated code fence: the {fence} opened here is never closed"
            )
        )
    return page
