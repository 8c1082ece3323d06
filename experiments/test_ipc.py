"""Section F: the notes' four ways for processes to talk, and shared memory's one physical copy."""
from __future__ import annotations

import multiprocessing
import queue
import threading
from multiprocessing import shared_memory

import pytest

from claimbench.core import pagemap, planted, verdicts, workloads
from claimbench.core.roles import control
from claimbench.core.ways import PlantedWay
from claimbench.core.workloads import REPORT_WAIT_S
from claimbench.families.f_communication.child import echoes, mappings

MESSAGE = {"n": 41, "text": "管道 pipe"}
SEMAPHORE_LIMIT = 2
SEMAPHORE_WORKERS = 3  # one more than the limit: contention, with as few (spawned) processes as that takes
# Long enough that the first holders still hold when the others arrive, even on a busy machine.
SEMAPHORE_HOLD_S = 0.1


def _answer_ok(answer) -> bool:
    return bool(answer) and answer["n"] == MESSAGE["n"] + 1 and answer["text"] == MESSAGE["text"][::-1]


def round_trip_pipe(ctx):
    mine, theirs = ctx.Pipe()
    p = ctx.Process(target=echoes.pipe_echo, args=(theirs,))
    p.start()
    mine.send(MESSAGE)
    answer = mine.recv() if mine.poll(REPORT_WAIT_S) else None
    workloads.settle([p])
    ok = _answer_ok(answer)
    return ok, f"Pipe: sent {MESSAGE!r} to child {p.pid}, got {answer!r} back", {"answer": answer}


def round_trip_queue(ctx):
    inbox, outbox = ctx.Queue(), ctx.Queue()
    p = ctx.Process(target=echoes.queue_echo, args=(inbox, outbox))
    p.start()
    inbox.put(MESSAGE)
    try:
        answer = outbox.get(timeout=REPORT_WAIT_S)
    except queue.Empty:
        answer = None
    workloads.settle([p])
    ok = _answer_ok(answer)
    return ok, f"Queue: put {MESSAGE!r} for child {p.pid}, got {answer!r} from its queue", \
        {"answer": answer}


def round_trip_shared_memory(ctx):
    data = b"shared memory round trip"
    shm = shared_memory.SharedMemory(create=True, size=2 * len(data))
    try:
        shm.buf[:len(data)] = data
        p = ctx.Process(target=echoes.shared_memory_echo, args=(shm.name, len(data)))
        p.start()
        workloads.settle([p])
        back = bytes(shm.buf[len(data):2 * len(data)])
        name = shm.name
    finally:
        shm.close()
        shm.unlink()
    ok = p.exitcode == 0 and back == data[::-1]
    return ok, (f"SharedMemory {name}: wrote {data!r}, child {p.pid} attached by name and wrote it back reversed: "
                f"{back!r}"), {"exitcode": p.exitcode}


def round_trip_value_array(ctx):
    value, array = ctx.Value("i", 41), ctx.Array("d", [1.0, 2.0, 3.0])
    p = ctx.Process(target=echoes.value_array_update, args=(value, array))
    p.start()
    workloads.settle([p])
    got_value, got_array = value.value, list(array)
    ok = p.exitcode == 0 and got_value == 42 and got_array == [2.0, 4.0, 6.0]
    return ok, f"Value/Array: child {p.pid} turned Value 41 into {got_value} and Array [1, 2, 3] into {got_array}", \
        {"value": got_value, "array": got_array}


def round_trip_semaphore(ctx):
    semaphore, barrier, lock = ctx.Semaphore(SEMAPHORE_LIMIT), ctx.Barrier(SEMAPHORE_WORKERS), ctx.Lock()
    holders, peak = ctx.Value("i", 0), ctx.Value("i", 0)
    procs = [ctx.Process(target=echoes.hold_semaphore,
                         args=(semaphore, barrier, lock, holders, peak, SEMAPHORE_HOLD_S))
             for _ in range(SEMAPHORE_WORKERS)]
    for p in procs:
        p.start()
    workloads.settle(procs, timeout_s=REPORT_WAIT_S)
    codes = [p.exitcode for p in procs]
    if peak.value > SEMAPHORE_LIMIT:
        ok = False
    elif peak.value == SEMAPHORE_LIMIT and codes == [0] * SEMAPHORE_WORKERS:
        ok = True
    else:
        ok = None  # no contention seen: the limit was never put to the test
    return ok, (f"Semaphore({SEMAPHORE_LIMIT}): {SEMAPHORE_WORKERS} processes started together and each held it "
                f"{SEMAPHORE_HOLD_S} s; at most {peak.value} held it at once (exit codes {codes})"), \
        {"peak": peak.value, "exitcodes": codes}


ROUND_TRIPS = {
    "pipe": round_trip_pipe,
    "queue": round_trip_queue,
    "shared-memory": round_trip_shared_memory,
    "value-array": round_trip_value_array,
    "semaphore": round_trip_semaphore,
}


def _copied_by_fork():
    return multiprocessing.get_context("fork" if planted.can_fork() else "spawn")


def _private_value_array():
    return echoes.PlantedContext(_copied_by_fork(), Value=echoes.PrivateValue, Array=echoes.PrivateArray)


def _per_process_semaphore():
    if not planted.can_fork():
        pytest.skip("fork is not offered here, and a threading.Semaphore reaches a child only by fork")
    return echoes.PlantedContext(multiprocessing.get_context("fork"), Semaphore=threading.Semaphore)


