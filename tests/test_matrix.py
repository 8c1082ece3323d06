"""claimbench.commands.matrix and its report part: commands, venv markers, the table, the plot's data.

No interpreter is run, no venv is made: stored runs are synthetic.
"""
from __future__ import annotations

import json
import math
from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import pytest

from claimbench.commands import cli, interpreters, matrix
from claimbench.commands.interpreters import Interpreter
from claimbench.core import records
from claimbench.families.e_rule_of_thumb import report as cpu_report
from claimbench.report.parts import matrix as matrix_part

NAN = float("nan")
CPU = cpu_report.CPU_CLAIM


# ---------------------------------------------------------------- the runner's pure parts
def test_venv_marker_follows_interpreter_and_requirements():
    a = Interpreter("/x/3.8.18/bin/python", (3, 8, 18), False)
    m = matrix.venv_marker(a, "pytest==8.3.5\n")
    assert matrix.venv_is_current(json.dumps(m), m)
    assert not matrix.venv_is_current(json.dumps(m), matrix.venv_marker(a, "pytest==8.3.6\n"))
    b = Interpreter("/y/3.8.18/bin/python", (3, 8, 18), False)
    assert not matrix.venv_is_current(json.dumps(m), matrix.venv_marker(b, "pytest==8.3.5\n"))
    assert not matrix.venv_is_current("{not json", m)


def test_run_ids_sort_by_time_and_name_the_runtime():
    early = records.run_id_for("20261125T160000Z", "3.8-gil-fork")
    late = records.run_id_for("20261125T160100Z", "3.11-gil-fork")
    assert early < late and late.endswith("-3.11-gil-fork")


def test_verify_command_runs_the_venv_python_without_a_report(tmp_path):
    cmd = matrix.verify_command("/main/python", "/v/bin/python", "quick", "0", tmp_path, "RID", ["-k", "pool"])
    assert cmd[:4] == ["/main/python", "-m", "claimbench", "verify"]
    assert cmd[cmd.index("--python") + 1] == "/v/bin/python"
    assert cmd[cmd.index("--run-id") + 1] == "RID" and "--no-report" in cmd
    assert cmd[cmd.index("--results-dir") + 1] == str(tmp_path)
    assert cmd[-3:] == ["--", "-k", "pool"]
    assert "--" not in matrix.verify_command("/m", "/v", "quick", "0", tmp_path, "RID")
    # The same command line the CLI's verify parser accepts.
    args = cli.parser().parse_args(cmd[3:])
    assert args.python == "/v/bin/python" and args.no_report and args.pytest_args == ["-k", "pool"]


def test_two_interpreters_of_one_runtime_are_refused():
    fps = [{"tag": "3.11-gil-fork", "executable": "/a"}, {"tag": "3.11-gil-fork", "executable": "/b"}]
    with pytest.raises(matrix.MatrixError) as err:
        matrix.check_distinct(fps)
    assert "/a" in str(err.value) and "/b" in str(err.value)
    matrix.check_distinct(fps[:1])


def test_manifest_round_trip(tmp_path):
    assert matrix.read_manifest(tmp_path) is None
    (tmp_path / matrix.MANIFEST).write_text("{broken")
    assert matrix.read_manifest(tmp_path) is None
    runs = [{"tag": "3.11-gil-fork", "run_id": "R1", "exitstatus": 0}]
    records.atomic_write_json(tmp_path / matrix.MANIFEST, matrix.manifest(runs, "quick", 12.34))
    got = matrix.read_manifest(tmp_path)
    assert got["tags"] == ["3.11-gil-fork"] and got["runs"] == runs and got["wall_s"] == 12.3


# ---------------------------------------------------------------- the CLI: bad PYTHONS, nothing runs
@pytest.fixture
def nothing_runs(monkeypatch):
    def refuse(*a, **k):
        raise AssertionError(f"the matrix started something: {a}")
    monkeypatch.setattr(matrix, "ensure_venv", refuse)
    monkeypatch.setattr(cli, "run_session", refuse)
    monkeypatch.setattr(interpreters, "discover", lambda: [
        Interpreter("/x/3.11.7/bin/python", (3, 11, 7), False, "pyenv"),
        Interpreter("/x/3.13.5t/bin/python", (3, 13, 5), True, "pyenv")])


