"""Stability: do the verdicts survive a noisy machine?

``make stability RUNS=5`` repeats the verify run (``python -m claimbench verify``,
each into its own run id) on a quiet machine, then once more under one usable
CPU (``taskset -c <cpu>`` on the whole verify command) and once with a CPU hog
spinning on one core, and counts, per claim, how often each verdict came out.
The runs go to ``results/stability/`` (its own ``runs/``), so the main report's
"latest run" is never one of them; the summary goes to ``results/stability.md``
and ``results/stability/summary.json`` (both written atomically), which the
main report shows (``claimbench/report/parts/stability.py``).

Targets, checked by ``summarise`` (pure: tested on synthetic runs):

- quiet: every quiet run gives each claim the same verdict;
- one CPU: a claim comes out as in the quiet runs or ``inconclusive`` (the
  parallel claims are skipped as untestable: their expectation returns
  untestable below 2 usable CPUs); a ``refuted`` the quiet runs never gave is
  a problem: that claim's expectation does not know it needs 2 CPUs;
- hog: a claim comes out as in the quiet runs or ``inconclusive``, never a
  different settled verdict.

The hog is a separate process started and always stopped here (also on Ctrl-C,
and on SIGTERM, which ``cli.main`` turns into one); it also stops by itself
when this process goes away.
"""
from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections import Counter
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Dict, Iterable, Iterator, List, Optional, Sequence, Tuple

from ..core import book, records, scales, verdicts
from .. import claims
from ..report.parts.stability import SUBDIR, SUMMARY_JSON, SUMMARY_MD

QUIET = "quiet"
ONE_CPU = "one-cpu"
HOG = "hog"
CONDITIONS = (QUIET, ONE_CPU, HOG)
MISSING = "missing"  # the claim has no verdict in that run (the run broke off, or the claim did not run)

ROOT = Path.cwd()  # the project being checked: commands run from its root
DEFAULT_RUNS = 5
STOP_GRACE_S = 60.0  # longer than cli.run_session's own grace, so the inner verify can clean up first

# Spins until told to stop, or until its parent (this runner, whose pid it is given) is gone.
HOG_CODE = (
    "import os, sys\n"
    "parent = int(sys.argv[1])\n"
    "while os.getppid() == parent:\n"
    "    for _ in range(100000):\n"
    "        pass\n"
)


class BadRuns(ValueError):
    pass


def parse_runs(value) -> int:
    """RUNS: a positive integer, or one clear line."""
    text = str(value).strip()
    if not text.isdigit() or int(text) < 1:
        raise BadRuns("RUNS must be a positive integer (the number of quiet runs), not {!r}".format(str(value)))
    return int(text)


# ---------------------------------------------------------------- the summary (pure)
@dataclass(frozen=True)
class ConditionRun:
    """One verify run of the study: its condition, each claim's verdict and each case's."""

    condition: str
    run_id: str
    verdicts: Dict[str, str]                               # claim -> verdict (combined over its cases)
    reasons: Dict[str, str] = field(default_factory=dict)  # claim -> why, for inconclusive ones
    usable_cpus: Optional[int] = None
    exit_status: Optional[int] = None
    cases: Dict[str, str] = field(default_factory=dict)    # "claim [case]" -> verdict
    expected: Dict[str, str] = field(default_factory=dict)  # claim or "claim [case]" -> expected on that runtime


@dataclass(frozen=True)
class ClaimStability:
    claim: str
    quiet: Dict[str, int]   # verdict -> how many quiet runs gave it
    one_cpu: str            # the verdict under one CPU ("" when there was no such run)
    one_cpu_reason: str
    hog: str                # the verdict beside the CPU hog ("" when there was no such run)
    problems: Tuple[str, ...]

    @property
    def stable(self) -> bool:
        return len(self.quiet) == 1 and MISSING not in self.quiet


