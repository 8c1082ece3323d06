"""The notes' printed figures beside this machine's, for the same experiments."""
from __future__ import annotations

from ..document import Para, Section, Table
from ...core.stats import fmt

NOTES_T_S = 2.0
# notes_figure key -> (what the notes ran, the time they printed)
NOTES = {
    "sequential-2": ("one process, 2 tasks of 2 s one after another", 4.00621485710144),
    "processes-2": ("2 processes, each a 2 s task", 2.0279181003570557),
    "pool4-5tasks": ("Pool(4), 5 tasks of 2 s, close, join", 4.12725305557251),
    "threads-2": ("2 threads, each a 2 s task", 2.0085318088531494),
}


def build(ctx):
    if not len(ctx.cases) or "data" not in ctx.cases:
        return None
    unit_s = ctx.scale.get("unit_s") or NOTES_T_S
    default_method = ctx.runtime.get("default_start_method")
    found = {}
    for case in ctx.cases.itertuples():
        data = case.data if isinstance(case.data, dict) else {}
        key = data.get("notes_figure")
        if key not in NOTES:
            continue
        # Of the start methods, the notes' run used the platform default.
        if data.get("start_method") and data.get("start_method") != default_method:
            continue
        # notes_s: what the notes' own timer spanned, where the experiment times less of it
        found[key] = (data.get("notes_s", data.get("median_s")), case.claim)
    if not found:
        return None
    s = Section("The notes' figures beside this machine's", order=20)
    s.add(Para("The same experiments as the notes' examples, re-implemented. This run used T = {} s "
               "(the notes: 2 s); the scaled column multiplies this machine's time by 2 s / T, so it "
               "is only exact at --scale seed, where T = 2 s.".format(unit_s)))
    rows = []
    for key, (what, notes_s) in NOTES.items():
        if key not in found:
            continue
        median_s, claim = found[key]
        scaled = median_s * NOTES_T_S / unit_s
        rows.append((what, claim, "{:.4f}".format(notes_s), fmt(median_s), "{:.4f}".format(scaled),
                     fmt(scaled / notes_s)))
    s.add(Table(("experiment", "claim", "notes (s)", "this machine (s)", "scaled to T = 2 s", "scaled / notes"), rows))
    return s