@pytest.mark.parametrize("pythons, words", [
    ("3.11 3.x", ["'3.x'"]),
    ("3.11 3.8", ["3.8", "3.11.7, 3.13.5t"]),
    ("3.14t", ["3.14t", "make freethreaded"]),
    ("3.6", ["3.6", "3.8+"]),
    ("/no/such/python", ["/no/such/python"]),
])
def test_cli_matrix_bad_pythons_is_one_line_exit_2(nothing_runs, capsys, pythons, words):
    assert cli.main(["matrix", "--pythons", pythons, "--results-dir", "unused"]) == 2
    out, err = capsys.readouterr()
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("claimbench: error: PYTHONS: ")
    for w in words:
        assert w in lines[0]


def test_cli_matrix_bad_scale_and_strict(nothing_runs, capsys):
    assert cli.main(["matrix", "--pythons", "3.11", "--scale", "nope"]) == 2
    assert cli.main(["matrix", "--pythons", "3.11", "--strict", "maybe"]) == 2
    assert cli.main(["matrix", "--pythons", "3.11", "--results-dir="]) == 2
    assert len(capsys.readouterr().err.strip().splitlines()) == 3


def test_report_only_without_a_matrix_is_one_line(nothing_runs, capsys, tmp_path):
    assert cli.main(["matrix", "--report-only", "--results-dir", str(tmp_path)]) == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1 and "make matrix" in lines[0]


# ---------------------------------------------------------------- stored runs → columns
def runtime(tag: str, version: str, gil: bool = True, ft: bool = False) -> dict:
    return {"tag": tag, "python_version": version, "gil_enabled": gil, "free_threaded_build": ft,
            "default_start_method": "fork", "usable_cpus": 2, "cpu_count": 2, "executable": "/v/" + tag}


def case(claim, verdict, expected, effect=NAN, case_id="", data=None, reason=""):
    lo, hi = (effect - 0.1, effect + 0.1) if effect == effect else (NAN, NAN)
    return {"claim": claim, "case": case_id, "verdict": verdict, "expected": expected, "expected_reason": reason,
            "outcome": "passed" if verdict == expected else "failed", "effect": effect, "ci_low": lo,
            "ci_high": hi, "effect_name": "ratio" if effect == effect else "", "evidence": "", "data": data or {}}


def record(run_id, rt, verdicts, session="timing"):
    return records.RunRecord(path=Path(f"/r/{run_id}/{session}.json"), run_id=run_id, session=session,
                             scale={"name": "default", "unit_s": 0.025}, runtime=rt, verdicts=verdicts,
                             started="", wall_s=10.0)


def cpu_cases(threads, processes):
    return [case(CPU, "holds" if p > t else "refuted", "holds", effect=p / t, case_id=f"k{k}",
                 data={"k": k, "work": "cpu", "speedup": {"threads": t, "processes": p, "sequential": 1.0}})
            for k, t, p in ((2, threads[0], processes[0]), (3, threads[1], processes[1]))]


RT311 = runtime("3.11-gil-fork", "3.11.7")
RT313T = runtime("3.13t-nogil-fork", "3.13.5", gil=False, ft=True)
RT38 = runtime("3.8-gil-fork", "3.8.18")


