"""When to start a process again that ended: backoff, a fresh count once it ran a while, giving up.

One policy for every supervisor of the suite (``secondline up``'s services, a service's worker
processes): a process that ends is started again after a backoff that doubles with each
failure in a row (0.5 s, 1 s, 2 s ... at most 10 s); one that stayed up for ``stable_after``
seconds starts counting afresh; one that failed ``give_up_after`` times in a row, each within
``stable_after`` of its start, is broken, not unlucky, and is given up. The policy is pure
arithmetic on the failure count and how long the process lived, so that it is tested without
processes or clocks.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["RestartPolicy"]


@dataclass(frozen=True)
class RestartPolicy:
    backoff: float = 0.5
    """Seconds before the first restart; doubled with each failure in a row."""
    max_backoff: float = 10.0
    stable_after: float = 30.0
    """A process that lived this long before it ended starts counting its failures afresh."""
    give_up_after: int = 5
    """Failures in a row, each soon after its start, after which the process is given up."""

    def failures_after(self, failures: int, lived: float) -> int:
        """The failures in a row once a process that lived ``lived`` seconds ended."""
        return failures + 1 if lived < self.stable_after else 1

    def gives_up(self, failures: int) -> bool:
        return failures >= self.give_up_after

    def delay(self, failures: int) -> float:
        """Seconds to wait before the restart that follows the ``failures``-th failure in a row."""
        return min(self.max_backoff, self.backoff * 2 ** (failures - 1))
