"""When asked (``claimbench report --compare-with RUN``): this run beside another, claim by claim."""
from __future__ import annotations

from .. import compare
from ..document import Para, Section, Table


def build(ctx):
    if not ctx.compare_with:
        return None
    try:
        other = compare.find_run(ctx.compare_with, ctx.results_dir)
    except compare.CompareError as exc:
        return Section("Compared with another run", order=88).add(Para(f"Not compared: {exc}."))
    this = compare.Run("", compare.shown_path(ctx.results_dir / "runs" / ctx.run[0].run_id), ctx.run)
    rows = compare.diff_rows(this, other)
    s = Section("Compared with another run", order=88)
    s.add(Para(f"A: this run, {this.run_id} ({this.runtime.get('tag')}); B: run {other.run_id} "
               f"({other.runtime.get('tag')}, {other.source}). A verdict that changed is marked; two effects lie "
               "beyond noise where their 95% intervals do not overlap."))
    for note in compare.diff_notes(this, other):
        s.add(Para(f"Note: {note}."))
    s.add(Table(compare.DIFF_HEADERS, rows))
    return s
