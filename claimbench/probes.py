"""What the behaviour experiments' children run, and the few readers they need.

Memory, identity, crashes and inter-process communication: each function here
is the body of a child process or thread (importable by name, so spawn and
forkserver children find it), or a small pure helper that turns what a child
saw into words (exit codes, CPU lists, queue orders). Standard library only,
Python 3.8+: nothing here imports pytest, pandas or the report.
"""
from __future__ import annotations

import mmap
import os
import queue
import signal
import sys
import threading
import time
from typing import TYPE_CHECKING, Dict, List, Optional, Sequence, Tuple

from .pagemap import PAGE_SIZE, buffer_address, page_frames
from .workloads import CHILD_WAIT_S, noop, settle, spin  # noqa: F401  (settle: the experiments')

if TYPE_CHECKING:
    from pathlib import Path
    from .runtime import CpuTopology


# ---------------------------------------------------------------- exit codes
def describe_exitcode(code: Optional[int]) -> str:
    """``-11 (killed by SIGSEGV: Segmentation fault)`` — an exit code with its meaning."""
    if code is None:
        return "None (still running)"
    if code == 0:
        return "0 (clean exit)"
    if code > 0:
        return str(code)
    try:
        name = signal.Signals(-code).name
    except ValueError:
        return "{} (killed by signal {})".format(code, -code)
    meaning = signal.strsignal(-code) if hasattr(signal, "strsignal") else None
    return "{} (killed by {}{})".format(code, name, ": " + meaning if meaning else "")


def no_core_dumps() -> None:
    """Make this process leave no core file when it crashes, and print no fault dump.

    RLIMIT_CORE 0 stops ordinary core files; PR_SET_DUMPABLE 0 also stops a
    core_pattern that pipes to a helper (which ignores RLIMIT_CORE 0).
    """
    import faulthandler
    faulthandler.disable()
    try:
        import resource
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    except (ImportError, ValueError, OSError):
        pass
    if sys.platform.startswith("linux"):
        try:
            import ctypes
            PR_SET_DUMPABLE = 4
            ctypes.CDLL(None, use_errno=True).prctl(PR_SET_DUMPABLE, 0, 0, 0, 0)
        except (OSError, AttributeError):
            pass


# ---------------------------------------------------------------- memory
# Module state a worker mutates: a global int, a list and a dict.
COUNTER = 0
ITEMS: List[str] = []
TABLE: Dict[str, int] = {}


def set_shared_state(counter: int, items: Sequence[str], table: Dict[str, int]) -> None:
    global COUNTER, ITEMS, TABLE
    COUNTER, ITEMS, TABLE = counter, list(items), dict(table)


def shared_state() -> dict:
    """A copy of the module state, as plain data."""
    return {"counter": COUNTER, "items": list(ITEMS), "table": dict(TABLE)}


def mutate_shared_state(report) -> None:
    """Worker: change the int, the list and the dict in place, and report what it saw."""
    global COUNTER
    before = shared_state()
    COUNTER += 1
    ITEMS.append("worker")
    TABLE["worker"] = os.getpid()
    report.put({"pid": os.getpid(), "before": before, "after": shared_state()})


# ---------------------------------------------------------------- identity
def native_id() -> Optional[int]:
    get = getattr(threading, "get_native_id", None)
    return get() if get else None


def report_identity(barrier, report) -> None:
    """Worker: wait until every sibling is alive, then report who it is."""
    barrier.wait(CHILD_WAIT_S)
    parent = None
    try:
        import multiprocessing
        pp = multiprocessing.parent_process()
        parent = pp.pid if pp is not None else None
    except AttributeError:
        pass
    report.put({"pid": os.getpid(), "ppid": os.getppid(), "native_id": native_id(),
                "thread": threading.current_thread().name, "mp_parent": parent})
    barrier.wait(CHILD_WAIT_S)  # nobody exits before everybody has reported


