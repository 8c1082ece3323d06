"""Stability: do the verdicts survive a noisy machine? (``claimbench stability``, ``make stability``)

``make stability RUNS=5`` repeats the verify run (``python -m claimbench verify``,
each into its own run id) on a quiet machine, then under one usable CPU
(``taskset -c <cpu>`` on the whole verify command) and with a CPU hog spinning
on one core, and counts, per claim, how often each verdict came out, and how
often it was wrong (against the expectation) or inconclusive, with 95 % Wilson
intervals. ``--conditions`` chooses among quiet, one-cpu and hog; ``--runs``,
``--one-cpu-runs`` and ``--hog-runs`` how many runs of each (default 5, 1, 1).
Arguments after ``--`` go to every verify run's pytest (``-- -k <claim id>``
repeats one claim cheaply); with them, each run is the timing session only
unless ``--sessions`` says otherwise.

The runs go to ``results/stability/`` (its own ``runs/``), so the main report's
"latest run" is never one of them; the summary goes to ``results/stability.md``
and ``results/stability/summary.json`` (both written atomically), which the
main report shows (``claimbench/report/parts/stability.py``). The summary and
its targets: ``stability_summary`` (pure); the runs and rates: ``stability_runs``.

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
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Dict, Iterator, List, Optional, Sequence, Tuple

from ..core import records, scales
from .. import claims
from ..report.parts.stability import SUBDIR, SUMMARY_JSON, SUMMARY_MD
from .stability_runs import (CONDITIONS, ConditionRun, HOG, MISSING, ONE_CPU, QUIET, case_key,  # noqa: F401
                             condition_run)
from .stability_summary import ClaimStability, Summary, summarise, to_markdown  # noqa: F401

ROOT = Path.cwd()  # the project being checked: commands run from its root
DEFAULT_RUNS = 5
STOP_GRACE_S = 60.0  # longer than cli.run_session's own grace, so the inner verify can clean up first
SESSIONS = ("timing", "behaviour")

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


def parse_runs(value, name: str = "RUNS", what: str = "the number of quiet runs") -> int:
    """RUNS (or another count of runs): a positive integer, or one clear line."""
    text = str(value).strip()
    if not text.isdigit() or int(text) < 1:
        raise BadRuns(f"{name} must be a positive integer ({what}), not {str(value)!r}")
    return int(text)


def parse_conditions(value) -> Tuple[str, ...]:
    """``quiet,one-cpu,hog`` (any of them, any order, commas or spaces): in the order they run."""
    named = [c for c in str(value).replace(",", " ").split() if c]
    unknown = [c for c in named if c not in CONDITIONS]
    if unknown or not named:
        what = f"unknown condition {unknown[0]!r}" if unknown else "none given"
        raise BadRuns(f"--conditions: {what}: choose one or more of {', '.join(CONDITIONS)}, separated by commas")
    return tuple(c for c in CONDITIONS if c in named)


def parse_sessions(value, selected: bool) -> str:
    """verify's --sessions for each run: as given; else ``timing`` where a selection was given, else both."""
    named = [s for s in str(value or "").replace(",", " ").split() if s]
    unknown = [s for s in named if s not in SESSIONS]
    if unknown:
        raise BadRuns(f"--sessions: unknown session {unknown[0]!r}: choose timing, behaviour or both")
    if named:
        return ",".join(s for s in SESSIONS if s in named)
    return "timing" if selected else ""


@dataclass(frozen=True)
class Study:
    """What to run: how many runs of each condition, and what each verify run takes."""

    runs: int = DEFAULT_RUNS
    one_cpu_runs: int = 1
    hog_runs: int = 1
    conditions: Tuple[str, ...] = CONDITIONS
    pytest_args: Tuple[str, ...] = ()
    sessions: str = ""  # verify's --sessions; "" both

    def count(self, condition: str) -> int:
        if condition not in self.conditions:
            return 0
        return {QUIET: self.runs, ONE_CPU: self.one_cpu_runs, HOG: self.hog_runs}[condition]