@dataclass(frozen=True)
class Summary:
    quiet_runs: int
    claims: Tuple[ClaimStability, ...]
    run_problems: Tuple[str, ...]
    runs: Tuple[ConditionRun, ...]

    @property
    def problems(self) -> List[str]:
        return list(self.run_problems) + ["{}: {}".format(c.claim, p) for c in self.claims for p in c.problems]

    @property
    def ok(self) -> bool:
        return not self.problems

    def agreement(self) -> Tuple[int, int]:
        """(claims with one verdict in every quiet run, claims)."""
        return sum(1 for c in self.claims if c.stable), len(self.claims)

    def lines(self) -> List[str]:
        """The agreement, in a few sentences."""
        same, total = self.agreement()
        out = ["Quiet runs: {} of {} claims gave the same verdict in all {} runs{}.".format(
            same, total, self.quiet_runs, " ({:.0%})".format(same / total) if total else "")]
        for condition, label, attr in ((ONE_CPU, "Under one usable CPU", "one_cpu"),
                                       (HOG, "Beside a CPU hog on one core", "hog")):
            ran = [c for c in self.claims if getattr(c, attr)]
            if not ran:
                out.append("{}: not run.".format(label))
                continue
            quiet_like = sum(1 for c in ran if getattr(c, attr) in c.quiet)
            inconclusive = sum(1 for c in ran if getattr(c, attr) == verdicts.INCONCLUSIVE
                               and verdicts.INCONCLUSIVE not in c.quiet)
            wrong = sum(1 for c in ran if any(p.startswith(condition + ":") for p in c.problems))
            out.append("{}: {} claims as in the quiet runs, {} inconclusive, {} with a wrong verdict "
                       "(of the claim or of one of its cases).".format(label, quiet_like, inconclusive, wrong))
        problems = self.problems
        out.append("Targets met." if not problems else "{} problem(s): see below.".format(len(problems)))
        return out

    def as_dict(self) -> dict:
        return {"format": "claimbench-stability/1", "quiet_runs": self.quiet_runs, "ok": self.ok,
                "agreement": list(self.agreement()), "lines": self.lines(), "problems": self.problems,
                "claims": [asdict(c) for c in self.claims], "runs": [asdict(r) for r in self.runs]}


SETTLED = (verdicts.HOLDS, verdicts.PARTLY, verdicts.REFUTED)
REASON_CHARS = 160  # an inconclusive claim's reason, as the tables show it
WHERE = {ONE_CPU: "under one CPU", HOG: "beside the CPU hog"}


def _counts(values: Iterable[str]) -> Dict[str, int]:
    return dict(sorted(Counter(values).items(), key=lambda kv: (-kv[1], kv[0])))


def _reference(quiet_values: Iterable[str], expected: Optional[str]) -> Tuple[set, str]:
    """What a verdict under a condition may settle on, and how to say it: what the quiet runs
    settled on, and what its expectation on that run's runtime says (which knows the CPUs)."""
    settled = {v for v in quiet_values if v in SETTLED}
    allowed = settled | ({expected} if expected in SETTLED else set())
    said = "{} in the quiet runs".format("/".join(sorted(settled))) if settled else "the quiet runs settled nothing"
    if expected in SETTLED and expected not in settled:
        said += ", expected {} here".format(expected)
    return (allowed or set(SETTLED)), said


def _judge_condition(run: ConditionRun, label: str, value: str, quiet_values: List[str],
                     expected: Optional[str]) -> Optional[str]:
    """The problem with ``value`` (a claim's or a case's verdict under a condition), or None."""
    if value == verdicts.INCONCLUSIVE:
        return None
    if value not in SETTLED:
        return "{}: {}no verdict {}".format(run.condition, label, WHERE[run.condition])
    allowed, said = _reference(quiet_values, expected)
    if value in allowed:
        return None
    text = "{}: {}{} {}, {}".format(run.condition, label, value, WHERE[run.condition], said)
    if run.condition == ONE_CPU and value == verdicts.REFUTED:
        text += ": its expectation should return untestable below 2 usable CPUs"
    return text