# ---------------------------------------------------------------- CPUs
# (claimbench.runtime is imported where it is used: a spawned child that only crashes needn't load it)
def parse_cpu_list(text: str) -> List[int]:
    """``0-3,8,10-11`` (the kernel's CPU list format) → [0, 1, 2, 3, 8, 10, 11]."""
    from .runtime import parse_cpu_list as parse
    return parse(text)


def online_cpus() -> Optional[int]:
    """CPUs the machine has online, read from the kernel, not from Python."""
    try:
        from .runtime import SYSFS_CPU
        return len(parse_cpu_list((SYSFS_CPU / "online").read_text()))
    except (OSError, ValueError):
        return None


def cpu_report() -> dict:
    """What this process is told about CPUs, and what it may really use."""
    import multiprocessing
    from .runtime import cgroup_cpu_quota, usable_cpus
    count = os.cpu_count() or 1
    affinity = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None
    pcc = getattr(os, "process_cpu_count", None)
    quota = cgroup_cpu_quota()
    return {"cpu_count": os.cpu_count(), "mp_cpu_count": multiprocessing.cpu_count(),
            "online": online_cpus(), "affinity": affinity,
            "process_cpu_count": pcc() if pcc else None, "cgroup_quota": quota,
            "usable": usable_cpus(affinity, quota, count)}


def narrowed_cpu_report(cpu: int) -> None:
    """Sandbox body: pin this process to one CPU, then print its cpu_report as JSON."""
    import json
    os.sched_setaffinity(0, {cpu})
    print(json.dumps(cpu_report()), flush=True)


def psutil_physical_cores() -> Optional[int]:
    """psutil's count of physical cores: a second reader of the topology, None where it has none."""
    try:
        import psutil
        return psutil.cpu_count(logical=False)
    except (ImportError, OSError, NotImplementedError):
        return None