def runs():
    return [
        record("20261125T100000Z-3.11-gil-fork", RT311, [case("sequential-adds-up", "holds", "holds", 1.0)]),
        record("20261125T110000Z-3.11-gil-fork", RT311, [case("sequential-adds-up", "holds", "holds", 1.01)]
               + cpu_cases((0.95, 0.97), (1.8, 1.9))),
        record("20261125T110000Z-3.11-gil-fork", RT311, [case("pool-reuses-workers", "holds", "holds")], "behaviour"),
        record("20261125T110100Z-3.13t-nogil-fork", RT313T,
               [case("sequential-adds-up", "refuted", "holds", 1.3)] + [
                   dict(c, verdict="refuted", expected="refuted", expected_reason="no GIL on this runtime")
                   for c in cpu_cases((1.9, 1.85), (1.8, 1.8))]),
        record("20261125T110100Z-3.13t-nogil-fork", RT313T, [case("pool-reuses-workers", "holds", "holds")],
               "behaviour"),
        record("20261125T110200Z-3.8-gil-fork", RT38, [case("sequential-adds-up", "inconclusive", "holds", 1.05)]
               + cpu_cases((0.9, 0.92), (1.7, 1.75))),
    ]


MANIFEST = {"format": matrix.MANIFEST_FORMAT, "tags": ["3.11-gil-fork", "3.13t-nogil-fork", "3.8-gil-fork"],
            "runs": [{"tag": "3.11-gil-fork", "run_id": "20261125T110000Z-3.11-gil-fork", "exitstatus": 0},
                     {"tag": "3.13t-nogil-fork", "run_id": "20261125T110100Z-3.13t-nogil-fork", "exitstatus": 1},
                     {"tag": "3.8-gil-fork", "run_id": "20261125T110200Z-3.8-gil-fork", "exitstatus": 0}]}


def test_columns_newest_run_per_tag_in_manifest_order():
    cols = matrix_part.columns(runs(), MANIFEST)
    assert [c.tag for c in cols] == MANIFEST["tags"]
    assert cols[0].run_id == "20261125T110000Z-3.11-gil-fork"
    assert {c["claim"] for c in cols[0].cases} == {"sequential-adds-up", CPU, "pool-reuses-workers"}
    assert cols[0].wall_s == 20.0


def test_columns_without_manifest_put_the_reported_runtime_first():
    cols = matrix_part.columns(runs(), None, first_tag="3.13t-nogil-fork")
    assert [c.tag for c in cols] == ["3.13t-nogil-fork", "3.8-gil-fork", "3.11-gil-fork"]


def test_a_runtime_whose_run_stored_nothing_is_a_column_that_says_so():
    manifest = dict(MANIFEST, tags=MANIFEST["tags"] + ["3.12-gil-fork"], runs=MANIFEST["runs"] + [
        {"tag": "3.12-gil-fork", "run_id": "20261125T110300Z-3.12-gil-fork", "exitstatus": 4}])
    stale = record("20261120T000000Z-3.12-gil-fork", runtime("3.12-gil-fork", "3.12.1"),
                   [case("sequential-adds-up", "holds", "holds", 1.0)])
    cols = matrix_part.columns(runs() + [stale], manifest)
    last = cols[-1]
    assert last.cases == [] and "stored nothing" in last.note and "4" in last.note
    headers, rows, found = matrix_part.table(matrix_part.claim_frame(cols), [c.tag for c in cols])
    assert rows[0][4] == matrix_part.MISSING


def test_table_marks_differences_and_says_why():
    cols = matrix_part.columns(runs(), MANIFEST)
    tags = [c.tag for c in cols]
    headers, rows, found = matrix_part.table(matrix_part.claim_frame(cols), tags)
    assert headers == ["claim"] + tags + ["effect is", "why it differs"]
    by_claim = {r[0]: r for r in rows}
    assert list(by_claim)[:3] == ["sequential-adds-up", "pool-reuses-workers", CPU]  # the registry's order

    seq = by_claim["sequential-adds-up"]
    assert seq[1] == "holds 1.01 [0.91, 1.11]"
    assert seq[2].startswith("refuted 1.3 ") and seq[2].endswith("(expected holds) " + matrix_part.DIFFERS)
    assert seq[3].startswith("inconclusive") and seq[3].endswith(matrix_part.DIFFERS)
    cpu = by_claim[CPU]
    assert cpu[1].startswith("holds") and not cpu[1].endswith(matrix_part.DIFFERS)
    assert cpu[2].startswith("refuted") and cpu[2].endswith(matrix_part.DIFFERS) and "expected" not in cpu[2]
    assert "no GIL on this runtime" in cpu[-1]
    assert "(" not in cpu[1]  # both cases hold: no per-case detail
    assert by_claim["pool-reuses-workers"][1:4] == ["holds", "holds", matrix_part.MISSING]
    assert by_claim["pool-reuses-workers"][-1] == "not run on 3.8-gil-fork"

    kinds = {(cid, tag): kind for cid, tag, kind, _ in found}
    assert kinds == {("sequential-adds-up", "3.13t-nogil-fork"): matrix_part.UNEXPLAINED,
                     ("sequential-adds-up", "3.8-gil-fork"): matrix_part.UNSETTLED,
                     (CPU, "3.13t-nogil-fork"): matrix_part.EXPECTED,
                     ("pool-reuses-workers", "3.8-gil-fork"): matrix_part.NOT_RUN}


