"""What section C's cost experiments run, and the sandbox they run it in.

Creation costs and many concurrent waits are measured in a *sandbox*: a fresh
interpreter started as ``python -m claimbench.families.c_cost.child`` that answers one
JSON request per line on stdin with one JSON line on stdout. Two reasons:

- a spawn or forkserver child re-imports the parent's ``__main__``; under pytest
  that is pytest itself, which would make every such child pay for importing
  pytest. The sandbox's ``__main__`` is this small module, as a small script's
  would be. (So this module imports only what a child needs at the top.)
- memory per wait is the growth of a process's own RSS; a request marked
  ``fresh`` runs in a child forked from the sandbox for it alone, so nothing an
  earlier request allocated (thread stacks glibc keeps, freed arenas) counts.

A sandbox also starts *instances* of itself (``Instances``): resident sandboxes forked from it in
milliseconds, which an experiment builds off the clock and rebuilds between batches of rounds
(measure.Built), one per way it compares, the way compared against twice.

The ping-pong and round-trip workers (handoff latency, handing data to a
worker) are here too, importable by name for spawn and forkserver children.
Standard library only at import time (psutil is imported where memory is read);
Python 3.8+.
"""
from __future__ import annotations

import json
import multiprocessing
import os
import queue
import sys
import threading
import time
from typing import Dict, List, Optional, Sequence

# Every wait a child makes is bounded, so a lost parent never leaves it hanging.
# A forked measurement child that runs longer than this is killed by SIGALRM.
FRESH_LIMIT_S = 120

from ...core.labels import COROUTINES, PROCESSES, THREADS
from ...core.workloads import CHILD_WAIT_S, settle


# ---------------------------------------------------------------- pure helpers
def per_unit_overhead_s(wall_s: float, wait_s: float, n: int) -> float:
    """What each of n concurrent waits of ``wait_s`` cost beyond the wait itself.

    n waits that overlap perfectly take ``wait_s``; whatever the wall time has on
    top (creating, scheduling, joining them) is spread over the n units.
    """
    if n <= 0:
        raise ValueError("n must be positive")
    return max(0.0, wall_s - wait_s) / n


def ladder(caps: Dict[str, int], steps: Sequence[int]) -> Dict[str, List[int]]:
    """{way: the steps of N it runs}: each way climbs ``steps`` up to its cap."""
    return {way: [n for n in steps if n <= cap] for way, cap in caps.items()}


def process_limit(nproc_soft: Optional[int], running: int, pids_max: Optional[int],
                  nofile_soft: Optional[int], open_fds: int) -> Optional[int]:
    """How many more child processes this process may have at once, as the machine says.

    The user's process limit (RLIMIT_NPROC, counted over all their processes and
    threads), the cgroup's pids.max, and open files: multiprocessing keeps one
    sentinel descriptor per live child. None where none of them is limited.
    """
    limits = []
    if nproc_soft is not None and nproc_soft >= 0:
        limits.append(nproc_soft - running)
    if pids_max is not None:
        limits.append(pids_max - running)
    if nofile_soft is not None and nofile_soft >= 0:
        limits.append(nofile_soft - open_fds)
    return max(0, min(limits)) if limits else None


def machine_process_limit() -> Optional[int]:
    """``process_limit`` for this process, read from the system (Linux; None elsewhere)."""
    try:
        import resource
        nproc = resource.getrlimit(resource.RLIMIT_NPROC)[0]
        nofile = resource.getrlimit(resource.RLIMIT_NOFILE)[0]
    except (ImportError, AttributeError, ValueError):
        return None
    inf = getattr(resource, "RLIM_INFINITY", -1)
    nproc = None if nproc == inf else nproc
    nofile = None if nofile == inf else nofile
    pids_max = None
    try:
        text = open("/sys/fs/cgroup/pids.max").read().strip()
        pids_max = None if text == "max" else int(text)
    except (OSError, ValueError):
        pass
    try:
        import psutil
        me = psutil.Process()
        running = sum(p.num_threads() for p in psutil.process_iter() if _same_user(p, me))
        open_fds = me.num_fds()
    except Exception:
        running, open_fds = 0, 0
    return process_limit(nproc, running, pids_max, nofile, open_fds)


def _same_user(p, me) -> bool:
    try:
        return p.uids().real == me.uids().real
    except Exception:
        return False


