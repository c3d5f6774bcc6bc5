"""Fuzzing at scale: generated and mutated Inko programs through `check` and `run`.

    python3 -m tests.robustness.fuzz N [--seed S] [--jobs J] [--out DIR] [--timeout T]
    python3 -m tests.robustness.fuzz --show S I      # print program I of seed S

Program I of seed S is fixed by (S, I): even I come from a generator of valid
Inko 0.4.0 programs (expressions, methods, objects, closures, throws, panics,
processes, operator redefinitions), odd I are mutations of the .inko files of
samples/ and tests/ (token swaps, edge-value literals, deleted, duplicated or
cut lines, stray brackets and keywords).

Each program goes through `inko-mini check` and `inko-mini run` with a time
limit. For speed, a worker process imports inko-mini once and forks a child
per command (the child calls the same entry point as `python -m inko_mini`,
with its own stdin/stdout/stderr); every finding is then confirmed through
the real command line before it is reported. What counts as a finding:
`inko-mini: internal error`, a Python traceback, or a death by signal. Time
outs are counted, not reported (mutants of servers run for ever).

Findings are saved to DIR (default ./fuzz-findings): the program, and a .txt
with the command, status and stderr. Exit status 1 when there is any.

The whole run happens in private network and mount namespaces when the
system allows it (`unshare -rnm`): mutants of the socket samples bind fixed
ports (8080, 40000) and /tmp/test.sock, and must not meet other programs on
the machine.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
NAMESPACE_ENV = "INKO_MINI_FUZZ_NAMESPACE"
OUT_ENV = "INKO_MINI_FUZZ_OUT"
OUT_FD_ENV = "INKO_MINI_FUZZ_OUT_FD"

# --- the generator of valid programs -----------------------------------------

INTS = [
    "0",
    "1",
    "-1",
    "2",
    "3",
    "7",
    "10",
    "255",
    "-128",
    "65",
    "1_000",
    "0x1F",
    "9223372036854775807",
    "-9223372036854775808",
    "4611686018427387904",
    "18446744073709551616",
    "123456789012345678901234567890",
]
FLOATS = ["0.0", "-0.0", "1.5", "-2.25", "3.0", "1e10", "1.0e-5", "123.456", "1e308"]
STRINGS = [
    "''",
    "'a'",
    "'hello'",
    "'Hello, World'",
    '"tab\\there"',
    "'ü'",
    "'日本'",
    '"\\n"',
    "'a,b,c'",
    "'  x  '",
    "'42'",
    "'3.5'",
    "'-7'",
    "'abc'",
]
INT_BINOPS = ["+", "-", "*", "/", "%", "&", "|", "^", "<<", ">>", "==", "!=", "<", ">", "<=", ">="]
FLOAT_BINOPS = ["+", "-", "*", "/", "%", "==", "!=", "<", ">", "<=", ">="]
INT_UNARY = [
    "to_string",
    "inspect",
    "to_float",
    "to_integer",
    "abs",
    "negative?",
    "positive?",
    "zero?",
    "even?",
    "odd?",
    "successor",
    "hash",
    "round",
    "ceil",
    "floor",
]
FLOAT_UNARY = [
    "to_string",
    "inspect",
    "to_integer",
    "to_float",
    "nan?",
    "infinite?",
    "finite?",
    "round",
    "ceil",
    "floor",
    "abs",
    "negative?",
    "positive?",
    "zero?",
]
STRING_UNARY = [
    "to_string",
    "inspect",
    "length",
    "bytesize",
    "to_upper",
    "to_lower",
    "to_integer",
    "to_float",
    "to_byte_array",
    "empty?",
    "hash",
    "trim",
    "trim_start",
    "trim_end",
]
ARRAY_UNARY = [
    "length",
    "inspect",
    "empty?",
    "first",
    "last",
    "reverse",
    "to_array",
    "pop",
    "clear",
    "hash",
]
NAMES = ["a", "b", "c", "d", "value", "count", "thing"]


class Gen:
    """A random valid Inko 0.4.0 program; `rng` is a random.Random (or
    hypothesis's `randoms()`, whose draws it then controls and shrinks)."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.depth = 0
        self.locals: list[str] = []
        self.methods: list[tuple[str, int]] = []
        self.objects: list[str] = []
        self.counter = 0

    def choice(self, items):
        return items[self.rng.randrange(len(items))]

    def fresh(self, prefix: str) -> str:
        self.counter += 1
        return f"{prefix}{self.counter}"

    # expressions, by kind
    def integer(self) -> str:
        r = self.rng.randrange(10)
        if self.depth > 3 or r < 3:
            return self.choice(INTS)
        self.depth += 1
        try:
            if r < 6:
                return f"({self.integer()} {self.choice(INT_BINOPS[:10])} {self.integer()})"
            if r == 6:
                return f"{self.string()}.length"
            if r == 7:
                return f"{self.array()}.length"
            if r == 8 and self.locals:
                return self.choice(self.locals)
            return f"(try {{ {self.integer()} }} else {{ {self.integer()} }})"
        finally:
            self.depth -= 1

    def float_(self) -> str:
        if self.depth > 3 or self.rng.random() < 0.4:
            return self.choice(FLOATS)
        self.depth += 1
        try:
            return f"({self.float_()} {self.choice(FLOAT_BINOPS[:6])} {self.choice([self.float_(), self.integer()])})"
        finally:
            self.depth -= 1

    def string(self) -> str:
        if self.depth > 3 or self.rng.random() < 0.4:
            return self.choice(STRINGS)
        self.depth += 1
        try:
            r = self.rng.randrange(6)
            if r == 0:
                return f"({self.string()} + {self.string()})"
            if r == 1:
                return f"{self.any()}.to_string"
            if r == 2:
                return f"{self.any()}.inspect"
            if r == 3:
                return f"{self.string()}.slice({self.integer()}, {self.integer()})"
            if r == 4:
                return f"{self.array()}.join({self.string()})"
            return f"{self.string()}.{self.choice(['to_upper', 'to_lower', 'trim', 'to_string'])}"
        finally:
            self.depth -= 1

    def array(self) -> str:
        if self.depth > 3:
            return "[]"
        self.depth += 1
        try:
            n = self.rng.randrange(4)
            item = self.choice([self.integer, self.string, self.float_])
            return "[" + ", ".join(item() for _ in range(n)) + "]"
        finally:
            self.depth -= 1

    def any(self) -> str:
        r = self.rng.randrange(12)
        if r < 3:
            return self.integer()
        if r < 5:
            return self.string()
        if r < 6:
            return self.float_()
        if r < 7:
            return self.array()
        if r < 8:
            return self.choice(["True", "False", "Nil"])
        if r < 9 and self.methods:
            name, arity = self.choice(self.methods)
            return f"{name}(" + ", ".join(self.integer() for _ in range(arity)) + ")"
        if r < 10 and self.objects:
            return f"{self.choice(self.objects)}.new"
        if r < 11:
            return self.call()
        return f"{self.any()}.inspect"

    def call(self) -> str:
        r = self.rng.randrange(8)
        if r == 0:
            return f"{self.integer()}.{self.choice(INT_UNARY)}"
        if r == 1:
            return f"{self.float_()}.{self.choice(FLOAT_UNARY)}"
        if r == 2:
            return f"{self.string()}.{self.choice(STRING_UNARY)}"
        if r == 3:
            return f"{self.array()}.{self.choice(ARRAY_UNARY)}"
        if r == 4:
            return f"{self.array()}[{self.integer()}]"
        if r == 5:
            return f"({self.integer()} {self.choice(INT_BINOPS)} {self.integer()})"
        if r == 6:
            return f"({self.float_()} {self.choice(FLOAT_BINOPS)} {self.choice([self.float_(), self.integer()])})"
        return f"({self.array()}.map do (x) {{ x.inspect }})"

    # statements
    def statement(self) -> str:
        r = self.rng.randrange(14)
        if r < 4:
            return f"stdout.print({self.any()})"
        if r == 4:
            name = self.fresh("v")
            line = f"let {name} = {self.integer()}"
            self.locals.append(name)
            return line
        if r == 5:
            return f"try {{ stdout.print({self.any()}) }} else (e) {{ stdout.print('error') }}"
        if r == 6:
            i = self.fresh("i")
            return (
                f"let mut {i} = 0\n{{ {i} < {self.rng.randrange(5)} }}.while_true {{\n"
                f"  stdout.print({i} * {self.integer()})\n  {i} += 1\n}}"
            )
        if r == 7:
            return f"({self.integer()} > {self.integer()}).if(true: {{ stdout.print({self.any()}) }}, false: {{ stdout.print({self.any()}) }})"
        if r == 8:
            return f"{self.array()}.each do (x) {{ stdout.print(x) }}"
        if r == 9:
            return f"let {self.fresh('s')} = StringBuffer.new([{self.string()}, {self.string()}]).to_string"
        if r == 10:
            return (
                "let "
                + self.fresh("p")
                + " = process.spawn {\n  let owner = process.receive as Process\n"
                + f"  owner.send({self.integer()})\n}}\n"
                + f"p{self.counter}.send(process.current)\nstdout.print(process.receive)"
            )
        if r == 11:
            return f"try {{ throw {self.any()} }} else (e) {{ stdout.print(e.inspect) }}"
        if r == 12:
            return f"stdout.print(({self.array()}.select do (x) {{ x == x }}).length)"
        return f"stdout.print(({self.any()}).to_string)"

    def method(self) -> str:
        name = self.fresh("m")
        arity = self.rng.randrange(3)
        params = [f"{p}: Integer" for p in NAMES[:arity]]
        saved = self.locals
        self.locals = list(NAMES[:arity])
        body = self.integer()
        self.locals = saved
        self.methods.append((name, arity))
        return f"def {name}({', '.join(params)}) -> Integer {{\n  {body}\n}}"

    def object_(self) -> str:
        name = self.fresh("Thing")
        self.objects.append(name)
        value = self.any()
        return (
            f"object {name} {{\n  def init {{\n    let @value = {value}\n  }}\n"
            f"  def value {{ @value }}\n  def to_string -> String {{ @value.inspect }}\n}}"
        )

    def redefinition(self) -> str:
        op = self.choice(["+", "-", "&", "|", "^", ">>", "<<", "==", "<", "%", "*"])
        target = self.choice(["Integer", "Float", "String", "Object"])
        return f"impl {target} {{\n  def {op}(other) {{ {self.choice(INTS)} }}\n}}"

    def program(self) -> str:
        parts = [
            "import std::stdio::stdout",
            "import std::process",
            "import std::process::Process",
            "import std::string_buffer::StringBuffer",
        ]
        for _ in range(self.rng.randrange(3)):
            parts.append(self.method())
        for _ in range(self.rng.randrange(2)):
            parts.append(self.object_())
        for _ in range(self.rng.randrange(1, 12)):
            parts.append(self.statement())
        if self.rng.random() < 0.15:
            parts.append(self.redefinition())
            parts.append(f"stdout.print({self.call()})")
        if self.rng.random() < 0.05:
            parts.append(f"process.panic({self.string()})")
        return "\n".join(parts) + "\n"


# --- mutations of real programs ----------------------------------------------

EDGE_LITERALS = [
    "0",
    "-1",
    "9223372036854775807",
    "-9223372036854775808",
    "18446744073709551616",
    "1e309",
    "-0.0",
    "''",
    "'\\u{10FFFF}'",
    "Nil",
    "True",
    "[]",
    "0.0 / 0.0",
    "(1 / 0)",
    "'x' * 3",
    "[[[]]]",
    "process.current",
    "self",
    "ThisModule",
    "Object",
]
INSERTS = list("(){}[]'\":;,.!?@#$%^&*-+=<>/\\|~") + [
    "::",
    "->",
    "!!",
    "do",
    "def",
    "let",
    "let mut",
    "try",
    "try!",
    "else",
    "throw",
    "return",
    "object",
    "trait",
    "impl",
    "import",
    "**",
    "=>",
    "\x00",
    "\t",
    "\r",
    "\u00e9",
    "\ufeff",
    "\u2028",
    "lambda",
    "self",
    "@x",
    "Nil",
    "*args",
    "?",
    "as",
    "for",
    "where",
    "static",
    "\n}\n",
    "{\n",
    "process.defer {",
    "\\",
]
TOKEN = re.compile(r"[A-Za-z_@][A-Za-z0-9_?!]*|\d[\d_]*(?:\.\d+)?|'(?:[^'\\\n]|\\.)*'|\S")


def sources() -> list[str]:
    files = sorted(p for top in ("samples", "tests") for p in (ROOT / top).rglob("*.inko"))
    return [p.read_text(encoding="utf-8", errors="replace") for p in files]


def mutate(rng: random.Random, s: str) -> str:
    kind = rng.randrange(12)
    tokens = [m for m in TOKEN.finditer(s)]
    if not tokens:
        return s + rng.choice(INSERTS)
    tok = tokens[rng.randrange(len(tokens))]
    a, b = tok.span()
    lines = s.split("\n")
    if kind == 0:  # a literal or name becomes an edge value
        return s[:a] + rng.choice(EDGE_LITERALS) + s[b:]
    if kind == 1:  # two tokens swap
        other = tokens[rng.randrange(len(tokens))]
        c, d = other.span()
        if c < a:
            a, b, c, d = c, d, a, b
        if b <= c:
            return s[:a] + s[c:d] + s[b:c] + s[a:b] + s[d:]
        return s
    if kind == 2:  # a token is deleted
        return s[:a] + s[b:]
    if kind == 3:  # something is inserted
        return s[:a] + rng.choice(INSERTS) + s[a:]
    if kind == 4:  # a line is deleted
        del lines[rng.randrange(len(lines))]
        return "\n".join(lines)
    if kind == 5:  # a line is duplicated
        i = rng.randrange(len(lines))
        lines.insert(rng.randrange(len(lines)), lines[i])
        return "\n".join(lines)
    if kind == 6:  # cut short
        return s[: rng.randrange(len(s) + 1)]
    if kind == 7:  # an operator changes
        ops = ["+", "-", "*", "/", "%", "**", "&", "|", "^", "<<", ">>", "==", "!=", "<", ">=", "."]
        return s[:a] + rng.choice(ops) + s[b:]
    if kind == 8:  # a token from elsewhere
        other = tokens[rng.randrange(len(tokens))]
        return s[:a] + other.group() + s[b:]
    if kind == 9:  # an expression is wrapped
        wrap = rng.choice(["try! ", "try ", "(", "[", "{ ", "-", "!"])
        close = {"(": ")", "[": "]", "{ ": " }.call"}.get(wrap, "")
        return s[:a] + wrap + s[a:b] + close + s[b:]
    if kind == 10:  # deep nesting
        return s[:a] + "(" * rng.randrange(50, 400) + s[a:b] + ")" * rng.randrange(50, 400) + s[b:]
    # lines from another place shuffled in
    i, j = rng.randrange(len(lines)), rng.randrange(len(lines))
    lines[i], lines[j] = lines[j], lines[i]
    return "\n".join(lines)


_SOURCES: list[str] = []


def program(seed: int, index: int) -> str:
    rng = random.Random(f"{seed}:{index}")
    if index % 2 == 0:
        return Gen(rng).program()
    if not _SOURCES:
        _SOURCES.extend(sources())
    text = rng.choice(_SOURCES)
    for _ in range(rng.randrange(1, 4)):
        text = mutate(rng, text)
    return text


# --- running -------------------------------------------------------------------


def _preload() -> None:
    """Import what every command needs, once, before forking."""
    os.environ.setdefault("PYTHONPATH", str(ROOT))
    from inko_mini import driver  # noqa: F401
    from inko_mini.cli import commands, fast  # noqa: F401
    from inko_mini.compile import modules  # noqa: F401
    from inko_mini.syntax.parser import check_files, parse  # noqa: F401

    # Lark builds its parser on first use: do it once here, not per child.
    parse("import std::stdio::stdout\nstdout.print(1 + 2)\n", "preload.inko")


def run_forked(command: str, path: Path, work: Path, timeout: float) -> tuple[str, int, str]:
    """("ok"|"timeout"|"signal", status, stderr) of `inko-mini COMMAND PATH`
    run by a forked copy of this process."""
    out_path, err_path = work / "stdout", work / "stderr"
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid == 0:  # the child: become `python -m inko_mini COMMAND PATH`
        code = 70
        try:
            os.setpgid(0, 0)
            fd_in = os.open(os.devnull, os.O_RDONLY)
            fd_out = os.open(out_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
            fd_err = os.open(err_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
            os.dup2(fd_in, 0)
            os.dup2(fd_out, 1)
            os.dup2(fd_err, 2)
            os.chdir(work)
            sys.argv = ["inko-mini", command, str(path)]
            from inko_mini.cli import fast as fastcli

            try:
                fastcli.main()
                code = 0
            except SystemExit as exit_:
                code = (
                    exit_.code if isinstance(exit_.code, int) else (0 if exit_.code is None else 1)
                )
        except BaseException:  # noqa: B036 - reported as the child's own traceback
            import traceback

            traceback.print_exc()
            code = 71
        finally:
            try:
                sys.stdout.flush()
                sys.stderr.flush()
            except BaseException:  # noqa: B036
                pass
            os._exit(code)
    deadline = time.monotonic() + timeout
    status = None
    while True:
        done, raw = os.waitpid(pid, os.WNOHANG)
        if done:
            status = raw
            break
        if time.monotonic() > deadline:
            try:
                os.killpg(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            os.waitpid(pid, 0)
            return "timeout", -9, ""
        time.sleep(0.002)
    err = err_path.read_text(errors="replace")
    if os.WIFSIGNALED(status):
        return "signal", -os.WTERMSIG(status), err
    return "ok", os.WEXITSTATUS(status), err


def finding(outcome: str, status: int, err: str) -> str | None:
    """A one-line signature when the result is a bug of inko-mini."""
    if outcome == "signal":
        return f"killed by signal {-status}"
    # Only the interpreter's own report counts: a syntax error quoting a
    # source line that says "internal error" is not one.
    line = next((ln for ln in err.splitlines() if ln.startswith("inko-mini: internal error")), None)
    if line is not None:
        return re.sub(r"0x[0-9a-f]+|\d+", "N", line)[:200]
    if any(ln.startswith("Traceback (most recent call last)") for ln in err.splitlines()):
        last = [ln for ln in err.splitlines() if ln and not ln.startswith(" ")][-1]
        return ("traceback: " + re.sub(r"0x[0-9a-f]+|\d+", "N", last))[:200]
    if outcome == "ok" and status in (70, 71):
        return f"fuzz child failed ({status})"
    return None


def confirm(command: str, source: str, timeout: float) -> tuple[int, str] | None:
    """Re-run through the real command line; (status, stderr) if it still
    shows the problem."""
    with tempfile.TemporaryDirectory(prefix="inko-fuzz-confirm-") as tmp:
        path = Path(tmp) / "program.inko"
        path.write_text(source, encoding="utf-8", errors="replace")
        try:
            proc = subprocess.run(
                [sys.executable, "-m", "inko_mini", command, str(path)],
                capture_output=True,
                text=True,
                errors="replace",
                timeout=timeout * 3,
                cwd=tmp,
                stdin=subprocess.DEVNULL,
                env=dict(os.environ, PYTHONPATH=str(ROOT)),
            )
        except subprocess.TimeoutExpired:
            return None
    outcome = "signal" if proc.returncode < 0 else "ok"
    if finding(outcome, proc.returncode, proc.stderr):
        return proc.returncode, proc.stderr
    return None


def worker(seed: int, indices: range, timeout: float, results: Path) -> None:
    _preload()
    counts = {"programs": 0, "timeouts": 0, "check_ok": 0, "run_ok": 0}
    found: list[dict] = []
    with tempfile.TemporaryDirectory(prefix="inko-fuzz-") as tmp:
        work = Path(tmp)
        path = work / "program.inko"
        for index in indices:
            path.write_text(program(seed, index), encoding="utf-8", errors="replace")
            counts["programs"] += 1
            for command, limit in (("check", timeout), ("run", timeout)):
                outcome, status, err = run_forked(command, path, work, limit)
                if outcome == "timeout":
                    counts["timeouts"] += 1
                    continue
                if status == 0:
                    counts[f"{command}_ok"] += 1
                signature = finding(outcome, status, err)
                if signature:
                    found.append(
                        {
                            "index": index,
                            "command": command,
                            "status": status,
                            "signature": signature,
                            "stderr": err[-3000:],
                        }
                    )
    results.write_text(json.dumps({"counts": counts, "found": found}))


def save(out: Path, seed: int, item: dict, timeout: float) -> dict | None:
    source = program(seed, item["index"])
    digest = hashlib.sha1(source.encode("utf-8", "replace")).hexdigest()[:10]
    path = out / f"seed{seed}-{item['index']}-{digest}.inko"
    path.write_text(source, encoding="utf-8", errors="replace")
    confirmed = confirm(item["command"], source, timeout)
    note = (
        "confirmed through the real command line"
        if confirmed
        else "NOT reproduced by the real command line"
    )
    status, err = confirmed if confirmed else (item["status"], item["stderr"])
    path.with_suffix(".txt").write_text(
        f"python3 -m inko_mini {item['command']} {path.name}\n"
        f"(python3 -m tests.robustness.fuzz --show {seed} {item['index']} prints the program)\n"
        f"{note}\nstatus {status}\n--- stderr ---\n{err}"
    )
    return {**item, "file": path.name, "confirmed": bool(confirmed)}


def enter_namespaces(argv: list[str]) -> bool:
    """Re-run in new network and mount namespaces with a private /tmp."""
    if os.environ.get(NAMESPACE_ENV):
        sys.path.insert(0, str(Path(__file__).parent))
        from seed_clients import _bring_loopback_up

        _bring_loopback_up()
        return True
    unshare = shutil.which("unshare")
    # A private /tmp would hide a checkout or an interpreter that lives there.
    places = (ROOT.resolve(), Path(sys.executable).resolve(), Path(sys.prefix).resolve())
    if unshare is None or any(str(p).startswith("/tmp/") for p in places):
        return False
    probe = subprocess.run(
        [unshare, "-rnm", "sh", "-c", "mount -t tmpfs tmpfs /tmp"], capture_output=True
    )
    if probe.returncode != 0:
        return False
    sys.stdout.flush()
    env = dict(os.environ, **{NAMESPACE_ENV: "1"})
    script = 'mount -t tmpfs tmpfs /tmp && exec "$@"'
    os.execvpe(
        unshare,
        [
            unshare,
            "-rnm",
            "sh",
            "-c",
            script,
            "sh",
            sys.executable,
            "-m",
            "tests.robustness.fuzz",
            *argv,
        ],
        env,
    )
    raise AssertionError("unreachable")


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("count", type=int, nargs="?", default=1000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--start", type=int, default=0, help="first program index")
    parser.add_argument("--jobs", type=int, default=1)
    parser.add_argument("--timeout", type=float, default=5.0, help="seconds per command")
    parser.add_argument("--out", type=Path, default=Path("fuzz-findings"))
    parser.add_argument("--show", nargs=2, type=int, metavar=("SEED", "INDEX"))
    parser.add_argument("--shared", action="store_true", help="no private namespaces")
    args = parser.parse_args(argv)
    if args.show:
        sys.stdout.write(program(*args.show))
        return 0
    shown_out = Path(os.environ.get(OUT_ENV, args.out.resolve()))
    if not os.environ.get(NAMESPACE_ENV):
        # The run may get a private /tmp: the findings folder is opened now
        # and reached through /proc/self/fd/N, which survives the new mount.
        args.out.mkdir(parents=True, exist_ok=True)
        fd = os.open(args.out, os.O_RDONLY | os.O_DIRECTORY)
        os.set_inheritable(fd, True)
        os.environ[OUT_FD_ENV] = str(fd)
        os.environ[OUT_ENV] = str(shown_out)
    private = False if args.shared else enter_namespaces(argv)
    args.out = Path(f"/proc/self/fd/{os.environ[OUT_FD_ENV]}")
    start = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="inko-fuzz-results-") as tmp:
        pids = []
        end = args.start + args.count
        for job in range(args.jobs):
            results = Path(tmp) / f"{job}.json"
            pid = os.fork()
            if pid == 0:
                code = 0
                try:
                    worker(
                        args.seed, range(args.start + job, end, args.jobs), args.timeout, results
                    )
                except BaseException:  # noqa: B036
                    import traceback

                    traceback.print_exc()
                    code = 1
                os._exit(code)
            pids.append((pid, results))
        counts: dict[str, int] = {}
        found: list[dict] = []
        for pid, results in pids:
            os.waitpid(pid, 0)
            data = json.loads(results.read_text())
            for key, value in data["counts"].items():
                counts[key] = counts.get(key, 0) + value
            found += data["found"]
    seconds = time.monotonic() - start
    by_signature: dict[str, list[dict]] = {}
    for item in found:
        by_signature.setdefault(item["signature"], []).append(item)
    saved = []
    for items in by_signature.values():
        for item in items[:3]:  # a few reproductions of each distinct problem
            result = save(args.out, args.seed, item, args.timeout)
            if result:
                saved.append(result)
    n = counts.get("programs", 0)
    print(
        f"fuzz: {n} programs (seed {args.seed}, indices {args.start}..{args.start + args.count - 1}) "
        f"in {seconds:.0f} s ({n / seconds if seconds else 0:.1f} programs/s, {args.jobs} jobs, "
        f"{'private namespaces' if private else 'shared network'})"
    )
    print(
        f"fuzz: check accepted {counts.get('check_ok', 0)}, run exited 0 for {counts.get('run_ok', 0)}, "
        f"{counts.get('timeouts', 0)} commands hit the {args.timeout:g} s limit"
    )
    print(f"fuzz: {len(found)} internal errors, {len(by_signature)} distinct")
    for signature, items in sorted(by_signature.items()):
        print(
            f"  {len(items):6} x {signature}  (e.g. --show {args.seed} {items[0]['index']}, {items[0]['command']})"
        )
    if saved:
        print(f"fuzz: reproductions in {shown_out}")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
