"""The options the commands share, declared once: each with its help, its choices and its default."""
from __future__ import annotations

import argparse

from ..core import scales

SCALE_HELP = ("the time unit T: " + ", ".join(f"{name} {scale.unit_s:g} s" for name, scale in scales.SCALES.items())
              + " (default: %(default)s)")
STRICT_HELP = ("an inconclusive {} fails the run; --strict=0 and --strict=1 (make's STRICT) say it "
               "explicitly (default: 0: an inconclusive one is reported and passes)")
RESULTS_HELP = "where runs are stored and {} (default: %(default)s)"


def strict_value(value: str) -> str:
    """--strict alone (1), --strict=1, --strict=0, --strict= (an empty STRICT: 0); anything else one line."""
    if value not in ("", "0", "1"):
        raise argparse.ArgumentTypeError(f"STRICT must be 1 or 0, not {value!r}")
    return value or "0"


def add_strict(p, one: str) -> None:
    p.add_argument("--strict", nargs="?", const="1", default="0", type=strict_value, metavar="0|1",
                   help=STRICT_HELP.format(one))


def scale_name(value: str) -> str:
    """A scale's name; an unknown one is scales' own line (it names the scales there are)."""
    try:
        return scales.get_scale(value).name
    except scales.UnknownScale as exc:
        raise argparse.ArgumentTypeError(str(exc))


def add_scale(p, default: str) -> None:
    p.add_argument("--scale", default=default, type=scale_name, choices=list(scales.SCALES), help=SCALE_HELP)


def add_results_dir(p, what: str = "the report is written") -> None:
    p.add_argument("--results-dir", default="results", metavar="DIR", help=RESULTS_HELP.format(what))


def add_pytest_args(p, where: str) -> None:
    """Shown in --help only: cli.parse() passes what a command does not know on to pytest, in its order."""
    p.add_argument("pytest_args", nargs="*", metavar="PYTEST-ARGS",
                   help=f"what pytest takes (-k pool -x, --lf, a test's node id), passed to {where}; so is everything "
                        "after --")
