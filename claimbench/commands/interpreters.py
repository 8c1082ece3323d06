"""Finding the interpreters of the matrix: listing pyenv's, those on PATH, uv's, and runtimes in a
root of their own (``.runtimes/<name>/``, e.g. Debian's 3.14 and 3.15 made by tools/debian-runtimes).

The pure functions of ``claimbench/commands/interpreter_names.py`` read what was listed (folder
names, file names, uv's output) into ``Interpreter`` candidates, and pick one per name of PYTHONS
(``3.11``, ``3.13t``, ``3.13.5t``, ``python3.12``, ``debian:3.14`` or a path). ``discover()``
does the listing and asks each candidate what it is. A name that matches
nothing is a ``NotFound`` whose message is the one line the user sees.

``python -m claimbench.commands.interpreters [NAME ...]`` prints what was found.
Standard library only: it runs before any virtual environment exists.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from dataclasses import replace
from typing import List, Optional, Sequence

from .interpreter_names import (OLDEST, RUNTIMES, Interpreter, NotFound, Request, best_per_series, choose,
                                default_selection, dedupe, from_path_names, from_pyenv, from_runtimes, from_uv_json,
                                from_uv_text, matches, parse_request, parse_requests, parse_version_name,
                                SOURCES, START_METHODS, supported)

# The pure names, as the matrix command and the tests have read them from here.
__all__ = ["OLDEST", "SOURCES", "RUNTIMES", "NotFound", "Interpreter", "Request", "parse_version_name", "supported",
           "from_pyenv", "from_path_names", "from_uv_json", "from_uv_text", "from_runtimes", "START_METHODS",
           "parse_request", "parse_requests", "best_per_series", "matches", "choose", "default_selection", "dedupe",
           "PROBE", "probe", "pyenv_root", "list_pyenv", "list_path", "list_uv", "uv_find", "list_runtimes",
           "discover", "resolve", "select", "main"]


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
                raise NotFound(f"PYTHONS: {r.text} is not a runnable CPython {OLDEST[0]}.{OLDEST[1]}+")
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
        raise NotFound(f"no CPython {OLDEST[0]}.{OLDEST[1]}+ found (pyenv, PATH, uv)")
    return chosen


def main(argv: Optional[List[str]] = None) -> int:
    """Print the interpreters PYTHONS would name (all found, without arguments); exit 2 if one is missing."""
    argv = sys.argv[1:] if argv is None else argv
    try:
        chosen = select(" ".join(argv))
    except NotFound as exc:
        print(f"claimbench: error: {exc}", file=sys.stderr)
        return 2
    for c in chosen:
        print(f"{c.name}\t{c.tag}\t{c.source}\t{c.path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