# ---------------------------------------------------------------- the runner
def plan(base_id: str, runs, one_cpu_runs: int = 1, hog_runs: int = 1,
         conditions: Sequence[str] = CONDITIONS) -> List[Tuple[str, str]]:
    """(condition, run id) in the order they run: quiet ones first, the hog last. ``runs``: the
    quiet runs, or a Study. One run of a condition is ``-onecpu``/``-hog``, several are numbered."""
    study = runs if isinstance(runs, Study) else Study(runs, one_cpu_runs, hog_runs, tuple(conditions))
    out = []
    for condition, stem in ((QUIET, "quiet"), (ONE_CPU, "onecpu"), (HOG, "hog")):
        n = study.count(condition)
        numbered = condition == QUIET or n > 1
        out += [(condition, f"{base_id}-{stem}{i + 1 if numbered else ''}") for i in range(n)]
    return out


def usable_cpu_ids() -> List[int]:
    return sorted(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else [0]


def verify_command(python: str, scale: str, results_dir: Path, run_id: str, sessions: str = "",
                   pytest_args: Sequence[str] = ()) -> List[str]:
    """What ``make verify`` runs, into its own run id; ``python`` runs the claims, as for verify.
    --no-report: the stability runs need only their stored verdicts. ``sessions``: verify's
    --sessions; ``pytest_args`` go to pytest after ``--``."""
    cmd = [sys.executable, "-m", "claimbench", "verify", "--scale", scale,
           "--results-dir", str(Path(results_dir).resolve()), "--run-id", run_id, "--python", python,
           "--no-report"]
    if sessions:
        cmd += ["--sessions", sessions]
    if pytest_args:
        cmd += ["--"] + list(pytest_args)
    return cmd


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


def _by_run(results_dir: Path) -> Dict[str, List[records.RunRecord]]:
    stored, errors = records.load_runs(Path(results_dir) / SUBDIR)
    for e in errors:
        print("claimbench: skipped " + e, file=sys.stderr)
    by_run: Dict[str, List[records.RunRecord]] = {}
    for rec in stored:
        by_run.setdefault(rec.run_id, []).append(rec)
    return by_run


def run_study(runs, scale: str, results_dir: Path, python: str = sys.executable,
              base_id: str = "") -> Summary:
    """Every run of the study (``runs``: a Study, or the number of quiet runs), then the summary,
    written atomically. Ctrl-C stops it all, writes nothing."""
    study = runs if isinstance(runs, Study) else Study(runs)
    results_dir = Path(results_dir)
    stab_dir = results_dir / SUBDIR
    base_id = base_id or new_base_id()
    cpus = usable_cpu_ids()
    statuses: Dict[str, int] = {}
    steps = plan(base_id, study)
    t0 = time.perf_counter()
    for i, (condition, run_id) in enumerate(steps, 1):
        print(f"\nstability: run {i}/{len(steps)} ({condition}) -> {run_id}", flush=True)
        cmd = verify_command(python, scale, stab_dir, run_id, study.sessions, study.pytest_args)
        if condition == ONE_CPU:
            cmd, preexec = pinned(cmd, cpus[0])
            statuses[run_id] = run_child(cmd, preexec)
        elif condition == HOG:
            with cpu_hog(cpus[-1]) as hog:
                print(f"stability: CPU hog pid {hog.pid} spinning on CPU {cpus[-1]}", flush=True)
                statuses[run_id] = run_child(cmd)
        else:
            statuses[run_id] = run_child(cmd)
    by_run = _by_run(results_dir)
    summary = summarise([condition_run(c, rid, by_run.get(rid, []), statuses.get(rid)) for c, rid in steps],
                        claims.REGISTRY, study.conditions)
    write_summary(summary, results_dir, scale, base_id, time.perf_counter() - t0, study)
    return summary


def resummarise(results_dir: Path) -> Summary:
    """The last study's summary again, from its stored runs (after the rules of judging changed)."""
    from .sessions import CliError
    path = Path(results_dir) / SUBDIR / SUMMARY_JSON
    try:
        last = json.loads(path.read_text(encoding="utf-8"))
        base_id, runs, scale = last["base_id"], int(last["quiet_runs"]), last["scale"]
        conditions = tuple(c for c in last.get("conditions", CONDITIONS) if c in CONDITIONS) or CONDITIONS
        study = Study(runs, conditions=conditions, pytest_args=tuple(last.get("pytest_args", ())),
                      sessions=str(last.get("sessions", "")))
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise CliError(f"no readable summary of a last study in {path}: {exc}") from None
    stored_runs = [(r["condition"], r["run_id"]) for r in last.get("runs", [])
                   if isinstance(r, dict) and r.get("condition") in CONDITIONS and r.get("run_id")]
    statuses = {r["run_id"]: r.get("exit_status") for r in last.get("runs", []) if isinstance(r, dict)}
    by_run = _by_run(results_dir)
    summary = summarise([condition_run(c, rid, by_run.get(rid, []), statuses.get(rid))
                         for c, rid in stored_runs or plan(base_id, study)], claims.REGISTRY, study.conditions)
    # The study's own date stays: summarising its runs again rebuilds the same files.
    write_summary(summary, results_dir, scale, base_id, float(last.get("wall_s", 0.0)), study,
                  written=last.get("written") or None)
    return summary


def write_summary(summary: Summary, results_dir: Path, scale: str, base_id: str, wall_s: float,
                  study: Optional[Study] = None, written: Optional[str] = None) -> None:
    """summary.json and stability.md; ``written``: when the study was summarised first (default now)."""
    data = summary.as_dict()
    data.update(scale=scale, base_id=base_id, wall_s=wall_s,
                written=written or datetime.now(timezone.utc).isoformat(timespec="seconds"))
    if study is not None and (study.pytest_args or study.sessions):
        data.update(pytest_args=list(study.pytest_args), sessions=study.sessions)
    records.atomic_write_json(Path(results_dir) / SUBDIR / SUMMARY_JSON, data)
    only = "; only " + " ".join(study.pytest_args) if study and study.pytest_args else ""
    title = f"Stability of the verdicts — {base_id} (scale {scale}, {wall_s:.0f} s{only})"
    records.atomic_write_text(Path(results_dir) / SUMMARY_MD, to_markdown(summary, title, data))


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
    s = sub.add_parser("stability", help="repeat the verify run; how often each claim's verdict agrees, "
                                         "and how often it is wrong or inconclusive")
    s.add_argument("--runs", default=str(DEFAULT_RUNS), help="quiet runs (default: %(default)s)")
    s.add_argument("--one-cpu-runs", default="1", help="runs under one usable CPU (default: %(default)s)")
    s.add_argument("--hog-runs", default="1", help="runs beside a CPU hog on one core (default: %(default)s)")
    s.add_argument("--conditions", default=",".join(CONDITIONS),
                   help="which conditions to run, of quiet, one-cpu, hog (default: %(default)s)")
    s.add_argument("--sessions", default="", help="verify's --sessions for each run (default: both; "
                                                  "timing alone where pytest arguments select claims)")
    s.add_argument("--scale", default=scales.DEFAULT_SCALE)
    s.add_argument("--results-dir", default="results",
                   help="the runs go to RESULTS_DIR/stability/, the summary to RESULTS_DIR/stability.md")
    s.add_argument("--python", default=sys.executable, help="the interpreter that runs the claims")
    s.add_argument("--summary-only", action="store_true",
                   help="measure nothing: summarise the last study's stored runs again")
    s.add_argument("pytest_args", nargs="*", help="passed to each verify run's pytest (after --), "
                                                  "e.g. -- -k cpu-bound-favours-processes")
    s.set_defaults(func=cmd_stability)


def study_of(args) -> Study:
    """The Study the command line asks for; BadRuns (one line) for a bad value."""
    pytest_args = tuple(getattr(args, "pytest_args", None) or ())
    return Study(runs=parse_runs(args.runs),
                 one_cpu_runs=parse_runs(args.one_cpu_runs, "--one-cpu-runs", "runs under one usable CPU"),
                 hog_runs=parse_runs(args.hog_runs, "--hog-runs", "runs beside the CPU hog"),
                 conditions=parse_conditions(args.conditions), pytest_args=pytest_args,
                 sessions=parse_sessions(args.sessions, bool(pytest_args)))


def cmd_stability(args) -> int:
    from .sessions import CliError
    try:
        study = study_of(args)
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
    summary = resummarise(results_dir) if args.summary_only else run_study(study, args.scale, results_dir,
                                                                          args.python)
    print("\n" + to_markdown(summary, "claimbench stability"))
    print(f"stability summary: {results_dir / SUMMARY_MD}")
    main_report = refresh_main_report(results_dir)
    if main_report:
        print(f"report (with the stability part): {main_report}")
    return 0 if summary.ok else 1
