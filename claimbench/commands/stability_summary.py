"""The summary of a stability study (pure: tested on synthetic runs in tests/test_stability.py).

Targets, checked by ``summarise``:

- quiet: every quiet run gives each claim the same verdict;
- one CPU: a claim comes out as in the quiet runs or ``inconclusive`` (the
  parallel claims are skipped as untestable: their expectation returns
  untestable below 2 usable CPUs); a ``refuted`` the quiet runs never gave is
  a problem: that claim's expectation does not know it needs 2 CPUs;
- hog: a claim comes out as in the quiet runs or ``inconclusive``, never a
  different settled verdict.

Beside them, per claim and condition, the rates of wrong verdicts (against the expectation)
and of inconclusive ones with their Wilson intervals (``stability_runs``); they are reported,
not targets.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass, field
from typing import Dict, Iterable, List, Optional, Sequence, Tuple

from ..core import verdicts
from ..report.parts import stability as part
from .stability_runs import (CONDITIONS, ConditionRun, HOG, LABELS, MISSING, ONE_CPU, QUIET, SETTLED,
                             claim_rates, controls_of, controls_off, wrong_cases)

WHERE = {ONE_CPU: "under one CPU", HOG: "beside the CPU hog"}
TITLES = {ONE_CPU: "Under one usable CPU", HOG: "Beside a CPU hog on one core"}


@dataclass(frozen=True)
class ClaimStability:
    claim: str
    quiet: Dict[str, int]   # verdict -> how many quiet runs gave it
    one_cpu: str            # the verdict under one CPU (several runs: counts; "" when there was no such run)
    one_cpu_reason: str
    hog: str                # the verdict beside the CPU hog (as one_cpu)
    problems: Tuple[str, ...]
    counts: Dict[str, Dict[str, int]] = field(default_factory=dict)  # condition -> verdict -> runs
    rates: Dict[str, dict] = field(default_factory=dict)             # condition -> stability_runs.claim_rates
    wrong_cases: Dict[str, Dict[str, dict]] = field(default_factory=dict)  # condition -> case -> rate

    @property
    def stable(self) -> bool:
        return len(self.quiet) == 1 and MISSING not in self.quiet


@dataclass(frozen=True)
class Summary:
    quiet_runs: int
    claims: Tuple[ClaimStability, ...]
    run_problems: Tuple[str, ...]
    runs: Tuple[ConditionRun, ...]
    conditions: Tuple[str, ...] = CONDITIONS  # those the study meant to run

    @property
    def problems(self) -> List[str]:
        return list(self.run_problems) + [f"{c.claim}: {p}" for c in self.claims for p in c.problems]

    @property
    def ok(self) -> bool:
        return not self.problems

    def agreement(self) -> Tuple[int, int]:
        """(claims with one verdict in every quiet run, claims)."""
        return sum(1 for c in self.claims if c.stable), len(self.claims)

    def runs_per_condition(self) -> Dict[str, int]:
        return {c: sum(1 for r in self.runs if r.condition == c) for c in CONDITIONS}

    def controls(self) -> Dict[str, dict]:
        """condition -> controls that ran, not as planted, and which, where a run held controls."""
        out = {}
        for cond in CONDITIONS:
            runs = [r for r in self.runs if r.condition == cond]
            ran, off = controls_of(runs)
            if ran:
                out[cond] = {"ran": ran, "not_as_planted": off, "cases": controls_off(runs)}
        return out

    def lines(self) -> List[str]:
        """The agreement, the rates, in a few sentences."""
        same, total = self.agreement()
        per = self.runs_per_condition()
        if self.quiet_runs or QUIET in self.conditions:
            share = f" ({same / total:.0%})" if total else ""
            out = [f"Quiet runs: {same} of {total} claims gave the same verdict in all {self.quiet_runs} runs{share}."]
        else:
            out = ["Quiet runs: not run."]
        for condition in (ONE_CPU, HOG):
            label = TITLES[condition] + (f" ({per[condition]} runs)" if per[condition] > 1 else "")
            ran = [c for c in self.claims if c.counts.get(condition)]
            if not ran:
                out.append(f"{label}: not run.")
                continue
            quiet_like = sum(1 for c in ran if all(v in c.quiet for v in c.counts[condition]))
            inconclusive = sum(1 for c in ran if verdicts.INCONCLUSIVE in c.counts[condition]
                               and verdicts.INCONCLUSIVE not in c.quiet)
            wrong = sum(1 for c in ran if any(p.startswith(condition + ":") for p in c.problems))
            out.append(f"{label}: {quiet_like} claims as in the quiet runs, {inconclusive} inconclusive, {wrong} with "
                       "a wrong verdict (of the claim or of one of its cases).")
        out += self.rate_lines()
        for cond, ctl in self.controls().items():
            which = ", ".join(f"{k} ×{n}" for k, n in ctl["cases"].items())
            listed = f" ({which})" if which else ""
            out.append(f"Controls, {LABELS[cond]}: {ctl['ran']} ran, {ctl['not_as_planted']} not as planted{listed}.")
        problems = self.problems
        out.append("Targets met." if not problems else f"{len(problems)} problem(s): see below.")
        return out

    def rate_lines(self) -> List[str]:
        """Per condition that ran: the claims with a wrong verdict against their expectation, and
        those with an inconclusive one, each k/n [95 % Wilson interval]."""
        out = []
        for cond, n in self.runs_per_condition().items():
            rated = [c for c in self.claims if cond in c.rates]
            if not n or not rated:
                continue
            out.append(f"Against the expectation, {LABELS[cond]} ({n} run{'' if n == 1 else 's'}): wrong verdicts: "
                       f"{_listed(rated, cond, 'wrong')}; inconclusive: {_listed(rated, cond, verdicts.INCONCLUSIVE)}.")
        return out

    def as_dict(self) -> dict:
        return {"format": "claimbench-stability/1", "quiet_runs": self.quiet_runs, "ok": self.ok,
                "agreement": list(self.agreement()), "lines": self.lines(), "problems": self.problems,
                "conditions": list(self.conditions), "runs_per_condition": self.runs_per_condition(),
                "controls": self.controls(),
                "claims": [asdict(c) for c in self.claims], "runs": [asdict(r) for r in self.runs]}


def _listed(rated: List[ClaimStability], cond: str, what: str) -> str:
    """The claims with ``what`` (wrong, inconclusive) under ``cond``, each k/n [interval]; or none."""
    hit = [c for c in rated if c.rates[cond][what]["k"]]
    if hit:
        return ", ".join(f"{c.claim} {part.fmt_rate(c.rates[cond][what])}" for c in hit)
    ns = {c.rates[cond][what]["n"] for c in rated}
    if len(ns) == 1 and next(iter(ns)):
        high = part.fmt_share(rated[0].rates[cond][what]["high"])
        return f"none (0/{next(iter(ns))} for each claim: at most {high} at 95 %)"
    return "none"


def _counts(values: Iterable[str]) -> Dict[str, int]:
    return dict(sorted(Counter(values).items(), key=lambda kv: (-kv[1], kv[0])))


def _said(counts: Dict[str, int]) -> str:
    return ", ".join(f"{v} ×{n}" for v, n in counts.items())


def _reference(quiet_values: Iterable[str], expected: Optional[str]) -> Tuple[set, str]:
    """What a verdict under a condition may settle on, and how to say it: what the quiet runs
    settled on, and what its expectation on that run's runtime says (which knows the CPUs)."""
    settled = {v for v in quiet_values if v in SETTLED}
    allowed = settled | ({expected} if expected in SETTLED else set())
    said = f"{'/'.join(sorted(settled))} in the quiet runs" if settled else "the quiet runs settled nothing"
    if expected in SETTLED and expected not in settled:
        said += f", expected {expected} here"
    return (allowed or set(SETTLED)), said


