"""The report: pandas compiles stored runs into verdicts.csv, report.md and report.html.

It never measures. Its parts are found by name, so a new plot or table never
edits this file: the parts about every claim live in ``claimbench.report.parts``
(one module per part, each with ``build(ctx) -> Section | None``, placed by its
``order``), and each family's own plots and tables beside its claims, in
``claimbench/families/<family>/report.py`` (``PARTS``, or one ``build``), placed
after the notes' figures in section order.
"""
from __future__ import annotations

import importlib
import pkgutil
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import List, Optional, Tuple

import pandas as pd

from ..core import claim_table as book, control_table, records, verdicts
from .. import claims
from .document import Section, to_html, to_markdown
from ..core.verdicts import CLAIM

CLAIM_COLUMNS = ["claim", "verdict", "expected", "outcome", "effect", "ci_low", "ci_high",
                 "effect_name", "evidence", "runtime", "cases", "quote", "statement"]


@dataclass
class ReportContext:
    results_dir: Path
    figures_dir: Path
    run: List[records.RunRecord]              # the sessions of the run being reported
    all_runs: List[records.RunRecord]         # every readable record (matrix, stability)
    cases: pd.DataFrame                       # one row per judged case of this run
    claims: pd.DataFrame                      # one row per claim of this run
    errors: List[str] = field(default_factory=list)
    control_run: List[records.RunRecord] = field(default_factory=list)  # newest `make controls` run
    controls: List[control_table.ControlRow] = field(default_factory=list)
    compare_with: str = ""  # `claimbench report --compare-with RUN`: a diff part against that run
    picked: str = ""  # which run this is, and why: the one asked for, the reference run, the newest …

    def controls_of(self, claim: str) -> List[control_table.ControlRow]:
        return [r for r in self.controls if r.claim == claim]

    @property
    def runtime(self) -> dict:
        return self.run[0].runtime if self.run else {}

    @property
    def scale(self) -> dict:
        return self.run[0].scale if self.run else {}

    def cases_of(self, claim: str) -> pd.DataFrame:
        return self.cases[self.cases["claim"] == claim] if len(self.cases) else self.cases

    def claim_cases_of(self, claim: str) -> pd.DataFrame:
        """The claim's own cases: no related findings (nor controls, which a verify run does not hold)."""
        cases = self.cases_of(claim)
        return cases[cases["role"] == CLAIM] if len(cases) else cases

    def figure_path(self, name: str) -> Path:
        self.figures_dir.mkdir(parents=True, exist_ok=True)
        return self.figures_dir / name


class NoRuns(RuntimeError):
    pass


# The results folder's reference run: the run of the last whole `claimbench verify` that wrote the
# report there (README cites it). A report asked for no run rebuilds it, so `make report` after
# `make matrix` is the verify run's report again, not the matrix's run of the same interpreter.
REFERENCE_RUN = "reference-run"


def reference_run(results_dir: Path) -> str:
    """The run id results_dir/reference-run names; "" where there is none."""
    try:
        text = (Path(results_dir) / REFERENCE_RUN).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return ""
    lines = [x.strip() for x in text.splitlines() if x.strip() and not x.lstrip().startswith("#")]
    return lines[0] if lines else ""


def write_reference_run(results_dir: Path, run_id: str) -> None:
    records.atomic_write_text(Path(results_dir) / REFERENCE_RUN, run_id + "\n")


def pick_run(all_runs: List[records.RunRecord], results_dir: Path, run_id: str = "",
             runtime_tag: str = "") -> Tuple[List[records.RunRecord], str]:
    """The records of the run a report is of, and one phrase saying why that one: ``run_id`` where
    given; else the reference run (where it is stored); else the newest of ``runtime_tag``; else
    the newest run of the claims."""
    if run_id:
        return records.latest(all_runs, run_id), "asked for (--run-id)"
    where = Path(results_dir) / REFERENCE_RUN
    reference = reference_run(results_dir)
    newest = records.latest(all_runs, runtime_tag=runtime_tag)
    newest_id = newest[0].run_id if newest else ""
    run = records.latest(all_runs, reference) if reference else []
    if run:
        why = f"the reference run ({where}, written by the last whole claimbench verify there)"
        if newest_id and newest_id > reference:
            why += f"; a newer one: {newest_id} (--run-id {newest_id})"
        return run, why
    missing = f"{where} names {reference}, which is not stored there; " if reference else ""
    if not newest:
        return [], ""
    own = runtime_tag and newest[0].runtime.get("tag") == runtime_tag
    return newest, missing + (f"the newest run of this interpreter ({runtime_tag})" if own
                              else "the newest run")


def decision_columns(case: dict) -> dict:
    """A case's typed decision as flat columns (threshold_value, the A/A null's median and interval,
    inside_null); none for a case without one (behaviour claims, runs stored before)."""
    d = case.get("decision")
    if not isinstance(d, dict):
        return {}
    null = d.get("null") or [None, None, None]
    return {"threshold_value": d.get("threshold"), "null": null[0], "null_low": null[1], "null_high": null[2],
            "inside_null": bool(d.get("inside_null"))}


def cases_frame(run: List[records.RunRecord]) -> pd.DataFrame:
    rows = []
    for rec in run:
        for v in rec.verdicts:
            rows.append(dict(v, role=book.role_of(v), runtime=rec.runtime.get("tag", ""), session=rec.session,
                             **decision_columns(v)))
    frame = pd.DataFrame(rows)
    # Columns every report part may read, present even where a run's cases lack them (a project of
    # its own, runs stored before): data, rounds, case, nodeid.
    for column, empty in (("data", None), ("rounds", 0), ("case", ""), ("nodeid", "")):
        if len(frame) and column not in frame:
            frame[column] = empty
    return frame


