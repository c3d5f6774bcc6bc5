"""Inko programs as tests: every `tests/**/*.inko` file with expectations.

The comment format (`# expect:`, `# expect-stderr:`, `# expect-status:`,
`# args:`, `# stdin:`, `# env:`, `# xfail:`, `# run-by:`, ...) is described
in tests/inko_programs.py, which also runs and checks the programs. A file
without any `# expect` line is not a test (a helper module); a file marked
`# run-by: FILE.py` is run by that Python test, which gives it what it needs
(a port, a scratch folder), not collected here. The program runs through the
real command line, `python -m inko_mini run FILE`, in the file's directory.
"""

from __future__ import annotations

import pytest
from inko_programs import describe, parse_expectations, problems_of, run_program, stdin_text


class InkoFile(pytest.File):
    def collect(self):
        spec = parse_expectations(self.path.read_text(encoding="utf-8"))
        if spec is not None and spec.run_by is None:
            item = InkoItem.from_parent(self, name=self.path.name, spec=spec)
            if spec.xfail is not None:
                item.add_marker(pytest.mark.xfail(reason=spec.xfail, strict=True))
            yield item


class InkoFailure(Exception):
    pass


class InkoItem(pytest.Item):
    def __init__(self, *, spec, **kwargs):
        super().__init__(**kwargs)
        self.spec = spec

    def runtest(self):
        spec = self.spec
        proc = run_program(self.path, spec.args, spec.include, stdin=stdin_text(spec), env=spec.env)
        problems = problems_of(spec, proc)
        if problems:
            raise InkoFailure(problems, proc.stderr)

    def repr_failure(self, excinfo, style=None):
        if not isinstance(excinfo.value, InkoFailure):
            return super().repr_failure(excinfo)
        problems, stderr = excinfo.value.args
        return describe(self.path, problems, stderr)

    def reportinfo(self):
        return self.path, 0, f"inko: {self.name}"


def pytest_collect_file(parent, file_path):
    if file_path.suffix == ".inko":
        return InkoFile.from_parent(parent, path=file_path)
    return None
