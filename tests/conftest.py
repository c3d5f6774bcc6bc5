"""Inko programs as tests: every `tests/**/*.inko` file with expectations.

Annotation format (comment lines anywhere in the .inko file):

    # expect: TEXT           one line of the expected stdout, in order; the
                             whole stdout must equal these lines (each
                             followed by a newline). `# expect:` alone is an
                             empty line.
    # expect-stderr: TEXT    stderr must contain TEXT (checked in order, each
                             after the previous match). Without any, stderr
                             must be empty when the expected status is 0.
    # expect-status: N       the exit status (default 0).
    # args: A B C            command-line arguments after the file.
    # include: DIR           an extra -I directory, relative to the file.
    # xfail: REASON          a known bug: the item is xfail(strict=True), so
                             it fails once the bug is fixed (REASON starts
                             with the part to blame, e.g. `evaluator:`).

A file without any `# expect` line is not a test (a helper module). The
program runs through the real command line, `python -m inko_mini run FILE`,
in the file's directory.
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

TIMEOUT = 60


def parse_expectations(text: str):
    out, err, status, args, include = [], [], 0, [], []
    found = False
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped.startswith("#"):
            continue
        body = stripped.lstrip("#").strip() if not stripped.startswith("# ") else stripped[2:]
        for key in ("expect:", "expect-stderr:", "expect-status:", "args:", "include:"):
            if body.startswith(key):
                value = body[len(key) :]
                value = value[1:] if value.startswith(" ") else value
                found = found or key.startswith("expect")
                if key == "expect:":
                    out.append(value)
                elif key == "expect-stderr:":
                    err.append(value)
                elif key == "expect-status:":
                    status = int(value)
                elif key == "args:":
                    args.extend(value.split())
                else:
                    include.append(value.strip())
                break
    if not found:
        return None
    return out, err, status, args, include


def parse_xfail(text: str):
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith("# xfail:"):
            return stripped[len("# xfail:") :].strip()
    return None


def run_inko(path, args=(), include=(), timeout=TIMEOUT, stdin=None):
    cmd = [sys.executable, "-m", "inko_mini", "run"]
    for d in include:
        cmd += ["-I", d]
    cmd += [os.path.basename(str(path)), *args]
    return subprocess.run(
        cmd,
        cwd=os.path.dirname(str(path)),
        capture_output=True,
        text=True,
        timeout=timeout,
        input=stdin,
    )


class InkoFile(pytest.File):
    def collect(self):
        text = self.path.read_text(encoding="utf-8")
        spec = parse_expectations(text)
        if spec is not None:
            item = InkoItem.from_parent(self, name=self.path.name, spec=spec)
            reason = parse_xfail(text)
            if reason is not None:
                item.add_marker(pytest.mark.xfail(reason=reason, strict=True))
            yield item


class InkoFailure(Exception):
    pass


class InkoItem(pytest.Item):
    def __init__(self, *, spec, **kwargs):
        super().__init__(**kwargs)
        self.spec = spec

    def runtest(self):
        out, err, status, args, include = self.spec
        proc = run_inko(self.path, args, include)
        problems = []
        expected_out = "".join(line + "\n" for line in out)
        if proc.stdout != expected_out:
            problems.append(("stdout", expected_out, proc.stdout))
        if proc.returncode != status:
            problems.append(("status", str(status), str(proc.returncode)))
        pos = 0
        for piece in err:
            found = proc.stderr.find(piece, pos)
            if found < 0:
                problems.append(("stderr", piece, proc.stderr))
                break
            pos = found + len(piece)
        if not err and status == 0 and proc.stderr:
            problems.append(("stderr", "", proc.stderr))
        if problems:
            raise InkoFailure(problems, proc.stderr)

    def repr_failure(self, excinfo, style=None):
        if not isinstance(excinfo.value, InkoFailure):
            return super().repr_failure(excinfo)
        problems, stderr = excinfo.value.args
        import difflib

        lines = [f"{self.path}"]
        for what, want, got in problems:
            lines.append(f"--- {what} differs")
            lines.extend(
                difflib.unified_diff(
                    want.splitlines(), got.splitlines(), "expected", "actual", lineterm=""
                )
            )
        lines.append("--- stderr")
        lines.append(stderr)
        return "\n".join(lines)

    def reportinfo(self):
        return self.path, 0, f"inko: {self.name}"


def pytest_collect_file(parent, file_path):
    if file_path.suffix == ".inko":
        return InkoFile.from_parent(parent, path=file_path)
    return None
