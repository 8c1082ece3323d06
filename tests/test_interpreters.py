"""claimbench.commands.interpreters: reading listings into candidates and picking one per PYTHONS name.

Synthetic listings only: nothing here runs an interpreter but the one running the tests.
"""
from __future__ import annotations

import json
import sys

import pytest

from claimbench.commands import interpreters as it
from claimbench.commands.interpreters import Interpreter, NotFound


def interp(tag: str, source: str = "pyenv", path: str = "") -> Interpreter:
    (version, ft) = it.parse_version_name(tag)
    return Interpreter(path or f"/x/{tag}/bin/python", version, ft, source)


HERE = [interp(t) for t in ("3.8.18", "3.9.18", "3.11.7", "3.12.1", "3.13.0", "3.13.5t")]


# ---------------------------------------------------------------- names
@pytest.mark.parametrize("name, parsed", [
    ("3.13.5t", ((3, 13, 5), True)),
    ("3.11.7", ((3, 11, 7), False)),
    ("3.13t", ((3, 13, -1), True)),
    ("3.8", ((3, 8, -1), False)),
    ("python3.12", ((3, 12, -1), False)),
    ("python3.13t", ((3, 13, -1), True)),
    (" 3.10 ", ((3, 10, -1), False)),
])
def test_parse_version_name(name, parsed):
    assert it.parse_version_name(name) == parsed


@pytest.mark.parametrize("name", ["3", "3.x", "3.13-dev", "pypy3.10-7.3.12", "python3", "3.13.0rc1", "t3.13", ""])
def test_parse_version_name_rejects(name):
    assert it.parse_version_name(name) is None


def test_tags():
    assert interp("3.13.5t").tag == "3.13.5t" and interp("3.13.5t").short == "3.13t"
    assert Interpreter("/usr/bin/python3.12", (3, 12, -1), False).tag == "3.12"


# ---------------------------------------------------------------- listings
def test_from_pyenv_keeps_cpython_releases_3_8_and_later():
    names = ["2.7.18", "3.6.15", "3.7.16", "3.8.18", "3.13.5t", "3.13.0", "3.14-dev", "pypy3.10-7.3.12",
             "miniconda3-latest", "3.13.0rc1", "3.12"]
    found = it.from_pyenv("/root/.pyenv", names)
    assert [c.tag for c in found] == ["3.13.0", "3.13.5t", "3.8.18"]
    assert found[1].path == "/root/.pyenv/versions/3.13.5t/bin/python"
    assert found[1].free_threaded and all(c.source == "pyenv" for c in found)


def test_from_path_names_skips_shims_and_other_files():
    entries = [("/usr/bin", "python3.11"), ("/usr/bin", "python3"), ("/usr/bin", "python3.11-config"),
               ("/usr/bin", "python2.7"), ("/usr/local/bin", "python3.13t"), ("/usr/local/bin", "python3.13.5"),
               ("/root/.pyenv/shims", "python3.8"), ("/usr/bin", "pythonista")]
    found = it.from_path_names(entries, skip_dirs=["/root/.pyenv/shims"])
    assert [(c.path, c.short, c.source) for c in found] == [
        ("/usr/bin/python3.11", "3.11", "PATH"), ("/usr/local/bin/python3.13t", "3.13t", "PATH")]


UV_JSON = json.dumps([
    {"key": "cpython-3.13.5+freethreaded-linux-x86_64-gnu", "version": "3.13.5",
     "version_parts": {"major": 3, "minor": 13, "patch": 5}, "path": "/uv/3.13.5t/bin/python3.13t",
     "implementation": "cpython", "variant": "freethreaded"},
    {"key": "cpython-3.12.11-linux-x86_64-gnu", "version": "3.12.11",
     "version_parts": {"major": 3, "minor": 12, "patch": 11}, "path": "/uv/3.12/bin/python3.12",
     "implementation": "cpython", "variant": "default"},
    {"key": "pypy-3.10.16-linux-x86_64-gnu", "version": "3.10.16",
     "version_parts": {"major": 3, "minor": 10, "patch": 16}, "path": "/uv/pypy/bin/pypy3",
     "implementation": "pypy"},
    {"key": "cpython-3.7.9-linux-x86_64-gnu", "version": "3.7.9",
     "version_parts": {"major": 3, "minor": 7, "patch": 9}, "path": "/uv/3.7/bin/python3.7",
     "implementation": "cpython"},
    {"key": "cpython-3.14.0-linux-x86_64-gnu", "version": "3.14.0", "path": None, "implementation": "cpython"},
])


