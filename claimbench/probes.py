"""What the behaviour experiments' children run, and the few readers they need.

Memory, identity, crashes and inter-process communication: each function here
is the body of a child process or thread (importable by name, so spawn and
forkserver children find it), or a small pure helper that turns what a child
saw into words (exit codes, CPU lists, queue orders). Standard library only,
Python 3.8+: nothing here imports pytest, pandas or the report.
"""
from __future__ import annotations

import json
import mmap
import os
import queue
import signal
import subprocess
import sys
import threading
import time
from functools import lru_cache
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Tuple

from .workloads import spin

ROOT = Path(__file__).resolve().parent.parent

# Every wait a child makes is bounded, so a lost parent never leaves it hanging.
CHILD_WAIT_S = 30.0


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
def parse_cpu_list(text: str) -> List[int]:
    """``0-3,8,10-11`` (the kernel's CPU list format) → [0, 1, 2, 3, 8, 10, 11]."""
    cpus: List[int] = []
    for part in text.strip().split(","):
        part = part.strip()
        if not part:
            continue
        if "-" in part:
            lo, hi = part.split("-", 1)
            cpus.extend(range(int(lo), int(hi) + 1))
        else:
            cpus.append(int(part))
    return cpus


def online_cpus() -> Optional[int]:
    """CPUs the machine has online, read from the kernel, not from Python."""
    try:
        return len(parse_cpu_list(Path("/sys/devices/system/cpu/online").read_text()))
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
    os.sched_setaffinity(0, {cpu})
    print(json.dumps(cpu_report()), flush=True)


# ---------------------------------------------------------------- crashes
CRASH_MODES = ("exception", "exit3", "segfault", "abort", "sigkill")


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
    """Worker: compute in chunks until told to go on, then finish a fixed task and report it."""
    report.put(("started", os.getpid()))
    chunks = 0
    deadline = time.monotonic() + CHILD_WAIT_S
    while not go_on.is_set() and time.monotonic() < deadline:
        spin(chunk)
        chunks += 1
    report.put(("finished", os.getpid(), chunks, sum(i * i for i in range(1000))))


SIBLING_RESULT = sum(i * i for i in range(1000))


def _thread_crash(mode: str) -> None:
    if mode == "exception":
        raise RuntimeError("deliberate uncaught exception in a thread")
    if mode == "segfault":
        import ctypes
        ctypes.string_at(0)
    if mode == "exit3":
        os._exit(3)
    raise ValueError("unknown thread crash mode {!r}".format(mode))


def thread_crash_sandbox(mode: str) -> None:
    """Sandbox body: one thread crashes by ``mode``; the main thread reports if it survived."""
    no_core_dumps()

    def hook(args):
        print(json.dumps({"excepthook": args.exc_type.__name__, "thread": args.thread.name}), flush=True)

    threading.excepthook = hook
    t = threading.Thread(target=_thread_crash, args=(mode,), name="crasher", daemon=True)
    t.start()
    t.join(CHILD_WAIT_S)
    time.sleep(0.05)  # the main thread goes on running Python code after the crash
    print(json.dumps({"survived": True, "main_thread_result": sum(range(1000)),
                      "crasher_alive": t.is_alive()}), flush=True)


