"""The families' child code: the pure helpers of the behaviour experiments (nothing is started here)."""
from __future__ import annotations

import queue
import signal
import struct

import pytest

from claimbench.core import labels, pagemap, sandbox, workloads
from claimbench.families.a_concepts import child as concepts
from claimbench.families.f_communication.child import order, readers


@pytest.mark.parametrize("code, text", [
    (None, "None (still running)"),
    (0, "0 (clean exit)"),
    (3, "3"),
    (-signal.SIGSEGV, "-11 (killed by SIGSEGV"),
    (-signal.SIGTERM, "-15 (killed by SIGTERM"),
    (-signal.SIGKILL, "-9 (killed by SIGKILL"),
    (-signal.SIGABRT, "-6 (killed by SIGABRT"),
])
def test_describe_exitcode(code, text):
    assert labels.describe_exitcode(code).startswith(text)


def test_describe_exitcode_of_an_unknown_signal():
    assert labels.describe_exitcode(-200) == "-200 (killed by signal 200)"


@pytest.mark.parametrize("text, cpus", [
    ("0-3\n", [0, 1, 2, 3]),
    ("0", [0]),
    ("0-1,4,6-7", [0, 1, 4, 6, 7]),
    ("", []),
    (" 2 , 5-6 ", [2, 5, 6]),
])
def test_parse_cpu_list(text, cpus):
    assert concepts.parse_cpu_list(text) == cpus


def test_pagemap_entry_splits_present_bit_and_frame():
    assert pagemap.pagemap_entry((1 << 63) | 0x169339) == (True, 0x169339)
    assert pagemap.pagemap_entry(0x169339) == (False, 0x169339)
    # soft-dirty (55) and exclusive (56) bits are not part of the frame number
    assert pagemap.pagemap_entry((1 << 63) | (1 << 55) | (1 << 56) | 7) == (True, 7)
    assert pagemap.pagemap_entry(1 << 63) == (True, 0)  # what a reader without CAP_SYS_ADMIN gets


def test_page_frames_reads_the_entry_of_each_page(tmp_path):
    fake = tmp_path / "pagemap"
    entries = [0, (1 << 63) | 11, (1 << 63) | 12, 5, (1 << 63)]
    fake.write_bytes(b"".join(struct.pack("<Q", e) for e in entries))
    page = pagemap.PAGE_SIZE
    assert pagemap.page_frames(page, 3, str(fake)) == [11, 12, None]
    assert pagemap.page_frames(4 * page + 17, 1, str(fake)) == [0]


def test_order_report_one_producer():
    r = order.order_report([(0, i) for i in range(5)], 1, 5)
    assert r == {"per_producer_fifo": True, "switches": 0, "received": 5, "expected": 5}
    assert not order.order_report([(0, 1), (0, 0)], 1, 2)["per_producer_fifo"]


def test_order_report_several_producers_keep_their_own_order():
    merged = [(0, 0), (1, 0), (1, 1), (0, 1), (2, 0), (2, 1)]
    r = order.order_report(merged, 3, 2)
    assert r["per_producer_fifo"] and r["switches"] == 3
    swapped = [(0, 0), (1, 1), (1, 0), (0, 1), (2, 0), (2, 1)]
    assert not order.order_report(swapped, 3, 2)["per_producer_fifo"]


def test_order_report_notices_missing_items_and_producers():
    assert not order.order_report([(0, 0), (0, 1)], 2, 2)["per_producer_fifo"]
    assert not order.order_report([(0, 0)], 1, 2)["per_producer_fifo"]


def test_json_lines_keeps_only_json_objects():
    text = 'noise\n{"a": 1}\n{broken\n  {"b": [2]}  \n'
    assert sandbox.json_lines(text) == [{"a": 1}, {"b": [2]}]


def test_a_one_shot_sandbox_calls_child_code_by_name():
    code = sandbox.one_shot_code(concepts.narrowed_cpu_report, 3)
    assert code == "from claimbench.families.a_concepts.child import narrowed_cpu_report; narrowed_cpu_report(3)"


def test_mutate_shared_state_in_place():
    concepts.set_shared_state(counter=10, items=["parent"], table={"parent": 1})
    report = queue.Queue()
    concepts.mutate_shared_state(report)
    seen = report.get_nowait()
    assert seen["before"] == {"counter": 10, "items": ["parent"], "table": {"parent": 1}}
    assert seen["after"] == concepts.shared_state()
    assert concepts.shared_state()["counter"] == 11 and concepts.shared_state()["items"] == ["parent", "worker"]


def test_settle_and_drain_on_nothing():
    assert workloads.settle([]) == []
    q = queue.Queue()
    q.put(1)
    assert readers.drain(q, 0.01) == [1]


def test_pagemap_readability_is_an_answer_with_a_reason():
    readable, why_not = pagemap.pagemap_frames_readable()
    assert isinstance(readable, bool)
    assert readable or why_not


def test_a_sandbox_keeps_a_bytecode_cache_whatever_this_shell_says(monkeypatch):
    """Children import the probe's module: compiled from source each time it would cost them more
    than their creation does (PYTHONDONTWRITEBYTECODE), so the sandbox leaves Python's default."""
    monkeypatch.setenv("PYTHONDONTWRITEBYTECODE", "1")
    monkeypatch.setenv("PYTHONFAULTHANDLER", "1")
    env = sandbox.environment()
    assert "PYTHONDONTWRITEBYTECODE" not in env and "PYTHONFAULTHANDLER" not in env
    assert str(sandbox.ROOT) in env["PYTHONPATH"].split(":")