def test_cases_that_disagree_are_named_in_the_cell():
    cases = [dict(c, verdict=v) for c, v in zip(cpu_cases((1.9, 1.85), (1.8, 1.8)), ("inconclusive", "refuted"))]
    cols = [matrix_part.Column("3.13t-nogil-fork", cases=[dict(c, expected="refuted") for c in cases])]
    _, rows, _ = matrix_part.table(matrix_part.claim_frame(cols), ["3.13t-nogil-fork"])
    assert rows[0][1].endswith("(expected refuted; k2 inconclusive, k3 refuted)")
    partly = [dict(c, verdict=v, expected="partly") for c, v in zip(cases, ("holds", "refuted"))]
    cols = [matrix_part.Column(t, cases=partly) for t in ("3.11-gil-fork", "3.8-gil-fork")]
    _, rows, _ = matrix_part.table(matrix_part.claim_frame(cols), ["3.11-gil-fork", "3.8-gil-fork"])
    assert rows[0][1:3] == ["partly 0.947 [0.847, 1.05]"] * 2  # alike everywhere: no case list


def test_an_inconclusive_first_column_is_said_once():
    first = record("R1-3.11-gil-fork", RT311, [case("sequential-adds-up", "inconclusive", "holds", 1.2)])
    others = [record("R2-3.8-gil-fork", RT38, [case("sequential-adds-up", "holds", "holds", 1.0)]),
              record("R3-3.9-gil-fork", runtime("3.9-gil-fork", "3.9.18"),
                     [case("sequential-adds-up", "holds", "holds", 1.0)])]
    cols = matrix_part.columns([first] + others, None, first_tag="3.11-gil-fork")
    _, rows, found = matrix_part.table(matrix_part.claim_frame(cols), [c.tag for c in cols])
    assert rows[0][-1] == "unsettled: inconclusive on 3.11-gil-fork" and len(found) == 2


@pytest.mark.parametrize("first, other, kind", [
    ({"verdict": "holds", "expected": "holds"}, {"verdict": "holds", "expected": "holds"}, "same"),
    ({"verdict": "holds", "expected": "holds"}, {"verdict": "refuted", "expected": "refuted"}, "expected"),
    ({"verdict": "holds", "expected": "holds"}, {"verdict": "refuted", "expected": "holds"}, "unexplained"),
    ({"verdict": "holds", "expected": "holds"}, {"verdict": "partly", "expected": "holds"}, "unexplained"),
    ({"verdict": "inconclusive", "expected": "holds"}, {"verdict": "holds", "expected": "holds"}, "unsettled"),
    ({"verdict": "holds", "expected": "holds"}, None, "not run"),
    (None, {"verdict": "holds", "expected": "holds"}, "not run"),
])
def test_difference(first, other, kind):
    assert matrix_part.difference(first, other) == kind