def claims_frame(run: List[records.RunRecord]) -> pd.DataFrame:
    cases = [dict(v, runtime=rec.runtime.get("tag", "")) for rec in run for v in rec.verdicts]
    rows = []
    for r in book.claim_rows(cases, claims.REGISTRY):
        row = dict(r.__dict__)
        row["runtime"] = run[0].runtime.get("tag", "") if run else ""
        c = claims.REGISTRY.get(r.claim)
        row["quote"] = c.quote if c else ""
        row["statement"] = c.statement if c else ""
        rows.append(row)
    return pd.DataFrame(rows, columns=CLAIM_COLUMNS)  # claim_rows already follows the registry


PARTS_ORDER = 50  # where a part about every claim comes that gives no order
FAMILY_PARTS_ORDER = 30  # the families' parts come after the notes' figures (20), before the cases (40)


def section_modules():
    """The parts about every claim (claimbench/report/parts/), in module order."""
    from . import parts as pkg
    for info in sorted(pkgutil.iter_modules(pkg.__path__), key=lambda m: m.name):
        if not info.name.startswith("_"):
            yield importlib.import_module(f"{pkg.__name__}.{info.name}")


def family_parts():
    """Each family's own parts (claimbench/families/<family>/report.py), in section order."""
    for module in claims.family_modules("report"):
        yield from getattr(module, "PARTS", None) or (module.build,)


def discover_sections(ctx: ReportContext) -> List[Section]:
    out = []
    for module in section_modules():
        section = module.build(ctx)
        if section is not None:
            section.order = PARTS_ORDER if section.order is None else section.order
            out.append(section)
    for i, part in enumerate(family_parts()):
        section = part(ctx)
        if section is not None:
            section.order = FAMILY_PARTS_ORDER + i / 100 if section.order is None else section.order
            out.append(section)
    return sorted(out, key=lambda s: s.order)


def context(results_dir: Path, run_id: str = "", out_dir: Optional[Path] = None, runtime_tag: str = "",
            quiet: bool = False) -> ReportContext:
    """What a report of ``run_id`` (or the reference run, or the newest, of ``runtime_tag`` where
    there is one: pick_run) reads."""
    results_dir = Path(results_dir)
    out_dir = Path(out_dir or results_dir)
    all_runs, errors = records.load_runs(results_dir)
    errors += records.unreadable_benchmarks(results_dir)  # pytest-benchmark skips these when comparing
    for e in errors if not quiet else ():
        print("claimbench: skipped " + e, file=sys.stderr)
    run, picked = pick_run(all_runs, results_dir, run_id, runtime_tag)
    if not run:
        raise NoRuns(f"no stored run{' ' + run_id if run_id else ''} in {records.runs_dir(results_dir)}")
    ctx = ReportContext(results_dir=results_dir, figures_dir=out_dir / "figures", run=run, all_runs=all_runs,
                        cases=cases_frame(run), claims=claims_frame(run), errors=errors, picked=picked)
    # The controls of this run's runtime (or the newest of any, or none): `make controls` stores them.
    ctx.control_run = records.latest(all_runs, runtime_tag=run[0].runtime.get("tag", ""), controls=True)
    if ctx.control_run:
        ctx.controls = control_table.rows([c for rec in ctx.control_run for c in rec.verdicts], claims.REGISTRY)
    else:  # a project that runs its controls with its claims (plain pytest): the run's own
        own = [c for rec in run for c in rec.verdicts if c.get("role") == verdicts.CONTROL]
        if own:
            ctx.control_run = run
            ctx.controls = control_table.rows(own, claims.REGISTRY)
    return ctx


def render_figures(results_dir: Path, run_id: str) -> List[Path]:
    """Draw the figures of what ``run_id`` has stored so far: every figure reads timing claims only,
    so they can be drawn while the run's behaviour session goes on, and ``build(...,
    figures_done=...)`` keeps them. Returns the figures drawn; none where anything went wrong."""
    from . import plots
    try:
        ctx = context(results_dir, run_id, quiet=True)
        del plots.saved[:]
        with plots.drawing_aside(niceness=19):
            discover_sections(ctx)
        return list(plots.saved)
    except Exception:  # noqa: BLE001 -- build() draws them, and says what is wrong, in its turn
        return []


def build(results_dir: Path, run_id: str = "", out_dir: Optional[Path] = None, runtime_tag: str = "",
          figures_done=(), compare_with: str = "") -> ReportContext:
    """Compile ``run_id`` (or the reference run, or the newest, of ``runtime_tag`` where there is one:
    pick_run) into CSV, Markdown and HTML.

    ``figures_done``: figures render_figures drew from this run's data; they are kept as they are."""
    from . import plots
    out_dir = Path(out_dir or results_dir)
    ctx = context(results_dir, run_id, out_dir, runtime_tag)
    ctx.compare_with = compare_with
    plots.keep(figures_done)
    try:
        with plots.drawing_aside():  # on the way out, the figures the sections linked are on disk
            sections = discover_sections(ctx)
    finally:
        plots.keep(())
    title = f"claimbench report — run {ctx.run[0].run_id}"
    records.atomic_write_text(out_dir / "verdicts.csv", ctx.claims.to_csv(index=False))
    records.atomic_write_text(out_dir / "cases.csv", ctx.cases.drop(columns=["data", "decision"], errors="ignore")
                             .to_csv(index=False))
    records.atomic_write_text(out_dir / "report.md", to_markdown(title, sections, out_dir))
    records.atomic_write_text(out_dir / "report.html", to_html(title, sections, out_dir))
    return ctx