def plant_cpu_topology(root: Path, logical_cpus: int, threads_per_core: int) -> Path:
    """Plant a sysfs CPU tree (``<root>/online``, ``cpuN/topology/...``) of ``logical_cpus`` CPUs
    in which each core runs ``threads_per_core`` of them (the last core fewer, if they do not divide)."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "online").write_text(f"0-{logical_cpus - 1}\n" if logical_cpus > 1 else "0\n")
    for cpu in range(logical_cpus):
        core = cpu // threads_per_core
        first = core * threads_per_core
        siblings = list(range(first, min(first + threads_per_core, logical_cpus)))
        listed = ",".join(str(c) for c in siblings) + "\n"
        topo = root / f"cpu{cpu}" / "topology"
        topo.mkdir(parents=True, exist_ok=True)
        for name, text in (("core_cpus_list", listed), ("thread_siblings_list", listed),
                           ("core_id", f"{core}\n"), ("physical_package_id", "0\n"), ("die_id", "0\n")):
            (topo / name).write_text(text)
    return root


def cores_verdict(cpu_count: int, topology: Optional[CpuTopology],
                  psutil_cores: Optional[int] = None) -> Tuple[str, str]:
    """Is ``cpu_count()`` the number of physical cores? (verdict, evidence)

    Holds when it equals the cores the topology groups the online CPUs into; refuted when it
    differs (more: it counts hardware threads). A second reader (psutil) that disagrees on the
    cores leaves it inconclusive.
    """
    from . import verdicts
    if topology is None:
        return verdicts.INCONCLUSIVE, "the kernel lists no CPU topology here"
    what = (f"cpu_count() says {cpu_count}; the kernel lists {topology.logical_cpus} online CPUs on "
            f"{topology.physical_cores} physical cores, at most {topology.threads_per_core} hardware thread(s) "
            f"per core (grouped by {topology.grouped_by})")
    if psutil_cores is not None:
        what += f"; psutil.cpu_count(logical=False) says {psutil_cores}"
        if psutil_cores != topology.physical_cores:
            return verdicts.INCONCLUSIVE, what + ": the two readers of the topology disagree"
    if cpu_count == topology.physical_cores:
        return verdicts.HOLDS, what
    if cpu_count == topology.logical_cpus:
        return verdicts.REFUTED, what + ": it counts hardware threads, not cores"
    return verdicts.REFUTED, what + ": it counts neither the cores nor the online CPUs"


# ---------------------------------------------------------------- crashes
# How a child dies in crash(), the exit code that must give, and why.
DEATHS = {
    "exception": (1, "an uncaught exception: multiprocessing prints the traceback and exits with status 1"),
    "exit3": (3, "os._exit(3): the status the child chose, no clean-up"),
    "segfault": (-signal.SIGSEGV, "ctypes.string_at(0) read address 0: a real segmentation fault"),
    "abort": (-signal.SIGABRT, "os.abort() raised SIGABRT"),
    "sigkill": (-signal.SIGKILL, "SIGKILL, which no process can catch"),
}
CRASH_MODES = tuple(DEATHS)


def crash(mode: str) -> None:
    """Worker: die in the way ``mode`` names, leaving no core file."""
    no_core_dumps()
    if mode == "exception":
        raise RuntimeError("deliberate uncaught exception in a child")
    if mode == "exit3":
        os._exit(3)
    if mode == "segfault":
        import ctypes
        ctypes.string_at(0)  # reads address 0: a real SIGSEGV
    if mode == "abort":
        os.abort()
    if mode == "sigkill":
        os.kill(os.getpid(), signal.SIGKILL)
    raise ValueError("unknown crash mode {!r}".format(mode))


def steady_sibling(go_on, report, chunk: int = 20000) -> None:
    """Worker: compute in chunks until told to go on, then finish a fixed task and report it.

    It rests a millisecond between chunks, so that on a small machine it does not slow the
    start of the very children whose deaths it is meant to outlive.
    """
    report.put(("started", os.getpid()))
    chunks = 0
    deadline = time.monotonic() + CHILD_WAIT_S
    while not go_on.is_set() and time.monotonic() < deadline:
        spin(chunk)
        chunks += 1
        time.sleep(0.001)
    report.put(("finished", os.getpid(), chunks, sum(i * i for i in range(1000))))


SIBLING_RESULT = sum(i * i for i in range(1000))


def crash_beside_sibling(ctx, deaths: Sequence[str], wait_s: float, emit=None) -> dict:
    """The process-crash-isolated experiment, on the processes of ``ctx``.

    A sibling computes while children die one after another, one by each of ``deaths``; the
    sibling is then told to finish its task, and the parent starts one more child. Returns
    what was seen, and hands each step to ``emit`` as it is seen, so that what came before
    survives a crash that takes the parent with it.
    """
    seen = {"start_method": ctx.get_start_method(), "parent_pid": os.getpid(), "deaths": {}}

    def note(**step) -> None:
        if "death" in step:
            seen["deaths"][step["death"]] = step
        else:
            seen.update(step)
        if emit is not None:
            emit(step)

    go_on, report = ctx.Event(), ctx.Queue()
    sibling = ctx.Process(target=steady_sibling, args=(go_on, report))
    crashers = [ctx.Process(target=crash, args=(death,)) for death in deaths]
    after = ctx.Process(target=noop)
    try:
        sibling.start()
        report.get(timeout=wait_s)
        note(started=True, sibling_pid=sibling.pid)
        for death, crasher in zip(deaths, crashers):
            crasher.start()
            crasher.join(wait_s)
            # Was the sibling still working when its sibling died?
            note(death=death, pid=crasher.pid, exitcode=crasher.exitcode, sibling_alive=sibling.is_alive())
        go_on.set()
        finished = report.get(timeout=wait_s)
        note(sibling_result=finished[3], sibling_chunks=finished[2])
        after.start()  # and the parent goes on using multiprocessing
    except queue.Empty:
        pass  # decided from what did arrive
    finally:
        go_on.set()
        killed = settle(crashers + [sibling, after])
    note(sibling_exitcode=sibling.exitcode, after_exitcode=after.exitcode, killed=killed, parent_went_on=True)
    return seen


def crash_isolation_sandbox(deaths: Sequence[str]) -> None:
    """Sandbox body: crash_beside_sibling on threads posing as processes, each step a JSON line."""
    import json
    from .planted import THREADS_AS_PROCESSES
    crash_beside_sibling(THREADS_AS_PROCESSES, deaths, CHILD_WAIT_S / 3,
                         emit=lambda step: print(json.dumps(step), flush=True))


def merge_steps(said: Sequence[dict]) -> dict:
    """The steps a sandbox printed, as crash_beside_sibling returns them (later lines win)."""
    seen: dict = {"deaths": {}}
    for step in said:
        if "death" in step:
            seen["deaths"][step["death"]] = step
        else:
            seen.update(step)
    return seen


def crash_isolation_verdict(seen: dict, deaths: Sequence[str], process_code: Optional[int] = None) -> str:
    """Did every crash leave the sibling and the parent running?

    Holds when each child died as planned (its exit code) and the sibling was working after
    each death, then finished its task, while the parent started another child; refuted when
    they died as planned and the sibling or the parent did not go on. A crash that took the
    parent with it (``process_code``: the parent's own exit code, for a parent run in a
    sandbox) shows as the parent ending with that death's code. Otherwise nothing was tested.
    """
    from . import verdicts
    if not seen.get("started"):
        return verdicts.INCONCLUSIVE
    for death in deaths:
        step = seen["deaths"].get(death)
        expected = DEATHS[death][0]
        if step is None:
            if not seen.get("parent_went_on") and process_code == expected:
                return verdicts.REFUTED  # this death took the parent (and the sibling) with it
            return verdicts.INCONCLUSIVE
        if step.get("exitcode") != expected:
            return verdicts.INCONCLUSIVE  # it did not die as planned
    sibling_ok = all(seen["deaths"][d].get("sibling_alive") for d in deaths) \
        and seen.get("sibling_result") == SIBLING_RESULT and seen.get("sibling_exitcode") == 0
    parent_ok = bool(seen.get("parent_went_on")) and seen.get("after_exitcode") == 0
    return verdicts.HOLDS if sibling_ok and parent_ok else verdicts.REFUTED


# How a thread crashes in thread_crash_sandbox; each is run in a fresh interpreter.
THREAD_CRASHES = {
    "segfault": ("ctypes.string_at(0) in a thread: a real segmentation fault", -signal.SIGSEGV),
    "abort": ("os.abort() in a thread", -signal.SIGABRT),
    "exception": ("an uncaught RuntimeError in a thread", None),
    "exit3": ("os._exit(3) in a thread: an exit, not a crash", 3),
}
THREAD, FORKED_PROCESS = "thread", "forked-process"


def _thread_crash(mode: str) -> None:
    if mode == "exception":
        raise RuntimeError("deliberate uncaught exception in a thread")
    if mode == "segfault":
        import ctypes
        ctypes.string_at(0)
    if mode == "abort":
        os.abort()
    if mode == "exit3":
        os._exit(3)
    raise ValueError(f"unknown thread crash mode {mode!r}")


def thread_crash_sandbox(mode: str, crasher: str = THREAD) -> None:
    """Sandbox body: one thread crashes by ``mode``; the main thread reports if it survived.

    ``crasher="forked-process"`` plants a forked process in the thread's place (a control).
    """
    import json
    no_core_dumps()

    def hook(args):
        print(json.dumps({"excepthook": args.exc_type.__name__, "thread": args.thread.name}), flush=True)

    threading.excepthook = hook
    if crasher == FORKED_PROCESS:
        from .planted import forked_process_as_thread
        t = forked_process_as_thread(_thread_crash, args=(mode,))
        if t is None:
            print(json.dumps({"unavailable": "fork is not offered here, and the plant needs it"}), flush=True)
            return
    else:
        t = threading.Thread(target=_thread_crash, args=(mode,), name="crasher", daemon=True)
    t.start()
    t.join(CHILD_WAIT_S)
    time.sleep(0.05)  # the main thread goes on running Python code after the crash
    print(json.dumps({"survived": True, "main_thread_result": sum(range(1000)), "crasher_alive": t.is_alive(),
                      "crasher_exitcode": getattr(t, "exitcode", None)}), flush=True)


def thread_crash_verdict(mode: str, said: Sequence[dict], returncode: int, crasher: str = THREAD) -> Tuple[str, str]:
    """(verdict, evidence) for one sandbox run of thread_crash_sandbox.

    A fault (``segfault``, ``abort``): holds when it ended the whole process (the main thread
    never reported), refuted when the process went on. Its neighbours answer their own
    sentences: ``exception`` holds when only its thread ended (excepthook fired, the process
    went on); ``exit3`` holds when the process ended with status 3.
    """
    from . import verdicts
    how, code = THREAD_CRASHES[mode]
    seen: dict = {}
    for step in said:
        seen.update(step)
    survived = bool(seen.get("survived"))
    hooks = [s["excepthook"] for s in said if "excepthook" in s]
    rc = describe_exitcode(returncode)
    if crasher == FORKED_PROCESS:
        how = how.replace("in a thread", "in a forked process posing as the thread")
    if survived:
        fired = f", threading.excepthook fired ({', '.join(hooks)})" if hooks else ""
        what = f"{how}: the main thread went on{fired} and the process exited {rc}"
        if crasher == FORKED_PROCESS:
            what += f"; the crasher's own exit code: {describe_exitcode(seen.get('crasher_exitcode'))}"
    else:
        what = f"{how}: the whole process ended with {rc} before its main thread could report"
    if "unavailable" in seen:
        return verdicts.INCONCLUSIVE, f"{how}: {seen['unavailable']}"
    if mode == "exception":
        if survived and returncode == 0 and hooks:
            return verdicts.HOLDS, what
        return (verdicts.REFUTED if not survived else verdicts.INCONCLUSIVE), what
    if survived and returncode == 0:
        if crasher == FORKED_PROCESS and seen.get("crasher_exitcode") != code:
            return verdicts.INCONCLUSIVE, what + " (the plant did not crash as planned)"
        return verdicts.REFUTED, what
    if not survived and returncode == code:
        return verdicts.HOLDS, what
    return verdicts.INCONCLUSIVE, what + " (neither a clean run nor the expected end; stderr in data)"


# ---------------------------------------------------------------- IPC round trips
def pipe_echo(conn) -> None:
    """Worker: receive a message on a Pipe end, answer it transformed."""
    if conn.poll(CHILD_WAIT_S):
        msg = conn.recv()
        conn.send({"n": msg["n"] + 1, "text": msg["text"][::-1], "pid": os.getpid()})
    conn.close()


def queue_echo(inbox, outbox) -> None:
    """Worker: take one message from a Queue, put the answer on another."""
    msg = inbox.get(timeout=CHILD_WAIT_S)
    outbox.put({"n": msg["n"] + 1, "text": msg["text"][::-1], "pid": os.getpid()})


def attach_shared_memory(name: str):
    """Open an existing SharedMemory block without making this process its owner."""
    from multiprocessing import shared_memory
    try:
        return shared_memory.SharedMemory(name=name, track=False)  # 3.13+
    except TypeError:
        return shared_memory.SharedMemory(name=name)


def shared_memory_echo(name: str, length: int) -> None:
    """Worker: read ``length`` bytes at the start of a block, write them reversed after them."""
    shm = attach_shared_memory(name)
    try:
        data = bytes(shm.buf[:length])
        shm.buf[length:2 * length] = data[::-1]
    finally:
        shm.close()


def value_array_update(value, array) -> None:
    """Worker: add one to a shared Value, double every item of a shared Array."""
    with value.get_lock():
        value.value += 1
    with array.get_lock():
        for i in range(len(array)):
            array[i] *= 2


def hold_semaphore(semaphore, barrier, lock, holders, peak, hold_s: float) -> None:
    """Worker: start with the others, hold the semaphore ``hold_s``, count holders meanwhile."""
    barrier.wait(CHILD_WAIT_S)
    if not semaphore.acquire(timeout=CHILD_WAIT_S):
        return
    try:
        with lock:
            holders.value += 1
            peak.value = max(peak.value, holders.value)
        time.sleep(hold_s)
        with lock:
            holders.value -= 1
    finally:
        semaphore.release()


class PrivateValue:
    """Plant: a "shared" Value that is a plain object, so every process has a copy of its own
    (copied by fork, or pickled for spawn): a child's change never reaches the parent."""

    def __init__(self, typecode: str, value):
        self.value = value

    def get_lock(self):
        return _NoLock()


