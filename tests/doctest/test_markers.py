"""Markers, comments, setup, continue and output checks, through the real command line.

These run real Inko blocks (the interpreter, not the fake), because what a
marker means (syntax only, rejected before running, a panic) is the
interpreter's behaviour.
"""

import subprocess
import sys
from pathlib import Path

import pytest
from conftest import environment, interpreter_works, run_cli

pytestmark = pytest.mark.skipif(not interpreter_works(), reason="the interpreter cannot run yet")

PAGES = Path(__file__).parent / "pages"
EVERYTHING = PAGES / "everything.md"

# what each block of pages/everything.md must give (both front ends)
EVERYTHING_RESULTS = {
    9: "PASS",  # setup comment + # => on stdout.print + output block
    18: "FAIL",  # continue: sees `base`, but the annotation is wrong
    22: "SKIP",  # ignore
    26: "PASS",  # no_run
    30: "PASS",  # compile_fail: missing module
    34: "FAIL",  # compile_fail on a block that runs
    38: "PASS",  # should_panic="sky"
    43: "FAIL",  # should_panic="ground": wrong message
    48: "FAIL",  # timeout=1
    53: "PASS",  # unknown marker linenos; output with ...
    65: "FAIL",  # text output after an output comment differs
    75: "PASS",  # should_panic from a comment
    81: "SKIP",  # skip-next 2
    85: "SKIP",
    93: "PASS",  # setup block's code is there
    97: "PASS",  # `# =>` inside a method body is not checked
    106: "PASS",  # side file: stdout, source-contains
    110: "SKIP",  # side file: skip
    114: "PASS",  # server marker, one-shot server
}


def statuses(lines, page):
    found = {}
    for line in lines:
        prefix = f"{page}:"
        if line.startswith(prefix) and ": " in line:
            number, _, rest = line[len(prefix) :].partition(": ")
            if number.isdigit():
                found[int(number)] = rest.split(":")[0].split(" ")[0]
    return found


def test_page_mixing_everything_through_the_command_line():
    result = run_cli(EVERYTHING, fake=False, timeout=10)
    assert statuses(result.verdicts, EVERYTHING) == EVERYTHING_RESULTS, result.stdout
    assert result.lines[-1] == "10 passed, 5 failed, 4 skipped"
    assert result.status == 1
    assert f"{EVERYTHING}:53: warning: unknown marker 'linenos'" in result.stderr


def test_page_mixing_everything_through_pytest(tmp_path):
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-rA", str(EVERYTHING)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env=environment(fake=False),
        timeout=300,
    )
    assert "5 failed, 10 passed, 4 skipped" in done.stdout, done.stdout
    for line, status in EVERYTHING_RESULTS.items():
        if status == "SKIP":
            # skips are reported at the page's line
            assert f"everything.md:{line}: " in done.stdout
        else:
            word = {"PASS": "PASSED", "FAIL": "FAILED"}[status]
            assert f"{word} {EVERYTHING}::everything.md:{line}" in done.stdout or (
                f"{word} " in done.stdout and f"everything.md::everything.md:{line}" in done.stdout
            ), line
    assert "unknown marker 'linenos'" in done.stdout


def test_markers_are_comma_or_space_separated(page):
    path = page("""
        ```inko,ignore
        not inko
        ```

        ```inko ignore
        not inko
        ```

        ```inko , check
        not.inko(but_valid_syntax)
        ```
    """)
    result = run_cli(path, fake=False)
    assert result.verdicts == [
        f"{path}:1: SKIP: ignore",
        f"{path}:5: SKIP: ignore",
        f"{path}:9: PASS (syntax only)",
        "1 passed, 0 failed, 2 skipped",
    ]


def test_check_fails_on_invalid_syntax_at_the_page_line(page):
    path = page("""
        intro

        ```inko,check
        let x = [1
        ```
    """)
    result = run_cli(path, fake=False)
    assert result.lines[0].startswith(f"{path}:3: FAIL: check: exit status 1: {path}:4:")
    assert "syntax error" in result.lines[0]


def test_compile_fail_accepts_the_three_kinds_of_rejection(page):
    path = page("""
        ```inko,compile_fail
        let x = (
        ```

        ```inko,compile_fail
        import std::no_such_module
        ```

        ```inko,compile_fail
        import std::process
        let number = 1
        process.spawn { number }
        ```

        ```inko,compile_fail
        import std::process
        process.panic('a panic is not a rejection')
        ```
    """)
    result = run_cli(path, fake=False)
    assert [line.split(": ")[1].split(" ")[0] for line in result.verdicts[:-1]] == [
        "PASS",
        "PASS",
        "PASS",
        "FAIL",
    ]
    assert "the block ran and panicked" in result.verdicts[3]


def test_should_panic_without_and_with_text(page):
    path = page("""
        ```inko,should_panic
        import std::process
        process.panic('boom')
        ```

        ```inko,should_panic='boo'
        import std::process
        process.panic('boom')
        ```

        ```inko,should_panic
        let fine = 1
        ```
    """)
    result = run_cli(path, fake=False)
    assert result.verdicts == [
        f"{path}:1: PASS (panicked as expected: boom)",
        f"{path}:6: PASS (panicked as expected: boom)",
        f"{path}:11: FAIL: should_panic: the block ended normally (exit status 0) without panicking",
        "2 passed, 1 failed",
    ]