def test_speedup_frame_reads_the_cpu_claims_data():
    cols = matrix_part.columns(runs(), MANIFEST)
    f = cpu_report.speedup_frame(cols)
    assert set(f["way"]) == {"threads", "processes"}
    assert set(f["tag"]) == set(MANIFEST["tags"])
    ft = f[(f["tag"] == "3.13t-nogil-fork") & (f["way"] == "threads")]
    assert list(ft["k"]) == [1, 2, 3] and list(ft["speedup"]) == [1.0, 1.9, 1.85]


def test_speedup_frame_ignores_cases_without_the_data():
    cols = [matrix_part.Column("x", cases=[case(CPU, "holds", "holds", 1.2, data={"k": 2}),
                                        case(CPU, "holds", "holds", 1.2, data={"k": 2, "work": "sleep",
                                                                             "speedup": {"threads": 2.0}})])]
    assert len(cpu_report.speedup_frame(cols)) == 0


def test_build_writes_the_table_and_the_plot(tmp_path):
    records.atomic_write_json(tmp_path / matrix.MANIFEST, MANIFEST)
    ctx = SimpleNamespace(results_dir=tmp_path, all_runs=runs(), runtime=RT311,
                          figure_path=lambda name: tmp_path / "figures" / name)
    section = matrix_part.build(ctx)
    kinds = [type(b).__name__ for b in section.blocks]
    assert kinds.count("Table") == 2 and "Figure" in kinds
    png = tmp_path / "figures" / cpu_report.MATRIX_FIGURE
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    text = " ".join(getattr(b, "text", "") for b in section.blocks)
    assert "sequential-adds-up (no reason: refuted on 3.13t-nogil-fork, holds on 3.11-gil-fork" in text
    table = matrix_part.text_table(ctx)
    assert table.splitlines()[0].split() == ["claim"] + MANIFEST["tags"]
    assert "refuted ≠" in table


def test_build_needs_two_runtimes_without_a_manifest(tmp_path):
    ctx = SimpleNamespace(results_dir=tmp_path, all_runs=runs()[:2], runtime=RT311,
                          figure_path=lambda name: tmp_path / name)
    assert matrix_part.build(ctx) is None
    assert math.isnan(NAN)


def test_a_runtime_of_its_own_root_is_run_through_its_runner(tmp_path):
    from claimbench.commands.interpreters import Interpreter
    debian = Interpreter("/p/.runtimes/debian/bin/python3.14", (3, 14, 10), False, "debian", "/p/.runtimes/debian/run")
    venv = tmp_path / debian.tag
    assert matrix.venv_python(venv, debian) == venv / matrix.HOST_PYTHON
    assert matrix.venv_python(venv) == venv / "bin" / "python"
    text = matrix.host_python_script(debian.runner, venv)
    assert text.startswith("#!/bin/sh\n")
    assert text.rstrip().endswith(f"/p/.runtimes/debian/run {venv.resolve() / 'bin' / 'python'} \"$@\"")


@pytest.mark.parametrize("text, value", [("> 1.5", 1.5), ("shared memory / best of Pipe and Queue > 1.5", 1.5),
                                         ("< 0.1", 0.1), ("> 3.16", 3.16), ("", None), ("k ≥ 2 workers", None)])
def test_threshold_value(text, value):
    assert matrix_part.threshold_value(text) == value


def test_effects_frame_marks_what_differs():
    rows = [{"claim": "c", "tag": t, "verdict": v, "expected": e, "effect": x, "ci_low": x - 0.1,
             "ci_high": x + 0.1, "effect_name": "ratio", "threshold": "> 1.1", "cases": "", "reason": ""}
            for t, v, e, x in (("a", "holds", "holds", 1.5), ("b", "refuted", "refuted", 0.9),
                               ("c", "holds", "holds", float("nan")))]
    frame = matrix_part.effects_frame(pd.DataFrame(rows), ["a", "b", "c"])
    assert list(frame["tag"]) == ["a", "b"]          # no effect, no point
    assert list(frame["kind"]) == [matrix_part.SAME, matrix_part.EXPECTED]
    assert list(frame["threshold"]) == [1.1, 1.1]


