"""claimbench.plugin.progress: a line per judged case, and the time left from the last run's durations."""
from __future__ import annotations

from claimbench.core import records
from claimbench.plugin import progress


def test_a_line_names_the_case_its_verdict_rounds_seconds_and_the_time_left():
    p = progress.Progress({"t::a": 10.0, "t::b": 20.0, "t::c": 100.0})
    line = p.line("t::a", {"claim": "pool-capacity", "case": "k2", "verdict": "holds", "rounds": 7}, 9.5, total=3)
    assert line == "claimbench [1/3] pool-capacity [k2]: holds, 7 rounds, 9.5 s; about 2 min left (as long as last time)"
    line = p.line("t::c", {"claim": "x", "case": "", "verdict": "refuted", "rounds": 0}, 1.0)
    assert line == "claimbench [2] x: refuted, 1.0 s; about 20 s left (as long as last time)"


def test_without_a_last_run_there_is_no_estimate():
    assert progress.Progress().line("t::a", {"claim": "c", "verdict": "holds"}, 0.5).endswith("holds, 0.5 s")


def test_durations_come_from_the_newest_session_of_that_name_and_scale(tmp_path):
    def save(run_id, session, scale, started, seconds):
        records.save_record(tmp_path, run_id, session, dict(
            scale={"name": scale}, runtime={}, started=started, wall_s=1.0,
            verdicts=[dict(claim="c", case="", verdict="holds", nodeid="t::a", duration_s=seconds)]))
    save("r1", "timing", "default", "2026-01-01T00:00:00", 5.0)
    save("r2", "timing", "default", "2026-01-02T00:00:00", 7.0)
    save("r3", "timing", "quick", "2026-01-03T00:00:00", 1.0)
    save("r4", "behaviour", "default", "2026-01-04T00:00:00", 2.0)
    assert progress.previous_durations(tmp_path, "timing", "default") == {"t::a": 7.0}
    assert progress.previous_durations(tmp_path, "timing", "seed") == {}


def test_the_time_left_counts_only_the_selected_cases():
    from claimbench.plugin.progress import Progress
    p = Progress({"a": 10.0, "b": 30.0, "c": 2.0})
    p.select(["c"])  # -k selected one case of three: not "about 42 s left"
    assert p.left_s() == 2.0


def test_a_line_every_few_seconds_while_a_case_runs():
    import time
    from claimbench.plugin.progress import Heartbeat
    said = []
    with Heartbeat(said.append, "t::x[k2]", every_s=0.05):
        time.sleep(0.18)
    n = len(said)
    time.sleep(0.1)
    assert n >= 2 and len(said) == n and "t::x[k2] still running" in said[0]


def test_a_busy_machine_gets_one_line_before_a_timing_run():
    from claimbench.plugin.progress import busy_line
    assert busy_line(2, 0.1, [("bash", 1, 1.0)]) == ""
    line = busy_line(2, 1.9, [("yes", 42, 99.0)])
    assert "busy" in line and "yes (pid 42, 99 % CPU)" in line and "inconclusive" in line
    assert "busy" in busy_line(2, 0.2, [("make", 7, 60.0)])
