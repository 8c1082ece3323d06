"""Finding the interpreters of the matrix: pyenv's, those on PATH, uv's, and runtimes in a root
of their own (``.runtimes/<name>/``, e.g. Debian's 3.14 and 3.15 made by tools/debian-runtimes).

Pure functions read what was listed (folder names, file names, uv's output)
into ``Interpreter`` candidates, and pick one per name of PYTHONS
(``3.11``, ``3.13t``, ``3.13.5t``, ``python3.12``, ``debian:3.14`` or a path). ``discover()``
does the listing and asks each candidate what it is. A name that matches
nothing is a ``NotFound`` whose message is the one line the user sees.

``python -m claimbench.commands.interpreters [NAME ...]`` prints what was found.
Standard library only: it runs before any virtual environment exists.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Dict, Iterable, List, Optional, Sequence, Tuple

# The experiments support 3.8 and later (ARCHITECTURE.md); older ones are not candidates.
OLDEST = (3, 8)
SOURCES = ("pyenv", "PATH", "uv", "given")  # preference when two have the same version
# A runtime of its own root: ``<RUNTIMES>/<name>/bin/pythonX.Y`` runs that interpreter there, and
# ``<RUNTIMES>/<name>/run CMD ARG...`` runs any command there (a venv's python among them).
RUNTIMES = ".runtimes"

_VERSION = re.compile(r"^(?:python)?(\d+)\.(\d+)(?:\.(\d+))?(t)?$")
_UV_KEY = re.compile(r"^cpython-(\d+)\.(\d+)\.(\d+)(\+freethreaded)?-")


class NotFound(LookupError):
    """A PYTHONS name with no interpreter here; str() is the line the user sees."""


@dataclass(frozen=True)
class Interpreter:
    path: str                      # the executable
    version: Tuple[int, int, int]  # (3, 13, 5); patch -1 while unknown
    free_threaded: bool
    source: str = "PATH"
    runner: str = ""  # a runtime of its own root: the command that runs a program inside it
    start_method: str = ""  # ``3.11@spawn``: the matrix runs it with this start method

    @property
    def short(self) -> str:
        """``3.13t``: what PYTHONS names it by."""
        return "{}.{}{}".format(self.version[0], self.version[1], "t" if self.free_threaded else "")

    @property
    def tag(self) -> str:
        """``3.13.5t``: the name of its virtual environment under .venvs/."""
        tag = self.short if self.version[2] < 0 else "{}.{}.{}{}".format(
            *self.version, "t" if self.free_threaded else "")
        return tag + "-" + self.source if self.runner else tag

    @property
    def name(self) -> str:
        """What PYTHONS names it by: ``3.13t``, ``debian:3.14``, ``3.11@spawn``."""
        name = "{}:{}".format(self.source, self.short) if self.runner else self.short
        return name + ("@" + self.start_method if self.start_method else "")

    def describe(self) -> str:
        return "{} ({}, {})".format(self.tag, self.source, self.path)


@dataclass(frozen=True)
class Request:
    """One name of PYTHONS: a version (minor, patch optional, ``t`` for free-threaded) or a path."""

    text: str
    version: Tuple[int, ...] = ()
    free_threaded: bool = False
    path: str = ""
    source: str = ""  # ``debian:3.14``: only that runtime root's interpreter
    start_method: str = ""  # ``3.11@spawn``


# ---------------------------------------------------------------- pure: reading names
def parse_version_name(name: str) -> Optional[Tuple[Tuple[int, int, int], bool]]:
    """``3.13.5t`` → ((3, 13, 5), True); ``python3.12`` → ((3, 12, -1), False); else None."""
    m = _VERSION.match(name.strip())
    if not m:
        return None
    major, minor, patch, t = m.groups()
    return (int(major), int(minor), int(patch) if patch is not None else -1), bool(t)


def supported(version: Sequence[int]) -> bool:
    return tuple(version[:2]) >= OLDEST


def from_pyenv(root: str, names: Iterable[str]) -> List[Interpreter]:
    """Candidates from the folder names of ``$(pyenv root)/versions`` (3.13.5t, 3.11.7 …).

    Other builds pyenv installs (pypy3.10-7.3.12, miniconda3-…, 3.14-dev) are not CPython
    releases the notes' claims are checked on, and are left out.
    """
    out = []
    for name in sorted(names):
        parsed = parse_version_name(name)
        if parsed is None or name.startswith("python") or parsed[0][2] < 0 or not supported(parsed[0]):
            continue
        path = os.path.join(root, "versions", name, "bin", "python")
        out.append(Interpreter(path, parsed[0], parsed[1], "pyenv"))
    return out


def from_path_names(entries: Iterable[Tuple[str, str]], skip_dirs: Sequence[str] = ()) -> List[Interpreter]:
    """Candidates from ``(folder, file)`` pairs of PATH named ``pythonX.Y`` or ``pythonX.Yt``.

    ``skip_dirs`` are folders of shims (pyenv's) that run whichever version is selected,
    not the one in their name.
    """
    out = []
    for folder, name in entries:
        if folder in skip_dirs or not name.startswith("python"):
            continue
        parsed = parse_version_name(name)
        if parsed is None or not supported(parsed[0]) or name.count(".") != 1:
            continue
        out.append(Interpreter(os.path.join(folder, name), parsed[0], parsed[1], "PATH"))
    return out


def from_uv_json(text: str) -> List[Interpreter]:
    """Candidates from ``uv python list --only-installed --output-format json``."""
    try:
        items = json.loads(text)
    except ValueError:
        return []
    out = []
    for item in items if isinstance(items, list) else ():
        if not isinstance(item, dict) or item.get("implementation", "cpython") != "cpython" or not item.get("path"):
            continue
        parts = item.get("version_parts") or {}
        try:
            version = (int(parts["major"]), int(parts["minor"]), int(parts.get("patch", -1)))
        except (KeyError, TypeError, ValueError):
            parsed = parse_version_name(str(item.get("version", "")))
            if parsed is None:
                continue
            version = parsed[0]
        ft = item.get("variant") == "freethreaded" or "+freethreaded" in str(item.get("key", ""))
        if supported(version):
            out.append(Interpreter(str(item["path"]), version, ft, "uv"))
    return out


def from_uv_text(text: str) -> List[Interpreter]:
    """Candidates from the plain ``uv python list --only-installed`` (older uv: no JSON)."""
    out = []
    for line in text.splitlines():
        fields = line.split()
        if len(fields) < 2:
            continue
        m = _UV_KEY.match(fields[0])
        if not m or not fields[1].startswith("/"):
            continue
        version = (int(m.group(1)), int(m.group(2)), int(m.group(3)))
        if supported(version):
            out.append(Interpreter(fields[1], version, bool(m.group(4)), "uv"))
    return out


def from_runtimes(folder: str, listing: Iterable[Tuple[str, Sequence[str]]]) -> List[Interpreter]:
    """Candidates from ``(runtime name, file names of its bin/)`` under ``folder`` (.runtimes).

    A runtime counts only with its ``run`` command beside ``bin/``; its interpreters are
    named ``<runtime>:X.Y``.
    """
    out = []
    for runtime_name, names in listing:
        runner = os.path.join(folder, runtime_name, "run")
        bin_dir = os.path.join(folder, runtime_name, "bin")
        out += [replace(c, source=runtime_name, runner=runner)
                for c in from_path_names((bin_dir, name) for name in sorted(names))]
    return out


START_METHODS = ("fork", "forkserver", "spawn")


def parse_request(text: str) -> Request:
    """One name of PYTHONS; a name that is neither a version nor a path is a NotFound.

    ``NAME@METHOD`` (``3.11@spawn``, ``debian:3.14@fork``) runs that interpreter with another
    default start method.
    """
    text = text.strip()
    if "@" in text:
        name, method = text.rsplit("@", 1)
        if method not in START_METHODS:
            raise NotFound("PYTHONS: unknown start method {!r} in {!r}: choose {}".format(
                method, text, ", ".join(START_METHODS)))
        return replace(parse_request(name), text=text, start_method=method)
    if "/" in text or text.startswith("~"):
        return Request(text, path=os.path.expanduser(text))
    source = ""
    if ":" in text:
        source, text = text.split(":", 1)
        if not re.match(r"^[a-z][a-z0-9_-]*$", source):
            raise NotFound("PYTHONS: cannot read {!r}: a runtime of its own root is named like "
                           "debian:3.14".format(source + ":" + text))
        request = parse_request(text)
        return replace(request, text=source + ":" + request.text, source=source)
    parsed = parse_version_name(text)
    if parsed is None:
        raise NotFound("PYTHONS: cannot read {!r}: give a version (3.11, 3.13t, 3.13.5t) "
                       "or the path of a python".format(text))
    (major, minor, patch), ft = parsed
    if not supported((major, minor)):
        raise NotFound("PYTHONS: {} is older than the experiments support ({}.{}+)".format(text, *OLDEST))
    version = (major, minor) if patch < 0 else (major, minor, patch)
    return Request(text, version=version, free_threaded=ft)


def parse_requests(text: str) -> List[Request]:
    """``"3.11 3.13t, 3.8"`` → three requests; names repeated count once."""
    seen, out = set(), []
    for name in text.replace(",", " ").split():
        if name not in seen:
            seen.add(name)
            out.append(parse_request(name))
    return out


# ---------------------------------------------------------------- pure: choosing
def _rank(c: Interpreter) -> Tuple:
    return (c.version[2], -SOURCES.index(c.source) if c.source in SOURCES else -len(SOURCES))


def best_per_series(candidates: Iterable[Interpreter]) -> List[Interpreter]:
    """One interpreter per (X.Y, free-threaded or not): the newest patch, pyenv's on a tie.

    Sorted by version, the GIL build before the free-threaded one.
    """
    best: Dict[Tuple[int, int, bool], Interpreter] = {}
    for c in candidates:
        key = (c.version[0], c.version[1], c.free_threaded)
        if key not in best or _rank(c) > _rank(best[key]):
            best[key] = c
    return [best[k] for k in sorted(best)]


def matches(c: Interpreter, r: Request) -> bool:
    if r.source and (c.source != r.source or not c.runner):
        return False
    return c.free_threaded == r.free_threaded and tuple(c.version[:len(r.version)]) == tuple(r.version)


def choose(request: Request, candidates: Sequence[Interpreter]) -> Interpreter:
    """The interpreter a version request names: the newest matching patch."""
    found = [c for c in candidates if matches(c, request)]
    if not found:
        have = ", ".join(c.tag for c in best_per_series(candidates)) or "none"
        hint = ""
        if request.free_threaded:
            from .project import has_make_target
            hint = ("; `make freethreaded` finds or builds one" if has_make_target(Path.cwd(), "freethreaded")
                    else "; `uv python install {0}` or `pyenv install {0}` installs one".format(request.text))
        if request.source == "debian":
            hint = "; `tools/debian-runtimes ensure {}` makes it (as root)".format(request.text.split(":", 1)[1])
        raise NotFound("PYTHONS: no Python {} here (found: {}){}".format(request.text, have, hint))
    return best_per_series(found)[-1] if len(found) > 1 else found[0]


def default_selection(candidates: Sequence[Interpreter], reference: Tuple[int, int] = ()) -> List[Interpreter]:
    """Every supported series found, the ``reference`` one (the main venv's, with the GIL) first."""
    series = best_per_series(candidates)
    first = [c for c in series if tuple(c.version[:2]) == tuple(reference) and not c.free_threaded]
    return first + [c for c in series if c not in first]


def dedupe(chosen: Sequence[Interpreter]) -> List[Interpreter]:
    """Two names that pick the same interpreter (3.13 and 3.13.5) with the same start method run it once."""
    seen, out = set(), []
    for c in chosen:
        key = (c.tag, os.path.realpath(c.path), c.start_method)
        if key not in seen:
            seen.add(key)
            out.append(c)
    return out


# ---------------------------------------------------------------- I/O: listing and asking
PROBE = ("import json, sys, sysconfig; print(json.dumps({'version': list(sys.version_info[:3]), "
         "'free_threaded': bool(sysconfig.get_config_var('Py_GIL_DISABLED')), "
         "'implementation': sys.implementation.name}))")


def probe(path: str, timeout_s: float = 60.0) -> Optional[Interpreter]:
    """Ask an executable what it is; None if it does not run or is not CPython 3.8+."""
    try:
        out = subprocess.run([path, "-I", "-S", "-c", PROBE], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                             timeout=timeout_s, check=True, universal_newlines=True).stdout
        facts = json.loads(out)
    except (OSError, subprocess.SubprocessError, ValueError):
        return None
    if facts.get("implementation") != "cpython" or not supported(facts["version"]):
        return None
    return Interpreter(path, tuple(facts["version"]), bool(facts["free_threaded"]))


def pyenv_root() -> Optional[str]:
    root = os.environ.get("PYENV_ROOT")
    if not root and shutil.which("pyenv"):
        try:
            root = subprocess.run(["pyenv", "root"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                  timeout=30, universal_newlines=True).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            root = None
    if not root and os.path.isdir(os.path.expanduser("~/.pyenv/versions")):
        root = os.path.expanduser("~/.pyenv")
    return root or None


def list_pyenv(root: Optional[str]) -> List[Interpreter]:
    if not root or not os.path.isdir(os.path.join(root, "versions")):
        return []
    return [c for c in from_pyenv(root, os.listdir(os.path.join(root, "versions"))) if os.access(c.path, os.X_OK)]


def list_path(path_env: Optional[str] = None, shims: Sequence[str] = ()) -> List[Interpreter]:
    entries = []
    for folder in (path_env if path_env is not None else os.environ.get("PATH", "")).split(os.pathsep):
        try:
            names = os.listdir(folder)
        except OSError:
            continue
        entries += [(folder, n) for n in names if os.access(os.path.join(folder, n), os.X_OK)]
    return from_path_names(entries, skip_dirs=shims)


def list_uv() -> List[Interpreter]:
    uv = shutil.which("uv")
    if not uv:
        return []
    for args, read in ((["--output-format", "json"], from_uv_json), ([], from_uv_text)):
        try:
            done = subprocess.run([uv, "python", "list", "--only-installed"] + args, stdout=subprocess.PIPE,
                                  stderr=subprocess.DEVNULL, timeout=60, universal_newlines=True)
        except (OSError, subprocess.SubprocessError):
            return []
        if done.returncode == 0:
            found = read(done.stdout)
            if found:
                return found
    return []


def uv_find(request: Request) -> Optional[Interpreter]:
    """``uv python find`` for a request the listings missed (uv knows more places)."""
    uv = shutil.which("uv")
    if not uv or not request.version:
        return None
    spec = ".".join(str(p) for p in request.version) + ("t" if request.free_threaded else "")
    try:
        done = subprocess.run([uv, "python", "find", "--no-project", spec], stdout=subprocess.PIPE,
                              stderr=subprocess.DEVNULL, timeout=60, universal_newlines=True)
    except (OSError, subprocess.SubprocessError):
        return None
    path = done.stdout.strip()
    found = probe(path) if done.returncode == 0 and path else None
    return replace(found, source="uv") if found and matches(found, request) else None


def list_runtimes(folder: str = RUNTIMES) -> List[Interpreter]:
    """The interpreters of the runtimes under ``folder`` whose ``run`` command is there."""
    folder = os.path.abspath(folder)
    try:
        names = sorted(os.listdir(folder))
    except OSError:
        return []
    listing = []
    for name in names:
        bin_dir = os.path.join(folder, name, "bin")
        if os.access(os.path.join(folder, name, "run"), os.X_OK) and os.path.isdir(bin_dir):
            listing.append((name, [n for n in os.listdir(bin_dir) if os.access(os.path.join(bin_dir, n), os.X_OK)]))
    return from_runtimes(folder, listing)


def discover(path_env: Optional[str] = None) -> List[Interpreter]:
    """Every CPython 3.8+ of pyenv, PATH, uv and .runtimes/, each asked what it is (patch, free-threaded)."""
    root = pyenv_root()
    shims = [os.path.join(root, "shims"), os.path.join(root, "plugins", "pyenv-virtualenv", "shims")] if root else []
    listed = list_pyenv(root) + list_path(path_env, shims) + list_uv() + list_runtimes()
    out, seen = [], set()
    for c in listed:
        real = os.path.realpath(c.path)
        if real in seen:
            continue
        seen.add(real)
        found = probe(c.path)
        if found is not None:
            out.append(replace(found, source=c.source, runner=c.runner))
    return out


def resolve(requests: Sequence[Request], candidates: Sequence[Interpreter]) -> List[Interpreter]:
    """One interpreter per request, in the order given; the first missing one is a NotFound."""
    chosen = []
    for r in requests:
        if r.path:
            found = probe(r.path) if os.access(r.path, os.X_OK) else None
            if found is None:
                raise NotFound("PYTHONS: {} is not a runnable CPython {}.{}+".format(r.text, *OLDEST))
            chosen.append(replace(found, source="given", start_method=r.start_method))
            continue
        try:
            chosen.append(replace(choose(r, candidates), start_method=r.start_method))
        except NotFound:
            found = uv_find(r) if not r.source else None
            if found is None:
                raise
            chosen.append(replace(found, start_method=r.start_method))
    return dedupe(chosen)


def select(pythons: str, candidates: Optional[Sequence[Interpreter]] = None) -> List[Interpreter]:
    """The interpreters PYTHONS names, or, when it is empty, every series found."""
    requests = parse_requests(pythons)  # a malformed name fails before anything is listed
    found = discover() if candidates is None else list(candidates)
    if requests:
        return resolve(requests, found)
    chosen = default_selection(found, sys.version_info[:2])
    if not chosen:
        raise NotFound("no CPython {}.{}+ found (pyenv, PATH, uv)".format(*OLDEST))
    return chosen


def main(argv: Optional[List[str]] = None) -> int:
    """Print the interpreters PYTHONS would name (all found, without arguments); exit 2 if one is missing."""
    argv = sys.argv[1:] if argv is None else argv
    try:
        chosen = select(" ".join(argv))
    except NotFound as exc:
        print("claimbench: error: {}".format(exc), file=sys.stderr)
        return 2
    for c in chosen:
        print("{}\t{}\t{}\t{}".format(c.name, c.tag, c.source, c.path))
    return 0


if __name__ == "__main__":
    sys.exit(main())
