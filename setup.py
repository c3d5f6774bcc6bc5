"""Copies the top-level `grammar/` and `stdlib/` into the wheel as
`inko_mini/_data/`, where `inko_mini.paths` finds them when the package is
installed (a checkout and an editable install read them in place)."""

from __future__ import annotations

import os
import shutil

from setuptools import setup
from setuptools.command.build_py import build_py

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = ("grammar", "stdlib")


class BuildWithData(build_py):
    def run(self) -> None:
        super().run()
        if self.editable_mode:
            return
        for name in DATA:
            target = os.path.join(self.build_lib, "inko_mini", "_data", name)
            shutil.rmtree(target, ignore_errors=True)
            shutil.copytree(
                os.path.join(HERE, name),
                target,
                ignore=shutil.ignore_patterns("__pycache__", "*.pyc"),
            )


setup(cmdclass={"build_py": BuildWithData})
