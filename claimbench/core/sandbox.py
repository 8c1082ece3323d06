"""Sandboxes: fresh interpreters that experiments run their probes in, so that whatever a probe
does to its process (a segfault, os._exit, a pinned CPU, a spawn child re-importing ``__main__``)
happens to the sandbox, never to pytest. One concept, two lifetimes:

- ``one_shot(function, *args)``: that function of a family's child code, called in a new
  interpreter that prints JSON lines and exits; its exit code and output come back
  (``json_lines`` reads them).
- ``Sandbox(module)``: a resident interpreter, ``python -m <module>`` (the module of child code the
  experiment names: the core knows no family), answering one JSON request per line on stdin with one
  JSON line on stdout, for timings that must not pay for an interpreter's start each time.

Both find this package through PYTHONPATH, as a child of any working directory.
Standard library only; Python 3.8+.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Callable, List, Optional

ROOT = Path(__file__).resolve().parents[2]  # the folder that holds the claimbench package


def environment() -> dict:
    """The sandbox's environment: this package importable; no faulthandler (a planted crash's
    own traceback dump is not part of what the probe reports); and bytecode written and read as
    by a Python left at its defaults: under spawn and forkserver each child imports the probe's
    module, and where PYTHONDONTWRITEBYTECODE leaves no cache it compiles that module from source
    every time (on Debian's 3.14 here a spawned process took 279 ms so, 83 ms from the cache): a
    cost of how the suite is run, not of creating a process."""
    env = dict(os.environ)
    env.pop("PYTHONFAULTHANDLER", None)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH", "")) if p)
    return env


def one_shot_code(function: Callable, *args) -> str:
    """``from <module> import <name>; <name>(<args>)``: the sandbox's program (args are literals)."""
    name, literals = function.__name__, ", ".join(repr(a) for a in args)
    return f"from {function.__module__} import {name}; {name}({literals})"


def one_shot(function: Callable, *args, timeout_s: float, cwd: Optional[str] = None) -> subprocess.CompletedProcess:
    """Call ``function(*args)`` (importable by name, arguments literals) in a fresh interpreter.

    The caller never dies with it: whatever the sandbox does to itself comes
    back as a return code and its output.
    """
    return subprocess.run([sys.executable, "-c", one_shot_code(function, *args)],
                          cwd=cwd, env=environment(), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          timeout=timeout_s, universal_newlines=True)


def json_lines(text: str) -> List[dict]:
    """The JSON objects a sandbox printed, one per line; other lines are ignored."""
    out = []
    for line in text.splitlines():
        line = line.strip()
        if line.startswith("{"):
            try:
                out.append(json.loads(line))
            except ValueError:
                pass
    return out


class SandboxError(RuntimeError):
    pass


class Sandbox:
    """The test's end of a resident sandbox: ``request(op=..., ...)`` → the answer dict."""

    def __init__(self, module: str, cwd: Optional[str] = None):
        self.module = module
        self.proc = subprocess.Popen([sys.executable, "-m", module], cwd=cwd or str(ROOT),
                                     env=environment(), stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     universal_newlines=True, bufsize=1)

    def request(self, **req) -> dict:
        self.proc.stdin.write(json.dumps(req) + "\n")
        self.proc.stdin.flush()
        line = self.proc.stdout.readline()
        if not line:
            raise SandboxError(f"the sandbox ended (exit code {self.proc.poll()}) before answering {req}")
        answer = json.loads(line)
        if "error" in answer:
            raise SandboxError(f"{req} failed in the sandbox: {answer['error']}")
        return answer

    def close(self, timeout_s: float = 10.0) -> None:
        try:
            self.proc.stdin.close()
        except OSError:
            pass
        try:
            self.proc.wait(timeout_s)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.proc.stdout.close()

    def __enter__(self) -> "Sandbox":
        return self

    def __exit__(self, *exc) -> None:
        self.close()
