"""``python -m claimbench``: verify, controls, report, matrix, stability, diff, merge.

Bad input is one clear line and exit 2. verify, controls and matrix pass what they do not know
on to pytest (``claimbench verify -k pool -x``; after ``--`` everything goes to pytest).
"""
from __future__ import annotations

import argparse
import os
import signal
import sys
import threading
import time
from pathlib import Path
from typing import List, Optional

from ..core import claim_table as book, records, scales, verdicts
from .. import claims
from . import preflight, project
from .options import add_pytest_args, add_results_dir, add_scale, add_strict
from ..core.runtime import START_METHODS

START_METHOD_HELP = ("how every experiment that uses the default start method starts its processes "
                     "(default: the platform's)")
SESSIONS_HELP = ("which of the run's pytest sessions to run: timing, behaviour, or timing,behaviour "
                 "(default: both)")
EXPERIMENTS_HELP = ("the folder of experiments (default: the ini's claimbench_experiments, else experiments/); "
                    "the claims are the ini's claimbench_claims")
# The commands that run pytest sessions: what they do not know goes to pytest.
TO_PYTEST = ("verify", "controls", "matrix")


from .sessions import (CliError, EXIT_USAGE, new_run_id, parse_strict, PYTEST_NO_TESTS, run_session, runtime_tag_of,
                       sessions)


def print_table(results_dir: Path, run_id: str) -> None:
    run = records.latest(records.load_runs(results_dir)[0], run_id)
    cases = [v for rec in run for v in rec.verdicts]
    if cases:
        print(f"\nclaimbench verdicts — run {run_id} ({run[0].runtime.get('tag')})")
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
        raise CliError(f"unknown start method {args.start_method!r}: choose {', '.join(START_METHODS)}")
    try:
        experiments = project.experiments_dir(Path.cwd(), args.experiments)
        project.use_claims(Path.cwd())
    except project.ProjectError as exc:
        raise CliError(str(exc))
    if not Path(experiments).is_dir():
        raise CliError(f"no {experiments.rstrip('/')}/ folder in {Path.cwd()}: run claimbench from a project's root "
                       "(or give --experiments)")
    only = tuple(s for s in args.sessions.split(",") if s) if args.sessions else ()
    if set(only) - {"timing", "behaviour"}:
        raise CliError(f"unknown session in --sessions={args.sessions!r}: choose timing, behaviour or both")
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
            print(f"claimbench: no tests ran in: {' '.join(cmds[0][3:])}", file=sys.stderr)
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
            print(f"report: not written: {exc} (pip install 'claimbench[report]')")
        else:
            try:
                report.build(results_dir, run_id, figures_done=meanwhile.figures() if meanwhile else ())
                print(f"report: {results_dir / 'report.html'}")
                if not args.pytest_args and not only:  # a whole run: `claimbench report` rebuilds it
                    report.write_reference_run(results_dir, run_id)
            except report.NoRuns as exc:
                print("claimbench: " + str(exc), file=sys.stderr)
                worst = max(worst, 1)
    print(f"{project.how_to('verify', 'claimbench verify')} wall time: {time.perf_counter() - t0:.1f} s (scale "
          f"{args.scale})")
    return worst


def write_controls(results_dir: Path, run_id: str, t0: float, scale: str) -> int:
    """controls.md and controls.csv from the run; 1 if a claim lacks a control or one missed its plant."""
    from ..core import control_table
    run = records.latest(records.load_runs(results_dir)[0], run_id)
    table = control_table.write(results_dir, run, claims.REGISTRY)
    print("\n" + control_table.summary(table))
    print(f"controls: {results_dir / 'controls.md'}")
    print(f"{project.how_to('controls', 'claimbench controls')} wall time: {time.perf_counter() - t0:.1f} s (scale "
          f"{scale})")
    # A claim with no control at all (and no reason why); a control this runtime cannot test is not missing.
    missing = [r for r in table if r.control == control_table.NO_CONTROL
               and not getattr(claims.REGISTRY.get(r.claim), "no_control", "")]
    # A control is always strict: one that is not as planted, inconclusive included, fails the run
    # (its test has failed already); a control this runtime cannot test did not run.
    off = [r for r in table if r.ran and not r.as_planted]
    return 1 if missing or off else 0


