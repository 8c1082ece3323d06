"""The Wilson score interval of a proportion (k of n), standard library only.

Used by ``claimbench stability`` for the rate of wrong and of inconclusive verdicts: with a
handful of runs and rates near 0, the plain k/n ± z·se interval is useless (0/20 gives [0, 0]);
Wilson's gives [0, 0.161], the upper bound a reader needs ("in at most 16 % of runs").

    Wilson, E. B. (1927). Probable inference, the law of succession, and statistical inference.
    JASA 22, 209-212. Newcombe, R. G. (1998), Statistics in Medicine 17, 857-872 (method 3).
"""
from __future__ import annotations

import math
from statistics import NormalDist
from typing import Tuple

CONFIDENCE = 0.95


def z_of(confidence: float = CONFIDENCE) -> float:
    """The two-sided normal quantile: 1.95996… for 95 %."""
    if not 0.0 < confidence < 1.0:
        raise ValueError(f"confidence must lie strictly between 0 and 1, not {confidence!r}")
    return NormalDist().inv_cdf(0.5 + confidence / 2.0)


def wilson(k: int, n: int, confidence: float = CONFIDENCE) -> Tuple[float, float]:
    """(low, high): the Wilson score interval for ``k`` successes in ``n`` trials.

    0 of 0 says nothing: (0, 1). ``k == 0`` gives a low of exactly 0, ``k == n`` a high of exactly 1.
    """
    if isinstance(k, bool) or isinstance(n, bool) or int(k) != k or int(n) != n:
        raise ValueError(f"k and n must be whole numbers, not {k!r} and {n!r}")
    k, n = int(k), int(n)
    if n < 0 or not 0 <= k <= max(n, 0):
        raise ValueError(f"need 0 <= k <= n, not k={k} n={n}")
    if n == 0:
        return 0.0, 1.0
    z = z_of(confidence)
    z2 = z * z
    p = k / n
    denom = 1.0 + z2 / n
    centre = (p + z2 / (2.0 * n)) / denom
    half = z * math.sqrt(p * (1.0 - p) / n + z2 / (4.0 * n * n)) / denom
    low = 0.0 if k == 0 else max(0.0, centre - half)
    high = 1.0 if k == n else min(1.0, centre + half)
    return low, high
