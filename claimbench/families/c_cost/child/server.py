"""The sandbox: one JSON request per line in, one JSON answer per line out; a request run in a child
forked for it alone (``fresh``); and the sandbox's instances, resident sandboxes forked from it.

A sandbox also starts *instances* of itself (``Instances``): resident sandboxes forked from it in
milliseconds, which an experiment builds off the clock and rebuilds between batches of rounds
(measure.Built), one per way it compares, the way compared against twice.
"""
from __future__ import annotations

import json
import os
import sys

from .creation import creation_cost
from .limits import machine_process_limit
from .waits import waits_memory, waits_wall

# A forked measurement child that runs longer than this is killed by SIGALRM.
FRESH_LIMIT_S = 120
# What an instance runs where the platform cannot fork: this package, as a new sandbox interpreter.
SANDBOX_MODULE = __package__


def run_request(req: dict) -> dict:
    op = req["op"]
    if op == "creation":
        return {"per_unit_s": creation_cost(req["what"], int(req["count"]))}
    if op == "waits-wall":
        return waits_wall(req["way"], int(req["n"]), float(req["wait_s"]))
    if op == "waits-memory":
        return waits_memory(req["way"], int(req["n"]), release=not hasattr(os, "fork"))
    if op == "process-limit":
        return {"limit": machine_process_limit()}
    if op == "ping":
        return {"pid": os.getpid()}
    raise ValueError(f"unknown op {op!r}")


def _answer(req: dict) -> dict:
    try:
        return run_request(req)
    except Exception as exc:  # the caller raises it; the sandbox lives on
        return {"error": f"{type(exc).__name__}: {exc}"}


def in_fresh_child(req: dict) -> dict:
    """Answer ``req`` in a child forked for it alone, which then ends with os._exit."""
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: answer, write, and end without running any clean-up
        try:
            os.close(r)
            import signal
            if hasattr(signal, "alarm"):
                signal.alarm(FRESH_LIMIT_S)
            data = json.dumps(_answer(req)).encode()
            while data:
                data = data[os.write(w, data):]
        finally:
            os._exit(0)
    os.close(w)
    chunks = []
    while True:
        chunk = os.read(r, 65536)
        if not chunk:
            break
        chunks.append(chunk)
    os.close(r)
    _, status = os.waitpid(pid, 0)
    if not chunks:
        return {"error": f"the fresh child ended with status {status} and no answer"}
    return json.loads(b"".join(chunks).decode())


# ---------------------------------------------------------------- instances: sandboxes of a sandbox
class Instances:
    """Sandboxes that this sandbox starts and answers for: an experiment's instances (measure.Built), each a
    process of its own that measures in itself, built off the clock and ended when the experiment rebuilds.

    Where the platform forks, an instance is a fork of this sandbox (milliseconds, where starting an
    interpreter takes a tenth of a second): the same modules, ``__main__`` and start methods as a sandbox
    started anew, and nothing measured in this one first. Elsewhere it is a new sandbox interpreter.
    Requests reach an instance through this sandbox (``instance``: its id), which passes its answer back.
    """

    def __init__(self):
        self.running = {}  # id -> (pid or Popen, its requests (write), its answers (read))
        self.made = 0

    def new(self) -> dict:
        if hasattr(os, "fork"):
            unit, to_it, from_it = self._fork()
        else:
            import subprocess
            unit = subprocess.Popen([sys.executable, "-m", SANDBOX_MODULE], stdin=subprocess.PIPE,
                                    stdout=subprocess.PIPE, universal_newlines=True, bufsize=1)
            to_it, from_it = unit.stdin, unit.stdout
        self.made += 1
        self.running[self.made] = (unit, to_it, from_it)
        return {"instance": self.made, "pid": unit if isinstance(unit, int) else unit.pid}

    def _fork(self):
        requests_r, requests_w = os.pipe()
        answers_r, answers_w = os.pipe()
        pid = os.fork()
        if pid == 0:  # the instance: serve its own pipes, never this sandbox's, and end with os._exit
            try:
                os.close(requests_w)
                os.close(answers_r)
                for _, to_it, from_it in self.running.values():  # the others' ends stay with their parent
                    to_it.close()
                    from_it.close()
                self.running.clear()
                quiet = os.open(os.devnull, os.O_RDWR)
                os.dup2(quiet, 0)
                os.dup2(quiet, 1)
                serve(os.fdopen(requests_r, "r"), os.fdopen(answers_w, "w"))
            finally:
                os._exit(0)
        os.close(requests_r)
        os.close(answers_w)
        return pid, os.fdopen(requests_w, "w"), os.fdopen(answers_r, "r")

    def ask(self, instance: int, req: dict) -> dict:
        if instance not in self.running:
            return {"error": f"no instance {instance}"}
        _, to_it, from_it = self.running[instance]
        to_it.write(json.dumps(req) + "\n")
        to_it.flush()
        line = from_it.readline()
        if not line:
            return {"error": f"instance {instance} ended before answering {req}"}
        return json.loads(line)

    def end(self, instance: int) -> dict:
        """Close its requests (its serve loop ends) and wait for it."""
        unit, to_it, from_it = self.running.pop(instance)
        to_it.close()
        from_it.close()
        if isinstance(unit, int):
            _, status = os.waitpid(unit, 0)
        else:
            status = unit.wait()
        return {"instance": instance, "status": status}

    def end_all(self) -> None:
        for instance in list(self.running):
            self.end(instance)


INSTANCES = Instances()


def serve(stdin=None, stdout=None) -> None:
    """One JSON request per line in, one JSON answer per line out, until stdin ends.

    ``op: instance-new`` starts an instance (Instances) and ``op: instance-end`` ends it; any other request
    naming an ``instance`` is that instance's to answer. Instances still running at the end are ended."""
    stdin = stdin or sys.stdin
    stdout = stdout or sys.stdout
    # Every fresh child of a coroutine request would import asyncio (a tenth of a second) before
    # its clock starts: import it once here, and every child has it.
    __import__("asyncio")
    try:
        for line in stdin:
            if not line.strip():
                continue
            req = json.loads(line)
            fresh = req.get("fresh") and hasattr(os, "fork")
            op, instance = req.get("op"), req.get("instance")
            if op == "instance-new":
                answer = INSTANCES.new()
            elif op == "instance-end":
                answer = INSTANCES.end(int(instance))
            elif instance is not None:
                answer = INSTANCES.ask(int(instance), {k: v for k, v in req.items() if k != "instance"})
            else:
                answer = in_fresh_child(req) if fresh else _answer(req)
            stdout.write(json.dumps(answer) + "\n")
            stdout.flush()
    finally:
        INSTANCES.end_all()