def cmd_controls(args) -> int:
    return cmd_verify(args, controls=True)


def cmd_report(args) -> int:
    from ..report import builder as report
    from ..report.compare import CompareError, find_run
    from ..core import runtime
    try:
        results_dir = preflight.results_folder(args.results_dir)
    except preflight.NotReady as exc:
        raise CliError(str(exc))
    if args.compare_with:  # a bad reference is one line, before anything is written
        try:
            find_run(args.compare_with, results_dir)
        except CompareError as exc:
            raise CliError(f"--compare-with: {exc}")
    try:
        ctx = report.build(results_dir, args.run_id, runtime_tag=runtime.fingerprint().tag,
                           compare_with=args.compare_with)
    except report.NoRuns as exc:
        raise CliError(str(exc))
    print(book.text_table(book.claim_rows([v for rec in ctx.run for v in rec.verdicts], claims.REGISTRY)))
    print(f"report: run {ctx.run[0].run_id}: {ctx.picked}")
    print(f"report: {results_dir / 'report.html'}")
    return 0


# ---------------------------------------------------------------- the command line
def installed_version() -> str:
    """claimbench's version: the installed distribution's, else this source tree's pyproject.toml."""
    try:
        from importlib.metadata import PackageNotFoundError, version
        try:
            return version("claimbench")
        except PackageNotFoundError:
            pass
    except ImportError:  # Python 3.7
        pass
    import re
    toml = Path(__file__).resolve().parents[2] / "pyproject.toml"
    try:
        found = re.search(r'^version\s*=\s*"([^"]+)"', toml.read_text(encoding="utf-8"), re.M)
    except OSError:
        found = None
    return found.group(1) if found else "unknown"


class UsageError(CliError):
    """The command line itself is wrong: one line and exit 2, as any other bad input."""


class Parser(argparse.ArgumentParser):
    """argparse's errors as one line (``claimbench: error: …``, exit 2), not usage and a line."""

    def error(self, message):
        raise UsageError(f"{message} ({self.prog} --help)")


class _Version(argparse.Action):
    def __init__(self, option_strings, dest=argparse.SUPPRESS, default=argparse.SUPPRESS, help=None):
        super().__init__(option_strings, dest=dest, default=default, nargs=0, help=help)

    def __call__(self, parser, namespace, values, option_string=None):
        print(f"claimbench {installed_version()}")
        parser.exit()


def _run_parser(sub, name: str, help: str, scale: str, one: str, many: str, func, pytest_positional: bool = True):
    """verify and controls: a run of the project's experiments, with the same options."""
    r = sub.add_parser(name, help=help, description=help[0].upper() + help[1:] + ".", allow_abbrev=False)
    add_scale(r, scale)
    add_strict(r, one)
    add_results_dir(r, "controls.md is written" if name == "controls" else "the report is written")
    r.add_argument("--run-id", default="", metavar="ID",
                   help="the id the run is stored under, results-dir/runs/ID/ (default: a new one, the UTC time and "
                        f"the runtime's tag{', then -controls' if name == 'controls' else ''})")
    r.add_argument("--python", default=sys.executable, metavar="PYTHON",
                   help=f"the interpreter that runs the {many} (default: this one, %(default)s)")
    r.add_argument("--start-method", default="", choices=list(START_METHODS), help=START_METHOD_HELP)
    r.add_argument("--sessions", default="", metavar="timing,behaviour", help=SESSIONS_HELP)
    r.add_argument("--experiments", default="", metavar="DIR", help=EXPERIMENTS_HELP)
    if pytest_positional:
        add_pytest_args(r, "each of the run's pytest sessions")
    r.set_defaults(func=func)
    return r


