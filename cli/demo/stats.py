"""The demo's two statistics of a share drawn for inspection: how likely a count is under the
configured rate (its verdict, ``figures.RateRow``), and the interval the report draws."""

from __future__ import annotations

import math


def binomial_tail(n: int, p: float, k: int) -> float:
    """Two-sided tail of a binomial(n, p) at k: twice the smaller of P(X <= k) and P(X >= k),
    at most 1. Summed in log space (``math.lgamma``), so n in the hundred thousands is exact
    enough and quick; p of 0 or 1 makes every other count impossible."""
    if p <= 0.0 or p >= 1.0:
        return 1.0 if k == round(p * n) else 0.0
    log_p, log_q = math.log(p), math.log1p(-p)
    head = math.lgamma(n + 1)

    def pmf(i: int) -> float:
        return math.exp(head - math.lgamma(i + 1) - math.lgamma(n - i + 1) + i * log_p + (n - i) * log_q)

    below = math.fsum(pmf(i) for i in range(0, k + 1))
    above = math.fsum(pmf(i) for i in range(k, n + 1))
    return min(1.0, 2.0 * min(below, above))


def wilson_interval(n: int, p: float, z: float = 1.96) -> tuple[float, float]:
    """Wilson interval (95% by default) of a share ``p`` observed among ``n``; (0, 0) for none."""
    if not n:
        return 0.0, 0.0
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return max(0.0, centre - half), min(1.0, centre + half)


__all__ = ["binomial_tail", "wilson_interval"]
