"""``python -m claimbench``: verify, report. Bad input is one clear line and exit 2."""
from __future__ import annotations

import argparse
import signal
import sys
import threading
import time
from pathlib import Path
from typing import List, Optional

from ..core import book, records, scales, verdicts
from .. import claims
from . import preflight, project
from ..core.runtime import START_METHODS

START_METHOD_HELP = ("fork, forkserver or spawn: how every experiment that uses the default start method "
                     "starts its processes (default: the platform's)")


SESSIONS_HELP = "timing, behaviour, or both (the default): which of the run's pytest sessions to run"
EXPERIMENTS_HELP = ("the folder of experiments (default: the ini's claimbench_experiments, else experiments/); "
                    "the claims are the ini's claimbench_claims")


from .sessions import (CliError, EXIT_USAGE, new_run_id, parse_strict, PYTEST_NO_TESTS, run_session, runtime_tag_of,
                       sessions)


def print_table(results_dir: Path, run_id: str) -> None:
    run = records.latest(records.load_runs(results_dir)[0], run_id)
    cases = [v for rec in run for v in rec.verdicts]
    if cases:
        print("\nclaimbench verdicts — run {} ({})".format(run_id, run[0].runtime.get("tag")))
        print(book.text_table(book.claim_rows(cases, claims.REGISTRY)))


class _FiguresMeanwhile(threading.Thread):
    """Draws the report's figures from the timing session's results while the behaviour session runs
    (it mostly waits on its children): report.render_figures."""

    def __init__(self, results_dir: Path, run_id: str):
        super().__init__(daemon=True)
        self.results_dir, self.run_id, self.done = results_dir, run_id, []

    def run(self) -> None:
        try:
            from ..report import builder as report
        except ImportError:  # no pandas or matplotlib here: the report is left out, and says so at the end
            return
        self.done = report.render_figures(self.results_dir, self.run_id)

    def figures(self) -> list:
        self.join(300)
        return [] if self.is_alive() else self.done


def cmd_verify(args, controls: bool = False) -> int:
    scales.get_scale(args.scale)
    if args.start_method and args.start_method not in START_METHODS:
        raise CliError("unknown start method {!r}: choose {}".format(args.start_method, ", ".join(START_METHODS)))
    try:
        experiments = project.experiments_dir(Path.cwd(), args.experiments)
        project.use_claims(Path.cwd())
    except project.ProjectError as exc:
        raise CliError(str(exc))
    if not Path(experiments).is_dir():
        raise CliError("no {}/ folder in {}: run claimbench from a project's root (or give --experiments)".format(
            experiments.rstrip("/"), Path.cwd()))
    only = tuple(s for s in args.sessions.split(",") if s) if args.sessions else ()
    if set(only) - {"timing", "behaviour"}:
        raise CliError("unknown session in --sessions={!r}: choose timing, behaviour or both".format(args.sessions))
    strict = parse_strict(args.strict)
    run_id = args.run_id or (records.run_id_for(new_run_id(), runtime_tag_of(args.python, args.start_method))
                             + ("-controls" if controls else ""))
    try:
        results_dir = preflight.results_folder(args.results_dir)
        preflight.require_python(args.python)
    except preflight.NotReady as exc:
        raise CliError(str(exc))
    t0 = time.perf_counter()
    worst = 0
    before = records.files_of_run(results_dir, run_id)
    cmds = sessions(args.python, args.scale, results_dir, run_id, strict, args.pytest_args, controls,
                    args.start_method, only, experiments)
    no_tests = 0
    meanwhile = None
    try:
        for i, cmd in enumerate(cmds):
            if i == len(cmds) - 1 and i > 0 and not controls and not args.no_report:
                meanwhile = _FiguresMeanwhile(results_dir, run_id)
                meanwhile.start()
            rc = run_session(cmd)
            if rc == PYTEST_NO_TESTS:  # a project without behaviour claims (or timing ones): fine, unless
                no_tests += 1          # no session of the run ran anything
                rc = 0
            worst = max(worst, rc)
        if no_tests == len(cmds):
            print("claimbench: no tests ran in: {}".format(" ".join(cmds[0][3:])), file=sys.stderr)
            worst = max(worst, 1)
    except KeyboardInterrupt:
        if meanwhile:
            meanwhile.figures()  # its children finish their figure and are reaped
        # Half a run is not a run: what it stored goes, and so do temp files of killed sessions.
        records.discard(records.files_of_run(results_dir, run_id) - before)
        records.discard(records.leftover_temp_files(results_dir, run_id))
        raise
    if controls:
        return max(worst, write_controls(results_dir, run_id, t0, args.scale))
    print_table(results_dir, run_id)
    if not args.no_report:
        try:
            from ..report import builder as report
        except ImportError as exc:  # a runtime's venv of the measuring core alone
            print("report: not written: {} (pip install 'claimbench[report]')".format(exc))
        else:
            try:
                report.build(results_dir, run_id, figures_done=meanwhile.figures() if meanwhile else ())
                print("report: {}".format(results_dir / "report.html"))
            except report.NoRuns as exc:
                print("claimbench: " + str(exc), file=sys.stderr)
                worst = max(worst, 1)
    print("make verify wall time: {:.1f} s (scale {})".format(time.perf_counter() - t0, args.scale))
    return worst