def parser(pytest_positional: bool = True) -> argparse.ArgumentParser:
    """The command line. ``pytest_positional=False``: verify, controls and matrix take no positional
    PYTEST-ARGS, so parse_known_args leaves every token meant for pytest in its order (parse())."""
    p = Parser(prog="claimbench", description="Check a text's claims about processes, threads and coroutines as "
                                               "pytest tests with verdicts: holds, partly, refuted, inconclusive.")
    p.add_argument("--version", action=_Version, help="print claimbench's version and exit")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")
    v = _run_parser(sub, "verify", "run every claim, print the verdicts, write the report", scales.DEFAULT_SCALE,
                    "verdict", "claims", cmd_verify, pytest_positional)
    v.add_argument("--no-report", action="store_true",
                   help="store the run and print its verdicts, but write no report (default: the report is "
                        "written, results-dir/report.html)")
    _run_parser(sub, "controls", "run every claim's planted counterparts: controls.md, controls.csv", "quick",
                "control", "controls", cmd_controls, pytest_positional)
    r = sub.add_parser("report", help="rebuild the report from stored runs, without measuring",
                       description="Rebuild results-dir/report.* from a stored run, without measuring.")
    add_results_dir(r)
    r.add_argument("--run-id", default="", metavar="ID",
                   help="the run to report (default: the one results-dir/reference-run names, which the last "
                        "whole claimbench verify there wrote; else this interpreter's newest run; else the newest)")
    r.add_argument("--compare-with", default="", metavar="RUN",
                   help="a run (results folder, run folder or run id) to put beside this one, claim by claim "
                        "(claimbench diff as a report part; default: none)")
    r.set_defaults(func=cmd_report)
    from . import stability
    stability.add_parser(sub)
    from . import matrix
    m = sub.add_parser("matrix", help="run every claim on each interpreter of --pythons, one after another",
                       allow_abbrev=False)
    matrix.add_arguments(m)
    if pytest_positional:
        add_pytest_args(m, "pytest on every runtime")
    m.set_defaults(func=matrix.cmd_matrix)
    from . import compare
    compare.add_parsers(sub)
    return p


def parse(argv: List[str]) -> argparse.Namespace:
    """The command line; for verify, controls and matrix what they do not know goes to pytest, in its order."""
    command = next((a for a in argv if not a.startswith("-")), "")
    tail: List[str] = []
    if command in TO_PYTEST and "--" in argv:
        cut = argv.index("--")
        argv, tail = argv[:cut], argv[cut + 1:]
    # -h shows the PYTEST-ARGS positional; parsing goes without it (argparse would take "pool" of
    # "-k pool" for a positional and "-k" for an unknown option, and pass them on out of order).
    wants_help = command in TO_PYTEST and any(a in ("-h", "--help") for a in argv)
    args, rest = parser(pytest_positional=wants_help).parse_known_args(argv)
    if rest and args.command not in TO_PYTEST:
        raise UsageError(f"unrecognized arguments: {' '.join(rest)} (claimbench {args.command} --help)")
    if args.command in TO_PYTEST:
        args.pytest_args = rest + tail
    return args


def _interrupt(signum, frame):
    raise KeyboardInterrupt


def _stdout_gone() -> int:
    """stdout's reader went away (``claimbench diff A B | head -3``): end quietly, as a program
    that SIGPIPE ends; what is still buffered goes to /dev/null, not into a traceback at exit."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, AttributeError, ValueError):
        pass
    return 128 + getattr(signal, "SIGPIPE", 13)


def main(argv: Optional[List[str]] = None) -> int:
    try:
        rc = _main(list(sys.argv[1:] if argv is None else argv))
        sys.stdout.flush()
        return rc
    except BrokenPipeError:
        return _stdout_gone()


def _main(argv: List[str]) -> int:
    try:
        args = parse(argv)
    except CliError as exc:
        print(f"claimbench: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    # SIGTERM (a CI cancel, `timeout`) and SIGHUP stop a run like Ctrl-C: children stopped, nothing half-stored.
    old_handlers = {s: signal.signal(s, _interrupt) for s in (signal.SIGTERM, signal.SIGHUP)}
    try:
        return args.func(args)
    except (CliError, scales.UnknownScale) as exc:
        print(f"claimbench: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except ImportError as exc:
        line = preflight.missing_dependency(exc)
        if line is None:
            raise
        print(f"claimbench: error: {line}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("claimbench: interrupted; stored results are untouched", file=sys.stderr)
        return 130
    finally:
        for signum, handler in old_handlers.items():
            signal.signal(signum, handler)