def test_from_uv_json():
    found = it.from_uv_json(UV_JSON)
    assert [(c.tag, c.path, c.source) for c in found] == [
        ("3.13.5t", "/uv/3.13.5t/bin/python3.13t", "uv"), ("3.12.11", "/uv/3.12/bin/python3.12", "uv")]


@pytest.mark.parametrize("text", ["", "not json", "{}", "[1, 2]"])
def test_from_uv_json_tolerates_junk(text):
    assert it.from_uv_json(text) == []


def test_from_uv_text():
    text = """cpython-3.14.0a1-linux-x86_64-gnu    <download available>
cpython-3.13.5+freethreaded-linux-x86_64-gnu    /uv/3.13.5t/bin/python3.13t
cpython-3.12.11-linux-x86_64-gnu    /usr/bin/python3.12 -> python3.12
cpython-3.7.9-linux-x86_64-gnu    /uv/3.7/bin/python3.7
pypy-3.10.16-linux-x86_64-gnu    /uv/pypy/bin/pypy3
"""
    found = it.from_uv_text(text)
    assert [(c.tag, c.path) for c in found] == [("3.13.5t", "/uv/3.13.5t/bin/python3.13t"),
                                               ("3.12.11", "/usr/bin/python3.12")]


# ---------------------------------------------------------------- requests
def test_parse_request_versions_and_paths():
    assert it.parse_request("3.11") == it.Request("3.11", version=(3, 11))
    assert it.parse_request("3.13t") == it.Request("3.13t", version=(3, 13), free_threaded=True)
    assert it.parse_request("3.13.5t").version == (3, 13, 5)
    assert it.parse_request("python3.12").version == (3, 12)
    assert it.parse_request("/opt/py/bin/python3").path == "/opt/py/bin/python3"
    assert it.parse_request("./py").path == "./py"
    assert it.parse_request("~/py").path.endswith("/py") and not it.parse_request("~/py").path.startswith("~")


@pytest.mark.parametrize("name, words", [
    ("3.x", ["'3.x'", "3.13t"]), ("latest", ["'latest'"]), ("3.7", ["3.7", "3.8+"]), ("2.7", ["2.7", "3.8+"]),
])
def test_parse_request_rejects_with_one_line(name, words):
    with pytest.raises(NotFound) as err:
        it.parse_request(name)
    message = str(err.value)
    assert "\n" not in message and message.startswith("PYTHONS: ")
    for w in words:
        assert w in message


def test_parse_requests_splits_and_dedupes():
    names = [r.text for r in it.parse_requests(" 3.11 3.13t,3.8  3.11 ")]
    assert names == ["3.11", "3.13t", "3.8"]
    assert it.parse_requests("") == [] and it.parse_requests("  ") == []


# ---------------------------------------------------------------- choosing
def test_best_per_series_newest_patch_then_pyenv():
    cands = [interp("3.11.2", "PATH", "/usr/bin/python3.11"), interp("3.11.7"), interp("3.13.5t", "uv"),
             interp("3.13.5t", "pyenv"), interp("3.13.0")]
    best = it.best_per_series(cands)
    assert [(c.tag, c.source) for c in best] == [("3.11.7", "pyenv"), ("3.13.0", "pyenv"), ("3.13.5t", "pyenv")]


def test_choose_keeps_gil_and_free_threaded_apart():
    assert it.choose(it.parse_request("3.13"), HERE).tag == "3.13.0"
    assert it.choose(it.parse_request("3.13t"), HERE).tag == "3.13.5t"
    assert it.choose(it.parse_request("3.13.5t"), HERE).tag == "3.13.5t"
    assert it.choose(it.parse_request("3.8"), HERE).tag == "3.8.18"


def test_choose_picks_the_newest_patch():
    cands = [interp("3.12.1"), interp("3.12.9", "uv"), interp("3.12.3", "PATH")]
    assert it.choose(it.parse_request("3.12"), cands).tag == "3.12.9"


@pytest.mark.parametrize("name, hint", [("3.14t", True), ("3.10", False), ("3.13.4t", True)])
def test_choose_missing_is_one_line_naming_what_there_is(name, hint):
    with pytest.raises(NotFound) as err:
        it.choose(it.parse_request(name), HERE)
    message = str(err.value)
    assert "\n" not in message
    assert f"no Python {name} here" in message and "3.13.5t" in message
    assert ("make freethreaded" in message) is hint


