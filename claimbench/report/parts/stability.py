"""How stable the verdicts are: repeated quiet runs, one usable CPU, a CPU hog (``make stability``).

Beside the agreement table, the rates of wrong verdicts (against the expectation) and of
inconclusive ones, per claim and condition, each with its 95 % Wilson interval as
``claimbench stability`` stored them (this part computes nothing; ``rate_table`` builds the
table that results/stability.md shows too).
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import List, Optional, Sequence, Tuple

from ..document import Para, Section, Table

# Where `make stability` stores its study (claimbench.commands.stability writes it, this part reads it).
SUBDIR = "stability"
SUMMARY_JSON = "summary.json"
SUMMARY_MD = "stability.md"

CONDITION_LABELS = (("quiet", "quiet"), ("one-cpu", "one CPU"), ("hog", "CPU hog"))


def load_summary(results_dir: Path) -> Optional[dict]:
    """The stored summary for the report, or None (absent, or not readable: then the report says nothing)."""
    path = Path(results_dir) / SUBDIR / SUMMARY_JSON
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) and data.get("format") == "claimbench-stability/1" else None


def fmt_share(x: float) -> str:
    """0 -> 0, 0.16108 -> 0.161, 0.011856 -> 0.0119, 1 -> 1."""
    return f"{float(x):.3g}"


def fmt_rate(r: dict) -> str:
    """``1/15 [0.0119, 0.298]``: k of n and its 95 % Wilson interval; ``-`` where no run judged it."""
    if not isinstance(r, dict) or not r.get("n"):
        return "-"
    return f"{r.get('k', 0)}/{r['n']} [{fmt_share(r.get('low', 0))}, {fmt_share(r.get('high', 1))}]"


def runs_per_condition(data: dict) -> dict:
    """condition -> runs, from a stored summary (older ones: the quiet runs, one of each other)."""
    counts = data.get("runs_per_condition")
    if isinstance(counts, dict):
        return counts
    out = {}
    for r in data.get("runs", []):
        if isinstance(r, dict) and r.get("condition"):
            out[r["condition"]] = out.get(r["condition"], 0) + 1
    return out


def rate_table(data: dict) -> Optional[Tuple[Tuple[str, ...], List[Tuple[str, ...]]]]:
    """(headers, rows): per claim, wrong and inconclusive k/n [Wilson 95 %] under each condition
    that ran; None for a summary without rates (stored before they were counted)."""
    claims = [c for c in data.get("claims", []) if isinstance(c, dict)]
    if not claims or not any(c.get("rates") for c in claims):
        return None
    per = runs_per_condition(data)
    ran = [(cond, label) for cond, label in CONDITION_LABELS if per.get(cond)]
    headers = ["claim"]
    for cond, label in ran:
        headers += [f"{label} ({per[cond]} run{'' if per[cond] == 1 else 's'}): wrong",
                    f"{label}: inconclusive"]
    rows = []
    for c in claims:
        row = [str(c.get("claim", ""))]
        for cond, _ in ran:
            r = c.get("rates", {}).get(cond, {})
            wrong = fmt_rate(r.get("wrong"))
            if r.get("missing"):
                wrong += f", {r['missing']} missing"
            inconclusive = fmt_rate(r.get("inconclusive"))
            if r.get("untestable"):
                inconclusive += f", {r['untestable']} untestable"
            row += [wrong, inconclusive]
        rows.append(tuple(row))
    return tuple(headers), rows


def wrong_case_lines(data: dict) -> List[str]:
    """One line per case that gave a wrong verdict in some run: ``claim [case] (role): hog 1/5 [...]``."""
    out = []
    for c in data.get("claims", []):
        by_case: dict = {}
        for cond, _ in CONDITION_LABELS:
            for key, r in (c.get("wrong_cases", {}) or {}).get(cond, {}).items():
                by_case.setdefault(key, []).append((cond, r))
        for key, rs in by_case.items():
            role = rs[0][1].get("role", "claim")
            whose = "" if role == "claim" else f" ({role})"
            out.append(f"{key}{whose}: " + ", ".join(f"{cond} {fmt_rate(r)}" for cond, r in rs))
    return out


def describe(data: dict) -> str:
    per = runs_per_condition(data)
    said = {"quiet": "{} quiet run{}", "one-cpu": "{} under one usable CPU", "hog": "{} beside a CPU hog on one core"}
    parts = [said[cond].format(per[cond], "" if per[cond] == 1 else "s")
             for cond, _ in CONDITION_LABELS if per.get(cond)]
    text = (f"From `claimbench stability` ({', '.join(parts) or 'no runs'} at scale {data.get('scale', '?')}; "
            f"runs {data.get('base_id', '?')}, written {data.get('written', '?')}; stored in {SUBDIR}/, "
            f"summary in {SUMMARY_MD})")
    selection: Sequence[str] = data.get("pytest_args") or ()
    if selection:
        session = f", the {data['sessions']} session" if data.get("sessions") else ""
        text += f"; only `{' '.join(selection)}`{session}"
    return text + ". A verdict is wrong where it is settled against the claim's (or a case's) expectation on " \
                  "that runtime; inconclusive ones are counted apart; intervals are 95 % Wilson intervals."


def build(ctx):
    data = load_summary(ctx.results_dir)
    if data is None:
        return None
    s = Section("Stability of the verdicts", order=85)
    s.add(Para(describe(data)))
    for line in data.get("lines", []):
        s.add(Para(line))
    rows = []
    for c in data.get("claims", []):
        quiet = ", ".join(f"{v} ×{n}" for v, n in c.get("quiet", {}).items())
        one = c.get("one_cpu", "")
        if c.get("one_cpu_reason"):
            one += f" ({c['one_cpu_reason']})"
        rows.append((c.get("claim"), quiet, one, c.get("hog", ""), "; ".join(c.get("problems", [])) or "-"))
    s.add(Table(("claim", "quiet runs", "one CPU", "CPU hog", "problems"), rows))
    rates = rate_table(data)
    if rates:
        s.add(Para("Wrong and inconclusive verdicts per claim (k of n runs [95 % Wilson interval]):"))
        s.add(Table(*rates, fold=f"Rates for {len(rates[1])} claims"))
    cases = wrong_case_lines(data)
    if cases:
        s.add(Para("Cases with a wrong verdict: " + "; ".join(cases) + "."))
    return s
