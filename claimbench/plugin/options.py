"""The plugin's command-line options (all --claimbench-…) and ini keys."""
from __future__ import annotations

from ..core import scales


def pytest_addoption(parser):
    group = parser.getgroup("claimbench")
    group.addoption("--claimbench-scale", dest="scale", default=scales.DEFAULT_SCALE,
                    help=f"time unit T and round budget: {', '.join(scales.SCALES)} (default: %(default)s)")
    group.addoption("--claimbench-results-dir", dest="results_dir", default="results",
                    help="where runs are stored (default: %(default)s)")
    group.addoption("--claimbench-run-id", dest="run_id", default="",
                    help="group several sessions into one run (default: a new id)")
    group.addoption("--claimbench-session-name", dest="session_name", default="",
                    help="name of this session's record inside the run (default: pytest)")
    group.addoption("--claimbench-strict", dest="strict_verdicts", action="store_true", default=False,
                    help="an inconclusive verdict fails the test instead of skipping it")
    group.addoption("--claimbench-store", dest="store", action="store_true", default=False,
                    help="write a run record and the raw timings into the results folder, as `claimbench "
                         "verify` does (plain pytest stores only when asked, like --benchmark-autosave)")
    group.addoption("--claimbench-no-store", dest="no_store", action="store_true", default=False,
                    help="write no run record, even where the ini asks for one (verdicts are still printed)")
    parser.addini("claimbench_store", type="bool", default=False,
                  help="every session stores its run record (as --store); claimbench_report implies it")
    parser.addini("claimbench_claims", type="linelist", default=[],
                  help="modules whose CLAIMS tuples are this project's claims (claimbench.claims: the "
                       "notes' own); claimbench stays off where none is named")
    parser.addini("claimbench_experiments", type="linelist", default=["experiments"],
                  help="folders (from the rootdir) whose every test must name a claim with @pytest.mark.claim")
    parser.addini("claimbench_report", type="bool", default=False,
                  help="write the report (report.md, report.html, verdicts.csv) into the results folder "
                       "at the end of each session")
    group.addoption("--claimbench-no-progress", dest="no_progress", action="store_true", default=False,
                    help="no line per judged case (its verdict, rounds, seconds and the time left)")
    group.addoption("--claimbench-start-method", dest="start_method", default="",
                    help="the start method of every experiment that uses the default one (pools, "
                         "executors): fork, forkserver or spawn (default: the platform's)")