class PrivateArray(list):
    """Plant: a "shared" Array that is a plain list, a private copy in each process."""

    def __init__(self, typecode: str, items):
        super().__init__(items)

    def get_lock(self):
        return _NoLock()


class _NoLock:
    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        return None


class PlantedContext:
    """A multiprocessing context with some of its factories swapped for planted ones
    (``Value=PrivateValue``, ``Semaphore=threading.Semaphore``); the rest is the real context's."""

    def __init__(self, ctx, **planted):
        self._ctx = ctx
        self._planted = planted

    def __getattr__(self, name: str):
        planted = self.__dict__.get("_planted", {})
        if name in planted:
            return planted[name]
        return getattr(self.__dict__["_ctx"], name)


# ---------------------------------------------------------------- physical frames (claimbench/pagemap.py)
def shared_memory_frames(name: str, size: int, pattern: bytes, report, attach=None) -> None:
    """Worker: attach a block by name, check its contents, write to every page of it, then
    report its address and frames.

    Writing first is what tells a shared mapping from a private one: a private (copy-on-write)
    mapping shares its frames with the parent only until the child writes, a shared one for good.
    """
    shm = (attach or attach_shared_memory)(name)
    try:
        seen = bytes(shm.buf[:len(pattern)])
        pages = max(1, size // PAGE_SIZE)
        for i in range(pages):
            shm.buf[i * PAGE_SIZE + PAGE_SIZE // 2 + 1] = 2
        shm.buf[size - len(pattern):size] = pattern[::-1]
        address = buffer_address(shm.buf)
        error = ""
        try:
            frames = page_frames(address, pages)  # type: Optional[List[Optional[int]]]
        except OSError as exc:
            frames, error = None, str(exc)
        report.put({"pid": os.getpid(), "address": address, "frames": frames, "error": error,
                    "read_ok": seen == pattern})
    finally:
        shm.close()


PRIVATE_BLOCKS = {}  # name -> PrivateBlock: what a forked child finds "by name"


class PrivateBlock:
    """Plant: a "shared memory" block that is a private copy: an anonymous MAP_PRIVATE mapping,
    which a forked child inherits copy-on-write and "attaches" by name through a registry that
    fork copies. Fork only: the mapping cannot be sent to a spawned child."""

    def __init__(self, create: bool = True, size: int = 0):
        self._map = mmap.mmap(-1, size, flags=mmap.MAP_PRIVATE)
        self.buf = memoryview(self._map)
        self.size = size
        self.name = "private-{}-{}".format(os.getpid(), id(self))
        PRIVATE_BLOCKS[self.name] = self

    def close(self) -> None:
        self.buf.release()
        self._map.close()

    def unlink(self) -> None:
        PRIVATE_BLOCKS.pop(self.name, None)


def attach_private_block(name: str) -> PrivateBlock:
    return PRIVATE_BLOCKS[name]


# ---------------------------------------------------------------- queue order
def produce(q, producer: int, items: int, together=None) -> None:
    """Worker: put (producer, 0), (producer, 1), … on the queue, once every producer has
    reached the ``together`` Barrier (None: at once)."""
    if together is not None:
        together.wait(CHILD_WAIT_S)
    for i in range(items):
        q.put((producer, i))


class TwoQueuesPosingAsOne:
    """Plant: a "queue" that spreads each producer's items over two Queues (item i to queue
    i % 2) and reads them back alternately, the second queue first: order breaks."""

    def __init__(self, ctx):
        self._queues = (ctx.Queue(), ctx.Queue())
        self._puts = 0
        self._gets = 0

    def put(self, item) -> None:
        self._queues[self._puts % 2].put(item)
        self._puts += 1

    def get(self, block: bool = True, timeout: Optional[float] = None):
        q = self._queues[1 - self._gets % 2]
        self._gets += 1
        return q.get(block, timeout)


def order_report(received: Sequence[Tuple[int, int]], producers: int, items: int) -> dict:
    """How the merged stream of several producers came out.

    ``per_producer_fifo``: each producer's items arrived in the order it put
    them, none missing; ``switches``: how often the stream changed producer.
    """
    seen: Dict[int, List[int]] = {p: [] for p in range(producers)}
    for producer, i in received:
        seen.setdefault(producer, []).append(i)
    fifo = all(seen.get(p) == list(range(items)) for p in range(producers)) and len(seen) == producers
    switches = sum(1 for a, b in zip(received, received[1:]) if a[0] != b[0])
    return {"per_producer_fifo": fifo, "switches": switches, "received": len(received),
            "expected": producers * items}


# ---------------------------------------------------------------- endless readers
def endless_reader(q, ack) -> None:
    """Worker: the notes' reader — ``while True: q.get(True)`` — acknowledging each item."""
    while True:
        ack.put(q.get(True))


def self_ending_reader(q, ack) -> None:
    """Plant: a reader that reads one item, acknowledges it and returns by itself."""
    ack.put(q.get(True))


def sigterm_deaf_reader(q, ack) -> None:
    """Plant: the notes' endless reader, ignoring SIGTERM, so that terminate() cannot end it."""
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    endless_reader(q, ack)


def sentinel_reader(q, ack, sentinel=None) -> None:
    """Worker: read until the sentinel arrives, then return."""
    while True:
        item = q.get(timeout=CHILD_WAIT_S)
        if item == sentinel:
            return
        ack.put(item)


def event_reader(q, stop, ack) -> None:
    """Worker: read while the stop Event is clear, waking now and then to look at it."""
    deadline = time.monotonic() + CHILD_WAIT_S
    while not stop.is_set() and time.monotonic() < deadline:
        try:
            ack.put(q.get(timeout=0.02))
        except queue.Empty:
            pass


def flooding_writer(q, items: int, item_bytes: int, all_put) -> None:
    """Worker: put more items than the pipe holds, say so, then never finish on its own.

    ``put`` only hands an item to the queue's feeder thread; whatever that
    thread has not yet written to the pipe dies with the process.
    """
    filler = "x" * item_bytes
    for i in range(items):
        q.put((i, filler))
    all_put.set()
    time.sleep(CHILD_WAIT_S)


def _report_exitcode(process) -> None:
    import json
    print(json.dumps({"reader_exitcode": process.exitcode}), flush=True)


def daemon_reader_sandbox() -> None:
    """Sandbox body: start an endless daemonic reader and return without joining it.

    A finalizer that multiprocessing runs after its own exit handler prints the
    reader's exit code, so the caller sees how the reader was ended.
    """
    import json
    import multiprocessing
    from multiprocessing import util
    ctx = multiprocessing.get_context()
    q, ack = ctx.Queue(), ctx.Queue()
    reader = ctx.Process(target=endless_reader, args=(q, ack), daemon=True)
    reader.start()
    q.put("A")
    ack.get(timeout=CHILD_WAIT_S)
    # Priority -100 runs after multiprocessing has terminated and joined its daemonic children.
    util.Finalize(None, _report_exitcode, args=(reader,), exitpriority=-100)
    print(json.dumps({"reader_pid": reader.pid, "reader_alive": reader.is_alive()}), flush=True)


# ---------------------------------------------------------------- for the parent


def drain(q, timeout_s: float) -> list:
    """Everything that arrives on ``q`` until it stays empty for ``timeout_s``."""
    got = []
    while True:
        try:
            got.append(q.get(timeout=timeout_s))
        except queue.Empty:
            return got
