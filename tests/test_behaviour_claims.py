"""The expectations of the behaviour claims (sections A, B, F) and their report sections."""
from __future__ import annotations

import dataclasses
from types import SimpleNamespace

import pandas as pd

from claimbench import claims
from claimbench.core import verdicts
from claimbench.core.runtime import fingerprint
from claimbench.families.f_communication import claims as communication_claims
from claimbench.report.parts import behaviour_cases, claim_notes

HERE = fingerprint()


def rt(**changes):
    return dataclasses.replace(HERE, **changes)


def expect(claim_id, runtime, case=None):
    return claims.get(claim_id).expectation(runtime, case)


def test_missing_start_method_is_untestable_not_failed():
    no_fork = rt(start_methods=("spawn",))
    for claim_id in ("process-memory-isolated", "process-own-pid"):
        e = expect(claim_id, no_fork, "processes-fork")
        assert not e.testable and "fork" in e.reason
        assert expect(claim_id, no_fork, "processes-spawn").verdict == verdicts.HOLDS
        assert expect(claim_id, no_fork, "threads").verdict == verdicts.HOLDS


def test_cpu_count_is_cores_follows_the_hardware_threads_per_core():
    no_cpuinfo = dict(cpuinfo_threads_per_core=None)
    assert expect("cpu-count-is-cores", rt(hardware_threads_per_core=1, **no_cpuinfo)).verdict == verdicts.HOLDS
    smt = expect("cpu-count-is-cores", rt(hardware_threads_per_core=2, **no_cpuinfo), "physical-cores")
    assert smt.verdict == verdicts.REFUTED and "SMT" in smt.reason
    unknown = expect("cpu-count-is-cores", rt(hardware_threads_per_core=None, **no_cpuinfo))
    assert not unknown.testable and "topology" in unknown.reason


def test_cpu_count_is_cores_is_expected_from_cpuinfo_not_from_what_the_verdict_reads():
    # /proc/cpuinfo says SMT where sysfs (what the verdict groups by) says one thread a core: the
    # expectation follows cpuinfo, so a wrong sysfs reading would fail the case instead of passing it
    e = expect("cpu-count-is-cores", rt(hardware_threads_per_core=1, cpuinfo_threads_per_core=2), "physical-cores")
    assert e.verdict == verdicts.REFUTED and "cpuinfo" in e.reason
    e = expect("cpu-count-is-cores", rt(hardware_threads_per_core=2, cpuinfo_threads_per_core=1), "physical-cores")
    assert e.verdict == verdicts.HOLDS and "cpuinfo" in e.reason


def test_cpuinfo_threads_per_core_reads_siblings_over_cores(tmp_path):
    from claimbench.core import runtime
    block = "processor\t: {}\nphysical id\t: 0\nsiblings\t: {}\ncpu cores\t: {}\n"
    f = tmp_path / "cpuinfo"
    f.write_text("\n".join(block.format(i, 8, 4) for i in range(8)))
    assert runtime.cpuinfo_threads_per_core(f) == 2
    f.write_text("\n".join(block.format(i, 2, 2) for i in range(2)))
    assert runtime.cpuinfo_threads_per_core(f) == 1
    f.write_text("processor\t: 0\nBogoMIPS\t: 50\n")  # ARM: no siblings
    assert runtime.cpuinfo_threads_per_core(f) is None
    assert runtime.cpuinfo_threads_per_core(tmp_path / "none") is None


def test_what_a_process_may_use_is_related_and_follows_the_runtime():
    linux = rt(platform="Linux-x", cpu_count=4, hardware_threads_per_core=2)
    assert expect("cpu-count-is-cores", rt(cpu_count=4, affinity_cpus=4), "affinity").verdict == verdicts.HOLDS
    assert expect("cpu-count-is-cores", rt(cpu_count=4, affinity_cpus=2), "affinity").verdict == verdicts.REFUTED
    assert not expect("cpu-count-is-cores", rt(affinity_cpus=None), "affinity").testable
    assert expect("cpu-count-is-cores", dataclasses.replace(linux, affinity_cpus=4), "pinned-child").verdict \
        == verdicts.REFUTED
    assert not expect("cpu-count-is-cores", dataclasses.replace(linux, affinity_cpus=1), "pinned-child").testable
    old = dataclasses.replace(linux, affinity_cpus=4, python_version="3.12.1")
    assert not expect("cpu-count-is-cores", old, "process-cpu-count").testable
    new = dataclasses.replace(old, python_version="3.13.0")
    assert expect("cpu-count-is-cores", new, "process-cpu-count").verdict == verdicts.HOLDS
    assert not expect("cpu-count-is-cores", rt(cgroup_cpu_quota=None), "cgroup-quota").testable
    assert expect("cpu-count-is-cores", rt(cpu_count=4, cgroup_cpu_quota=1.5), "cgroup-quota").verdict \
        == verdicts.REFUTED
    assert expect("cpu-count-is-cores", rt(cpu_count=4, cgroup_cpu_quota=8.0), "cgroup-quota").verdict \
        == verdicts.HOLDS


