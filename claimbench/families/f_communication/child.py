"""What section F's experiments run: echoes over every mechanism the notes name, shared memory
seen through physical frames, producers and queues (and the plants posing as one), endless readers,
the receiving ends of the throughput sweep, and the workers behind an interpreters Queue.

Each function is the body of a child process, thread or sub-interpreter (importable by name, so
spawn and forkserver children find it), or a small helper of the parent. Standard library only,
Python 3.8+ (``concurrent.interpreters`` lazily, 3.14+).
"""
from __future__ import annotations

import mmap
import os
import queue
import signal
import sys
import threading
import time
from typing import Dict, List, Optional, Sequence, Tuple

from ...core.subinterpreters import create_queue, interpreter
from ...core.pagemap import PAGE_SIZE, buffer_address, page_frames
from ...core.workloads import CHILD_WAIT_S, INTERPRETER_QUEUE_WAIT_S, stop_worker


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


# ---------------------------------------------------------------- physical frames (claimbench/core/pagemap.py)
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

# ---------------------------------------------------------------- transfer sink
def touch_pages(buf, n: int) -> int:
    """Read one byte of every page of ``buf[:n]`` in place (a strided view, copied a byte a page): what
    a receiver does to *have* a payload it can read any byte of, every page fault paid, without copying
    it. Returns how many pages it read."""
    return len(bytes(buf[0:n:PAGE_SIZE]))


def transfer_sink(byte_pipes, queue, queue_ack, touch_ctl, copy_ctl, shm_name: Optional[str]) -> None:
    """One receiving process for every mechanism, so that they share its CPU and its
    wake-ups. Acknowledges each payload on the channel's own connection:

    - each of ``byte_pipes``: the payload's bytes themselves (empty bytes: stop);
    - ``queue``: the payload put on a multiprocessing.Queue, acknowledged on ``queue_ack``;
    - ``touch_ctl``: the length of a payload written into the SharedMemory block named
      ``shm_name``; the sink reads one byte of every page of it in place (0: stop). The claim:
      the block is shared, so the receiver has the payload without a copy of its own;
    - ``copy_ctl``: the same, but the sink copies the payload out into a bytes object of its own
      (the related finding: two memcpy against the kernel's two copies). None: not measured.

    Pipe and Queue receivers end with the whole payload in a bytes object, as ``recv_bytes`` and
    ``get`` hand it over: for them that is the only way to have it.
    """
    from multiprocessing.connection import wait

    block = attach_shared_memory(shm_name) if shm_name is not None else None
    reader = queue._reader  # the Queue's receiving end, to wait on it beside the pipes
    copies = {c: c is copy_ctl for c in (touch_ctl, copy_ctl) if c is not None}
    open_ends = set(byte_pipes) | {reader} | set(copies)
    try:
        while open_ends:
            ready = wait(list(open_ends), CHILD_WAIT_S)
            if not ready:
                break
            for end in ready:
                if end is reader:
                    if queue.get(timeout=CHILD_WAIT_S) is None:
                        open_ends.discard(reader)
                        continue
                    queue_ack.send_bytes(b"k")
                elif end in copies:
                    n = int(end.recv_bytes())
                    if not n:
                        open_ends.discard(end)
                        continue
                    if copies[end]:
                        # Copied out and dropped at once, as the other receivers drop theirs: a copy
                        # kept until the next message would charge its free to the next transfer.
                        got = len(bytes(block.buf[:n]))
                    else:
                        got = n if touch_pages(block.buf, n) == -(-n // PAGE_SIZE) else -1
                    if got != n:
                        raise RuntimeError("the block held {} bytes, not {}".format(got, n))
                    end.send_bytes(b"k")
                else:
                    if not end.recv_bytes():
                        open_ends.discard(end)
                        continue
                    end.send_bytes(b"k")
    finally:
        if block is not None:
            block.close()



# ---------------------------------------------------------------- queues behind a sub-interpreter
def ack_each(inbox, outbox) -> None:
    """Worker (in a sub-interpreter's thread, a process or a thread): answer each payload with
    its length, until None, or until nothing comes for ``INTERPRETER_QUEUE_WAIT_S``."""
    while True:
        try:
            payload = inbox.get(timeout=INTERPRETER_QUEUE_WAIT_S)
        except queue.Empty:  # an interpreters QueueEmpty is a queue.Empty too
            return
        if payload is None:
            return
        outbox.put(len(payload))


class _InterpreterQueues:
    """A context with one thing, ``Queue()``: a new concurrent.interpreters queue."""

    Queue = staticmethod(create_queue)


def two_queues_posing_as_one():
    """The order control's plant: ``TwoQueuesPosingAsOne`` made of two interpreters queues
    (each producer's items alternate between them, and the reader takes the second one first).
    A sub-interpreter receives the plant pickled, the same two queues inside."""
    return TwoQueuesPosingAsOne(_InterpreterQueues)


class InterpreterWorker:
    """``ack_each`` in a thread of a new sub-interpreter, fed through two interpreters queues."""

    kind = "interpreter"

    def __init__(self):
        self._cm = interpreter()
        self.interp = self._cm.__enter__()
        try:
            self.inbox, self.outbox = create_queue(), create_queue()
            self.thread = self.interp.call_in_thread(ack_each, self.inbox, self.outbox)
        except BaseException:
            self._cm.__exit__(*sys.exc_info())
            raise

    def close(self) -> None:
        try:
            self.inbox.put(None)
            stop_worker(self.thread, timeout_s=INTERPRETER_QUEUE_WAIT_S + 5)
        finally:
            self._cm.__exit__(None, None, None)


class ProcessWorkerAsInterpreter:
    """The queue control's plant: the "interpreter" is a child process, its queues
    multiprocessing Queues (each payload pickled through a pipe, a feeder thread, a wake-up of
    another process)."""

    kind = "process"

    def __init__(self, ctx=None):
        import multiprocessing
        ctx = ctx or multiprocessing.get_context()
        self.inbox, self.outbox = ctx.Queue(), ctx.Queue()
        self.proc = ctx.Process(target=ack_each, args=(self.inbox, self.outbox), daemon=True)
        self.proc.start()

    def close(self) -> None:
        try:
            self.inbox.put(None)
        except (OSError, ValueError):
            pass
        stop_worker(self.proc, (self.inbox, self.outbox))


class ThreadWorkerAsInterpreter:
    """A second plant: the "interpreter" is a thread of this interpreter, its queues queue.Queue
    (a reference handed over, no copy, a condition variable's wake-up)."""

    kind = "thread"

    def __init__(self):
        self.inbox, self.outbox = queue.Queue(), queue.Queue()
        self.thread = threading.Thread(target=ack_each, args=(self.inbox, self.outbox), daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.inbox.put(None)
        stop_worker(self.thread)


def acknowledged(worker, payload: bytes, n: int) -> float:
    """Seconds per round trip: ``payload`` to the worker, its length back, ``n`` times."""
    import time
    t0 = time.perf_counter()
    for _ in range(n):
        worker.inbox.put(payload)
        if worker.outbox.get(timeout=INTERPRETER_QUEUE_WAIT_S) != len(payload):
            raise RuntimeError("the {} worker answered a wrong length".format(worker.kind))
    return (time.perf_counter() - t0) / n

