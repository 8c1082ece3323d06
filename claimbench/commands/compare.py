"""claimbench diff and claimbench merge: two stored runs side by side, and the machines matrix
(the tables and the figure are claimbench.report.compare's)."""
from __future__ import annotations

import sys
from pathlib import Path

from ..core import records
from ..report.compare import (BEYOND, DIFF_HEADERS, MACHINES_FIGURE, MACHINES_MD, CompareError, diff_markdown,
                              diff_notes, diff_rows, find_run, kind_warning, label_runs, machines_section,
                              text_table)
from .sessions import CliError


def cmd_diff(args) -> int:
    try:
        a = find_run(args.a, Path(args.results_dir))
        b = find_run(args.b, Path(args.results_dir))
    except CompareError as exc:
        raise CliError(str(exc))
    rows = diff_rows(a, b)
    warning = kind_warning(a, b)
    if warning:
        print("claimbench diff: warning: " + warning, file=sys.stderr)
    print(f"A: {a.kind} run {a.run_id} ({a.source})\nB: {b.kind} run {b.run_id} ({b.source})")
    for note in diff_notes(a, b):
        if note != warning:
            print("note: " + note)
    print(text_table(DIFF_HEADERS, rows))
    changed = sum(1 for r in rows if r[5])
    beyond = sum(1 for r in rows if r[6] == BEYOND)
    print(f"{changed} verdict{'' if changed == 1 else 's'} changed; {beyond} effect{'' if beyond == 1 else 's'} apart "
          "beyond noise")
    if args.markdown:
        records.atomic_write_text(Path(args.markdown), diff_markdown(a, b, rows))
        print(f"diff: {args.markdown}")
    return 1 if args.fail_on_change and changed else 0


# ---------------------------------------------------------------- merge
def cmd_merge(args) -> int:
    from ..report.document import to_html, to_markdown
    if len(args.dirs) < 2:
        raise CliError("merge needs at least two runs (results folders, run folders or run ids)")
    out = Path(args.out)
    given = [x.strip() for x in args.labels.split(",")] if args.labels else []
    if given and len(given) != len(args.dirs):
        raise CliError(f"--labels names {len(given)} runs, {len(args.dirs)} were given")
    runs, labels = [], []
    try:
        for i, d in enumerate(args.dirs):
            try:
                runs.append(find_run(d, out))
                labels += given[i:i + 1]
            except CompareError as exc:
                if not args.skip_missing:
                    raise
                print(f"claimbench merge: left out: {exc}")
        if len(runs) < 2:
            raise CompareError("fewer than two runs to merge")
        runs = label_runs(runs, labels)
    except CompareError as exc:
        raise CliError(str(exc))
    section, found = machines_section(runs, out / "figures" / MACHINES_FIGURE)
    records.atomic_write_text(out / MACHINES_MD, to_markdown("claimbench machines", [section], out))
    records.atomic_write_text(out / "machines.html", to_html("claimbench machines", [section], out))
    print("machines: " + ", ".join(f"{r.label} ({r.run_id})" for r in runs))
    unexplained = [f for f in found if f[2] == "unexplained"]
    print(f"{len(found)} cells differ from the first column, {len(unexplained)} without a reason")
    print(f"machines matrix: {out / MACHINES_MD}")
    return 0


def add_parsers(sub) -> None:
    d = sub.add_parser("diff", help="two stored runs side by side: verdict changes, effects beyond noise",
                       description="Two stored runs side by side, claim by claim: verdicts that changed, effects "
                                   "apart beyond noise. Each side is named as a verify or a controls run.")
    d.add_argument("a", metavar="A", help="a results folder (its newest run of the claims), a run folder or a run id")
    d.add_argument("b", metavar="B", help="a results folder (its newest run of the claims), a run folder or a run id")
    d.add_argument("--results-dir", default="results", metavar="DIR",
                   help="where run ids are looked up (default: %(default)s)")
    d.add_argument("--markdown", default="", metavar="FILE", help="also write the diff as Markdown to this file "
                                                                  "(default: none)")
    d.add_argument("--fail-on-change", action="store_true",
                   help="exit 1 when any claim's verdict changed (default: exit 0 whatever changed)")
    d.set_defaults(func=cmd_diff)
    m = sub.add_parser("merge", help="the machines matrix: one column per machine's stored run")
    m.add_argument("dirs", nargs="+", metavar="RUN",
                   help="results folders (their newest run), run folders or run ids")
    m.add_argument("--out", default="results", metavar="DIR",
                   help="where machines.md goes, and where run ids are looked up (default: %(default)s)")
    m.add_argument("--labels", default="", help="comma-separated column names (default: cores and runtime tag)")
    m.add_argument("--skip-missing", action="store_true",
                   help="leave out, with a line each, the folders that hold no run, as of a CI job that failed "
                        "(default: such a folder is an error)")
    m.set_defaults(func=cmd_merge)