def write_controls(results_dir: Path, run_id: str, t0: float, scale: str) -> int:
    """controls.md and controls.csv from the run; 1 if a claim lacks a control or one missed its plant."""
    from ..report import control_table
    run = records.latest(records.load_runs(results_dir)[0], run_id)
    table = control_table.write(results_dir, run, claims.REGISTRY)
    print("\n" + control_table.summary(table))
    print("controls: {}".format(results_dir / "controls.md"))
    print("make controls wall time: {:.1f} s (scale {})".format(time.perf_counter() - t0, scale))
    # A claim with no control at all (and no reason why); a control this runtime cannot test is not missing.
    missing = [r for r in table if r.control == control_table.NO_CONTROL
               and not getattr(claims.REGISTRY.get(r.claim), "no_control", "")]
    # A control that comes out inconclusive is reported (and fails under STRICT=1, like a claim);
    # one that comes out decisively against its plant has already failed its test.
    off = [r for r in table if r.ran and not r.as_planted and r.verdict != verdicts.INCONCLUSIVE]
    return 1 if missing or off else 0


def cmd_controls(args) -> int:
    return cmd_verify(args, controls=True)


def cmd_report(args) -> int:
    from ..report import builder as report
    from ..core import runtime
    try:
        ctx = report.build(preflight.results_folder(args.results_dir), args.run_id,
                           runtime_tag=runtime.fingerprint().tag, compare_with=args.compare_with)
    except (report.NoRuns, preflight.NotReady) as exc:
        raise CliError(str(exc))
    print(book.text_table(book.claim_rows([v for rec in ctx.run for v in rec.verdicts], claims.REGISTRY)))
    print("report: {}".format(Path(args.results_dir) / "report.html"))
    return 0


def _run_parser(sub, name: str, help: str, scale: str, one: str, many: str, func):
    """verify and controls: a run of the project's experiments, with the same options."""
    r = sub.add_parser(name, help=help)
    r.add_argument("--scale", default=scale)
    r.add_argument("--strict", default="", help="1: an inconclusive {} fails".format(one))
    r.add_argument("--results-dir", default="results")
    r.add_argument("--run-id", default="")
    r.add_argument("--python", default=sys.executable, help="the interpreter that runs the {}".format(many))
    r.add_argument("--start-method", default="", help=START_METHOD_HELP)
    r.add_argument("--sessions", default="", help=SESSIONS_HELP)
    r.add_argument("--experiments", default="", help=EXPERIMENTS_HELP)
    r.add_argument("pytest_args", nargs="*", help="passed to pytest (after --)")
    r.set_defaults(func=func)
    return r


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="claimbench")
    sub = p.add_subparsers(dest="command", required=True)
    v = _run_parser(sub, "verify", "run every claim, print the verdicts, write the report", scales.DEFAULT_SCALE,
                    "verdict", "claims", cmd_verify)
    v.add_argument("--no-report", action="store_true")
    _run_parser(sub, "controls", "run every claim's planted counterparts: controls.md, controls.csv", "quick",
                "control", "controls", cmd_controls)
    r = sub.add_parser("report", help="rebuild the report from stored runs, without measuring")
    r.add_argument("--results-dir", default="results")
    r.add_argument("--run-id", default="")
    r.add_argument("--compare-with", default="", help="a run (results folder, run folder or run id) to put "
                                                      "beside this one, claim by claim (claimbench diff as a report part)")
    r.set_defaults(func=cmd_report)
    from . import stability
    stability.add_parser(sub)
    from . import matrix
    m = sub.add_parser("matrix", help="run every claim on each interpreter of --pythons, one after another")
    matrix.add_arguments(m)
    m.set_defaults(func=matrix.cmd_matrix)
    from . import compare
    compare.add_parsers(sub)
    return p


def _interrupt(signum, frame):
    raise KeyboardInterrupt


def main(argv: Optional[List[str]] = None) -> int:
    args = parser().parse_args(argv)
    # SIGTERM (a CI cancel, `timeout`) and SIGHUP stop a run like Ctrl-C: children stopped, nothing half-stored.
    old_handlers = {s: signal.signal(s, _interrupt) for s in (signal.SIGTERM, signal.SIGHUP)}
    try:
        return args.func(args)
    except (CliError, scales.UnknownScale) as exc:
        print("claimbench: error: {}".format(exc), file=sys.stderr)
        return EXIT_USAGE
    except ImportError as exc:
        line = preflight.missing_dependency(exc)
        if line is None:
            raise
        print("claimbench: error: {}".format(line), file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("claimbench: interrupted; stored results are untouched", file=sys.stderr)
        return 130
    finally:
        for signum, handler in old_handlers.items():
            signal.signal(signum, handler)
