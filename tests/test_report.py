"""claimbench.report.build on a synthetic results folder (no measuring)."""
from __future__ import annotations

import csv
import math

import pytest

from claimbench.core import records
from claimbench.core.runtime import fingerprint
from claimbench.report import builder as report


REQUIRED = ["claim", "verdict", "expected", "outcome", "effect", "ci_low", "ci_high", "evidence", "runtime"]
NAN = float("nan")


def fake_case(claim, case, verdict, expected, outcome, effect=NAN, ci=(NAN, NAN), effect_name="", data=None):
    return dict(claim=claim, case=case, verdict=verdict, expected=expected, expected_reason="",
                outcome=outcome, effect=effect, ci_low=ci[0], ci_high=ci[1], effect_name=effect_name,
                threshold="> 1.5", evidence=f"evidence of {claim} [{case}]", rounds=8,
                data=data or {}, nodeid=f"experiments/test_fake.py::test_{claim}[{case}]")


def save_run(results, run_id, runtime):
    scale = {"name": "quick", "unit_s": 0.01}
    records.save_record(results, run_id, "timing", dict(
        scale=scale, runtime=runtime, started="2024-01-01T00:00:00+00:00", wall_s=3.0,
        verdicts=[
            fake_case("fake-timing-claim", "k2", "holds", "holds", "passed", 1.9, (1.8, 2.0), "speed-up",
                      data={"k": 2, "median_s": 0.01, "samples_s": {"a": [0.01, 0.011]}}),
            fake_case("fake-timing-claim", "k4", "holds", "holds", "passed", 3.7, (3.5, 3.9), "speed-up",
                      data={"k": 4, "median_s": 0.005}),
        ]))
    records.save_record(results, run_id, "behaviour", dict(
        scale=scale, runtime=runtime, started="2024-01-01T00:00:05+00:00", wall_s=1.0,
        verdicts=[fake_case("fake-behaviour-claim", "", "refuted", "refuted", "xfailed",
                            data={"pids": [1, 2, 3]})]))


@pytest.fixture
def results(tmp_path):
    folder = tmp_path / "results"
    runtime = dict(fingerprint().as_dict(), unit_s=0.01, scale="quick")
    save_run(folder, "20240101T000000Z-old", dict(runtime, tag="old-tag"))
    save_run(folder, "20240102T000000Z-new", runtime)
    return folder


def read_csv(path):
    with open(path, newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def test_report_from_a_synthetic_run(results):
    ctx = report.build(results)
    assert {r.run_id for r in ctx.run} == {"20240102T000000Z-new"}
    assert ctx.errors == []
    for name in ("verdicts.csv", "cases.csv", "report.md", "report.html"):
        assert (results / name).is_file(), name

    rows = read_csv(results / "verdicts.csv")
    assert rows and all(col in rows[0] for col in REQUIRED)
    by_claim = {r["claim"]: r for r in rows}
    assert set(by_claim) == {"fake-timing-claim", "fake-behaviour-claim"}
    timing = by_claim["fake-timing-claim"]
    assert (timing["verdict"], timing["expected"], timing["outcome"]) == ("holds", "holds", "passed")
    assert (float(timing["effect"]), float(timing["ci_low"]), float(timing["ci_high"])) == (1.9, 1.8, 2.0)
    assert timing["runtime"] == fingerprint().tag
    assert "k2:" in timing["evidence"] and "k4:" in timing["evidence"]
    behaviour = by_claim["fake-behaviour-claim"]
    assert (behaviour["verdict"], behaviour["outcome"]) == ("refuted", "xfailed")
    assert behaviour["evidence"] == "evidence of fake-behaviour-claim []"
    assert behaviour["effect"] == "" or math.isnan(float(behaviour["effect"]))

    cases = read_csv(results / "cases.csv")
    assert len(cases) == 3 and "data" not in cases[0]

    md = (results / "report.md").read_text(encoding="utf-8")
    assert "20240102T000000Z-new" in md and "fake-timing-claim" in md
    page = (results / "report.html").read_text(encoding="utf-8")
    assert "fake-behaviour-claim" in page


def test_report_of_an_older_run(results, tmp_path):
    out = tmp_path / "out"
    ctx = report.build(results, run_id="20240101T000000Z-old", out_dir=out)
    assert {r.run_id for r in ctx.run} == {"20240101T000000Z-old"}
    assert {r["runtime"] for r in read_csv(out / "verdicts.csv")} == {"old-tag"}
    assert not (results / "verdicts.csv").exists()


def test_report_survives_a_corrupt_file_and_leaves_it_alone(results, capsys):
    corrupt = results / "runs" / "20240102T000000Z-new" / "killed.json"
    corrupt_bytes = b'{"format": "claimbench-run/1", "verdicts": [{"cla'
    corrupt.write_bytes(corrupt_bytes)
    ctx = report.build(results)
    assert len(ctx.errors) == 1 and str(corrupt) in ctx.errors[0]
    assert corrupt.read_bytes() == corrupt_bytes
    assert (results / "verdicts.csv").is_file() and (results / "report.html").is_file()
    assert str(corrupt) in capsys.readouterr().err
    assert str(corrupt) in (results / "report.md").read_text(encoding="utf-8")


def test_report_without_runs(tmp_path):
    with pytest.raises(report.NoRuns):
        report.build(tmp_path)
    assert list(tmp_path.iterdir()) == []
