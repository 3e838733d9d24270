"""Pieces every benchmark shares: the machine line of a report, percentiles, a process's CPU time."""

from __future__ import annotations

import math
import os
import platform

import grpc


def percentile(ordered: list[float], q: float) -> float:
    """Nearest-rank percentile of an ascending list (0 for an empty one)."""
    if not ordered:
        return 0.0
    return ordered[min(len(ordered) - 1, max(0, math.ceil(q * len(ordered)) - 1))]


def cpu_seconds(pid: int) -> float | None:
    """CPU time (user + system, every thread) a process has used so far; None off Linux."""
    return _stat_seconds(f"/proc/{pid}/stat")


def _stat_seconds(path: str) -> float | None:
    """utime + stime of a ``/proc`` ``stat`` file (a process's or one thread's), in seconds;
    None when it cannot be read (off Linux, or the process or thread has ended)."""
    try:
        with open(path) as stat:
            fields = stat.read().rsplit(")", 1)[1].split()  # after the command name, which may hold spaces
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def thread_cpu_seconds(pid: int) -> dict[int, float]:
    """CPU time (user + system) each thread of a process has used so far, by thread id (the
    main thread's id is ``pid``); empty off Linux. Linux may account a thread's time by clock
    tick, so a thread that runs in short bursts reads to within a few per cent over seconds."""
    try:
        tids = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return {}
    found = {int(tid): _stat_seconds(f"/proc/{pid}/task/{tid}/stat") for tid in tids}
    return {tid: seconds for tid, seconds in found.items() if seconds is not None}  # ended meanwhile: left out


def machine(*versions: str) -> str:
    """The machine and the versions that matter, for a benchmark's report (``versions`` adds more)."""
    cores = os.cpu_count()
    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:
        usable = cores
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next((line.split(":", 1)[1].strip() for line in f if line.startswith("model name")), cpu)
    except OSError:
        pass
    load = ", load average %.2f %.2f %.2f" % os.getloadavg() if hasattr(os, "getloadavg") else ""
    return (f"machine: {cores} cores ({usable} usable), {cpu}{load}; Python {platform.python_version()}, "
            f"grpcio {grpc.__version__}" + "".join(f", {v}" for v in versions))

