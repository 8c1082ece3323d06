"""The controls: each claim's experiment run on a planted counterpart, and what it said there."""
from __future__ import annotations

from ...core.control_table import summary
from ..document import Anchor, Para, Section, Table
from ...core.stats import fmt_effect


def build(ctx):
    if not ctx.control_run:
        return None
    head = ctx.control_run[0]
    s = Section("Controls", order=12)
    s.add(Para("A verdict means something only if the experiment could have come out otherwise. Each claim's "
               "experiment also runs on a planted counterpart where the claim is known to be false (or true, where "
               f"this runtime is expected to refute it), and must say so there. Run {head.run_id} on "
               f"{head.runtime.get('tag', '?')} (scale {head.scale.get('name')}, T = {head.scale.get('unit_s')} s). "
               f"{summary(ctx.controls)}"))
    rows, seen = [], set()
    for r in ctx.controls:
        first = r.claim not in seen
        seen.add(r.claim)
        fig = fmt_effect(r.effect, r.ci_low, r.ci_high)
        rows.append((Anchor(r.claim, "control-" + r.claim) if first else r.claim, r.control, r.expected,
                     r.verdict, ("yes" if r.as_planted else "NO") if r.ran else "-", fig, r.evidence))
    return s.add(Table(("claim", "control", "planted to be", "verdict", "as planted", "effect [CI]", "evidence"),
                       rows, fold=f"Each control, claim by claim ({len(rows)} rows)"))