# ---------------------------------------------------------------- creation costs
def noop() -> None:
    return None


async def noop_coroutine() -> None:
    return None


def thread_cost(count: int) -> float:
    """Seconds per thread started and joined, one at a time."""
    t0 = time.perf_counter()
    for _ in range(count):
        t = threading.Thread(target=noop)
        t.start()
        t.join()
    return (time.perf_counter() - t0) / count


def threads_batch_cost(count: int) -> float:
    """Seconds per thread when ``count`` are started together, then all joined."""
    t0 = time.perf_counter()
    threads = [threading.Thread(target=noop) for _ in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return (time.perf_counter() - t0) / count


def task_cost(count: int) -> float:
    """Seconds per asyncio task created and awaited, one at a time (the loop's set-up left out)."""
    import asyncio

    async def main():
        t0 = time.perf_counter()
        for _ in range(count):
            await asyncio.ensure_future(noop_coroutine())
        return time.perf_counter() - t0
    return asyncio.run(main()) / count


def tasks_batch_cost(count: int) -> float:
    """Seconds per asyncio task when ``count`` are created together and gathered."""
    import asyncio

    async def main():
        t0 = time.perf_counter()
        await asyncio.gather(*[asyncio.ensure_future(noop_coroutine()) for _ in range(count)])
        return time.perf_counter() - t0
    return asyncio.run(main()) / count


def awaited_one_at_a_time(coroutine_function, count: int) -> float:
    """Seconds per coroutine of ``coroutine_function`` created and awaited, one at a time (the loop's set-up left out)."""
    import asyncio

    async def main():
        t0 = time.perf_counter()
        for _ in range(count):
            await coroutine_function()
        return time.perf_counter() - t0
    return asyncio.run(main()) / count


def coroutine_cost(count: int) -> float:
    """Seconds per bare coroutine object created and awaited to completion."""
    return awaited_one_at_a_time(noop_coroutine, count)


def process_cost(start_method: str, count: int) -> float:
    """Seconds per process started and joined, one at a time, with ``start_method``."""
    ctx = multiprocessing.get_context(start_method)
    t0 = time.perf_counter()
    for _ in range(count):
        p = ctx.Process(target=noop)
        p.start()
        p.join(CHILD_WAIT_S)
        if p.is_alive():
            p.kill()
            p.join()
            raise RuntimeError("a no-op {} process did not end within {} s".format(start_method, CHILD_WAIT_S))
    return (time.perf_counter() - t0) / count


async def thread_in_disguise() -> None:
    """Planted: a "coroutine" that starts and joins a thread inside it."""
    t = threading.Thread(target=noop)
    t.start()
    t.join()


def thread_in_coroutine_cost(count: int) -> float:
    """Planted (a control): seconds per "coroutine" that is a thread in disguise."""
    return awaited_one_at_a_time(thread_in_disguise, count)


def interpreter_cost(count: int, interpreters=None) -> float:
    """Seconds per sub-interpreter created, run a no-op in and closed, one at a time.

    ``interpreters`` is Python 3.14+'s concurrent.interpreters (imported here, never at the top:
    the sandbox runs on 3.8 too), or a plant with its create() / exec() / close().
    """
    if interpreters is None:
        from concurrent import interpreters  # 3.14+
    t0 = time.perf_counter()
    for _ in range(count):
        interp = interpreters.create()
        try:
            interp.exec("pass")
        finally:
            interp.close()
    return (time.perf_counter() - t0) / count


class ThreadInterpreter:
    """Planted: an "interpreter" that is a thread of this interpreter. exec() runs the code in a
    thread started and joined for it, in a namespace of its own; close() has nothing to free."""

    def exec(self, code: str) -> None:
        t = threading.Thread(target=exec, args=(code, {}))
        t.start()
        t.join(CHILD_WAIT_S)
        if t.is_alive():
            raise RuntimeError("a planted interpreter's thread did not end within {} s".format(CHILD_WAIT_S))

    def close(self) -> None:
        pass


class ThreadsAsInterpreters:
    """Planted (a control): concurrent.interpreters' create() whose interpreters are threads."""
    create = ThreadInterpreter


def thread_as_interpreter_cost(count: int) -> float:
    """Planted (a control): seconds per "sub-interpreter" that is a thread started and joined."""
    return interpreter_cost(count, ThreadsAsInterpreters)


CREATORS = {
    "thread-in-coroutine": thread_in_coroutine_cost,
    "interpreter": interpreter_cost,
    "thread-as-interpreter": thread_as_interpreter_cost,
    "thread": thread_cost,
    "threads-batch": threads_batch_cost,
    "task": task_cost,
    "tasks-batch": tasks_batch_cost,
    "coroutine": coroutine_cost,
}


def creation_cost(what: str, count: int) -> float:
    """Seconds per unit of ``what``: a key of CREATORS, or ``process-<start method>``."""
    if what.startswith("process-"):
        return process_cost(what[len("process-"):], count)
    return CREATORS[what](count)


# ---------------------------------------------------------------- many concurrent waits
def rss_bytes() -> int:
    import psutil
    return psutil.Process().memory_info().rss


def waits_context():
    """The start method for the processes way: fork where offered (the cheapest, so the
    most generous to processes), else the platform's default."""
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("fork" if "fork" in methods else None)


def waits_wall(way: str, n: int, wait_s: float) -> dict:
    """n concurrent waits of ``wait_s``, each started as fast as ``way`` allows; the wall time to all done."""
    if way == COROUTINES:
        import asyncio

        async def main():
            t0 = time.perf_counter()
            await asyncio.gather(*[asyncio.sleep(wait_s) for _ in range(n)])
            return time.perf_counter() - t0
        return {"wall_s": asyncio.run(main())}
    if way == THREADS:
        t0 = time.perf_counter()
        threads = [threading.Thread(target=time.sleep, args=(wait_s,), daemon=True) for _ in range(n)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(CHILD_WAIT_S)
        return {"wall_s": time.perf_counter() - t0}
    if way == PROCESSES:
        ctx = waits_context()
        t0 = time.perf_counter()
        procs = [ctx.Process(target=time.sleep, args=(wait_s,), daemon=True) for _ in range(n)]
        try:
            for p in procs:
                p.start()
        finally:
            settle(procs, CHILD_WAIT_S)
        return {"wall_s": time.perf_counter() - t0, "start_method": ctx.get_start_method()}
    raise ValueError("unknown way {!r}".format(way))


def _parked_process(ready, gate) -> None:
    ready.release()
    gate.wait(CHILD_WAIT_S)


def waits_memory(way: str, n: int, release: bool = False) -> dict:
    """Memory per unit while n units of ``way`` all wait at once (parked on a gate).

    Coroutines and threads: the growth of this process's RSS. Processes: the sum of
    the children's USS (what each holds alone; RSS would count the pages they share
    with the parent again for every child), with their RSS beside it. Run it in a
    fresh process (``fresh``): the threads are not released (``release``), the process
    just ends; thousands of threads woken at once would fight for the GIL for seconds.
    """
    if way == COROUTINES:
        import asyncio

        async def main():
            gate = asyncio.Event()
            started = [0]
            all_in = asyncio.get_running_loop().create_future()

            async def unit():
                started[0] += 1
                if started[0] == n:
                    all_in.set_result(None)
                await gate.wait()
            before = rss_bytes()
            tasks = [asyncio.ensure_future(unit()) for _ in range(n)]
            await all_in
            grown = rss_bytes() - before
            gate.set()
            await asyncio.gather(*tasks)
            return grown
        grown = asyncio.run(main())
        return {"bytes_per_unit": grown / n, "rss_growth_bytes": grown}
    if way == THREADS:
        ready = threading.Semaphore(0)
        gate = threading.Event()

        def unit():
            ready.release()
            gate.wait(CHILD_WAIT_S)
        before = rss_bytes()
        for _ in range(n):
            threading.Thread(target=unit, daemon=True).start()
        for _ in range(n):
            ready.acquire()
        grown = rss_bytes() - before
        if release:
            gate.set()
        return {"bytes_per_unit": grown / n, "rss_growth_bytes": grown}
    if way == PROCESSES:
        import psutil
        ctx = waits_context()
        ready, gate = ctx.Semaphore(0), ctx.Event()
        procs = []
        try:
            for _ in range(n):
                p = ctx.Process(target=_parked_process, args=(ready, gate), daemon=True)
                p.start()
                procs.append(p)
            for _ in range(n):
                if not ready.acquire(timeout=CHILD_WAIT_S):
                    raise RuntimeError("a parked process never reported in")
            uss = rss = 0
            for p in procs:
                info = psutil.Process(p.pid).memory_full_info()
                uss += info.uss
                rss += info.rss
        finally:
            for p in procs:
                p.kill()
            settle(procs, 5)
        return {"bytes_per_unit": uss / n, "uss_total_bytes": uss, "rss_per_unit": rss / n,
                "start_method": ctx.get_start_method()}
    raise ValueError("unknown way {!r}".format(way))


# ---------------------------------------------------------------- the sandbox
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
    raise ValueError("unknown op {!r}".format(op))


def _answer(req: dict) -> dict:
    try:
        return run_request(req)
    except Exception as exc:  # the caller raises it; the sandbox lives on
        return {"error": "{}: {}".format(type(exc).__name__, exc)}


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
        return {"error": "the fresh child ended with status {} and no answer".format(status)}
    return json.loads(b"".join(chunks).decode())


# ---------------------------------------------------------------- instances: sandboxes of a sandbox
SANDBOX_MODULE = "claimbench.families.c_cost.child"


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
            return {"error": "no instance {}".format(instance)}
        _, to_it, from_it = self.running[instance]
        to_it.write(json.dumps(req) + "\n")
        to_it.flush()
        line = from_it.readline()
        if not line:
            return {"error": "instance {} ended before answering {}".format(instance, req)}
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


# ---------------------------------------------------------------- handoffs and round trips
def coroutine_ping_pong(rounds: int) -> float:
    """Seconds per round trip of a token between two coroutines through asyncio queues."""
    import asyncio

    async def main():
        there, back = asyncio.Queue(), asyncio.Queue()

        async def peer():
            for _ in range(rounds):
                back.put_nowait(await there.get())
        task = asyncio.ensure_future(peer())
        t0 = time.perf_counter()
        for i in range(rounds):
            there.put_nowait(i)
            await back.get()
        elapsed = time.perf_counter() - t0
        await task
        return elapsed
    return asyncio.run(main()) / rounds


def _thread_peer(there, back, rounds: int) -> None:
    for _ in range(rounds):
        back.put(there.get(timeout=CHILD_WAIT_S))


def thread_ping_pong(rounds: int) -> float:
    """Seconds per round trip of a token between two threads through queue.Queue."""
    there, back = queue.Queue(), queue.Queue()
    peer = threading.Thread(target=_thread_peer, args=(there, back, rounds), daemon=True)
    peer.start()
    t0 = time.perf_counter()
    for i in range(rounds):
        there.put(i)
        back.get(timeout=CHILD_WAIT_S)
    elapsed = time.perf_counter() - t0
    peer.join(CHILD_WAIT_S)
    return elapsed / rounds


def pipe_echo_loop(conn) -> None:
    """Worker process: send back every object received on a Pipe end, until None."""
    while conn.poll(CHILD_WAIT_S):
        msg = conn.recv()
        if msg is None:
            break
        conn.send(msg)
    conn.close()


def pipe_ping_pong(conn, rounds: int) -> float:
    """Seconds per round trip of a token to a ``pipe_echo_loop`` process and back."""
    t0 = time.perf_counter()
    for i in range(rounds):
        conn.send(i)
        if not conn.poll(CHILD_WAIT_S):
            raise RuntimeError("the echo process did not answer within {} s".format(CHILD_WAIT_S))
        conn.recv()
    return (time.perf_counter() - t0) / rounds


def length_worker(inbox, outbox) -> None:
    """Worker (thread or process): answer each payload with its length, until None."""
    while True:
        payload = inbox.get(timeout=CHILD_WAIT_S)
        if payload is None:
            break
        outbox.put(len(payload))


def round_trips(inbox, outbox, payload: bytes, rounds: int) -> float:
    """Seconds per request (the payload) and response (its length) through a worker's queues."""
    t0 = time.perf_counter()
    for _ in range(rounds):
        inbox.put(payload)
        if outbox.get(timeout=CHILD_WAIT_S) != len(payload):
            raise RuntimeError("the worker answered a wrong length")
    return (time.perf_counter() - t0) / rounds


if __name__ == "__main__":
    serve()
