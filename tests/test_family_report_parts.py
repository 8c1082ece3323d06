"""The claim-specific drawings live in their families' report modules and read the families' typed
data: the notes' figures (section D), the CPU-bound speed-up across the matrix's runtimes (section E);
a family's part keeps the place it gives itself among the report's sections."""
from __future__ import annotations

from types import SimpleNamespace

import pandas as pd

from claimbench.families.d_examples import report as d_report
from claimbench.families.d_examples.data import NotesFigure
from claimbench.families.e_rule_of_thumb import report as e_report
from claimbench.families.e_rule_of_thumb.data import SpeedUp
from claimbench.report import builder
from claimbench.report.document import Section
from claimbench.report.parts import matrix as matrix_part


def test_a_notes_figure_round_trips_and_other_data_is_not_one():
    f = NotesFigure("processes-2", 0.021, notes_s=0.03, start_method="fork")
    assert NotesFigure.from_data(dict(f.as_data(), n=2)) == f and f.shown_s == 0.03
    assert NotesFigure("sequential-2", 0.04).as_data() == {"notes_figure": "sequential-2", "median_s": 0.04}
    assert NotesFigure("sequential-2", 0.04).shown_s == 0.04
    for other in (None, {"median_s": 1.0}, {"notes_figure": None, "median_s": 1.0}, {"notes_figure": "x"}):
        assert NotesFigure.from_data(other) is None


def ctx_of(cases, unit_s=0.01, method="fork"):
    return SimpleNamespace(cases=pd.DataFrame(cases), scale={"unit_s": unit_s},
                           runtime={"default_start_method": method, "tag": "t"})


def test_the_notes_figures_part_sets_this_run_beside_the_notes_at_its_own_place():
    cases = [{"claim": "sequential-adds-up", "data": NotesFigure("sequential-2", 0.02).as_data()},
             {"claim": "processes-run-in-parallel",
              "data": NotesFigure("processes-2", 0.01, notes_s=0.0105, start_method="spawn").as_data()},
             {"claim": "sleep-releases-gil", "data": {"k": 2, "median_s": 0.01}}]
    s = d_report.notes_figures(ctx_of(cases))
    assert s.order == d_report.NOTES_ORDER < builder.FAMILY_PARTS_ORDER
    rows = s.blocks[1].rows
    assert [r[1] for r in rows] == ["sequential-adds-up"]  # the spawn case: not the platform's default
    assert rows[0][4] == f"{0.02 * 2.0 / 0.01:.4f}"
    assert d_report.notes_figures(ctx_of(cases[2:])) is None


def test_a_family_part_keeps_the_order_it_gives(monkeypatch):
    monkeypatch.setattr(builder, "section_modules", lambda: [SimpleNamespace(build=lambda ctx: Section("Every"))])
    monkeypatch.setattr(builder, "family_parts", lambda: [lambda ctx: Section("Own", order=5),
                                                          lambda ctx: Section("Placed")])
    got = [(s.title, s.order) for s in builder.discover_sections(None)]
    assert got == [("Own", 5), ("Placed", builder.FAMILY_PARTS_ORDER + 0.01), ("Every", builder.PARTS_ORDER)]


def column(tag, *cases):
    return matrix_part.Column(tag, runtime={"usable_cpus": 2}, cases=list(cases))


def cpu_case(data, evidence="e"):
    return {"claim": e_report.CPU_CLAIM, "data": data, "evidence": evidence}


def test_the_matrix_takes_the_cpu_speed_up_and_what_did_not_run_from_the_family(tmp_path):
    typed = SpeedUp(2, "cpu", {"threads": 1.0, "processes": 1.9, "sequential": 1.0},
                    not_run={"subinterpreters": "needs 3.14"}).as_data()
    older = {"k": 2, "work": "cpu", "speedup": {"threads": 1.1, "processes": 1.8}}
    cols = [column("a", cpu_case(typed)),
            column("b", cpu_case(older, "k2: … ; not run: subinterpreters (needs 3.14+)"))]
    ctx = SimpleNamespace(figure_path=lambda name: tmp_path / name)
    figures = matrix_part.family_blocks("MATRIX_FIGURES", ctx, cols)
    assert len(figures) == 1 and (tmp_path / e_report.MATRIX_FIGURE).read_bytes()[:4] == b"\x89PNG"
    notes = matrix_part.family_blocks("MATRIX_NOTES", ctx, cols)
    assert [n.text for n in notes] == ["Not run everywhere: subinterpreters (needs 3.14)"]
    assert e_report.not_run_of(cols[1].cases[0]) == "subinterpreters (needs 3.14+)"
    assert matrix_part.family_blocks("MATRIX_NOTES", ctx, [column("c", cpu_case(older))]) == []