def test_default_selection_puts_the_reference_first():
    chosen = it.default_selection(HERE + [interp("3.11.2", "PATH", "/usr/bin/python3.11")], (3, 11))
    assert [c.tag for c in chosen] == ["3.11.7", "3.8.18", "3.9.18", "3.12.1", "3.13.0", "3.13.5t"]
    assert [c.tag for c in it.default_selection(HERE, (3, 99))][0] == "3.8.18"


def test_dedupe_runs_one_interpreter_once():
    a = interp("3.13.5t")
    assert it.dedupe([a, a, interp("3.8.18")]) == [a, interp("3.8.18")]


def test_select_fails_on_a_bad_name_before_listing(monkeypatch):
    monkeypatch.setattr(it, "discover", lambda: pytest.fail("listed interpreters for a malformed PYTHONS"))
    with pytest.raises(NotFound):
        it.select("3.11 3.x")


def test_select_in_the_order_given():
    assert [c.tag for c in it.select("3.11 3.13t 3.8", HERE)] == ["3.11.7", "3.13.5t", "3.8.18"]
    assert [c.tag for c in it.select("3.13 3.13.0", HERE)] == ["3.13.0"]


def test_select_without_names_is_every_series(monkeypatch):
    monkeypatch.setattr(it.sys, "version_info", (3, 11, 7))
    assert [c.tag for c in it.select("", HERE)][0] == "3.11.7"
    assert len(it.select("", HERE)) == len(HERE)
    with pytest.raises(NotFound):
        it.select("", [])


def test_a_path_that_is_not_there_is_one_line(tmp_path):
    with pytest.raises(NotFound) as err:
        it.select(str(tmp_path / "python9"), HERE)
    assert "python9" in str(err.value) and "\n" not in str(err.value)


def test_a_path_is_asked_what_it_is():
    (only,) = it.select(sys.executable, [])
    assert only.source == "given" and only.version[:2] == tuple(sys.version_info[:2])


def test_main_exit_2_and_one_line(monkeypatch, capsys):
    monkeypatch.setattr(it, "discover", lambda: list(HERE))
    assert it.main(["3.14t"]) == 2
    out, err = capsys.readouterr()
    assert out == "" and len(err.strip().splitlines()) == 1 and err.startswith("claimbench: error: ")
    assert it.main(["3.13t"]) == 0
    assert capsys.readouterr().out.split("\t")[:2] == ["3.13t", "3.13.5t"]


# ---------------------------------------------------------------- runtimes of their own root
def test_from_runtimes_needs_versioned_names():
    found = it.from_runtimes("/p/.runtimes", [("debian", ["python3.14", "python3.15", "python3", "pip"])])
    assert [c.name for c in found] == ["debian:3.14", "debian:3.15"]
    assert found[0].runner == "/p/.runtimes/debian/run" and found[0].source == "debian"
    assert found[0].path == "/p/.runtimes/debian/bin/python3.14"


def test_a_runtime_request_picks_only_that_root():
    debian = Interpreter("/p/.runtimes/debian/bin/python3.14", (3, 14, 10), False, "debian", "/p/.runtimes/debian/run")
    pyenv = interp("3.14.2")
    assert it.parse_request("debian:3.14").source == "debian"
    assert it.resolve(it.parse_requests("debian:3.14"), [pyenv, debian]) == [debian]
    assert it.resolve(it.parse_requests("3.14"), [pyenv, debian]) == [debian]   # newest patch
    assert debian.tag == "3.14.10-debian" and debian.name == "debian:3.14"
    with pytest.raises(NotFound, match="tools/debian-runtimes ensure 3.15"):
        it.choose(it.parse_request("debian:3.15"), [pyenv, debian])
    with pytest.raises(NotFound, match="named like debian:3.14"):
        it.parse_request("Debian 3.14".replace(" ", ":"))


def test_a_start_method_rides_on_the_name():
    r = it.parse_request("3.11@spawn")
    assert r.start_method == "spawn" and r.version == (3, 11)
    assert it.parse_request("debian:3.14@fork").source == "debian"
    (a, b) = it.resolve(it.parse_requests("3.11 3.11@spawn"), HERE)
    assert (a.start_method, b.start_method) == ("", "spawn") and a.path == b.path
    assert b.name == "3.11@spawn" and b.tag == "3.11.7"        # one venv for both
    with pytest.raises(NotFound, match="unknown start method 'vfork'"):
        it.parse_request("3.11@vfork")
