"""`hint:` lines after a panic report, through the real command line.

The panic text, the stack trace and the exit status stay those of Inko
0.4.0; the hints come after them on stderr, and `--no-hints` (or
INKO_MINI_NO_HINTS=1) turns them off.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

AS_BLOCK = "panicked: ObjectValue::as_block() called on a non block object"


def run(
    *args: str, cwd: Path | None = None, env: dict | None = None
) -> subprocess.CompletedProcess:
    full = dict(os.environ)
    full.pop("INKO_MINI_NO_HINTS", None)
    full.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "inko_mini", *args],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=cwd,
        env=full,
    )


def hints(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith("hint:")]


def after_report(stderr: str) -> list[str]:
    """The lines after the `Process ... panicked:` line."""
    lines = stderr.splitlines()
    index = next(i for i, line in enumerate(lines) if " panicked: " in line)
    return lines[index + 1 :]


def test_unknown_message_names_the_type_and_the_closest_method(tmp_path: Path) -> None:
    program = tmp_path / "typo.inko"
    program.write_text("let numbers = [1, 2, 3]\nnumbers.lenght\n")
    result = run("run", str(program))
    assert result.returncode == 1
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    # the 0.4.0 report comes first, unchanged
    assert lines[0] == "Stack trace (the most recent call comes last):"
    assert lines[2].endswith('line 2, in "lenght"')
    assert lines[3].startswith("Process 0x") and lines[3].endswith(AS_BLOCK)
    assert after_report(result.stderr) == [
        "hint: Array has no method 'lenght'",
        "hint: did you mean 'length'?",
    ]


def test_operator_gets_no_suggestion() -> None:
    result = run("run", "-e", "10 ** 2")
    assert result.returncode == 1
    assert after_report(result.stderr) == ["hint: Integer has no method '**'"]


def test_unknown_message_to_an_object_of_the_program() -> None:
    code = "object Person {\n  def name { 'Alice' }\n}\nPerson.new.nmae\n"
    result = run("run", "-e", code)
    assert result.returncode == 1
    assert hints(result.stderr) == [
        "hint: Person has no method 'nmae'",
        "hint: did you mean 'name'?",
    ]


def test_unknown_message_in_a_method_sent_without_receiver() -> None:
    """The hint is about the failing send `a.foo`, not the `m(3)` above it."""
    result = run("run", "-e", "def m(a) { a.foo }\nm(3)\n")
    assert result.returncode == 1
    assert hints(result.stderr) == ["hint: Integer has no method 'foo'"]


def test_unknown_message_to_an_imported_module() -> None:
    result = run("run", "-e", "import std::stdio::stdout\nstdout.prnt('x')")
    assert hints(result.stderr) == [
        "hint: the module stdout has no method 'prnt'",
        "hint: did you mean 'print'?",
    ]


def test_bare_undefined_name_suggests_a_local() -> None:
    result = run("run", "-e", "let value = 3\nvaleu")
    assert result.returncode == 1
    assert AS_BLOCK in result.stderr
    assert after_report(result.stderr) == [
        "hint: no local, constant or method named 'valeu' here",
        "hint: did you mean 'value'?",
    ]


def test_bare_undefined_name_inside_a_method_suggests_its_parameter() -> None:
    code = "def double(number) {\n  numbr * 2\n}\ndouble(4)\n"
    result = run("run", "-e", code)
    assert hints(result.stderr) == [
        "hint: no local, constant or method named 'numbr' here",
        "hint: did you mean 'number'?",
    ]


def test_bare_name_far_from_everything_gets_no_suggestion() -> None:
    result = run("run", "-e", "zzzqqq")
    assert hints(result.stderr) == ["hint: no local, constant or method named 'zzzqqq' here"]


def test_wrong_arity_shows_the_parameter_list() -> None:
    code = "def greet(name, greeting = 'Hello', *rest) { name }\ngreet"
    result = run("run", "-e", code)
    assert result.returncode == 1
    report = result.stderr.splitlines()
    assert "panicked: greet takes 3+ arguments but 0 were supplied" in report[-2]
    assert report[-1] == "hint: greet is defined as greet(name, greeting = ..., *rest) (-e, line 1)"


def test_try_bang_names_the_operation_that_threw(tmp_path: Path) -> None:
    program = tmp_path / "parse.inko"
    program.write_text("import std::integer\n\ntry! integer.parse('ten', 10)\n")
    result = run("run", str(program))
    assert result.returncode == 1
    assert 'panicked: "ten" can not be converted to an Integer' in result.stderr
    (line,) = hints(result.stderr)
    assert line.startswith("hint: 'parse' threw it (the throw is at ")
    assert "std/integer.inko, line " in line
    assert line.endswith(f"try! at {program}, line 3 turned the throw into a panic")


def test_try_bang_on_a_throw_in_the_expression_itself() -> None:
    result = run("run", "-e", "try! { throw 'no' }.call")
    assert result.returncode == 1
    assert hints(result.stderr) == [
        "hint: the value was thrown at -e, line 1, and try! turned the throw into a panic"
    ]


def test_no_hints_option_and_environment_variable() -> None:
    plain = run("run", "--no-hints", "-e", "[1].lenght")
    assert plain.returncode == 1
    assert plain.stderr.splitlines()[-1].endswith(AS_BLOCK)
    assert hints(plain.stderr) == []
    env = run("run", "-e", "[1].lenght", env={"INKO_MINI_NO_HINTS": "1"})
    assert hints(env.stderr) == []
    # Everything but the hints is the same text (process ids differ).
    with_hints = run("run", "-e", "[1].lenght")
    strip = lambda text: [ln for ln in text.splitlines() if not ln.startswith("Process ")]
    assert strip(with_hints.stderr)[:-2] == strip(plain.stderr)


def test_a_panic_handler_gets_the_plain_message_and_no_hint() -> None:
    code = (
        "import std::process\nimport std::stdio::stdout\n"
        "process.panicking do (error) { stdout.print(error) }\n[1].lenght\n"
    )
    result = run("run", "-e", code)
    assert result.stdout == "ObjectValue::as_block() called on a non block object\n"
    assert hints(result.stderr) == []


def test_hint_in_a_documentation_block(tmp_path: Path) -> None:
    page = tmp_path / "page.md"
    page.write_text(
        "# Numbers\n\n```inko\nimport std::stdio::stdout\n\n"
        "let numbers = [1, 2, 3]\nstdout.print(numbers.lenght)\n```\n"
    )
    (tmp_path / "page.expect").write_text(
        "[block 1]\nexit = 1\n"
        "stderr-contains = hint: Array has no method 'lenght'\n"
        "stderr-contains = hint: did you mean 'length'?\n"
    )
    result = run("test", "page.md", cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 passed, 0 failed" in result.stdout
    off = run("test", "page.md", cwd=tmp_path, env={"INKO_MINI_NO_HINTS": "1"})
    assert off.returncode == 1
    assert "does not contain \"hint: Array has no method 'lenght'\"" in off.stdout


def test_missing_keyword_argument_shows_the_parameter_list() -> None:
    result = run("run", "-e", "def f(a, b = 2) { a }\nf(b: 3)")
    assert result.returncode == 1
    assert 'panicked: f requires the argument "a", but it was not supplied' in result.stderr
    assert hints(result.stderr) == ["hint: f is defined as f(a, b = ...) (-e, line 1)"]


def test_undefined_constant_suggests_a_close_one() -> None:
    result = run("run", "-e", "Strng.new")
    assert "panicked: The constant Strng is undefined" in result.stderr
    assert hints(result.stderr) == ["hint: did you mean 'String'?"]
    assert hints(run("run", "-e", "Zorglub").stderr) == []


def run_repl(stdin: str, *options: str) -> subprocess.CompletedProcess:
    full = dict(os.environ)
    full.pop("INKO_MINI_NO_HINTS", None)
    return subprocess.run(
        [sys.executable, "-m", "inko_mini", "repl", *options],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
        env=full,
    )


def test_hints_in_the_repl_and_no_hints_there() -> None:
    session = "let total = 3\ntotla\ntotal\n"
    result = run_repl(session)
    assert result.stdout == "3\n3\n"  # the session goes on after the panic
    assert hints(result.stderr) == [
        "hint: no local, constant or method named 'totla' here",
        "hint: did you mean 'total'?",
    ]
    quiet = run_repl(session, "--no-hints")
    assert quiet.stdout == "3\n3\n"
    assert AS_BLOCK in quiet.stderr
    assert hints(quiet.stderr) == []
