"""The planted counterparts of the communication claims, and the report part of ipc-throughput-ranks."""
from __future__ import annotations

import multiprocessing
import queue
import threading
from types import SimpleNamespace

import pandas as pd

from claimbench.core import pagemap
from claimbench.families.f_communication import report
from claimbench.families.f_communication.child import echoes, mappings, order


class ThreadQueues:
    """A context whose Queue is queue.Queue: enough to drive the plant in one process."""

    Queue = queue.Queue


def test_two_queues_posing_as_one_break_the_order():
    q = order.TwoQueuesPosingAsOne(ThreadQueues())
    for i in range(6):
        q.put((0, i))
    received = [q.get(timeout=1) for _ in range(6)]
    assert [i for _, i in received] == [1, 0, 3, 2, 5, 4]
    assert not order.order_report(received, 1, 6)["per_producer_fifo"]


def test_planted_context_swaps_only_what_it_is_given():
    ctx = multiprocessing.get_context("spawn")
    planted = echoes.PlantedContext(ctx, Value=echoes.PrivateValue, Semaphore=threading.Semaphore)
    assert planted.get_start_method() == "spawn"
    assert planted.Queue == ctx.Queue
    v = planted.Value("i", 41)
    with v.get_lock():
        v.value += 1
    assert v.value == 42 and isinstance(planted.Semaphore(2), type(threading.Semaphore(2)))
    a = echoes.PrivateArray("d", [1.0, 2.0])
    with a.get_lock():
        a[0] *= 2
    assert list(a) == [2.0, 2.0]


def test_a_private_block_is_found_by_name_until_unlinked():
    block = mappings.PrivateBlock(create=True, size=pagemap.PAGE_SIZE)
    try:
        block.buf[:3] = b"abc"
        assert mappings.attach_private_block(block.name) is block
        assert bytes(mappings.attach_private_block(block.name).buf[:3]) == b"abc"
    finally:
        block.close()
        block.unlink()
    assert block.name not in mappings.PRIVATE_BLOCKS


SIZES = [1 << 10, 1 << 20, 64 << 20]


def _case(role="claim", crossover=None):
    rates = {str(s): {"shared-memory": [3e9, 2e9, 4e9], "pipe": [1e9, 0.8e9, 1.2e9], "queue": [5e8, 4e8, 6e8]}
             for s in SIZES}
    data = {"sizes": SIZES, "threshold": 1.5, "rounds": 8, "bytes_per_s": rates,
            "ratio": {str(s): [r, r * 0.9, r * 1.1] for s, r in zip(SIZES, (0.8, 2.5, 1.8))},
            "decision": {}, "crossover": crossover or {"estimate": 200e3, "low": 50e3, "high": 900e3,
                                                       "first_win": 1 << 20}}
    return {"claim": "ipc-throughput-ranks", "case": "above-crossover", "role": role, "verdict": "holds",
            "expected": "holds", "data": data}


def _ctx(tmp_path, cases):
    # As report.cases_frame: every row has its role (a case stored before roles is the claim's).
    frame = pd.DataFrame([dict(c, role=c.get("role") or "claim") for c in cases])
    return SimpleNamespace(cases=frame, runtime={"tag": "3.11-gil-fork"},
                           cases_of=lambda claim: frame,
                           claim_cases_of=lambda claim: frame[frame["role"] == "claim"],
                           figure_path=lambda name: tmp_path / name)


def test_report_part_states_the_crossover_and_draws_the_sweep(tmp_path):
    s = report.build(_ctx(tmp_path, [_case(role="control"), _case()]))
    text = s.blocks[0].text
    assert "crossover of about 195 KiB" in text and "from 1MiB to 64MiB" in text
    assert (tmp_path / "ipc-throughput.png").exists()


def test_report_part_says_when_there_is_no_crossover(tmp_path):
    none = {"estimate": None, "low": None, "high": None, "first_win": None}
    s = report.build(_ctx(tmp_path, [_case(crossover=none)]))
    assert "no crossover within the sweep" in s.blocks[0].text


def test_report_part_skips_runs_without_the_sweep(tmp_path):
    old = {"claim": "ipc-throughput-ranks", "case": "1MiB", "verdict": "holds", "data": {"payload_bytes": 1}}
    assert report.build(_ctx(tmp_path, [old])) is None
    assert report.build(_ctx(tmp_path, [_case(role="control")])) is None
