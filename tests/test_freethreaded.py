"""tools/freethreaded (`make freethreaded`), with a fake pyenv, a fake interpreter finder and no
network (issue 20): a series that cannot be had here is left out in one line with status 0, as the
default matrix leaves it out; a series with a source is built; only a failed build fails."""
from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
TOOL = ROOT / "tools" / "freethreaded"

# PY: `python -m claimbench.commands.interpreters 3.13t` finds what the fake pyenv "built".
FAKE_PY = """#!/bin/sh
[ -f "$FAKE_ROOT/built-$3" ] && { echo "$FAKE_ROOT/versions/$3/bin/python"; exit 0; }
exit 1
"""
# pyenv root; pyenv install -s 3.13.5t (FAKE_BUILD_FAILS=1: the build fails).
FAKE_PYENV = """#!/bin/sh
case "$1" in
  root) echo "$FAKE_ROOT" ;;
  install) echo "$3" >> "$FAKE_ROOT/installs"
           [ -z "$FAKE_BUILD_FAILS" ] || exit 1
           v="${3%t}"; touch "$FAKE_ROOT/built-${v%.*}t" ;;
  *) exit 1 ;;
esac
"""
# Debian's archive cannot be reached: no source of any series from there.
FAKE_APT_GET = "#!/bin/sh\nexit 100\n"


def executable(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    path.chmod(0o755)
    return path


@pytest.fixture
def here(tmp_path):
    """A machine with pyenv (fake) and CPython 3.13.5's source in pyenv's cache, and no 3.14 source."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    root = tmp_path / "pyenv"
    (root / "cache").mkdir(parents=True)
    (root / "cache" / "Python-3.13.5.tar.xz").write_bytes(b"")
    executable(bin_dir / "pyenv", FAKE_PYENV)
    executable(bin_dir / "apt-get", FAKE_APT_GET)
    py = executable(tmp_path / "python", FAKE_PY)
    tools = [shutil.which(t) for t in ("bash", "sh", "ls", "grep", "sort", "tail", "basename", "dirname", "cat",
                                      "mkdir", "awk", "head", "touch", "sha256sum", "cut", "readlink", "cp")]
    path = os.pathsep.join([str(bin_dir)] + sorted({str(Path(t).parent) for t in tools if t}))
    env = {"PATH": path, "HOME": str(tmp_path), "XDG_CACHE_HOME": str(tmp_path / "cache"), "PY": str(py),
           "FAKE_ROOT": str(root), "LANG": "C"}
    return tmp_path, env


def run(env, series, **more):
    return subprocess.run([str(TOOL), series], cwd=str(ROOT), env=dict(env, **more), stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, universal_newlines=True, timeout=60)


def installs(tmp_path):
    log = tmp_path / "pyenv" / "installs"
    return log.read_text(encoding="utf-8").split() if log.exists() else []


def test_a_series_without_a_source_is_left_out_in_one_line_with_status_0(here):
    tmp_path, env = here
    done = run(env, "3.14")
    assert done.returncode == 0, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("freethreaded: left out: 3.14t: "), done.stderr
    assert "error" not in done.stderr and installs(tmp_path) == []


def test_a_series_with_a_source_is_built_once_then_found(here):
    tmp_path, env = here
    done = run(env, "3.13")
    assert done.returncode == 0, done.stderr
    assert installs(tmp_path) == ["3.13.5t"]
    assert done.stdout.strip() == f"free-threaded Python: {tmp_path}/pyenv/versions/3.13t/bin/python"
    again = run(env, "3.13")
    assert again.returncode == 0 and installs(tmp_path) == ["3.13.5t"]  # found, not built twice


def test_a_failed_build_is_an_error(here):
    tmp_path, env = here
    done = run(env, "3.13", FAKE_BUILD_FAILS="1")
    assert done.returncode == 2
    assert "freethreaded: error: 3.13t: pyenv could not build 3.13.5t" in done.stderr


def test_without_pyenv_the_series_is_left_out(here):
    tmp_path, env = here
    (tmp_path / "bin" / "pyenv").unlink()
    done = run(env, "3.13")
    assert done.returncode == 0
    assert "left out: 3.13t: no Python 3.13t found and no pyenv to build one" in done.stderr


def test_the_default_matrix_gets_its_left_out_lines_as_before(here):
    tmp_path, env = here
    left_out = tmp_path / "left-out.txt"
    assert run(env, "3.14", LEFT_OUT=str(left_out)).returncode == 0
    assert run(env, "3.13", LEFT_OUT=str(left_out), FAKE_BUILD_FAILS="1").returncode == 0
    lines = left_out.read_text(encoding="utf-8").splitlines()
    assert [ln.split(":")[0] for ln in lines] == ["3.14t", "3.13t"]
    assert "none to build" in lines[0] and "could not build" in lines[1]


def test_make_freethreaded_goes_on_past_a_series_left_out(here):
    """The Makefile's loop, as `make freethreaded FREETHREADED="3.14 3.13"` runs it."""
    tmp_path, env = here
    recipe = next(ln for ln in (ROOT / "Makefile").read_text(encoding="utf-8").split("\nfreethreaded:", 1)[1]
                  .splitlines()[1:] if ln.startswith("\t"))
    shell = recipe.strip().lstrip("@").replace("$(FREETHREADED)", "3.14 3.13").replace("$(PY)", env["PY"]) \
        .replace("$$", "$")
    done = subprocess.run(["bash", "-c", shell], cwd=str(ROOT), env=env, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, universal_newlines=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "left out: 3.14t" in done.stderr and installs(tmp_path) == ["3.13.5t"]
