"""The forest plot at the top of the report: every timing claim's effect against its threshold.

Each timing claim's effects and thresholds are different quantities (a ratio of costs, a speed-up
over k, steps of T …), so one axis holds them all as the effect's distance from its own threshold:
``effect / threshold`` where the claim holds above it, ``threshold / effect`` where it holds below
it, on a log scale. 1 is the threshold; the claim's side is always to the right. An interval wholly
right of 1 holds, wholly left is refuted, across 1 is undecided. The run's A/A null (two identical
ways, core/decision.py) widens an effect's interval by its far end ``f`` on both sides, so the
interval must clear the band [1/f, f] around the threshold: that band is drawn where the case
stored a null.

The numbers come from a case's typed decision (``decision``: effect interval, threshold, direction,
null); a run stored before cases kept it has only the threshold's text, read here (``> 1.25``,
``< 0.1 (…)``, ``> √10 ≈ 3.16 (…)``, ``within 1 ± 0.1``, ``within ±0.5 steps``, ``within [0.5, 2.5]``).
A text that names another quantity before its comparison (``shared memory / … > 1.5`` beside a
crossover payload in bytes) bounds something other than the stored effect: that case is not drawn,
and the report says so.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import List, Optional, Sequence, Tuple

import pandas as pd

from ..core import stats
from ..core.decision import ABOVE, BELOW, null_factor
from ..core.verdicts import CLAIM, HOLDS, INCONCLUSIVE, PARTLY, REFUTED

FIGURE = "forest.png"
COLOURS = {HOLDS: "#2ca02c", PARTLY: "#e69f00", REFUTED: "#d62728", INCONCLUSIVE: "#8c8c8c"}
OTHER = "#8c8c8c"
COLUMNS = ["claim", "case", "claim_verdict", "verdict", "headline", "effect", "low", "high", "threshold",
           "direction", "null_factor", "margin", "margin_low", "margin_high", "source", "figure", "cases"]

_NUMBER = r"[-+]?[0-9]+(?:\.[0-9]+)?(?:e[-+]?[0-9]+)?"
_OP = re.compile(r"^([<>≤≥])=?\s*(?:[^\s(]*\s*≈\s*)?(" + _NUMBER + ")")
_PLUS_MINUS = re.compile(r"^within\s+(" + _NUMBER + r")?\s*±\s*(" + _NUMBER + ")")
_BRACKETS = re.compile(r"^within\s*\[\s*(" + _NUMBER + r")\s*,\s*(" + _NUMBER + r")\s*\]")


@dataclass(frozen=True)
class Bound:
    """One side a case's effect was judged against: the claim holds ``direction`` ``threshold``."""
    threshold: float
    direction: str


def bounds_of_text(text: str) -> List[Bound]:
    """The bounds a stored threshold text states: one for ``> x`` / ``< x``, two for a band; none for
    a text that does not open with its comparison (it names another quantity than the effect)."""
    text = str(text or "").strip()
    m = _OP.match(text)
    if m:
        return [Bound(float(m.group(2)), ABOVE if m.group(1) in ">≥" else BELOW)]
    m = _PLUS_MINUS.match(text)
    if m:
        centre, half = float(m.group(1) or 0.0), float(m.group(2))
        return [Bound(centre + half, BELOW), Bound(centre - half, ABOVE)]
    m = _BRACKETS.match(text)
    if m:
        return [Bound(float(m.group(2)), BELOW), Bound(float(m.group(1)), ABOVE)]
    return []


def _side(effect: stats.Interval, bound: Bound) -> str:
    return (stats.above if bound.direction == ABOVE else stats.below)(effect, bound.threshold)


def deciding_bound(effect: stats.Interval, bounds: Sequence[Bound]) -> Optional[Bound]:
    """Of a band's two bounds, the one that decided (as families' ``deciding`` picks it): the one the
    effect fell outside, else one it straddles, else the nearer."""
    if not bounds:
        return None
    for outcome in (stats.OUTSIDE, stats.STRADDLES):
        for b in bounds:
            if _side(effect, b) == outcome:
                return b
    return min(bounds, key=lambda b: abs(effect.median - b.threshold))


def toward_claim(x: float, threshold: float, direction: str) -> float:
    """How many times over its threshold ``x`` lies on the claim's side (> 1: the claim's side, < 1:
    the other; 0 and inf where x is past zero from the threshold, wholly on one side)."""
    if x != x or threshold == 0:
        return math.nan
    if x * threshold > 0:
        r = x / threshold if direction == ABOVE else threshold / x
        return r if threshold > 0 else 1.0 / r
    holds = x > threshold if direction == ABOVE else x < threshold
    return math.inf if holds else 0.0