def test_a_start_method_is_in_the_runtime_tag():
    import sys
    fp = matrix.fingerprint_of(Path(sys.executable), "spawn")
    assert fp["tag"].endswith("-spawn") and fp["default_start_method"] == "spawn"
    cmd = matrix.verify_command("py", "venv-py", "quick", "0", Path("r"), "id", start_method="spawn")
    assert cmd[-2:] == ["--start-method", "spawn"]
    with pytest.raises(matrix.MatrixError, match="not offered"):
        matrix.fingerprint_of(Path(sys.executable), "vfork")


def test_columns_are_the_runs_the_matrix_made_not_a_later_verify():
    later = record("20261126T000000Z-3.11-gil-fork", RT311, [case("sequential-adds-up", "inconclusive", "holds", 1.0)])
    cols = matrix_part.columns(runs() + [later], MANIFEST)
    assert cols[0].run_id == "20261125T110000Z-3.11-gil-fork"
    assert matrix_part.columns(runs() + [later], None, first_tag="3.11-gil-fork")[0].run_id == later.run_id


def test_start_method_lines_name_what_differs_only_under_another_default():
    cols = [matrix_part.Column("3.11-gil-fork", runtime={"default_start_method": "fork"}),
            matrix_part.Column("3.12-gil-fork", runtime={"default_start_method": "fork"}),
            matrix_part.Column("3.14-gil-forkserver", runtime={"default_start_method": "forkserver"})]
    found = [("ipc", "3.14-gil-forkserver", matrix_part.EXPECTED, "expected x on 3.14"),
             ("cpu", "3.12-gil-fork", matrix_part.UNSETTLED, "unsettled")]
    (line,) = matrix_part.start_method_lines(cols, found)
    assert "forkserver (3.14-gil-forkserver)" in line and "ipc (expected x on 3.14)" in line and "cpu" not in line
    assert matrix_part.start_method_lines(cols[:2], found) == []


def test_the_matrix_renews_the_reference_runs_report_not_its_own_runs(tmp_path, capsys):
    """`make matrix` leaves results/report.* the report of the run README cites (results/reference-run),
    its matrix part renewed; without a reference run, the report is of the matrix's first runtime."""
    from claimbench.report import builder

    def store(run_id, rt, verdicts):
        records.save_record(tmp_path, run_id, "timing", dict(scale={"name": "default", "unit_s": 0.025}, runtime=rt,
                                                              started="", wall_s=10.0, verdicts=verdicts))
    store("20261125T090000Z-3.11-gil-fork", RT311, [case("sequential-adds-up", "holds", "holds", 1.0)])
    store("20261125T110000Z-3.11-gil-fork", RT311, [case("sequential-adds-up", "holds", "holds", 1.01)])
    store("20261125T110100Z-3.13t-nogil-fork", RT313T, [case("sequential-adds-up", "refuted", "holds", 1.3)])
    runs = [{"tag": "3.11-gil-fork", "run_id": "20261125T110000Z-3.11-gil-fork", "exitstatus": 0},
            {"tag": "3.13t-nogil-fork", "run_id": "20261125T110100Z-3.13t-nogil-fork", "exitstatus": 0}]
    records.atomic_write_json(tmp_path / matrix.MANIFEST, matrix.manifest(runs, "default", 20.0))

    assert cli.main(["matrix", "--report-only", "--results-dir", str(tmp_path)]) in (0, 1)
    assert "run 20261125T110000Z-3.11-gil-fork" in (tmp_path / "report.md").read_text(encoding="utf-8").splitlines()[0]
    builder.write_reference_run(tmp_path, "20261125T090000Z-3.11-gil-fork")
    assert cli.main(["matrix", "--report-only", "--results-dir", str(tmp_path)]) in (0, 1)
    page = (tmp_path / "report.md").read_text(encoding="utf-8")
    assert "run 20261125T090000Z-3.11-gil-fork" in page.splitlines()[0] and "## Interpreter matrix" in page
    assert "3.13t-nogil-fork" in (tmp_path / matrix.MATRIX_MD).read_text(encoding="utf-8")
    capsys.readouterr()
