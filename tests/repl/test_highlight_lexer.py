"""The Pygments lexer (inko_mini/syntax/highlight.py): every Inko file of the
repository lexes without Error tokens and without losing text, and the
entry point that makes `pygmentize -l inko` work is declared."""

from __future__ import annotations

import pathlib
import sys

import pytest
from pygments.token import Comment, Error, Keyword, Name, Number, String

from inko_mini.syntax.highlight import InkoLexer

ROOT = pathlib.Path(__file__).resolve().parents[2]
FILES = sorted(
    p
    for folder in ("samples", "stdlib", "tests")
    if (ROOT / folder).is_dir()
    for p in (ROOT / folder).rglob("*.inko")
)


def _normal(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n").rstrip("\n")


def test_there_are_files_to_lex() -> None:
    assert len(FILES) > 100


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_error_tokens(path: pathlib.Path) -> None:
    source = path.read_bytes().decode("utf-8", errors="replace")
    tokens = list(InkoLexer(stripnl=False).get_tokens(source))
    errors = [value for kind, value in tokens if kind in Error]
    assert errors == []
    assert _normal("".join(value for _, value in tokens)) == _normal(source)


def _kinds(source: str) -> list[tuple[object, str]]:
    return [(k, v) for k, v in InkoLexer().get_tokens(source) if v.strip()]


def test_token_kinds() -> None:
    src = (
        "import std::stdio::stdout\n"
        "object Point {\n"
        "  def init(x: Integer, y = -1) { @x = x }\n"
        "  def +(other) -> ?Point { try! foo(0x1f, 1.5e3) }\n"
        "}\n"
        "stdout.print('a\\'b' + \"c\\n\") # done\n"
    )
    kinds = _kinds(src)
    assert (Name.Namespace, "stdio") in kinds
    assert (Name.Class, "Point") in kinds
    assert (Name.Function, "init") in kinds
    assert (Name.Function, "+") in kinds
    assert (Name.Variable.Instance, "@x") in kinds
    assert (Number.Integer, "-1") in kinds
    assert (Number.Hex, "0x1f") in kinds
    assert (Number.Float, "1.5e3") in kinds
    assert (Keyword, "try!") in kinds
    assert (String.Escape, "\\'") in kinds
    assert (String.Escape, "\\n") in kinds
    assert (Comment.Single, "# done") in kinds
    assert (Name.Constant, "Point") in kinds


def test_names_with_question_marks_and_keywords_as_prefixes() -> None:
    kinds = _kinds("empty? letter define selfish")
    assert [v for _, v in kinds] == ["empty?", "letter", "define", "selfish"]
    assert all(k is Name for k, _ in kinds)


def test_characters_inko_rejects_are_plain_text() -> None:
    assert not [v for k, v in InkoLexer().get_tokens("a ; $ \\ 'open") if k in Error]


def test_pyproject_declares_the_entry_point() -> None:
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover
        pytest.skip("tomllib needs Python 3.11")
    data = tomllib.loads((ROOT / "pyproject.toml").read_text())
    points = data["project"]["entry-points"]["pygments.lexers"]
    assert points["inko"] == "inko_mini.syntax.highlight:InkoLexer"


def test_pygments_finds_the_lexer_through_its_entry_point() -> None:
    from importlib.metadata import EntryPoint

    from pygments.lexers import get_lexer_by_name

    ep = EntryPoint(
        name="inko", value="inko_mini.syntax.highlight:InkoLexer", group="pygments.lexers"
    )
    assert ep.load() is InkoLexer
    try:
        lexer = get_lexer_by_name("inko")
    except Exception:
        pytest.skip("inko-mini is not installed with this entry point in this environment")
    assert type(lexer).__name__ == "InkoLexer"