def test_thread_crash_holds_and_is_posix_only():
    for case in (None, "segfault", "abort", "exception", "os-exit"):
        assert expect("thread-crash-kills-process", HERE, case).verdict == verdicts.HOLDS
    assert "excepthook" in expect("thread-crash-kills-process", HERE, "exception").reason
    assert not expect("thread-crash-kills-process", rt(platform="Windows-11")).testable
    assert expect("process-crash-isolated", HERE, "segfault").verdict == verdicts.HOLDS


def test_endless_reader_holds_for_the_notes_program_and_its_findings_have_their_own_reasons():
    claim_cases = [f"processes-{m}-{c}" for m in ("fork", "forkserver", "spawn")
                   for c in communication_claims.NOTES_READER_CASES]
    combined = verdicts.combine(expect("endless-reader-must-terminate", HERE, c).verdict for c in claim_cases)
    assert combined == verdicts.HOLDS == expect("endless-reader-must-terminate", HERE).verdict
    for finding, reason in communication_claims.RELATED_READER_CASES.items():
        e = expect("endless-reader-must-terminate", HERE, finding)
        assert e.verdict == verdicts.HOLDS and e.reason == reason
    assert expect("endless-reader-must-terminate", HERE, "control-sigterm-deaf-reader").testable


def test_same_frame_is_untestable_where_pagemap_hides_frames():
    """The expectation reads the fingerprint's word on physical frames, never /proc itself."""
    e = expect("shared-memory-one-physical-copy", rt(platform="Linux-x", physical_frames="frame number 0"), "same-frame")
    assert not e.testable and "frame number 0" in e.reason
    assert expect("shared-memory-one-physical-copy", rt(platform="Linux-x"), "writes-visible").testable
    # visibility is testable wherever the frames are hidden, by the ways' case ids and the control's
    for case in ("processes-spawn-writes-visible", "control-private-copy-writes-visible"):
        assert expect("shared-memory-one-physical-copy", rt(platform="Darwin-x"), case).testable
    assert not expect("shared-memory-one-physical-copy", rt(platform="Darwin-x"), "same-frame").testable
    assert expect("shared-memory-one-physical-copy", rt(platform="Linux-x", physical_frames=""),
                  "same-frame").verdict == verdicts.HOLDS


NAN = float("nan")


def test_notes_section_lists_claims_with_a_remark():
    ctx = SimpleNamespace(claims=pd.DataFrame([
        {"claim": "process-own-pid", "verdict": "holds"},
        {"claim": "queue-keeps-order", "verdict": "holds"},
    ]))
    s = claim_notes.build(ctx)
    (table,) = s.blocks
    assert [r[0] for r in table.rows] == ["process-own-pid"]
    assert "子进程" in table.rows[0][2]
    assert claim_notes.build(SimpleNamespace(claims=pd.DataFrame([{"claim": "queue-keeps-order",
                                                                     "verdict": "holds"}]))) is None


def test_case_section_shows_only_behaviour_claims_with_several_cases():
    def case(claim, name, rounds=0, effect=NAN):
        return dict(claim=claim, case=name, verdict="holds", expected="holds", evidence="saw " + name,
                    rounds=rounds, effect=effect, role="claim")  # report.cases_frame gives every row its role
    ctx = SimpleNamespace(cases=pd.DataFrame([
        case("process-crash-isolated", "segfault"), case("process-crash-isolated", "abort"),
        case("threads-share-memory", "threads"),
        case("timing", "k2", rounds=8, effect=1.9), case("timing", "k4", rounds=8, effect=3.5),
    ]))
    s = behaviour_cases.build(ctx)
    table = s.blocks[-1]
    assert [(r[0], r[1]) for r in table.rows] == [("process-crash-isolated", "segfault"),
                                                  ("process-crash-isolated", "abort")]
    assert behaviour_cases.build(SimpleNamespace(cases=pd.DataFrame())) is None
