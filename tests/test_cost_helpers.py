"""The pure helpers of the cost, I/O and throughput experiments, and their sandbox."""
from __future__ import annotations

import asyncio
import dataclasses
import io
import json
import os
import threading

import pytest

from claimbench import claims
from claimbench.core import runtime, sandbox, stats, verdicts, workloads
from claimbench.core.labels import bytes_label, fmt_bytes, fmt_seconds, parse_bytes_label
from claimbench.core.stats import all_of
from claimbench.families.c_cost import report
from claimbench.families.c_cost.child import creation, server as cost_server
from claimbench.families.c_cost.child.limits import ladder, process_limit
from claimbench.families.c_cost.child.waits import per_unit_overhead_s
from claimbench.families.e_rule_of_thumb import child as rule_of_thumb

# A GIL build with two usable CPUs and every start method, whatever this machine is.
HERE = dataclasses.replace(runtime.fingerprint(), gil_enabled=True, usable_cpus=2,
                           start_methods=("fork", "spawn", "forkserver"))


# ---------------------------------------------------------------- arithmetic and labels
def test_overhead_is_what_the_wall_time_has_beyond_one_wait():
    assert per_unit_overhead_s(1.5, 1.0, 100) == pytest.approx(0.005)
    assert per_unit_overhead_s(0.9, 1.0, 10) == 0.0  # never negative
    with pytest.raises(ValueError):
        per_unit_overhead_s(1.0, 1.0, 0)


@pytest.mark.parametrize("n, label", [(100, "100B"), (1024, "1KiB"), (10 << 10, "10KiB"), (64 << 20, "64MiB"),
                                      (1500, "1500B"), (2 << 30, "2GiB")])
def test_bytes_labels_round_trip(n, label):
    assert bytes_label(n) == label
    assert parse_bytes_label(label) == n


def test_a_label_that_is_no_size_is_refused():
    with pytest.raises(ValueError):
        parse_bytes_label("k2")


def test_figures_for_evidence():
    assert fmt_bytes(1200) == "1.17 KiB"
    assert fmt_bytes(512) == "512 B"
    assert fmt_bytes(16 << 20) == "16 MiB"
    assert fmt_seconds(85e-6) == "85 µs"
    assert fmt_seconds(0.0021) == "2.1 ms"
    assert fmt_seconds(93e-9) == "93 ns"
    assert fmt_seconds(float("nan")) == "nan"


def test_ratio_against_a_thread_reads_both_ways():
    assert report._ratio(28.2) == "28×"
    assert report._ratio(0.76) == "0.76×"
    assert report._ratio(1 / 12.0) == "1/12 of"


def test_each_way_climbs_the_ladder_to_its_cap():
    assert ladder({"a": 1000, "b": 10}, (10, 100, 1000, 10000)) == {"a": [10, 100, 1000], "b": [10]}


def test_process_limit_is_the_tightest_limit_left():
    assert process_limit(1000, 300, None, 20000, 50) == 700
    assert process_limit(None, 300, 500, None, 0) == 200
    assert process_limit(100, 300, None, None, 0) == 0
    assert process_limit(None, 10, None, None, 3) is None


@pytest.mark.parametrize("decisions, expected", [
    ([stats.INSIDE, stats.INSIDE], stats.INSIDE),
    ([stats.INSIDE, stats.OUTSIDE], stats.OUTSIDE),
    ([stats.STRADDLES, stats.OUTSIDE], stats.OUTSIDE),
    ([stats.INSIDE, stats.STRADDLES], stats.STRADDLES),
    ([], stats.STRADDLES),
])
def test_a_claim_needing_every_part(decisions, expected):
    assert all_of(decisions) == expected


# ---------------------------------------------------------------- expectations
def test_shared_memory_is_expected_to_win_above_the_measured_crossover_only():
    c = claims.get("ipc-throughput-ranks")
    rt = HERE
    assert c.expectation(rt, "above-crossover").verdict == verdicts.HOLDS
    assert c.expectation(rt, None).verdict == verdicts.HOLDS
    assert c.expectation(rt, "below-crossover").verdict == verdicts.REFUTED
    assert c.expectation(rt, "control-pipe-as-shared-memory").testable
    # No expectation names a payload size: where shared memory starts to win is measured.
    assert not any(ch.isdigit() for case in ("above-crossover", "below-crossover")
                   for ch in c.expectation(rt, case).reason)


def test_real_io_cases_are_expected_as_the_disk_and_the_network_allow():
    c = claims.get("io-bound-favours-threads")
    rt = HERE
    assert c.expectation(rt, "http").verdict == verdicts.HOLDS
    assert c.expectation(rt, "file-cached-read").verdict == verdicts.REFUTED
    assert c.expectation(rt, "file-fsync").verdict == verdicts.MACHINE_DEPENDENT


def test_a_missing_start_method_makes_process_creation_untestable():
    rt = HERE
    no_fork = dataclasses.replace(rt, start_methods=("spawn",))
    e = claims.get("process-creation-expensive").expectation(no_fork, "processes-fork")
    assert not e.testable and "fork" in e.reason


def test_a_sub_interpreters_creation_is_untestable_without_them():
    c = claims.get("process-creation-expensive")
    for case in ("interpreter", "control-thread-as-interpreter"):
        e = c.expectation(dataclasses.replace(HERE, has_subinterpreters=False), case)
        assert not e.testable and "3.14" in e.reason
        assert c.expectation(dataclasses.replace(HERE, has_subinterpreters=True), case).verdict == verdicts.HOLDS
    # the start methods' cases do not need sub-interpreters
    assert c.expectation(dataclasses.replace(HERE, has_subinterpreters=False), "processes-fork").testable