def _judge_condition(run: ConditionRun, label: str, value: str, quiet_values: List[str],
                     expected: Optional[str]) -> Optional[str]:
    """The problem with ``value`` (a claim's or a case's verdict under a condition), or None."""
    if value == verdicts.INCONCLUSIVE:
        return None
    if value not in SETTLED:
        return f"{run.condition}: {label}no verdict {WHERE[run.condition]}"
    allowed, said = _reference(quiet_values, expected)
    if value in allowed:
        return None
    text = f"{run.condition}: {label}{value} {WHERE[run.condition]}, {said}"
    if run.condition == ONE_CPU and value == verdicts.REFUTED:
        text += ": its expectation should return untestable below 2 usable CPUs"
    return text


def _shown(values: List[str]) -> str:
    """One run's verdict as it was; several runs' as counts."""
    if not values:
        return ""
    return values[0] if len(values) == 1 else _said(_counts(values))


def _once_each(problems: List[str], runs: Dict[str, int]) -> List[str]:
    """Problems found in several runs of a condition, once each with how many runs said so."""
    seen = Counter(problems)
    out = []
    for p in dict.fromkeys(problems):
        n = runs.get(p.split(":", 1)[0], 1)
        out.append(p if n <= 1 else f"{p} ({seen[p]} of {n} runs)")
    return out


