"""The wheel carries the grammar and the standard library, and an installed
inko-mini runs programs from any folder (not only from a checkout)."""

from __future__ import annotations

import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    build = tmp_path_factory.mktemp("build")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--quiet",
            "--no-deps",
            "--disable-pip-version-check",
            "-w",
            str(out),
            str(ROOT),
        ],
        check=True,
        cwd=build,
        timeout=300,
    )
    (found,) = out.glob("inko_mini-*.whl")
    return found


def test_wheel_lists_grammar_stdlib_and_no_tests(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "inko_mini/_data/grammar/inko.lark" in names
    stdlib = {n for n in names if n.startswith("inko_mini/_data/stdlib/")}
    expected = {
        "inko_mini/_data/stdlib/" + p.relative_to(ROOT / "stdlib").as_posix()
        for p in (ROOT / "stdlib").rglob("*.inko")
    }
    assert expected and expected <= stdlib
    assert "inko_mini/cli/fast.py" in names
    assert not any(n.startswith(("tests/", "samples/", "bench/")) for n in names)


def test_installed_wheel_runs_from_another_folder(wheel: Path, tmp_path: Path) -> None:
    env_dir = tmp_path / "venv"
    # System site-packages provide lark, click and greenlet without a download.
    venv.create(env_dir, system_site_packages=True, with_pip=False)
    py = env_dir / "bin" / "python"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "--python",
            str(py),
            "install",
            "--quiet",
            "--no-deps",
            "--ignore-installed",
            "--disable-pip-version-check",
            str(wheel),
        ],
        check=True,
        timeout=300,
    )
    program = tmp_path / "elsewhere" / "hello.inko"
    program.parent.mkdir()
    program.write_text("import std::stdio::stdout\n\nstdout.print('from the wheel')\n")
    result = subprocess.run(
        [str(env_dir / "bin" / "inko-mini"), "run", str(program)],
        cwd=program.parent,
        capture_output=True,
        text=True,
        timeout=120,
        env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)},
    )
    assert result.stdout == "from the wheel\n", result.stderr
    assert result.returncode == 0
    where = subprocess.run(
        [str(py), "-c", "import inko_mini.paths as p; print(p.STDLIB_DIR)"],
        cwd=program.parent,
        capture_output=True,
        text=True,
        timeout=60,
        env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)},
    )
    assert where.stdout.strip().startswith(str(env_dir)), where.stdout + where.stderr