def run_sandbox(call: str, timeout_s: float, cwd: Optional[str] = None) -> subprocess.CompletedProcess:
    """Run ``from claimbench import probes; probes.<call>`` in a fresh interpreter.

    The caller never dies with it: whatever the sandbox does to itself comes
    back as a return code and its output.
    """
    env = dict(os.environ)
    env.pop("PYTHONFAULTHANDLER", None)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH", "")) if p)
    return subprocess.run([sys.executable, "-c", "from claimbench import probes; probes." + call],
                          cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
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


# ---------------------------------------------------------------- physical frames
PAGE_SIZE = mmap.PAGESIZE
PFN_MASK = (1 << 55) - 1
PRESENT = 1 << 63


def buffer_address(buf) -> int:
    """The virtual address of a writable buffer (a memoryview of a mapping) in this process."""
    import ctypes
    view = ctypes.c_char.from_buffer(buf)
    try:
        return ctypes.addressof(view)
    finally:
        del view  # release the export, or the mapping cannot be closed


def pagemap_entry(entry: int) -> Tuple[bool, int]:
    """(present, frame number) from one 64-bit /proc/PID/pagemap entry."""
    return bool(entry & PRESENT), entry & PFN_MASK


def page_frames(address: int, pages: int, pagemap: str = "/proc/self/pagemap") -> List[Optional[int]]:
    """Physical frame numbers of ``pages`` pages from ``address``: None where not present.

    The kernel gives 0 instead of the frame to a reader without CAP_SYS_ADMIN.
    """
    import struct
    frames: List[Optional[int]] = []
    with open(pagemap, "rb") as f:
        f.seek(address // PAGE_SIZE * 8)
        raw = f.read(8 * pages)
    for (entry,) in struct.iter_unpack("<Q", raw):
        present, pfn = pagemap_entry(entry)
        frames.append(pfn if present else None)
    return frames


@lru_cache(maxsize=None)
def pagemap_frames_readable() -> Tuple[bool, str]:
    """Whether this process can read physical frame numbers: (yes/no, why not)."""
    if not os.path.exists("/proc/self/pagemap"):
        return False, "no /proc/self/pagemap on this platform"
    m = mmap.mmap(-1, PAGE_SIZE)
    try:
        m[0:1] = b"x"  # fault the page in
        try:
            frames = page_frames(buffer_address(m), 1)
        except OSError as exc:
            return False, "/proc/self/pagemap is unreadable: {}".format(exc)
    finally:
        m.close()
    if frames[0] is None:
        return False, "pagemap shows a touched page as not present"
    if frames[0] == 0:
        return False, "pagemap gives frame number 0: the reader lacks CAP_SYS_ADMIN"
    return True, ""


def shared_memory_frames(name: str, size: int, pattern: bytes, report) -> None:
    """Worker: attach a block, check its contents, report its address and frames, write back."""
    shm = attach_shared_memory(name)
    try:
        seen = bytes(shm.buf[:len(pattern)])
        pages = max(1, size // PAGE_SIZE)
        for i in range(pages):  # touch each page so it is mapped here
            shm.buf[i * PAGE_SIZE]
        address = buffer_address(shm.buf)
        error = ""
        try:
            frames = page_frames(address, pages)  # type: Optional[List[Optional[int]]]
        except OSError as exc:
            frames, error = None, str(exc)
        shm.buf[size - len(pattern):size] = pattern[::-1]
        report.put({"pid": os.getpid(), "address": address, "frames": frames, "error": error,
                    "read_ok": seen == pattern})
    finally:
        shm.close()


# ---------------------------------------------------------------- queue order
def produce(q, producer: int, items: int) -> None:
    """Worker: put (producer, 0), (producer, 1), … on the queue."""
    for i in range(items):
        q.put((producer, i))


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
    print(json.dumps({"reader_exitcode": process.exitcode}), flush=True)


def daemon_reader_sandbox() -> None:
    """Sandbox body: start an endless daemonic reader and return without joining it.

    A finalizer that multiprocessing runs after its own exit handler prints the
    reader's exit code, so the caller sees how the reader was ended.
    """
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
def settle(processes, timeout_s: float = 10.0) -> List[str]:
    """Join every process within ``timeout_s`` overall; kill the ones that overstay.

    Returns a line for each one killed, so an experiment can put it in its evidence.
    """
    deadline = time.monotonic() + timeout_s
    killed = []
    for p in processes:
        if p.pid is None:
            continue
        p.join(max(0.0, deadline - time.monotonic()))
        if p.is_alive():
            p.kill()
            p.join(5)
            killed.append("{} killed after {} s".format(p.pid, timeout_s))
    return killed


def drain(q, timeout_s: float) -> list:
    """Everything that arrives on ``q`` until it stays empty for ``timeout_s``."""
    got = []
    while True:
        try:
            got.append(q.get(timeout=timeout_s))
        except queue.Empty:
            return got
