"""Bad input is one clear line and a non-zero exit: make variables, options, interpreters, dependencies.

(``parse_strict`` and ``--scale`` themselves are tested in tests/test_cli.py; RUNS in tests/test_stability.py.)
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from claimbench.commands import cli, preflight

ROOT = Path(__file__).resolve().parent.parent
HAVE_MAKE = shutil.which("make") is not None and (ROOT / ".venv" / "bin" / "python").exists()


def one_error_line(capsys) -> str:
    out, err = capsys.readouterr()
    assert out == "" and len(err.splitlines()) == 1, (out, err)
    assert err.startswith("claimbench: error: ")
    return err.strip()


# ---------------------------------------------------------------- make
def make(*args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ)
    env.pop("MAKEFLAGS", None)
    return subprocess.run(["make", "-s", "--no-print-directory", *args], cwd=str(ROOT), env=env,
                          capture_output=True, text=True, timeout=120)


@pytest.mark.skipif(not HAVE_MAKE, reason="needs make and the project's .venv")
@pytest.mark.parametrize("target, variables, words", [
    ("stability", ["RUNS=0"], "RUNS must be a positive integer"),
    ("stability", ["RUNS=x"], "RUNS must be a positive integer"),
    ("stability", ["RUNS="], "RUNS must be a positive integer"),
    ("stability", ["RUNS=1", "SCALE=bogus"], "unknown scale 'bogus'"),
    ("verify", ["STRICT=2"], "STRICT must be 1 or 0"),
    ("verify", ["SCALE=bogus"], "unknown scale 'bogus'"),
    ("verify", ["SCALE="], "unknown scale ''"),
    ("verify", ["RESULTS="], "RESULTS must name a folder"),
    ("report", ["RESULTS="], "RESULTS must name a folder"),
    ("stability", ["RESULTS="], "RESULTS must name a folder"),
], ids=lambda x: x if isinstance(x, str) else " ".join(x))
def test_bad_make_variables_are_one_line(target, variables, words, tmp_path):
    proc = make(target, f"RESULTS={tmp_path / 'results'}", *variables)
    assert proc.returncode != 0
    ours = [ln for ln in proc.stderr.splitlines() if ln.startswith("claimbench:")]
    assert len(ours) == 1 and words in ours[0], proc.stderr
    # Nothing else but make's own "*** [Makefile:N: target] Error 2" line ("make[1]:" when
    # these tests themselves run under `make test`).
    assert [ln for ln in proc.stderr.splitlines()
            if not ln.startswith("claimbench:") and not re.match(r"make(\[\d+\])?: \*\*\*", ln)] == []
    assert not (tmp_path / "results").exists()


# ---------------------------------------------------------------- the interpreter
def test_this_interpreter_is_ready():
    assert preflight.require_python(sys.executable) == shutil.which(sys.executable)


def test_an_interpreter_that_does_not_exist(capsys, tmp_path):
    assert cli.main(["verify", "--python", str(tmp_path / "python9"), "--results-dir", str(tmp_path / "r")]) == 2
    assert "no interpreter" in one_error_line(capsys)
    assert not (tmp_path / "r").exists()


def test_an_interpreter_without_the_modules():
    with pytest.raises(preflight.NotReady) as err:
        preflight.require_python(sys.executable, ("claimbench_no_such_module", "pytest"))
    assert str(err.value) == (f"{shutil.which(sys.executable)} lacks claimbench_no_such_module (make venv installs "
                              "requirements.txt)")


def test_an_interpreter_that_cannot_run(tmp_path):
    fake = tmp_path / "python"
    fake.write_text("#!/bin/sh\nexit 3\n", encoding="utf-8")
    fake.chmod(0o755)
    with pytest.raises(preflight.NotReady) as err:
        preflight.require_python(str(fake))
    assert "cannot run the interpreter" in str(err.value)


# ---------------------------------------------------------------- a missing dependency
def test_a_missing_dependency_is_one_line(capsys, monkeypatch, tmp_path):
    # As on an interpreter without pandas: importing the report fails.
    monkeypatch.setitem(sys.modules, "pandas", None)

    def needs_pandas(args):
        import pandas  # noqa: F401
    monkeypatch.setattr(cli, "cmd_report", needs_pandas)
    assert cli.main(["report", "--results-dir", str(tmp_path)]) == 2
    line = one_error_line(capsys)
    assert "lacks the module 'pandas'" in line and sys.executable in line


def test_a_broken_import_of_our_own_is_not_called_a_missing_dependency():
    assert preflight.missing_dependency(ModuleNotFoundError("x", name="claimbench.nope")) is None
    assert preflight.missing_dependency(ImportError("cannot import name 'x'")) is None
    assert "'pandas'" in preflight.missing_dependency(ModuleNotFoundError("x", name="pandas.core"))


@pytest.mark.skipif(not Path("/usr/bin/python3").exists(), reason="needs a system python3")
def test_report_on_an_interpreter_lacking_pandas(tmp_path):
    check = subprocess.run(["/usr/bin/python3", "-c", "import pandas"], capture_output=True)
    if check.returncode == 0:
        pytest.skip("/usr/bin/python3 has pandas")
    proc = subprocess.run(["/usr/bin/python3", "-m", "claimbench", "report", "--results-dir", str(tmp_path)],
                          cwd=str(ROOT), capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2
    assert len(proc.stderr.splitlines()) == 1 and "lacks the module" in proc.stderr, proc.stderr