@pytest.mark.behaviour
@pytest.mark.timeout(60)
@pytest.mark.claim("ipc-mechanisms-work")
@pytest.mark.ways(
    "processes-fork", "processes-forkserver", "processes-spawn",
    control("private-value-array", PlantedWay(make_context=_private_value_array), "value-array",
            why="the 'shared' Value and Array are plain objects, copied into the child: its changes stay there"),
    control("per-process-semaphore", PlantedWay(make_context=_per_process_semaphore), "semaphore",
            why="the 'shared' Semaphore is a threading.Semaphore copied by fork: each process has its own, "
                "so every one of them holds it at once"),
    per={"mechanism": list(ROUND_TRIPS)})
def test_ipc_round_trip(way, mechanism, judge):
    """False if data does not come back through the mechanism, or more processes hold a semaphore than it allows.
    Each control plants the one mechanism it names."""
    ctx = way.context()
    ok, what, data = ROUND_TRIPS[mechanism](ctx)
    data["start_method"] = ctx.get_start_method()
    judge.observed({True: verdicts.HOLDS, False: verdicts.REFUTED, None: verdicts.INCONCLUSIVE}[ok], what, data=data)


PATTERN = b"one physical copy"


def shared_memory_views(ctx, block=None, attach=None, pages: int = 4) -> dict:
    """Write a block here, read and write it in a child: both sides' addresses, frames and contents.

    ``block``/``attach``: how the block is made here and found by name in the child (by default
    a SharedMemory block, attached by name).
    """
    size = pages * pagemap.PAGE_SIZE
    shm = (block or shared_memory.SharedMemory)(create=True, size=size)
    report = ctx.Queue()
    try:
        shm.buf[:len(PATTERN)] = PATTERN
        for i in range(pages):
            shm.buf[i * pagemap.PAGE_SIZE + pagemap.PAGE_SIZE // 2] = 1  # fault every page in here
        p = ctx.Process(target=mappings.shared_memory_frames, args=(shm.name, size, PATTERN, report, attach))
        p.start()
        try:
            child = report.get(timeout=REPORT_WAIT_S)
        except queue.Empty:
            child = None
        workloads.settle([p])
        address = pagemap.buffer_address(shm.buf)
        try:
            frames, error = pagemap.page_frames(address, pages), ""
        except OSError as exc:
            frames, error = None, str(exc)
        back = bytes(shm.buf[size - len(PATTERN):size])
    finally:
        shm.close()
        shm.unlink()
    return {"pages": pages, "child": child, "child_exitcode": p.exitcode, "child_pid": p.pid,
            "parent": {"address": address, "frames": frames, "error": error},
            "child_wrote_back": back == PATTERN[::-1], "start_method": ctx.get_start_method()}


def _hex(x) -> str:
    return f"0x{x:x}" if isinstance(x, int) else str(x)


ASPECTS = ["writes-visible", "same-frame"]


def _forked_for_a_private_mapping():
    if not planted.can_fork():
        pytest.skip("fork is not offered here, and a private mapping reaches a child only by fork")
    return multiprocessing.get_context("fork")


@pytest.mark.behaviour
@pytest.mark.timeout(60)
@pytest.mark.claim("shared-memory-one-physical-copy")
@pytest.mark.ways("processes-fork", "processes-forkserver", "processes-spawn",
                  control("private-copy", PlantedWay(plant=(mappings.PrivateBlock, mappings.attach_private_block),
                                                     make_context=_forked_for_a_private_mapping),
                          why="the 'shared' block is an anonymous MAP_PRIVATE mapping that a forked child "
                              "inherits copy-on-write: once the child writes, its pages are copies of its own"))
@pytest.mark.parametrize("aspect", ASPECTS)
def test_shared_memory_is_one_physical_copy(aspect, way, judge):
    """False if a write is not seen across processes, or the two mappings sit on different physical
    frames once both processes have written to them. The control's plant: how its block is made here
    and attached by name in the child."""
    block, attach = way.plant or (None, None)
    judge(one_physical_copy(aspect, shared_memory_views(way.context(), block=block, attach=attach)))


def one_physical_copy(aspect: str, v: dict) -> verdicts.Verdict:
    child, parent = v["child"] or {}, v["parent"]
    addresses = (f"virtual address {_hex(parent['address'])} here, {_hex(child.get('address'))} in "
                 f"{v['start_method']} child {v['child_pid']}")
    if aspect == "writes-visible":
        if not child:
            verdict = verdicts.INCONCLUSIVE
        else:
            verdict = verdicts.HOLDS if child["read_ok"] and v["child_wrote_back"] else verdicts.REFUTED
        what = f"child read {'exactly' if child.get('read_ok') else 'NOT'} what this process wrote ({PATTERN}), " \
               f"and this process read back what the child wrote ({'yes' if v['child_wrote_back'] else 'no'}); " \
               f"{addresses}"
    else:
        mine, theirs = parent["frames"], child.get("frames")
        if not mine or not theirs or None in mine or None in theirs:
            verdict = verdicts.INCONCLUSIVE
            what = f"frames unreadable or pages not present (here {mine or parent['error']}, child " \
                   f"{theirs or child.get('error')}; {addresses})"
        elif 0 in mine or 0 in theirs:
            verdict = verdicts.INCONCLUSIVE
            what = f"pagemap gave frame number 0: the reader lacks CAP_SYS_ADMIN; {addresses}"
        else:
            verdict = verdicts.HOLDS if mine == theirs else verdicts.REFUTED
            what = f"{v['pages']} pages, each written on both sides: {addresses}; physical frames " \
                   f"{', '.join(map(_hex, mine))} here and {', '.join(map(_hex, theirs))} in the child: " \
                   f"{'the same' if mine == theirs else 'different'}"
    return verdicts.observed("shared-memory-one-physical-copy", "", verdict, what, data=v)