def summarise(runs: Sequence[ConditionRun], order: Iterable[str] = ()) -> Summary:
    """Agreement across quiet runs, and the one-CPU and hog rules, per claim and per case."""
    quiet = [r for r in runs if r.condition == QUIET]
    others = [r for r in (next((r for r in runs if r.condition == c), None) for c in (ONE_CPU, HOG)) if r]
    one_cpu = next((r for r in others if r.condition == ONE_CPU), None)
    hog = next((r for r in others if r.condition == HOG), None)
    run_problems = []
    if not quiet:
        run_problems.append("no quiet run to compare with")
    if one_cpu is not None and one_cpu.usable_cpus not in (None, 1):
        run_problems.append("the one-CPU run had {} usable CPUs, not 1".format(one_cpu.usable_cpus))
    for r in runs:
        if not r.verdicts:
            run_problems.append("{} run {} stored no verdicts (exit status {})".format(
                r.condition, r.run_id, r.exit_status))

    rank = {cid: i for i, cid in enumerate(order)}
    seen: List[str] = []
    for r in runs:
        seen.extend(c for c in r.verdicts if c not in seen)
    ids = sorted(seen, key=lambda c: (rank.get(c, len(rank)), seen.index(c)))
    case_keys: List[str] = []
    for r in runs:
        case_keys.extend(k for k in r.cases if k not in case_keys)

    rows = []
    for cid in ids:
        counts = _counts(r.verdicts.get(cid, MISSING) for r in quiet)
        problems = []
        if len(counts) > 1:
            problems.append("{}: not the same verdict in every quiet run ({})".format(
                QUIET, ", ".join("{} ×{}".format(v, n) for v, n in counts.items())))
        mine = [k for k in case_keys if k.startswith(cid + " [")]
        for key in mine:
            settled = _counts(v for v in (r.cases.get(key) for r in quiet) if v in SETTLED)
            if len(settled) > 1 and all(r.expected.get(key) == verdicts.MACHINE_DEPENDENT for r in quiet):
                continue  # a measured property of the machine on its threshold: no verdict was expected
            if len(settled) > 1:
                problems.append("{}: case {} settled differently in the quiet runs ({})".format(
                    QUIET, key[len(cid) + 1:], ", ".join("{} ×{}".format(v, n) for v, n in settled.items())))
        for run in others:
            claim_problem = _judge_condition(run, "", run.verdicts.get(cid, MISSING),
                                             [r.verdicts.get(cid, MISSING) for r in quiet], run.expected.get(cid))
            if claim_problem:
                problems.append(claim_problem)
            for key in mine:
                if key not in run.cases:
                    continue  # a case missing from one run shows in the claim's verdict
                case_problem = _judge_condition(run, "case {} ".format(key[len(cid) + 1:]), run.cases[key],
                                                [r.cases.get(key, MISSING) for r in quiet], run.expected.get(key))
                if case_problem:
                    problems.append(case_problem)
        one_v = one_cpu.verdicts.get(cid, MISSING) if one_cpu else ""
        rows.append(ClaimStability(
            claim=cid, quiet=counts, one_cpu=one_v,
            one_cpu_reason=one_cpu.reasons.get(cid, "") if one_cpu and one_v == verdicts.INCONCLUSIVE else "",
            hog=hog.verdicts.get(cid, MISSING) if hog else "", problems=tuple(problems)))
    return Summary(quiet_runs=len(quiet), claims=tuple(rows), run_problems=tuple(run_problems),
                   runs=tuple(runs))


def case_key(case: dict) -> str:
    """``claim [case]``; a case without an id is named by its test."""
    name = case.get("case") or str(case.get("nodeid", "")).split("::")[-1] or "-"
    return "{} [{}]".format(case["claim"], name)


def condition_run(condition: str, run_id: str, recs: Sequence[records.RunRecord],
                  exit_status: Optional[int] = None) -> ConditionRun:
    """A ConditionRun from the stored sessions of one verify run."""
    cases = [c for rec in recs for c in rec.verdicts]
    rows = book.claim_rows(cases) if cases else []
    reasons = {}
    for row in rows:
        if row.verdict == verdicts.INCONCLUSIVE:
            why = next((c.get("evidence", "") for c in cases
                        if c["claim"] == row.claim and c["verdict"] == verdicts.INCONCLUSIVE), "")
            reasons[row.claim] = why if len(why) <= REASON_CHARS else why[:REASON_CHARS - 1] + "…"
    expected = {r.claim: r.expected for r in rows}
    expected.update({case_key(c): c.get("expected", "") for c in cases})
    cpus = next((rec.runtime.get("usable_cpus") for rec in recs if "usable_cpus" in rec.runtime), None)
    return ConditionRun(condition=condition, run_id=run_id, verdicts={r.claim: r.verdict for r in rows},
                        reasons=reasons, usable_cpus=cpus, exit_status=exit_status,
                        cases={case_key(c): c["verdict"] for c in cases}, expected=expected)


def to_markdown(summary: Summary, title: str = "Stability of the verdicts") -> str:
    out = ["# " + title, ""]
    out += summary.lines() + [""]
    out += ["| claim | quiet runs | one CPU | CPU hog | problems |", "|---|---|---|---|---|"]
    for c in summary.claims:
        quiet = ", ".join("{} ×{}".format(v, n) for v, n in c.quiet.items())
        one = c.one_cpu + (" ({})".format(c.one_cpu_reason) if c.one_cpu_reason else "")
        out.append("| {} | {} | {} | {} | {} |".format(
            c.claim, quiet, one.replace("|", "\\|"), c.hog, "; ".join(c.problems).replace("|", "\\|") or "-"))
    out += ["", "Runs:", ""]
    for r in summary.runs:
        out.append("- {} `{}`: exit status {}, usable CPUs {}".format(
            r.condition, r.run_id, r.exit_status, r.usable_cpus))
    if summary.problems:
        out += ["", "Problems:", ""] + ["- " + p for p in summary.problems]
    return "\n".join(out) + "\n"


