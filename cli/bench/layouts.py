"""Where a benchmark's processes run: every process on every core, or the lane gate with its
load client on one half of the cores and the services that file records on the other
(``secondline bench freshness --layout``; Linux's ``sched_setaffinity``)."""

from __future__ import annotations

import os

from secondline.cli.bench.classification.processes import children as children_of


class Layout:
    """Which cores each process may run on for a layout's rounds (see the module's text)."""

    def __init__(self, name: str, suite) -> None:
        self.name, self.suite = name, suite
        cpus = sorted(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else []
        self.all = set(cpus)
        self.gate, self.filing = set(cpus[:len(cpus) // 2]), set(cpus[len(cpus) // 2:])

    @staticmethod
    def possible() -> bool:
        return hasattr(os, "sched_setaffinity") and len(os.sched_getaffinity(0)) >= 2

    def describe(self) -> str:
        if self.name == "shared":
            return f"layout shared: every process on cores {_cores(self.all)}"
        # as read back from the processes (once pinned), not as asked for
        pids = self.suite.pids()
        gate, filing = os.sched_getaffinity(pids["gate"]), os.sched_getaffinity(pids["ingestion"])
        return (f"layout apart: the gate and the load client on cores {_cores(gate)}; ingestion, classification "
                f"and the filing on {_cores(filing)}")

    def __enter__(self) -> "Layout":
        pids = self.suite.pids()
        if self.name == "apart":
            _pin([pids["gate"]], self.gate)
            _pin([pid for name, pid in pids.items() if name != "gate"], self.filing)
            # This process's own threads only: the services are its children too
            _pin([os.getpid()], self.filing, children=False)
        return self

    def __exit__(self, *_exc) -> None:
        if self.name == "apart":
            _pin(list(self.suite.pids().values()), self.all)
            _pin([os.getpid()], self.all, children=False)

    def load_client(self, pid: int) -> None:
        """Put a load client just started where the layout has it (its threads start after)."""
        if self.name == "apart":
            _pin([pid], self.gate)


def _pin(pids: list[int], cpus: set[int], *, children: bool = True) -> None:
    """Every thread of each process, and with ``children`` of its children and theirs
    (classification's shard workers, the edge checks' worker), on ``cpus``; a thread or process
    that ended meanwhile is skipped."""
    todo, seen = list(pids), set()
    while todo:
        pid = todo.pop()
        if pid in seen:
            continue
        seen.add(pid)
        try:
            threads = [int(t) for t in os.listdir(f"/proc/{pid}/task")]
        except OSError:
            continue
        for tid in threads:
            try:
                os.sched_setaffinity(tid, cpus)
            except OSError:
                continue
        if children:
            todo += children_of(pid)


def _cores(cpus: set[int]) -> str:
    return ",".join(map(str, sorted(cpus)))


__all__ = ["Layout"]