def summarise(runs: Sequence[ConditionRun], order: Iterable[str] = (),
              conditions: Sequence[str] = CONDITIONS) -> Summary:
    """Agreement across quiet runs, the one-CPU and hog rules, and the rates of wrong and
    inconclusive verdicts, per claim and per case."""
    by_cond = {c: [r for r in runs if r.condition == c] for c in CONDITIONS}
    quiet = by_cond[QUIET]
    others = by_cond[ONE_CPU] + by_cond[HOG]
    run_problems = []
    if not quiet and (QUIET in conditions or not runs):
        run_problems.append("no quiet run to compare with")
    for r in by_cond[ONE_CPU]:
        if r.usable_cpus not in (None, 1):
            run_problems.append(f"the one-CPU run{' ' + r.run_id if len(by_cond[ONE_CPU]) > 1 else ''} had "
                                f"{r.usable_cpus} usable CPUs, not 1")
    for r in runs:
        if not r.verdicts:
            run_problems.append(f"{r.condition} run {r.run_id} stored no verdicts (exit status {r.exit_status})")

    rank = {cid: i for i, cid in enumerate(order)}
    seen: List[str] = []
    for r in runs:
        seen.extend(c for c in r.verdicts if c not in seen)
    ids = sorted(seen, key=lambda c: (rank.get(c, len(rank)), seen.index(c)))
    case_keys: List[str] = []
    for r in runs:
        case_keys.extend(k for k in r.cases if k not in case_keys)
    n_runs = {c: len(rs) for c, rs in by_cond.items()}

    rows = []
    for cid in ids:
        counts = _counts(r.verdicts.get(cid, MISSING) for r in quiet)
        problems = []
        if len(counts) > 1:
            problems.append(f"{QUIET}: not the same verdict in every quiet run ({_said(counts)})")
        mine = [k for k in case_keys if k.startswith(cid + " [")]
        for key in mine:
            settled = _counts(v for v in (r.cases.get(key) for r in quiet) if v in SETTLED)
            if len(settled) > 1 and all(r.expected.get(key) == verdicts.MACHINE_DEPENDENT for r in quiet):
                continue  # a measured property of the machine on its threshold: no verdict was expected
            if len(settled) > 1:
                problems.append(f"{QUIET}: case {key[len(cid) + 1:]} settled differently in the quiet runs "
                                f"({_said(settled)})")
        found = []
        for run in others:
            claim_problem = _judge_condition(run, "", run.verdicts.get(cid, MISSING),
                                             [r.verdicts.get(cid, MISSING) for r in quiet], run.expected.get(cid))
            if claim_problem:
                found.append(claim_problem)
            for key in mine:
                if key not in run.cases:
                    continue  # a case missing from one run shows in the claim's verdict
                case_problem = _judge_condition(run, f"case {key[len(cid) + 1:]} ", run.cases[key],
                                                [r.cases.get(key, MISSING) for r in quiet], run.expected.get(key))
                if case_problem:
                    found.append(case_problem)
        problems += _once_each(found, n_runs)
        seen_under = {c: [r.verdicts.get(cid, MISSING) for r in by_cond[c]] for c in (ONE_CPU, HOG)}
        reason = next((r.reasons.get(cid, "") for r in by_cond[ONE_CPU]
                       if r.verdicts.get(cid) == verdicts.INCONCLUSIVE and r.reasons.get(cid)), "")
        rows.append(ClaimStability(
            claim=cid, quiet=counts, one_cpu=_shown(seen_under[ONE_CPU]), one_cpu_reason=reason,
            hog=_shown(seen_under[HOG]), problems=tuple(problems),
            counts={c: _counts(r.verdicts.get(cid, MISSING) for r in rs) for c, rs in by_cond.items() if rs},
            rates={c: claim_rates(cid, rs) for c, rs in by_cond.items() if rs},
            wrong_cases={c: w for c, w in ((c, wrong_cases(cid, rs)) for c, rs in by_cond.items() if rs) if w}))
    return Summary(quiet_runs=len(quiet), claims=tuple(rows), run_problems=tuple(run_problems),
                   runs=tuple(runs), conditions=tuple(conditions))


def to_markdown(summary: Summary, title: str = "Stability of the verdicts", data: Optional[dict] = None) -> str:
    """results/stability.md; ``data``: the summary as stored (for its selection and its dates)."""
    data = dict(data or summary.as_dict())
    out = ["# " + title, ""]
    out += summary.lines() + [""]
    out += ["| claim | quiet runs | one CPU | CPU hog | problems |", "|---|---|---|---|---|"]
    for c in summary.claims:
        one = c.one_cpu + (f" ({c.one_cpu_reason})" if c.one_cpu_reason else "")
        cells = (c.claim, _said(c.quiet), one.replace("|", "\\|"), c.hog,
                 "; ".join(c.problems).replace("|", "\\|") or "-")
        out.append("| " + " | ".join(cells) + " |")
    rates = part.rate_table(data)
    if rates:
        headers, rows = rates
        out += ["", "Wrong and inconclusive verdicts per claim: k of n runs [95 % Wilson interval]. A verdict is "
                    "wrong where it is settled against the expectation on that runtime (of the claim or of one of "
                    "its own cases); inconclusive ones are counted apart.", "",
                "| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
        out += ["| " + " | ".join(row) + " |" for row in rows]
    cases = part.wrong_case_lines(data)
    if cases:
        out += ["", "Cases with a wrong verdict:", ""] + ["- " + line for line in cases]
    out += ["", "Runs:", ""]
    for r in summary.runs:
        out.append(f"- {r.condition} `{r.run_id}`: exit status {r.exit_status}, usable CPUs {r.usable_cpus}")
    if summary.problems:
        out += ["", "Problems:", ""] + ["- " + p for p in summary.problems]
    return "\n".join(out) + "\n"