def _finite(x) -> bool:
    try:
        return x is not None and math.isfinite(float(x))
    except (TypeError, ValueError):
        return False


def placed(case: dict) -> Tuple[Optional[dict], str]:
    """A case on the forest's axis: (its numbers, "") or (None, why it cannot be drawn)."""
    d = case.get("decision")
    null = math.nan
    if isinstance(d, dict) and d.get("threshold") is not None and d.get("effect"):
        effect = stats.Interval(*[float(x) for x in d["effect"]], 0)
        bound = Bound(float(d["threshold"]), d.get("direction") or ABOVE)
        source = "decision"
        if d.get("null"):
            null = null_factor(stats.Interval(*[float(x) for x in d["null"]], 0))
    else:
        effect = stats.Interval(*(float(case.get(k, math.nan)) if case.get(k) is not None else math.nan
                                  for k in ("effect", "ci_low", "ci_high")), 0)
        bound = deciding_bound(effect, bounds_of_text(case.get("threshold", "")))
        source = "threshold text"
        if bound is None:
            return None, (f"its threshold ({case.get('threshold') or 'none stored'}) bounds another quantity "
                          f"than its effect ({case.get('effect_name') or 'unnamed'})")
    if not (_finite(effect.median) and _finite(effect.low) and _finite(effect.high)):
        return None, "no finite interval"
    if bound.threshold == 0:
        return None, "a threshold of 0"
    ends = [toward_claim(x, bound.threshold, bound.direction) for x in (effect.low, effect.high)]
    return {"effect": effect.median, "low": effect.low, "high": effect.high, "threshold": bound.threshold,
            "direction": bound.direction, "null_factor": null,
            "margin": toward_claim(effect.median, bound.threshold, bound.direction),
            "margin_low": min(ends), "margin_high": max(ends), "source": source,
            "figure": f"{stats.fmt_effect(effect.median, effect.low, effect.high)} "
                      f"{'>' if bound.direction == ABOVE else '<'} {stats.fmt(bound.threshold)}"}, ""


def is_timing(case: dict) -> bool:
    """A case measured with an interval (a behaviour case has no rounds and no effect)."""
    return bool(case.get("rounds")) and _finite(case.get("effect")) or isinstance(case.get("decision"), dict)


def forest_frame(cases: pd.DataFrame, claims: pd.DataFrame) -> Tuple[pd.DataFrame, List[Tuple[str, str]]]:
    """One row per timing case of each claim's own (no related findings, no controls), claims in the
    verdict table's order; ``headline``: the claim's first case drawn, the one its row shows with
    its interval. And (claim, why) for each timing claim none of whose cases can be drawn."""
    rows, left_out = [], []
    if not len(cases) or not len(claims):
        return pd.DataFrame(rows, columns=COLUMNS), left_out
    verdict_of = dict(zip(claims["claim"], claims["verdict"]))
    own = [c for c in cases.to_dict("records") if (c.get("role") or CLAIM) == CLAIM]
    for claim in claims["claim"]:
        timing = [c for c in own if c["claim"] == claim and is_timing(c)]
        drawn, whys = [], []
        for c in timing:
            numbers, why = placed(c)
            if numbers is None:
                whys.append(f"{c.get('case') or '-'}: {why}")
                continue
            drawn.append(dict(numbers, claim=claim, case=c.get("case") or "-", claim_verdict=verdict_of[claim],
                              verdict=c.get("verdict", ""), headline=not drawn))
        if timing and not drawn:
            left_out.append((claim, "; ".join(whys)))
        for r in drawn:
            r["cases"] = len(drawn)
        rows += drawn
    return pd.DataFrame(rows, columns=COLUMNS), left_out


def _limits(frame: pd.DataFrame) -> Tuple[float, float]:
    values = [v for col in ("margin", "margin_low", "margin_high") for v in frame[col]
              if _finite(v) and v > 0]
    values += [v for f in frame["null_factor"] if _finite(f) and f > 0 for v in (f, 1 / f)]
    lo = min(values + [0.5]) / 1.6
    hi = max(values + [2.0]) * 1.6
    return max(lo, 1e-4), min(hi, 1e4)


CASE_X = 0.17  # where the text column's case line starts, after the verdict (in the column's width)


