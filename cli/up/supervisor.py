"""The supervisor of ``secondline up``: a service that dies is started again, the others run on.

A service whose process ends while the suite runs is restarted on the same address, after a
backoff that doubles with each failure in a row (0.5 s, 1 s, 2 s ... at most 10 s), and the
supervisor says so. A service that stayed up for ``stable_after`` seconds starts counting
afresh. A service that fails ``give_up_after`` times in a row, each within ``stable_after`` of
its start, is given up, with the end of its log: it is broken, not unlucky (the policy is
:class:`secondline.restarts.RestartPolicy`, which the gate's worker processes share). The others keep
running (the gate answers from its snapshot while classification is away); ``up`` ends only
on Ctrl-C, or once every service has been given up.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from secondline.cli.up.suite import RunningService, Suite
from secondline.restarts import RestartPolicy

Out = Callable[[str], None]


@dataclass
class _Watch:
    started: float  # monotonic instant of the process's last start
    failures: int = 0  # failures in a row, each soon after its start
    restart_at: float | None = None  # when a restart is due, once it failed
    given_up: bool = False


class Supervisor:
    def __init__(self, suite: Suite, out: Out, *, backoff: float = 0.5, max_backoff: float = 10.0,
                 stable_after: float = 30.0, give_up_after: int = 5, clock: Callable[[], float] = time.monotonic) -> None:
        self.suite, self.out, self.clock = suite, out, clock
        self.policy = RestartPolicy(backoff, max_backoff, stable_after, give_up_after)
        now = clock()
        self.watches = {name: _Watch(started=now) for name in suite.services}

    @property
    def running(self) -> bool:
        """Whether any service is still supervised (not given up)."""
        return any(not watch.given_up for watch in self.watches.values())

    def tick(self) -> None:
        """Look at every service once: note the ones that ended, restart the ones whose backoff is over."""
        now = self.clock()
        for name, watch in self.watches.items():
            if watch.given_up:
                continue
            service = self.suite.services[name]
            if watch.restart_at is None and service.process.poll() is not None:
                self._ended(name, service, watch, now)
            elif watch.restart_at is not None and now >= watch.restart_at:
                watch.restart_at = None
                watch.started = now
                started = self.suite.restart(name)
                self.out(f"secondline: service {name} restarted, pid {started.process.pid}, at {started.address}")

    def _ended(self, name: str, service: RunningService, watch: _Watch, now: float) -> None:
        code = service.process.returncode
        lived = now - watch.started
        watch.failures = self.policy.failures_after(watch.failures, lived)
        if self.policy.gives_up(watch.failures):
            watch.given_up = True
            (self.suite.data_dir / "run" / f"{name}.pid").unlink(missing_ok=True)
            self.out(f"secondline: giving up on service {name}: it exited {watch.failures} times in a row, each within "
                     f"{self.policy.stable_after:g} s of its start (last exit code {code}); the other services keep running. "
                     f"The end of {service.log_path}:\n{service.log_tail()}")
            return
        delay = self.policy.delay(watch.failures)
        watch.restart_at = now + delay
        self.out(f"secondline: service {name} (pid {service.process.pid}) exited with code {code} after {lived:.1f} s; "
                 f"restarting it in {delay:g} s (failure {watch.failures} of {self.policy.give_up_after} before giving up)")