# ---------------------------------------------------------------- the runner
def plan(base_id: str, runs: int) -> List[Tuple[str, str]]:
    """(condition, run id) in the order they run: quiet ones first, the hog last."""
    out = [(QUIET, "{}-quiet{}".format(base_id, i + 1)) for i in range(runs)]
    out += [(ONE_CPU, "{}-onecpu".format(base_id)), (HOG, "{}-hog".format(base_id))]
    return out


def usable_cpu_ids() -> List[int]:
    return sorted(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else [0]


def verify_command(python: str, scale: str, results_dir: Path, run_id: str) -> List[str]:
    """What ``make verify`` runs, into its own run id; ``python`` runs the claims, as for verify.
    --no-report: the stability runs need only their stored verdicts."""
    return [sys.executable, "-m", "claimbench", "verify", "--scale", scale,
            "--results-dir", str(Path(results_dir).resolve()), "--run-id", run_id, "--python", python,
            "--no-report"]


def pinned(cmd: List[str], cpu: int) -> Tuple[List[str], Optional[object]]:
    """The command under one CPU: ``taskset -c cpu cmd`` (or the same affinity set before exec)."""
    if shutil.which("taskset"):
        return ["taskset", "-c", str(cpu)] + cmd, None
    return cmd, (lambda: os.sched_setaffinity(0, {cpu}))


def run_child(cmd: List[str], preexec=None) -> int:
    """Run one verify in its own session; on Ctrl-C pass it on and give it time to stop its
    pytest sessions; then (and on a second Ctrl-C at once) kill whatever is left of it."""
    from ..core import guard  # psutil: not needed to parse the command line
    print("stability: " + " ".join(cmd), flush=True)
    proc = subprocess.Popen(cmd, cwd=str(ROOT), start_new_session=True, preexec_fn=preexec)
    try:
        return proc.wait()
    except KeyboardInterrupt:
        try:
            os.killpg(proc.pid, signal.SIGINT)
            proc.wait(timeout=STOP_GRACE_S)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            pass
        raise
    finally:
        with guard.signals_deferred():
            # verify starts each pytest session as a Unix session of its own: find them while it lives.
            sessions = guard.sessions_of_tree(proc.pid) | {proc.pid}
            if proc.poll() is None:
                try:
                    os.killpg(proc.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                proc.wait()
            left = [line for sid in sorted(sessions) for line in guard.kill_session(sid)]
        if left:
            print("stability: killed processes the verify run left behind: " + "; ".join(left),
                  file=sys.stderr)


@contextmanager
def cpu_hog(cpu: int, python: str = sys.executable) -> Iterator[subprocess.Popen]:
    """A process spinning on ``cpu`` for the duration of the block; always stopped at its end."""
    from ..core import guard
    pin = (lambda: os.sched_setaffinity(0, {cpu})) if hasattr(os, "sched_setaffinity") else None
    proc = subprocess.Popen([python, "-c", HOG_CODE, str(os.getpid())], start_new_session=True, preexec_fn=pin,
                            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        yield proc
    finally:
        with guard.signals_deferred():
            proc.terminate()
            try:
                proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def new_base_id() -> str:
    return records.run_id_at()


def run_study(runs: int, scale: str, results_dir: Path, python: str = sys.executable,
              base_id: str = "") -> Summary:
    """Every run of the study, then the summary, written atomically. Ctrl-C stops it all, writes nothing."""
    results_dir = Path(results_dir)
    stab_dir = results_dir / SUBDIR
    base_id = base_id or new_base_id()
    cpus = usable_cpu_ids()
    statuses: Dict[str, int] = {}
    steps = plan(base_id, runs)
    t0 = time.perf_counter()
    for i, (condition, run_id) in enumerate(steps, 1):
        print("\nstability: run {}/{} ({}) -> {}".format(i, len(steps), condition, run_id), flush=True)
        cmd = verify_command(python, scale, stab_dir, run_id)
        if condition == ONE_CPU:
            cmd, preexec = pinned(cmd, cpus[0])
            statuses[run_id] = run_child(cmd, preexec)
        elif condition == HOG:
            with cpu_hog(cpus[-1]) as hog:
                print("stability: CPU hog pid {} spinning on CPU {}".format(hog.pid, cpus[-1]), flush=True)
                statuses[run_id] = run_child(cmd)
        else:
            statuses[run_id] = run_child(cmd)
    stored, errors = records.load_runs(stab_dir)
    for e in errors:
        print("claimbench: skipped " + e, file=sys.stderr)
    by_run: Dict[str, List[records.RunRecord]] = {}
    for rec in stored:
        by_run.setdefault(rec.run_id, []).append(rec)
    summary = summarise([condition_run(c, rid, by_run.get(rid, []), statuses.get(rid)) for c, rid in steps],
                        claims.REGISTRY)
    write_summary(summary, results_dir, scale, base_id, time.perf_counter() - t0)
    return summary


def resummarise(results_dir: Path) -> Summary:
    """The last study's summary again, from its stored runs (after the rules of judging changed)."""
    from .sessions import CliError
    path = Path(results_dir) / SUBDIR / SUMMARY_JSON
    try:
        last = json.loads(path.read_text(encoding="utf-8"))
        base_id, runs, scale = last["base_id"], int(last["quiet_runs"]), last["scale"]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise CliError("no readable summary of a last study in {}: {}".format(path, exc)) from None
    statuses = {r["run_id"]: r.get("exit_status") for r in last.get("runs", []) if isinstance(r, dict)}
    stored, errors = records.load_runs(Path(results_dir) / SUBDIR)
    for e in errors:
        print("claimbench: skipped " + e, file=sys.stderr)
    by_run: Dict[str, List[records.RunRecord]] = {}
    for rec in stored:
        by_run.setdefault(rec.run_id, []).append(rec)
    summary = summarise([condition_run(c, rid, by_run.get(rid, []), statuses.get(rid))
                         for c, rid in plan(base_id, runs)], claims.REGISTRY)
    write_summary(summary, results_dir, scale, base_id, float(last.get("wall_s", 0.0)))
    return summary


def write_summary(summary: Summary, results_dir: Path, scale: str, base_id: str, wall_s: float) -> None:
    data = summary.as_dict()
    data.update(scale=scale, base_id=base_id, wall_s=wall_s,
                written=datetime.now(timezone.utc).isoformat(timespec="seconds"))
    records.atomic_write_json(Path(results_dir) / SUBDIR / SUMMARY_JSON, data)
    title = "Stability of the verdicts — {} (scale {}, {:.0f} s)".format(base_id, scale, wall_s)
    records.atomic_write_text(Path(results_dir) / SUMMARY_MD, to_markdown(summary, title))


def refresh_main_report(results_dir: Path) -> Optional[Path]:
    """Rebuild the main report so it shows the new summary (when there is a main run to report)."""
    from ..report import builder as report
    try:
        report.build(results_dir)
    except report.NoRuns:
        return None
    return Path(results_dir) / "report.html"


# ---------------------------------------------------------------- the subcommand
def add_parser(sub) -> None:
    s = sub.add_parser("stability", help="repeat the verify run; how often each claim's verdict agrees")
    s.add_argument("--runs", default=str(DEFAULT_RUNS), help="quiet runs (default: %(default)s)")
    s.add_argument("--scale", default=scales.DEFAULT_SCALE)
    s.add_argument("--results-dir", default="results",
                   help="the runs go to RESULTS_DIR/stability/, the summary to RESULTS_DIR/stability.md")
    s.add_argument("--python", default=sys.executable, help="the interpreter that runs the claims")
    s.add_argument("--summary-only", action="store_true",
                   help="measure nothing: summarise the last study's stored runs again")
    s.set_defaults(func=cmd_stability)


def cmd_stability(args) -> int:
    from .sessions import CliError
    try:
        runs = parse_runs(args.runs)
    except BadRuns as exc:
        raise CliError(str(exc))
    scales.get_scale(args.scale)
    from . import preflight
    from ..core import guard  # noqa: F401  (psutil, pandas: missing ones are one line now, not later)
    from ..report import builder  # noqa: F401
    try:
        results_dir = preflight.results_folder(args.results_dir)
        preflight.require_python(args.python)
    except preflight.NotReady as exc:
        raise CliError(str(exc))
    summary = resummarise(results_dir) if args.summary_only else run_study(runs, args.scale, results_dir,
                                                                          args.python)
    print("\n" + to_markdown(summary, "claimbench stability"))
    print("stability summary: {}".format(results_dir / SUMMARY_MD))
    main_report = refresh_main_report(results_dir)
    if main_report:
        print("report (with the stability part): {}".format(main_report))
    return 0 if summary.ok else 1
