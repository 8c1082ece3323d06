"""Interpreter names, pure: PYTHONS names read into ``Request``s, what was listed (pyenv's folder
names, PATH's file names, uv's output, ``.runtimes/``) read into ``Interpreter`` candidates, and one
candidate chosen per name.

No I/O here: ``claimbench/commands/interpreters.py`` lists, asks each candidate what it is, and
resolves PYTHONS with these. Standard library only: it runs before any virtual environment exists.
"""
from __future__ import annotations

import json
import os
import re
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
        return f"{self.version[0]}.{self.version[1]}{'t' if self.free_threaded else ''}"

    @property
    def tag(self) -> str:
        """``3.13.5t``: the name of its virtual environment under .venvs/."""
        major, minor, patch = self.version
        tag = self.short if patch < 0 else f"{major}.{minor}.{patch}{'t' if self.free_threaded else ''}"
        return tag + "-" + self.source if self.runner else tag

    @property
    def name(self) -> str:
        """What PYTHONS names it by: ``3.13t``, ``debian:3.14``, ``3.11@spawn``."""
        name = f"{self.source}:{self.short}" if self.runner else self.short
        return name + ("@" + self.start_method if self.start_method else "")

    def describe(self) -> str:
        return f"{self.tag} ({self.source}, {self.path})"


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
            raise NotFound(f"PYTHONS: unknown start method {method!r} in {text!r}: choose {', '.join(START_METHODS)}")
        return replace(parse_request(name), text=text, start_method=method)
    if "/" in text or text.startswith("~"):
        return Request(text, path=os.path.expanduser(text))
    source = ""
    if ":" in text:
        source, text = text.split(":", 1)
        if not re.match(r"^[a-z][a-z0-9_-]*$", source):
            raise NotFound(f"PYTHONS: cannot read {source + ':' + text!r}: a runtime of its own root is named like "
                           "debian:3.14")
        request = parse_request(text)
        return replace(request, text=source + ":" + request.text, source=source)
    parsed = parse_version_name(text)
    if parsed is None:
        raise NotFound(f"PYTHONS: cannot read {text!r}: give a version (3.11, 3.13t, 3.13.5t) or the path of a python")
    (major, minor, patch), ft = parsed
    if not supported((major, minor)):
        raise NotFound(f"PYTHONS: {text} is older than the experiments support ({OLDEST[0]}.{OLDEST[1]}+)")
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
                    else f"; `uv python install {request.text}` or `pyenv install {request.text}` installs one")
        if request.source == "debian":
            hint = f"; `tools/debian-runtimes ensure {request.text.split(':', 1)[1]}` makes it (as root)"
        raise NotFound(f"PYTHONS: no Python {request.text} here (found: {have}){hint}")
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