def test_the_planted_interpreter_is_a_thread():
    started = []
    real_start = threading.Thread.start

    def start(t):
        started.append(t)
        real_start(t)
    interp = creation.ThreadsAsInterpreters.create()
    threading.Thread.start = start
    try:
        interp.exec("pass")
    finally:
        threading.Thread.start = real_start
    interp.close()
    assert len(started) == 1 and not started[0].is_alive()
    assert creation.creation_cost("thread-as-interpreter", 5) > 0


@pytest.mark.skipif(not runtime.has_subinterpreters(), reason="concurrent.interpreters needs Python 3.14+")
def test_a_sub_interpreter_is_created_run_and_closed():
    from concurrent import interpreters
    before = len(interpreters.list_all())
    assert creation.creation_cost("interpreter", 2) > 0
    assert len(interpreters.list_all()) == before


# ---------------------------------------------------------------- the sandbox protocol
def serve_lines(*requests) -> list:
    out = io.StringIO()
    cost_server.serve(io.StringIO("".join(json.dumps(r) + "\n" for r in requests)), out)
    return [json.loads(line) for line in out.getvalue().splitlines()]


def test_the_sandbox_answers_each_line_and_survives_errors():
    answers = serve_lines({"op": "ping"}, {"op": "no-such-op"}, {"op": "creation", "what": "coroutine", "count": 10})
    assert answers[0] == {"pid": os.getpid()}
    assert "unknown op" in answers[1]["error"]
    assert answers[2]["per_unit_s"] > 0


@pytest.mark.skipif(not hasattr(os, "fork"), reason="fresh children are forked")
def test_a_fresh_request_runs_in_a_child_of_its_own():
    (answer,) = serve_lines({"op": "ping", "fresh": True})
    assert answer["pid"] != os.getpid()


@pytest.mark.skipif(not hasattr(os, "fork"), reason="fresh children are forked")
def test_memory_per_wait_is_read_from_the_process_itself():
    # 5 000 waiting coroutines grow the RSS by megabytes; 200 (a few hundred KiB) once measured a shrink,
    # the allocator handing back more than they took.
    (answer,) = serve_lines({"op": "waits-memory", "way": "coroutines", "n": 5000, "fresh": True})
    assert answer["bytes_per_unit"] > 0 and answer["rss_growth_bytes"] == pytest.approx(5000 * answer["bytes_per_unit"])


def test_the_sandbox_process_answers_and_ends():
    with sandbox.Sandbox("claimbench.families.c_cost.child") as sb:
        pid = sb.request(op="ping")["pid"]
        assert pid != os.getpid()
        with pytest.raises(sandbox.SandboxError, match="unknown op"):
            sb.request(op="no-such-op")
    assert sb.proc.returncode == 0


def test_a_sandbox_starts_instances_of_its_own_and_ends_them():
    # The creation costs' instances (measure.Built): each a process of its own, answering through the sandbox.
    with sandbox.Sandbox("claimbench.families.c_cost.child") as sb:
        mother = sb.request(op="ping")["pid"]
        first, second = (sb.request(op="instance-new")["instance"] for _ in range(2))
        pids = {sb.request(op="ping", instance=i)["pid"] for i in (first, second)}
        assert len(pids) == 2 and mother not in pids and os.getpid() not in pids
        assert sb.request(op="creation", what="thread", count=3, instance=first)["per_unit_s"] > 0
        assert sb.request(op="instance-end", instance=first)["status"] == 0
        with pytest.raises(sandbox.SandboxError, match="no instance"):
            sb.request(op="ping", instance=first)
        # the second still answers after the first ended (it holds none of the first's pipes)
        assert sb.request(op="ping", instance=second)["pid"] in pids
        left = sb.request(op="instance-new")["instance"]
        left_pid = sb.request(op="ping", instance=left)["pid"]
    # the sandbox ends the instances still running when it ends
    assert sb.proc.returncode == 0
    with pytest.raises(OSError):
        os.kill(left_pid, 0)


# ---------------------------------------------------------------- real I/O workloads
def test_targets_split_into_host_port_and_path():
    assert workloads._host_port_path("127.0.0.1:8080/page3") == ("127.0.0.1", 8080, "/page3")
    assert workloads._host_port_path("127.0.0.1:80") == ("127.0.0.1", 80, "/")


def test_files_are_written_new_and_read_back(tmp_path):
    path = str(tmp_path / "f")
    workloads.run_job(workloads.Job(workloads.FILE_WRITE, 1000, path))
    workloads.run_job(workloads.Job(workloads.FILE_FSYNC, 2000, path))  # replaces the first
    assert workloads.read_file(path) == 2000
    workloads.run_job(workloads.Job(workloads.FILE_READ, 0, path))


@pytest.fixture
def server():
    srv = rule_of_thumb.make_server(0.0)
    t = threading.Thread(target=srv.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    t.start()
    try:
        yield f"127.0.0.1:{srv.server_address[1]}"
    finally:
        srv.shutdown()
        srv.server_close()
        t.join(5)


def test_http_get_both_ways(server):
    assert server.startswith("127.0.0.1:")
    n = workloads.http_get(server + "/x")
    assert n > len(rule_of_thumb.SlowHandler.body)
    assert asyncio.run(workloads.http_get_async(server + "/y")) == n


def test_a_failed_request_raises(server):
    with pytest.raises(OSError):
        workloads._check_http(b"HTTP/1.0 404 Not Found\r\n\r\n", server)