def test_continue_chains_and_maps_positions_to_each_block(page):
    path = page("""
        ```inko
        import std::stdio::stdout
        def fail(value) {
          value.no_such_message
        }
        let a = 1
        ```

        ```inko,check
        this.is(skipped_over)
        ```

        ```inko,continue
        let b = a + 1
        ```

        ```inko,continue
        stdout.print(a + b) # => 3
        fail(b)
        ```
    """)
    result = run_cli(path, fake=False)
    assert result.verdicts[:3] == [
        f"{path}:1: PASS",
        f"{path}:9: PASS (syntax only)",
        f"{path}:13: PASS",
    ]
    # the panic is inside the first block, the call in the last one
    assert result.verdicts[3].startswith(f"{path}:17: FAIL: exit status 1: panic at {path}:4")
    assert f'"{path}", line 19, in "main"' in result.stdout
    assert f'"{path}", line 4, in "fail"' in result.stdout


def test_page_continue_comment(page):
    path = page("""
        <!-- inko-mini: page continue -->

        ```inko
        let a = 20
        ```

        ```inko
        import std::stdio::stdout
        stdout.print(a + 1) # => 21
        ```
    """)
    result = run_cli(path, fake=False)
    assert result.verdicts == [f"{path}:3: PASS", f"{path}:7: PASS", "2 passed, 0 failed"]


def test_setup_block_and_setup_comment_come_before_later_blocks_only(page):
    path = page("""
        ```inko
        import std::stdio::stdout
        stdout.print(nothing_set_up_yet)
        ```

        <!-- inko-mini: setup
        import std::stdio::stdout
        -->

        ```inko,setup
        let shared = 'from setup'
        ```

        ```inko
        stdout.print(shared) # => from setup
        ```
    """)
    result = run_cli(path, fake=False)
    assert result.verdicts[0].startswith(f"{path}:1: FAIL")
    assert result.verdicts[1:] == [f"{path}:14: PASS", "1 passed, 1 failed"]


def test_output_blocks_exact_trailing_spaces_and_ellipsis(page):
    path = page("""
        ```inko
        import std::stdio::stdout
        stdout.print('one   ')
        stdout.print('two')
        ```

        ```output
        one
        two

        ```

        ```inko
        import std::stdio::stdout
        stdout.print('first')
        stdout.print('second')
        stdout.print('third')
        ```

        ```output
        ...
        third
        ```

        ```inko
        import std::stdio::stdout
        stdout.print('1')
        stdout.print('2')
        ```

        <!-- inko-mini: output -->
        ```text
        1
        3
        ```
    """)
    result = run_cli(path, fake=False)
    assert result.verdicts[:2] == [f"{path}:1: PASS", f"{path}:13: PASS"]
    assert result.verdicts[2] == (
        f"{path}:25: FAIL: stdout differs from the output block at {path}:32"
    )
    diff = result.lines[result.lines.index(f"--- expected ({path}:32)") :]
    assert diff[:6] == [
        f"--- expected ({path}:32)",
        "+++ actual stdout",
        "@@ -1,2 +1,2 @@",
        " 1",
        "-3",
        "+2",
    ]


def test_output_block_after_prose_is_reported(page):
    path = page("""
        ```inko
        let a = 1
        ```

        Some prose in between.

        ```output
        1
        ```
    """)
    result = run_cli(path, fake=False)
    assert f"{path}:7: warning: an output block must directly follow" in result.stderr
    assert result.verdicts == [f"{path}:1: PASS", "1 passed, 0 failed"]


def test_annotations_on_print_and_inside_bodies(page):
    path = page("""
        ```inko
        import std::stdio::stdout
        stdout.print(10) # => 10
        stdout.print('a b') # => a b
        object Person {
          def init {
            @age = 10 # => 10
          }
        }
        Person.new
        [1, 2].each do (x) {
          x # => 1
        }
        ```

        ```inko
        import std::stdio::stdout
        stdout.print(2 + 2) # => 5
        ```
    """)
    result = run_cli(path, fake=False)
    assert result.verdicts[0] == f"{path}:1: PASS"
    assert result.verdicts[1] == (
        f"{path}:16: FAIL: exit status 1: annotation failed at {path}:18: "
        'expected output "5", got "4"'
    )
    assert '-"5"' in result.lines and '+"4"' in result.lines


def test_timeout_marker_stops_the_block_and_its_children(page):
    path = page("""
        ```inko,timeout=1
        import std::process
        process.suspend(30)
        ```
    """)
    result = run_cli(path, fake=False, timeout=30)
    assert result.verdicts[0] == (
        f"{path}:1: FAIL: timed out: still running after 1s (not listening on any TCP port); "
        "stopped it"
    )


def test_bad_marker_values_are_warnings(page):
    path = page("""
        ```inko,timeout=soon,server=99999,frobnicate
        let a = 1
        ```
    """)
    result = run_cli(path, fake=False)
    assert "`timeout` needs a number of seconds, got 'soon'" in result.stderr
    assert "`server=99999`: the port must be 1-65535" in result.stderr
    assert f"{path}:1: warning: unknown marker 'frobnicate'" in result.stderr
    assert result.verdicts == [f"{path}:1: PASS", "1 passed, 0 failed"]