def plot_forest(frame: pd.DataFrame, path):
    """Draw the forest (plots.save: aside, where the report draws its figures aside)."""
    from . import plots
    import matplotlib.pyplot as plt
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    claims = list(dict.fromkeys(frame["claim"]))
    n = len(claims)
    # The text column wide enough for its longest line (a case, its effect [CI], the threshold, how many
    # more cases: about 55 characters at 8 pt), so nothing runs off the figure's right edge.
    fig, (ax, text) = plt.subplots(1, 2, figsize=(12.5, 0.34 * n + 1.5), squeeze=True,
                                   gridspec_kw={"width_ratios": [3.0, 2.4]})
    lo, hi = _limits(frame)

    def clip(x):
        return min(max(x, lo), hi) if x == x else x

    y_of = {claim: n - 1 - i for i, claim in enumerate(claims)}
    for claim in claims:
        part = frame[frame["claim"] == claim]
        y = y_of[claim]
        head = part[part["headline"]].iloc[0]
        colour = COLOURS.get(head["claim_verdict"], OTHER)
        f = head["null_factor"]
        if f == f:
            ax.add_patch(plt.Rectangle((clip(1 / f) if f > 0 else lo, y - 0.32),
                                       (clip(f) if f > 0 else hi) - (clip(1 / f) if f > 0 else lo), 0.64,
                                       color="#bbbbbb", alpha=0.45, lw=0, zorder=1))
        for r in part[~part["headline"]].to_dict("records"):  # the claim's other cases: a tick each
            ax.plot([clip(r["margin"])], [y], "|", color=COLOURS.get(r["verdict"], OTHER), ms=11, mew=2,
                    zorder=2)
        ax.plot([clip(head["margin_low"]), clip(head["margin_high"])], [y, y], "-", color=colour, lw=3,
                solid_capstyle="butt", zorder=3)
        for end in (head["margin_low"], head["margin_high"]):
            if end < lo or end > hi:  # past the axis: an arrow at its edge
                ax.plot([clip(end)], [y], "<" if end < lo else ">", color=colour, ms=7, zorder=3)
        ax.plot([clip(head["margin"])], [y], "o", color=colour, ms=7, mec="white", mew=0.8, zorder=4)
        others = int(head["cases"]) - 1
        text.text(0.0, y, head["claim_verdict"], color=colour, fontsize=8.5, fontweight="bold", va="center")
        named = "" if head["case"] == "-" else head["case"] + " "
        more = f" (+{others} case{'' if others == 1 else 's'})" if others else ""
        text.text(CASE_X, y, named + head["figure"] + more, fontsize=8, va="center", color="#333333")
    ax.axvline(1.0, color="#333333", lw=1.2, zorder=2)
    ax.set_xscale("log")
    ax.set_xlim(lo, hi)
    ax.set_ylim(-0.7, n - 0.3)
    ax.set_yticks([y_of[c] for c in claims])
    ax.set_yticklabels(claims, fontsize=8.5)
    ax.grid(alpha=0.3, axis="x", which="major")
    ax.tick_params(axis="x", labelsize=8)
    ax.xaxis.set_major_formatter(plt.FuncFormatter(lambda v, _: f"{v:g}×"))
    ax.set_xlabel("effect ÷ its threshold, the claim's side to the right (log scale): 1 = the threshold",
                  fontsize=8.5)
    ax.text(1.0, n - 0.3, " the claim's side →", fontsize=8, va="bottom", ha="left", color="#333333")
    ax.text(1.0, n - 0.3, "← against it ", fontsize=8, va="bottom", ha="right", color="#333333")
    text.set_xlim(0, 1)
    text.set_ylim(ax.get_ylim())
    text.axis("off")
    text.text(0.0, n - 0.3, "verdict", fontsize=8, va="bottom", color="#555555")
    text.text(CASE_X, n - 0.3, "case: effect [CI] against its threshold", fontsize=8, va="bottom", color="#555555")
    handles = [Line2D([], [], color=COLOURS[v], marker="o", lw=3, label=v) for v in (HOLDS, PARTLY, REFUTED,
                                                                                    INCONCLUSIVE)]
    handles.append(Line2D([], [], color=OTHER, marker="|", lw=0, ms=10, mew=2, label="its other cases"))
    if frame["null_factor"].notna().any():
        handles.append(Patch(color="#bbbbbb", alpha=0.45, label="A/A null around the threshold"))
    below = 0.5 / (0.34 * n + 0.45)  # just under the axis label, in the axes' height
    # In rows no wider than the forest: a legend past its right edge widens the gap to the text column.
    ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, -below),
              ncol=3, fontsize=8, frameon=False, handlelength=1.6, columnspacing=1.2)
    return plots.save(fig, path)
