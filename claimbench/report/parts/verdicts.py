"""The verdict table and the runtime fingerprint: the top of the report."""
from __future__ import annotations

from ..document import Collapsed, Link, Para, Section, Table
from ...core.stats import fmt_effect
from .evidence import anchor as evidence_anchor


def control_cell(ctx, claim: str):
    """Whether the claim's planted counterparts came out as planted, linked to their evidence."""
    if not ctx.control_run:
        return "not run (make controls)"
    rows = ctx.controls_of(claim)
    ran = [r for r in rows if r.ran]
    if not ran:
        return Link("none: " + (rows[0].evidence if rows else "not run"), "control-" + claim)
    missed = [r for r in ran if not r.as_planted]
    text = f"as planted ({len(ran) - len(missed)}/{len(ran)})" if not missed else \
        "NOT as planted: " + ", ".join(f"{r.control} {r.verdict}" for r in missed)
    return Link(text, "control-" + claim)


def build(ctx):
    s = Section("Verdicts", order=10)
    rt = ctx.runtime
    s.add(Para("Runtime {tag}: Python {python_version} ({implementation}), GIL {gil}, "
               "default start method {default_start_method}; usable CPUs {usable_cpus} of {cpu_count}; "
               "scale {scale} (T = {unit_s} s).".format(
                   gil="on" if rt.get("gil_enabled", True) else "off", scale=ctx.scale.get("name"),
                   unit_s=ctx.scale.get("unit_s"), **{k: rt.get(k) for k in (
                       "tag", "python_version", "implementation", "default_start_method",
                       "usable_cpus", "cpu_count")})))
    rows = []
    for r in ctx.claims.itertuples():
        fig = fmt_effect(r.effect, r.ci_low, r.ci_high)
        rows.append((Link(r.claim, evidence_anchor(r.claim)), r.verdict, r.expected, r.outcome,
                     control_cell(ctx, r.claim), fig, r.effect_name, Collapsed(r.evidence)))
    s.add(Table(("claim", "verdict", "expected", "outcome", "control", "effect [CI]", "effect is", "evidence"), rows))
    if ctx.errors:
        s.add(Para("Files skipped as unreadable: " + "; ".join(ctx.errors)))
    return s
